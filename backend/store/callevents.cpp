// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/callevents.h"

#include "core/jsontext.h"
#include "store/sql.h"

#include <QJsonValue>

using namespace Qt::StringLiterals;

namespace callwatch::store::callevents {

namespace {

QJsonValue orNull(const QString &value)
{
    return value.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(value);
}

template<typename T> QJsonValue orNull(const std::optional<T> &value)
{
    return value ? QJsonValue(*value) : QJsonValue(QJsonValue::Null);
}

EventRecord make(const char *type, const CallRecord &call, QJsonObject payload, const QDateTime &at)
{
    payload.insert(u"type"_s, QString::fromLatin1(type));
    payload.insert(u"call_sid"_s, call.callSid);
    payload.insert(u"conversation_id"_s, orNull(call.conversationId));
    payload.insert(u"timestamp"_s, sql::timeText(at));
    EventRecord event;
    event.type = QString::fromLatin1(type);
    event.callId = call.id;
    event.callSid = call.callSid;
    event.conversationId = call.conversationId;
    event.payload = payload;
    event.createdAt = at;
    return event;
}

} // namespace

EventRecord status(const CallRecord &call, const QString &previousStatus, const QDateTime &at)
{
    return make(EventType::CallStatus, call,
                {{u"status"_s, call.status},
                 {u"previous_status"_s, orNull(previousStatus)},
                 {u"failure_reason"_s, orNull(call.failureReason)},
                 {u"driver_id"_s, orNull(call.driverId)},
                 {u"to_number"_s, orNull(call.toNumber)}},
                at);
}

EventRecord completed(const CallRecord &call, const QDateTime &at)
{
    return make(EventType::CallCompleted, call,
                {{u"status"_s, call.status},
                 {u"transcript_summary"_s, orNull(call.transcriptSummary)},
                 {u"call_duration_seconds"_s, orNull(call.callDurationSeconds)},
                 {u"cost"_s, orNull(call.cost)},
                 {u"call_successful"_s, orNull(call.callSuccessful)},
                 {u"analysis"_s, call.analysis},
                 {u"termination_reason"_s, orNull(call.terminationReason)}},
                at);
}

EventRecord transcription(const CallRecord &call, const TranscriptTurn &turn)
{
    return make(EventType::Transcription, call,
                {{u"sequence_number"_s, turn.sequenceNumber},
                 {u"speaker"_s, turn.speaker},
                 {u"message"_s, turn.message},
                 {u"time_in_call_secs"_s, orNull(turn.timeInCallSecs)},
                 {u"source"_s, turn.source}},
                turn.receivedAt);
}

QByteArray transcriptionFields(const NewTurn &turn)
{
    // By hand (on the HTTP thread, for every live turn): the same bytes as QJsonDocument's
    // compact form of {message, source, speaker, time_in_call_secs} without the braces, keys in
    // its (sorted) order. tst_eventlog compares the two.
    const QByteArray message = jsontext::quoted(turn.message);
    const QByteArray source = jsontext::quoted(turn.source);
    const QByteArray speaker = jsontext::quoted(turn.speaker);
    const QByteArray time =
        turn.timeInCallSecs ? jsontext::number(*turn.timeInCallSecs) : QByteArray("null");
    QByteArray fields;
    fields.reserve(message.size() + source.size() + speaker.size() + time.size() + 56);
    fields += "\"message\":" + message + ",\"source\":" + source + ",\"speaker\":" + speaker +
              ",\"time_in_call_secs\":" + time;
    return fields;
}

std::pair<EventRecord, QByteArray> transcriptionText(const CallRecord &call,
                                                     const TranscriptTurn &turn, QByteArray fields)
{
    if (fields.isEmpty()) {
        NewTurn own;
        own.speaker = turn.speaker;
        own.message = turn.message;
        own.timeInCallSecs = turn.timeInCallSecs;
        own.source = turn.source;
        fields = transcriptionFields(own);
    }
    EventRecord event;
    event.type = QString::fromLatin1(EventType::Transcription);
    event.callId = call.id;
    event.callSid = call.callSid;
    event.conversationId = call.conversationId;
    event.createdAt = turn.receivedAt;
    QByteArray json;
    json.reserve(fields.size() + call.callSid.size() + call.conversationId.size() + 128);
    json += "{\"call_sid\":" + jsontext::quoted(call.callSid) + ",\"conversation_id\":" +
            (call.conversationId.isEmpty() ? QByteArray("null")
                                           : jsontext::quoted(call.conversationId)) +
            ',' + fields + ",\"sequence_number\":" + QByteArray::number(turn.sequenceNumber) +
            ",\"timestamp\":" + jsontext::quoted(sql::timeText(turn.receivedAt)) +
            ",\"type\":\"transcription\"}";
    return {std::move(event), std::move(json)};
}

} // namespace callwatch::store::callevents
