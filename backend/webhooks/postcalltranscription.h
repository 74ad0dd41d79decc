// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"
#include "webhooks/webhookenvelope.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace callwatch::webhooks {

/** @brief One transcript entry of a post_call_transcription webhook. */
struct PostCallTurn
{
    QString role;    ///< "agent" or "user" (other values are kept as sent)
    QString message; ///< null (tool-only turns) → ""
    std::optional<double> timeInCallSecs;
    QJsonArray toolCalls;   ///< null → []
    QJsonArray toolResults; ///< null → []
    bool interrupted = false;
};

/**
 * @brief The `data` of a post_call_transcription webhook (the GET conversation model), flattened
 * to what Callwatch stores, plus the whole analysis and metadata objects for later use.
 *
 * Only data.conversation_id is required: the payload grows over time and a delivery refused with
 * a 4xx is never retried, so everything else is read leniently (absent or null → empty/nullopt).
 */
struct PostCallTranscription
{
    qint64 eventTimestamp = 0;
    QString agentId;
    QString conversationId;
    QString status; ///< "done" normally; "failed" when the conversation failed
    QString userId; ///< data.user_id, else conversation_initiation_client_data.user_id

    QJsonObject dynamicVariables; ///< conversation_initiation_client_data.dynamic_variables
    QString callSid;  ///< our call id: dynamic_variables.call_sid, else .callwatch_call_sid
    QString driverId; ///< dynamic_variables.driver_id

    QString providerCallId; ///< metadata.phone_call.call_sid (Twilio "CA…" or the SIP call id)
    QString phoneCallType;  ///< metadata.phone_call.type: "twilio", "sip_trunking", …
    QString direction;      ///< "inbound" | "outbound"
    QString agentNumber;
    QString externalNumber; ///< the driver's number
    QString batchCallId;    ///< metadata.batch_call.batch_call_id

    std::optional<qint64> startTimeUnixSecs;
    std::optional<int> callDurationSecs;
    std::optional<double> cost;     ///< metadata.cost (int in the schema; floats accepted)
    std::optional<double> costFiat; ///< metadata.cost_fiat (USD, newer payloads)
    QString terminationReason;

    QString transcriptSummary; ///< analysis.transcript_summary
    QString callSummaryTitle;  ///< analysis.call_summary_title
    QString callSuccessful;    ///< analysis.call_successful: "success" | "failure" | "unknown"
    QJsonObject analysis;      ///< the whole analysis object; null → {}
    QJsonObject metadata;      ///< the whole metadata object

    QList<PostCallTurn> transcript;

    bool failed() const { return status == QLatin1StringView("failed"); }

    /** From an envelope whose type is post_call_transcription (else invalid_field on "type"). */
    static Result<PostCallTranscription> fromEnvelope(const WebhookEnvelope &envelope);
    /** From a `data` object: the webhook's, or a GET /v1/convai/conversations/{id} response. */
    static Result<PostCallTranscription> fromData(const QJsonObject &data, qint64 eventTimestamp);
};

} // namespace callwatch::webhooks
