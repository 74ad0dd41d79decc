// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>

#include <functional>
#include <optional>

namespace callwatch::elevenlabs {

class SandboxConversation;

/** @brief One recipient the sandbox is about to dial for a batch. */
struct BatchDial
{
    QString batchId;
    QString recipientId;
    QString agentId;
    QString agentPhoneNumberId;
    QString phoneNumber;
    QJsonObject dynamicVariables;
};

/**
 * @brief The sandbox's batch calling: submitted batches dial their recipients a few at a time
 * (targetConcurrency), and GET reports batch and recipient statuses the way the API does:
 * pending → dispatched → initiated (conversation id known) → in_progress → completed | failed.
 */
class SandboxBatches : public QObject
{
    Q_OBJECT
public:
    /** Creates and starts the conversation for one recipient. */
    using Dial = std::function<SandboxConversation *(const BatchDial &)>;

    SandboxBatches(int targetConcurrency, Dial dial, QObject *parent = nullptr);

    /** A validated submit body → the BatchCallResponse. Dialling starts on the event loop. */
    QJsonObject submit(const QJsonObject &body);
    /** GET /v1/convai/batch-calling/{id}; nullopt when unknown. */
    std::optional<QJsonObject> get(const QString &batchId) const;

private:
    struct Recipient
    {
        QString id;
        QString phoneNumber;
        QString status = QStringLiteral("pending");
        QString conversationId;
        QJsonObject clientData;
        qint64 createdAt = 0;
        qint64 updatedAt = 0;
    };
    struct Batch
    {
        QString id;
        QString name;
        QString agentId;
        QString phoneNumberId;
        QString status = QStringLiteral("pending");
        qint64 createdAt = 0;
        qint64 updatedAt = 0;
        QList<Recipient> recipients;
        int next = 0;   ///< first recipient not dialled yet
        int active = 0; ///< dialled and not finished
        int finished = 0;
    };

    QJsonObject describe(const Batch &batch, bool withRecipients) const;
    void dispatch(const QString &batchId);
    void onStatus(const QString &batchId, int index, const QString &conversationStatus);

    int m_targetConcurrency;
    Dial m_dial;
    QHash<QString, Batch> m_batches;
    int m_counter = 0;
};

} // namespace callwatch::elevenlabs
