// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/deliverymodel.h"

#include <algorithm>

namespace callwatch::app {

namespace {
bool newerThan(const Delivery &delivery, qint64 id)
{
    return delivery.id > id;
}
} // namespace

DeliveryModel::DeliveryModel(QObject *parent) : QAbstractListModel(parent) {}

int DeliveryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant DeliveryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Delivery &delivery = m_rows[size_t(index.row())];
    switch (role) {
    case IdRole:
        return delivery.id;
    case ReceivedAtRole:
        return delivery.receivedAt;
    case Qt::DisplayRole:
    case RouteRole:
        return delivery.route;
    case EventTypeRole:
        return delivery.eventType;
    case VerificationRole:
        return delivery.verification;
    case OutcomeRole:
        return delivery.outcome;
    case HttpStatusRole:
        return delivery.httpStatus;
    case ErrorCodeRole:
        return delivery.errorCode;
    case ErrorMessageRole:
        return delivery.errorMessage;
    case CallSidRole:
        return delivery.callSid;
    case ConversationIdRole:
        return delivery.conversationId;
    case BodySizeRole:
        return delivery.bodySize;
    default:
        return {};
    }
}

QHash<int, QByteArray> DeliveryModel::roleNames() const
{
    return {
        {IdRole, "deliveryId"},
        {ReceivedAtRole, "receivedAt"},
        {RouteRole, "route"},
        {EventTypeRole, "eventType"},
        {VerificationRole, "verification"},
        {OutcomeRole, "outcome"},
        {HttpStatusRole, "httpStatus"},
        {ErrorCodeRole, "errorCode"},
        {ErrorMessageRole, "errorMessage"},
        {CallSidRole, "callSid"},
        {ConversationIdRole, "conversationId"},
        {BodySizeRole, "bodySize"},
    };
}

void DeliveryModel::merge(const QList<Delivery> &deliveries)
{
    for (Delivery delivery : deliveries) {
        delivery.body.clear();
        const auto it = std::lower_bound(m_rows.begin(), m_rows.end(), delivery.id, newerThan);
        const int row = int(it - m_rows.begin());
        if (it != m_rows.end() && it->id == delivery.id) {
            if (!(*it == delivery)) {
                *it = std::move(delivery);
                Q_EMIT dataChanged(index(row), index(row));
            }
            continue;
        }
        beginInsertRows(QModelIndex(), row, row);
        m_rows.insert(it, std::move(delivery));
        endInsertRows();
        Q_EMIT countChanged();
    }
}

void DeliveryModel::clear()
{
    if (m_rows.empty())
        return;
    beginResetModel();
    m_rows.clear();
    endResetModel();
    Q_EMIT countChanged();
}

const Delivery *DeliveryModel::find(qint64 id) const
{
    const int row = rowOf(id);
    return row >= 0 ? &m_rows[size_t(row)] : nullptr;
}

std::optional<qint64> DeliveryModel::oldestId() const
{
    if (m_rows.empty())
        return std::nullopt;
    return m_rows.back().id;
}

int DeliveryModel::rowOf(qint64 id) const
{
    const auto it = std::lower_bound(m_rows.begin(), m_rows.end(), id, newerThan);
    return it != m_rows.end() && it->id == id ? int(it - m_rows.begin()) : -1;
}

qint64 DeliveryModel::idAt(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? m_rows[size_t(row)].id : -1;
}

} // namespace callwatch::app
