// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/postcalltranscription.h"

#include "webhooks/jsonfieldreader.h"

#include <limits>

using namespace Qt::StringLiterals;

namespace callwatch::webhooks {

namespace {

QList<PostCallTurn> readTranscript(const JsonFieldReader &data)
{
    const QJsonArray items = data.arrayValue("transcript"_L1);
    const QString arrayPath = data.pathOf("transcript"_L1);
    QList<PostCallTurn> turns;
    turns.reserve(items.size());
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QString path = arrayPath % u'[' % QString::number(i) % u']';
        if (!items.at(i).isObject()) {
            data.fail(invalidFieldError(path, u"an object"_s));
            return {};
        }
        const JsonFieldReader item = data.withObject(items.at(i).toObject(), path);
        PostCallTurn turn;
        turn.role = item.requiredString("role"_L1);
        turn.message = item.string("message"_L1);
        turn.timeInCallSecs = item.number("time_in_call_secs"_L1);
        turn.toolCalls = item.arrayValue("tool_calls"_L1);
        turn.toolResults = item.arrayValue("tool_results"_L1);
        turn.interrupted = item.boolean("interrupted"_L1);
        turns.append(std::move(turn));
    }
    return turns;
}

void readMetadata(const JsonFieldReader &data, PostCallTranscription &call)
{
    const JsonFieldReader metadata = data.child("metadata"_L1);
    call.metadata = metadata.object();
    call.startTimeUnixSecs = metadata.unixSeconds("start_time_unix_secs"_L1);
    if (const std::optional<qint64> duration = metadata.integer("call_duration_secs"_L1)) {
        if (*duration < 0 || *duration > std::numeric_limits<int>::max()) {
            metadata.fail(invalidFieldError(metadata.pathOf("call_duration_secs"_L1),
                                            u"a duration in seconds"_s));
        } else {
            call.callDurationSecs = static_cast<int>(*duration);
        }
    }
    call.cost = metadata.number("cost"_L1);
    call.costFiat = metadata.number("cost_fiat"_L1);
    call.terminationReason = metadata.string("termination_reason"_L1);

    const JsonFieldReader phoneCall = metadata.child("phone_call"_L1);
    call.phoneCallType = phoneCall.string("type"_L1);
    call.providerCallId = phoneCall.string("call_sid"_L1);
    call.direction = phoneCall.string("direction"_L1);
    call.agentNumber = phoneCall.string("agent_number"_L1);
    call.externalNumber = phoneCall.string("external_number"_L1);

    call.batchCallId = metadata.child("batch_call"_L1).string("batch_call_id"_L1);
}

void readAnalysis(const JsonFieldReader &data, PostCallTranscription &call)
{
    const JsonFieldReader analysis = data.child("analysis"_L1);
    call.analysis = analysis.object();
    call.transcriptSummary = analysis.string("transcript_summary"_L1);
    call.callSummaryTitle = analysis.string("call_summary_title"_L1);
    call.callSuccessful = analysis.string("call_successful"_L1);
}

void readClientData(const JsonFieldReader &data, PostCallTranscription &call)
{
    const JsonFieldReader clientData = data.child("conversation_initiation_client_data"_L1);
    const JsonFieldReader variables = clientData.child("dynamic_variables"_L1);
    call.dynamicVariables = variables.object();
    call.callSid = variables.string("call_sid"_L1);
    if (call.callSid.isEmpty())
        call.callSid = variables.string("callwatch_call_sid"_L1);
    call.driverId = variables.string("driver_id"_L1);
    if (call.userId.isEmpty())
        call.userId = clientData.string("user_id"_L1);
}

} // namespace

Result<PostCallTranscription> PostCallTranscription::fromEnvelope(const WebhookEnvelope &envelope)
{
    if (envelope.type != WebhookType::PostCallTranscription)
        return invalidFieldError(u"type"_s, u"post_call_transcription"_s);
    return fromData(envelope.data, envelope.eventTimestamp);
}

Result<PostCallTranscription> PostCallTranscription::fromData(const QJsonObject &data,
                                                              qint64 eventTimestamp)
{
    std::optional<Error> error;
    const JsonFieldReader reader(data, u"data"_s, &error);

    PostCallTranscription call;
    call.eventTimestamp = eventTimestamp;
    call.conversationId = reader.requiredString("conversation_id"_L1);
    call.agentId = reader.string("agent_id"_L1);
    call.status = reader.string("status"_L1);
    call.userId = reader.string("user_id"_L1);
    readClientData(reader, call);
    readMetadata(reader, call);
    readAnalysis(reader, call);
    call.transcript = readTranscript(reader);

    if (error)
        return *error;
    return call;
}

} // namespace callwatch::webhooks
