// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/calljson.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace callwatch::server {

namespace {

QJsonValue text(const QString &value)
{
    return value.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(value);
}

QJsonValue time(const QDateTime &value)
{
    return value.isValid() ? QJsonValue(value.toUTC().toString(Qt::ISODateWithMs))
                           : QJsonValue(QJsonValue::Null);
}

template<typename T> QJsonValue number(const std::optional<T> &value)
{
    return value ? QJsonValue(double(*value)) : QJsonValue(QJsonValue::Null);
}

} // namespace

QJsonObject callToJson(const store::CallRecord &call)
{
    return {
        {u"call_sid"_s, call.callSid},
        {u"conversation_id"_s, text(call.conversationId)},
        {u"provider_call_id"_s, text(call.providerCallId)},
        {u"agent_id"_s, text(call.agentId)},
        {u"driver_id"_s, text(call.driverId)},
        {u"to_number"_s, text(call.toNumber)},
        {u"direction"_s, text(call.direction)},
        {u"status"_s, call.status},
        {u"failure_reason"_s, text(call.failureReason)},
        {u"created_at"_s, time(call.createdAt)},
        {u"started_at"_s, time(call.startedAt)},
        {u"ended_at"_s, time(call.endedAt)},
        {u"updated_at"_s, time(call.updatedAt)},
        {u"transcript_summary"_s, text(call.transcriptSummary)},
        {u"call_duration_seconds"_s, number(call.callDurationSeconds)},
        {u"cost"_s, number(call.cost)},
        {u"call_successful"_s, text(call.callSuccessful)},
        {u"analysis"_s, call.analysis},
        {u"metadata"_s, call.metadata},
        {u"termination_reason"_s, text(call.terminationReason)},
        {u"batch_id"_s, text(call.batchId)},
        {u"has_audio"_s, !call.audioPath.isEmpty()},
        {u"last_sequence_number"_s, call.lastSequenceNumber},
    };
}

QJsonObject turnToJson(const store::TranscriptTurn &turn)
{
    return {
        {u"sequence_number"_s, turn.sequenceNumber},
        {u"speaker"_s, turn.speaker},
        {u"message"_s, turn.message},
        {u"time_in_call_secs"_s, number(turn.timeInCallSecs)},
        {u"source"_s, turn.source},
        {u"received_at"_s, time(turn.receivedAt)},
        {u"tool_calls"_s, turn.toolCalls},
        {u"tool_results"_s, turn.toolResults},
    };
}

QJsonObject deliveryToJson(const store::DeliveryRecord &delivery, bool withBody)
{
    QJsonObject json{
        {u"id"_s, delivery.id},
        {u"received_at"_s, time(delivery.receivedAt)},
        {u"route"_s, delivery.route},
        {u"event_type"_s, text(delivery.eventType)},
        {u"verification"_s, delivery.verification},
        {u"outcome"_s, delivery.outcome},
        {u"http_status"_s,
         number(std::optional<qint64>(
             delivery.httpStatus ? std::optional<qint64>(*delivery.httpStatus) : std::nullopt))},
        {u"error_code"_s, text(delivery.errorCode)},
        {u"error_message"_s, text(delivery.errorMessage)},
        {u"call_sid"_s, text(delivery.callSid)},
        {u"conversation_id"_s, text(delivery.conversationId)},
        {u"body_size"_s, delivery.bodySize},
        {u"body_sha256"_s, text(delivery.bodySha256)},
        {u"processed_at"_s, time(delivery.processedAt)},
    };
    if (withBody) {
        json.insert(u"headers"_s, delivery.headers);
        json.insert(u"body"_s, QString::fromUtf8(delivery.body));
    }
    return json;
}

} // namespace callwatch::server
