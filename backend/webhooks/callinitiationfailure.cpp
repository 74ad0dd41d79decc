// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/callinitiationfailure.h"

#include "webhooks/jsonfieldreader.h"

using namespace Qt::StringLiterals;

namespace callwatch::webhooks {

namespace {

// Twilio sends its StatusCallback parameters (CamelCase); SIP sends snake_case. An unknown
// provider type gets whichever spelling is present.
void readProviderBody(const JsonFieldReader &body, const QString &providerType,
                      CallInitiationFailure &failure)
{
    const bool twilio = providerType == "twilio"_L1;
    const bool sip = providerType == "sip"_L1;
    if (!sip) {
        failure.providerCallId = body.string("CallSid"_L1);
        failure.toNumber = body.string("To"_L1);
        failure.fromNumber = body.string("From"_L1);
    }
    if (!twilio) {
        if (failure.providerCallId.isEmpty())
            failure.providerCallId = body.string("call_sid"_L1);
        if (failure.toNumber.isEmpty())
            failure.toNumber = body.string("to_number"_L1);
        if (failure.fromNumber.isEmpty())
            failure.fromNumber = body.string("from_number"_L1);
    }
}

} // namespace

Result<CallInitiationFailure> CallInitiationFailure::fromEnvelope(const WebhookEnvelope &envelope)
{
    if (envelope.type != WebhookType::CallInitiationFailure)
        return invalidFieldError(u"type"_s, u"call_initiation_failure"_s);
    return fromData(envelope.data, envelope.eventTimestamp);
}

Result<CallInitiationFailure> CallInitiationFailure::fromData(const QJsonObject &data,
                                                              qint64 eventTimestamp)
{
    std::optional<Error> error;
    const JsonFieldReader reader(data, u"data"_s, &error);

    CallInitiationFailure failure;
    failure.eventTimestamp = eventTimestamp;
    failure.conversationId = reader.requiredString("conversation_id"_L1);
    failure.agentId = reader.string("agent_id"_L1);
    failure.failureReason = reader.string("failure_reason"_L1);
    if (failure.failureReason.isEmpty())
        failure.failureReason = u"unknown"_s;

    const JsonFieldReader metadata = reader.child("metadata"_L1);
    failure.providerType = metadata.string("type"_L1);
    const JsonFieldReader body = metadata.child("body"_L1);
    failure.providerBody = body.object();
    readProviderBody(body, failure.providerType, failure);

    const JsonFieldReader variables =
        reader.child("conversation_initiation_client_data"_L1).child("dynamic_variables"_L1);
    failure.dynamicVariables = variables.object();
    failure.callSid = variables.string("call_sid"_L1);
    if (failure.callSid.isEmpty())
        failure.callSid = variables.string("callwatch_call_sid"_L1);

    if (error)
        return *error;
    return failure;
}

} // namespace callwatch::webhooks
