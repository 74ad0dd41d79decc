// SPDX-License-Identifier: GPL-3.0-or-later
#include "elevenlabs/sandboxbatches.h"

#include "elevenlabs/sandboxconversation.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace callwatch::elevenlabs {

namespace {

qint64 now()
{
    return QDateTime::currentSecsSinceEpoch();
}

/** The batch recipient status for a conversation status. */
QString recipientStatus(const QString &conversationStatus)
{
    if (conversationStatus == u"in-progress"_s)
        return u"in_progress"_s;
    if (conversationStatus == u"done"_s)
        return u"completed"_s;
    return conversationStatus; // initiated, failed
}

} // namespace

SandboxBatches::SandboxBatches(int targetConcurrency, Dial dial, QObject *parent)
    : QObject(parent), m_targetConcurrency(qMax(1, targetConcurrency)), m_dial(std::move(dial))
{}

QJsonObject SandboxBatches::submit(const QJsonObject &body)
{
    Batch batch;
    const QByteArray seed = "batch|" + QByteArray::number(++m_counter) + '|' +
                            QByteArray::number(QDateTime::currentMSecsSinceEpoch());
    batch.id = u"btcal_"_s +
               QString::fromLatin1(
                   QCryptographicHash::hash(seed, QCryptographicHash::Sha256).toHex().left(24));
    batch.name = body.value("call_name"_L1).toString();
    batch.agentId = body.value("agent_id"_L1).toString();
    batch.phoneNumberId = body.value("agent_phone_number_id"_L1).toString();
    batch.createdAt = batch.updatedAt = now();
    const QJsonArray recipients = body.value("recipients"_L1).toArray();
    for (qsizetype i = 0; i < recipients.size(); ++i) {
        const QJsonObject item = recipients.at(i).toObject();
        Recipient recipient;
        recipient.id = item.value("id"_L1).toString();
        if (recipient.id.isEmpty())
            recipient.id = batch.id + u"_r"_s + QString::number(i);
        recipient.phoneNumber = item.value("phone_number"_L1).toString();
        recipient.clientData = item.value("conversation_initiation_client_data"_L1).toObject();
        recipient.createdAt = recipient.updatedAt = batch.createdAt;
        batch.recipients.append(recipient);
    }
    m_batches.insert(batch.id, batch);
    const QString id = batch.id;
    QTimer::singleShot(0, this, [this, id] { dispatch(id); });
    return describe(batch, false);
}

std::optional<QJsonObject> SandboxBatches::get(const QString &batchId) const
{
    const auto it = m_batches.constFind(batchId);
    if (it == m_batches.cend())
        return std::nullopt;
    return describe(*it, true);
}

QJsonObject SandboxBatches::describe(const Batch &batch, bool withRecipients) const
{
    QJsonObject out{
        {u"id"_s, batch.id},
        {u"name"_s, batch.name},
        {u"agent_id"_s, batch.agentId},
        {u"agent_name"_s, u"Northline Fleet Safety"_s},
        {u"phone_number_id"_s, batch.phoneNumberId},
        {u"phone_provider"_s, u"twilio"_s},
        {u"created_at_unix"_s, batch.createdAt},
        {u"scheduled_time_unix"_s, batch.createdAt},
        {u"last_updated_at_unix"_s, batch.updatedAt},
        {u"total_calls_dispatched"_s, batch.next},
        {u"total_calls_scheduled"_s, int(batch.recipients.size())},
        {u"total_calls_finished"_s, batch.finished},
        {u"status"_s, batch.status},
        {u"retry_count"_s, 0},
        {u"target_concurrency_limit"_s, m_targetConcurrency},
    };
    if (!withRecipients)
        return out;
    QJsonArray recipients;
    for (const Recipient &recipient : batch.recipients) {
        recipients.append(QJsonObject{
            {u"id"_s, recipient.id},
            {u"phone_number"_s, recipient.phoneNumber},
            {u"whatsapp_user_id"_s, QJsonValue(QJsonValue::Null)},
            {u"status"_s, recipient.status},
            {u"created_at_unix"_s, recipient.createdAt},
            {u"updated_at_unix"_s, recipient.updatedAt},
            {u"conversation_id"_s, recipient.conversationId.isEmpty()
                                       ? QJsonValue(QJsonValue::Null)
                                       : QJsonValue(recipient.conversationId)},
            {u"conversation_initiation_client_data"_s, recipient.clientData},
        });
    }
    out.insert(u"recipients"_s, recipients);
    return out;
}

void SandboxBatches::dispatch(const QString &batchId)
{
    auto it = m_batches.find(batchId);
    if (it == m_batches.end())
        return;
    while (it->active < m_targetConcurrency && it->next < it->recipients.size()) {
        const int index = it->next++;
        ++it->active;
        it->status = u"in_progress"_s;
        Recipient &recipient = it->recipients[index];
        recipient.status = u"dispatched"_s;
        recipient.updatedAt = it->updatedAt = now();
        const BatchDial dial{batchId,
                             recipient.id,
                             it->agentId,
                             it->phoneNumberId,
                             recipient.phoneNumber,
                             recipient.clientData.value("dynamic_variables"_L1).toObject()};
        SandboxConversation *conversation = m_dial(dial);
        it = m_batches.find(batchId); // m_dial must not touch batches, but stay safe
        it->recipients[index].conversationId = conversation->setup().conversationId;
        it->recipients[index].status = u"initiated"_s;
        connect(
            conversation, &SandboxConversation::statusChanged, this,
            [this, batchId, index](const QString &status) { onStatus(batchId, index, status); });
    }
}

void SandboxBatches::onStatus(const QString &batchId, int index, const QString &conversationStatus)
{
    auto it = m_batches.find(batchId);
    if (it == m_batches.end())
        return;
    Recipient &recipient = it->recipients[index];
    recipient.status = recipientStatus(conversationStatus);
    recipient.updatedAt = it->updatedAt = now();
    if (conversationStatus != u"done"_s && conversationStatus != u"failed"_s)
        return;
    --it->active;
    ++it->finished;
    if (it->finished == it->recipients.size())
        it->status = u"completed"_s;
    else
        dispatch(batchId);
}

} // namespace callwatch::elevenlabs
