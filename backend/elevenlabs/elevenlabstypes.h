// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

/// Plain structs for the ElevenLabs Conversational AI REST API (reference notes §8). Field names
/// in comments are the wire names.
namespace callwatch::elevenlabs {

/** Which outbound-call endpoint dials: /v1/convai/twilio/… or /v1/convai/sip-trunk/…. */
enum class Provider { Twilio, Sip };

/** "twilio" / "sip"; nullopt for anything else. */
std::optional<Provider> providerFromName(const QString &name);
QString providerName(Provider provider);

/** @brief POST /v1/convai/{twilio|sip-trunk}/outbound-call. */
struct OutboundCallRequest
{
    QString agentId;            ///< agent_id
    QString agentPhoneNumberId; ///< agent_phone_number_id
    QString toNumber;           ///< to_number (E.164)
    /// conversation_initiation_client_data.dynamic_variables (string/number/bool values)
    QJsonObject dynamicVariables;
};

/** @brief Its 200 answer. `providerCallId` is `callSid` (Twilio, camelCase) or `sip_call_id`. */
struct OutboundCallResponse
{
    bool success = false;
    QString message;
    QString conversationId;
    QString providerCallId;
};

/** @brief One recipient of a batch (recipients[]). */
struct BatchRecipient
{
    QString id;          ///< we send our call_sid, so a recipient maps back to its call
    QString phoneNumber; ///< phone_number
    QJsonObject dynamicVariables;
};

/** @brief POST /v1/convai/batch-calling/submit (scheduled_time_unix is sent as null: now). */
struct BatchSubmitRequest
{
    QString callName; ///< call_name
    QString agentId;
    QString agentPhoneNumberId;
    QList<BatchRecipient> recipients;
};

/** @brief A recipient as GET /v1/convai/batch-calling/{id} reports it. */
struct BatchRecipientStatus
{
    QString id;
    QString phoneNumber;
    /// pending, dispatched, initiated, in_progress, completed, failed, cancelled, voicemail
    QString status;
    QString conversationId; ///< empty until the call is placed
};

/** @brief BatchCallResponse (submit) or the detailed GET (with recipients). */
struct BatchJob
{
    QString id;
    QString name;
    QString agentId;
    QString status; ///< pending, in_progress, completed, failed, cancelled
    int totalCallsDispatched = 0;
    int totalCallsScheduled = 0;
    int totalCallsFinished = 0;
    QList<BatchRecipientStatus> recipients;

    /** completed, failed or cancelled: nothing will change any more. */
    bool isFinished() const;
};

/** @brief GET /v1/convai/conversations/{id}: the raw object (same shape as webhook `data`). */
struct Conversation
{
    QJsonObject data;
    QString conversationId;
    QString status; ///< initiated, in-progress, processing, done, failed
    std::optional<qint64> startTimeUnixSecs;
    std::optional<qint64> callDurationSecs;

    /** done or failed: the post-call data is final. */
    bool isFinal() const;
};

/** @brief One summary of GET /v1/convai/conversations. */
struct ConversationSummary
{
    QString agentId;
    QString conversationId;
    QString status;
    qint64 startTimeUnixSecs = 0;
    qint64 callDurationSecs = 0;
};

/** @brief The list query; empty fields are not sent. */
struct ConversationQuery
{
    QString agentId;
    QString cursor;
    int pageSize = 100; ///< the API allows at most 100
    std::optional<qint64> callStartAfterUnix;
};

struct ConversationPage
{
    QList<ConversationSummary> conversations;
    QString nextCursor;
    bool hasMore = false;
};

} // namespace callwatch::elevenlabs
