// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/wiretypes.h"

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

#include <optional>
#include <vector>

namespace callwatch::app {

/**
 * @brief The webhook inspector's rows: recorded deliveries, newest (highest id) first.
 * Pages and refreshes merge by id: new ids are inserted where they belong, known ids update
 * in place. Bodies are not kept here; the inspector fetches the selected one.
 */
class DeliveryModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by the Dashboard")
    Q_PROPERTY(int count READ count NOTIFY countChanged)
public:
    enum Roles {
        IdRole = Qt::UserRole + 1,
        ReceivedAtRole,
        RouteRole,
        EventTypeRole,
        VerificationRole,
        OutcomeRole,
        HttpStatusRole,
        ErrorCodeRole,
        ErrorMessageRole,
        CallSidRole,
        ConversationIdRole,
        BodySizeRole,
    };
    Q_ENUM(Roles)

    explicit DeliveryModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void merge(const QList<Delivery> &deliveries);
    void clear();
    const Delivery *find(qint64 id) const;
    std::optional<qint64> oldestId() const;

    Q_INVOKABLE int rowOf(qint64 id) const;
    Q_INVOKABLE qint64 idAt(int row) const;
    int count() const { return rowCount(); }

Q_SIGNALS:
    void countChanged();

private:
    std::vector<Delivery> m_rows; ///< sorted by id, descending
};

} // namespace callwatch::app
