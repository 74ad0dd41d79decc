// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"
#include "webhooks/webhookenvelope.h"

#include <QJsonObject>
#include <QString>

namespace callwatch::webhooks {

/**
 * @brief The `data` of a call_initiation_failure webhook: the call never connected.
 *
 * Only data.conversation_id is required. The provider body is kept whole because Twilio passes
 * its StatusCallback parameters through unchanged and SIP adds status codes and reasons.
 */
struct CallInitiationFailure
{
    qint64 eventTimestamp = 0;
    QString agentId;
    QString conversationId;
    QString failureReason; ///< "busy", "no-answer", "unknown", or any other text as sent; absent →
                           ///< "unknown"
    QString providerType;     ///< metadata.type: "twilio" | "sip"
    QJsonObject providerBody; ///< metadata.body, whole
    QString providerCallId;   ///< Twilio body CallSid, or SIP body call_sid
    QString toNumber;         ///< Twilio body To, or SIP body to_number
    QString fromNumber;       ///< Twilio body From, or SIP body from_number
    QJsonObject
        dynamicVariables; ///< conversation_initiation_client_data.dynamic_variables, if sent
    QString callSid; ///< our call id from dynamic_variables.call_sid / .callwatch_call_sid, if sent

    /** From an envelope whose type is call_initiation_failure (else invalid_field on "type"). */
    static Result<CallInitiationFailure> fromEnvelope(const WebhookEnvelope &envelope);
    static Result<CallInitiationFailure> fromData(const QJsonObject &data, qint64 eventTimestamp);
};

} // namespace callwatch::webhooks
