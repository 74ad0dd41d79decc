// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/wireparser.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>

using namespace Qt::StringLiterals;

namespace callwatch::app {

namespace {

Error invalid(const QString &what)
{
    return Error{u"invalid_payload"_s, what};
}

Result<QJsonObject> parseObject(QByteArrayView body, const QString &what)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return Error{u"malformed_json"_s,
                     u"%1: the body is not valid JSON (%2)"_s.arg(what, parseError.errorString())};
    if (!document.isObject())
        return Error{u"malformed_json"_s, u"%1: the body is not a JSON object"_s.arg(what)};
    return document.object();
}

QString text(const QJsonObject &object, QLatin1StringView key)
{
    const QJsonValue value = object.value(key);
    if (value.isString())
        return value.toString();
    if (value.isDouble())
        return QString::number(value.toDouble(), 'g', 15);
    return {};
}

std::optional<qint64> integer(const QJsonObject &object, QLatin1StringView key)
{
    const QJsonValue value = object.value(key);
    if (value.isDouble())
        return qint64(std::llround(value.toDouble()));
    if (value.isString()) {
        bool ok = false;
        const qint64 parsed = value.toString().toLongLong(&ok);
        if (ok)
            return parsed;
    }
    return std::nullopt;
}

std::optional<double> number(const QJsonObject &object, QLatin1StringView key)
{
    const QJsonValue value = object.value(key);
    if (value.isDouble())
        return value.toDouble();
    return std::nullopt;
}

/** A data collection value as a person reads it: strings bare, numbers short, JSON compact. */
QString displayValue(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Double: {
        const double d = value.toDouble();
        if (std::floor(d) == d && std::abs(d) < 1e15)
            return QString::number(qint64(d));
        return QString::number(d, 'g', 12);
    }
    case QJsonValue::Bool:
        return value.toBool() ? u"yes"_s : u"no"_s;
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    return {};
}

QStringList toolNames(const QJsonValue &toolCalls)
{
    QStringList names;
    const QJsonArray array = toolCalls.toArray();
    for (const QJsonValue &item : array) {
        const QJsonObject tool = item.toObject();
        QString name = text(tool, "tool_name"_L1);
        if (name.isEmpty())
            name = text(tool, "name"_L1);
        if (!name.isEmpty())
            names.append(name);
    }
    return names;
}

Result<TranscriptEvent> transcriptionEvent(const QJsonObject &object, qint64 eventId)
{
    TranscriptEvent event;
    event.eventId = eventId;
    event.callSid = text(object, "call_sid"_L1);
    if (event.callSid.isEmpty())
        return invalid(u"transcription event %1: call_sid is missing"_s.arg(eventId));
    event.conversationId = text(object, "conversation_id"_L1);
    auto turn = WireParser::turn(object);
    if (!turn)
        return turn.error();
    event.turn = std::move(turn).value();
    if (event.turn.source.isEmpty())
        event.turn.source = QString::fromLatin1(TurnSource::Live);
    event.timestamp = WireParser::time(object.value("timestamp"_L1));
    if (!event.turn.receivedAt.isValid())
        event.turn.receivedAt = event.timestamp;
    return event;
}

CallStatusEvent callStatusEvent(const QJsonObject &object, qint64 eventId)
{
    CallStatusEvent event;
    event.eventId = eventId;
    event.callSid = text(object, "call_sid"_L1);
    event.conversationId = text(object, "conversation_id"_L1);
    event.status = text(object, "status"_L1);
    event.previousStatus = text(object, "previous_status"_L1);
    event.failureReason = text(object, "failure_reason"_L1);
    event.driverId = text(object, "driver_id"_L1);
    event.toNumber = text(object, "to_number"_L1);
    event.timestamp = WireParser::time(object.value("timestamp"_L1));
    return event;
}

CallCompletedEvent callCompletedEvent(const QJsonObject &object, qint64 eventId)
{
    CallCompletedEvent event;
    event.eventId = eventId;
    event.callSid = text(object, "call_sid"_L1);
    event.conversationId = text(object, "conversation_id"_L1);
    event.status = text(object, "status"_L1);
    if (event.status.isEmpty())
        event.status = QString::fromLatin1(CallStatus::Completed);
    event.transcriptSummary = text(object, "transcript_summary"_L1);
    event.durationSeconds = integer(object, "call_duration_seconds"_L1);
    event.cost = number(object, "cost"_L1);
    event.callSuccessful = text(object, "call_successful"_L1);
    event.analysis = WireParser::analysis(object.value("analysis"_L1).toObject());
    event.terminationReason = text(object, "termination_reason"_L1);
    event.timestamp = WireParser::time(object.value("timestamp"_L1));
    return event;
}

Result<LiveMessage> eventMessage(LiveMessage message, const QJsonObject &object)
{
    const std::optional<qint64> eventId = integer(object, "event_id"_L1);
    if (!eventId || *eventId <= 0)
        return invalid(u"%1 event: event_id is missing"_s.arg(message.typeName));
    if (message.type == LiveMessage::Type::Transcription) {
        auto event = transcriptionEvent(object, *eventId);
        if (!event)
            return event.error();
        message.transcription = std::move(event).value();
        return message;
    }
    const QString callSid = text(object, "call_sid"_L1);
    if (callSid.isEmpty())
        return invalid(u"%1 event %2: call_sid is missing"_s.arg(message.typeName).arg(*eventId));
    if (message.type == LiveMessage::Type::CallStatus)
        message.callStatus = callStatusEvent(object, *eventId);
    else
        message.callCompleted = callCompletedEvent(object, *eventId);
    return message;
}

} // namespace

qint64 LiveMessage::eventId() const
{
    switch (type) {
    case Type::Transcription:
        return transcription.eventId;
    case Type::CallStatus:
        return callStatus.eventId;
    case Type::CallCompleted:
        return callCompleted.eventId;
    default:
        return 0;
    }
}

QDateTime WireParser::time(const QJsonValue &value)
{
    if (value.isString()) {
        QDateTime parsed = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
        return parsed.isValid() ? parsed.toUTC() : QDateTime();
    }
    if (value.isDouble()) {
        const double number = value.toDouble();
        // Values past year 33658 in seconds are milliseconds.
        const qint64 ms = number > 1e12 ? qint64(number) : qint64(number * 1000.0);
        return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
    }
    return {};
}

CallAnalysis WireParser::analysis(const QJsonObject &object)
{
    CallAnalysis analysis;
    const QJsonObject criteria = object.value("evaluation_criteria_results"_L1).toObject();
    for (auto it = criteria.begin(); it != criteria.end(); ++it) {
        const QJsonObject item = it.value().toObject();
        QString id = text(item, "criteria_id"_L1);
        analysis.evaluation.append(
            {id.isEmpty() ? it.key() : id, text(item, "result"_L1), text(item, "rationale"_L1)});
    }
    const QJsonObject collected = object.value("data_collection_results"_L1).toObject();
    for (auto it = collected.begin(); it != collected.end(); ++it) {
        const QJsonObject item = it.value().toObject();
        QString id = text(item, "data_collection_id"_L1);
        const QJsonValue value = item.value("value"_L1);
        analysis.dataCollection.append({id.isEmpty() ? it.key() : id, displayValue(value),
                                        value.isNull() || value.isUndefined(),
                                        text(item, "rationale"_L1)});
    }
    return analysis;
}

Result<CallRecord> WireParser::call(const QJsonObject &object)
{
    CallRecord call;
    call.callSid = text(object, "call_sid"_L1);
    if (call.callSid.isEmpty())
        return invalid(u"call: call_sid is missing"_s);
    call.conversationId = text(object, "conversation_id"_L1);
    call.providerCallId = text(object, "provider_call_id"_L1);
    call.agentId = text(object, "agent_id"_L1);
    call.driverId = text(object, "driver_id"_L1);
    call.toNumber = text(object, "to_number"_L1);
    call.direction = text(object, "direction"_L1);
    call.status = text(object, "status"_L1);
    call.failureReason = text(object, "failure_reason"_L1);
    call.createdAt = time(object.value("created_at"_L1));
    call.startedAt = time(object.value("started_at"_L1));
    call.endedAt = time(object.value("ended_at"_L1));
    call.updatedAt = time(object.value("updated_at"_L1));
    call.transcriptSummary = text(object, "transcript_summary"_L1);
    call.durationSeconds = integer(object, "call_duration_seconds"_L1);
    call.cost = number(object, "cost"_L1);
    call.callSuccessful = text(object, "call_successful"_L1);
    call.analysis = analysis(object.value("analysis"_L1).toObject());
    call.terminationReason = text(object, "termination_reason"_L1);
    call.hasAudio = object.value("has_audio"_L1).toBool();
    return call;
}

Result<TranscriptTurn> WireParser::turn(const QJsonObject &object)
{
    const std::optional<qint64> sequence = integer(object, "sequence_number"_L1);
    if (!sequence)
        return invalid(u"transcript turn: sequence_number is missing"_s);
    TranscriptTurn turn;
    turn.sequenceNumber = *sequence;
    turn.speaker = text(object, "speaker"_L1);
    turn.message = text(object, "message"_L1);
    turn.timeInCallSecs = number(object, "time_in_call_secs"_L1).value_or(0);
    turn.source = text(object, "source"_L1);
    turn.receivedAt = time(object.value("received_at"_L1));
    turn.toolNames = toolNames(object.value("tool_calls"_L1));
    return turn;
}

Result<CallPage> WireParser::callPage(QByteArrayView body)
{
    auto object = parseObject(body, u"call list"_s);
    if (!object)
        return object.error();
    const QJsonValue calls = object->value("calls"_L1);
    if (!calls.isArray())
        return invalid(u"call list: \"calls\" is not an array"_s);
    CallPage page;
    const QJsonArray array = calls.toArray();
    for (const QJsonValue &item : array) {
        auto call = WireParser::call(item.toObject());
        if (!call)
            return call.error();
        page.calls.append(std::move(call).value());
    }
    page.nextCursor = text(object.value(), "next_cursor"_L1);
    return page;
}

Result<CallDetail> WireParser::callDetail(QByteArrayView body)
{
    auto object = parseObject(body, u"call"_s);
    if (!object)
        return object.error();
    auto call = WireParser::call(object->value("call"_L1).toObject());
    if (!call)
        return call.error();
    CallDetail detail{std::move(call).value(), {}};
    const QJsonArray turns = object->value("transcript"_L1).toArray();
    for (const QJsonValue &item : turns) {
        auto turn = WireParser::turn(item.toObject());
        if (!turn)
            return turn.error();
        detail.transcript.append(std::move(turn).value());
    }
    return detail;
}

Result<DashboardStats> WireParser::stats(QByteArrayView body)
{
    auto object = parseObject(body, u"stats"_s);
    if (!object)
        return object.error();
    DashboardStats stats;
    stats.liveCalls = integer(object.value(), "live_calls"_L1).value_or(0);
    stats.completedToday = integer(object.value(), "completed_today"_L1).value_or(0);
    stats.failedToday = integer(object.value(), "failed_today"_L1).value_or(0);
    stats.failureRate = number(object.value(), "failure_rate"_L1).value_or(0);
    stats.costToday = number(object.value(), "cost_today"_L1).value_or(0);
    stats.lastEventId = integer(object.value(), "last_event_id"_L1).value_or(0);
    return stats;
}

Result<Delivery> WireParser::delivery(const QJsonObject &object)
{
    const std::optional<qint64> id = integer(object, "id"_L1);
    if (!id)
        return invalid(u"delivery: id is missing"_s);
    Delivery delivery;
    delivery.id = *id;
    delivery.receivedAt = time(object.value("received_at"_L1));
    delivery.route = text(object, "route"_L1);
    delivery.eventType = text(object, "event_type"_L1);
    delivery.verification = text(object, "verification"_L1);
    delivery.outcome = text(object, "outcome"_L1);
    delivery.httpStatus = int(integer(object, "http_status"_L1).value_or(0));
    delivery.errorCode = text(object, "error_code"_L1);
    delivery.errorMessage = text(object, "error_message"_L1);
    delivery.callSid = text(object, "call_sid"_L1);
    delivery.conversationId = text(object, "conversation_id"_L1);
    delivery.bodySize = integer(object, "body_size"_L1).value_or(0);
    return delivery;
}

Result<DeliveryPage> WireParser::deliveryPage(QByteArrayView body)
{
    auto object = parseObject(body, u"delivery list"_s);
    if (!object)
        return object.error();
    const QJsonValue deliveries = object->value("deliveries"_L1);
    if (!deliveries.isArray())
        return invalid(u"delivery list: \"deliveries\" is not an array"_s);
    DeliveryPage page;
    const QJsonArray array = deliveries.toArray();
    for (const QJsonValue &item : array) {
        auto delivery = WireParser::delivery(item.toObject());
        if (!delivery)
            return delivery.error();
        page.deliveries.append(std::move(delivery).value());
    }
    page.nextBefore = integer(object.value(), "next_before"_L1);
    return page;
}

Result<Delivery> WireParser::deliveryDetail(QByteArrayView body)
{
    auto object = parseObject(body, u"delivery"_s);
    if (!object)
        return object.error();
    // Accept both the flat shape and {"delivery": {...}}.
    const QJsonObject fields = object->value("delivery"_L1).isObject()
                                   ? object->value("delivery"_L1).toObject()
                                   : object.value();
    auto delivery = WireParser::delivery(fields);
    if (!delivery)
        return delivery.error();
    const QJsonValue raw =
        fields.contains("body"_L1) ? fields.value("body"_L1) : object->value("body"_L1);
    if (raw.isString())
        delivery->body = raw.toString().toUtf8();
    else if (raw.isObject())
        delivery->body = QJsonDocument(raw.toObject()).toJson(QJsonDocument::Compact);
    return delivery;
}

Result<ReplayResult> WireParser::replayResult(QByteArrayView body)
{
    auto object = parseObject(body, u"replay"_s);
    if (!object)
        return object.error();
    return ReplayResult{text(object.value(), "outcome"_L1),
                        int(integer(object.value(), "http_status"_L1).value_or(0))};
}

std::optional<Error> WireParser::errorBody(QByteArrayView body)
{
    const QJsonObject error =
        QJsonDocument::fromJson(body.toByteArray()).object().value("error"_L1).toObject();
    if (error.isEmpty())
        return std::nullopt;
    return Error{text(error, "code"_L1), text(error, "message"_L1)};
}

Result<LiveMessage> WireParser::liveMessage(QByteArrayView utf8)
{
    auto object = parseObject(utf8, u"live message"_s);
    if (!object)
        return object.error();
    static const QHash<QString, LiveMessage::Type> types = {
        {u"transcription"_s, LiveMessage::Type::Transcription},
        {u"call_status"_s, LiveMessage::Type::CallStatus},
        {u"call_completed"_s, LiveMessage::Type::CallCompleted},
        {u"subscribed"_s, LiveMessage::Type::Subscribed},
        {u"pong"_s, LiveMessage::Type::Pong},
        {u"error"_s, LiveMessage::Type::Error},
        {u"token_expiring"_s, LiveMessage::Type::TokenExpiring},
        {u"authenticated"_s, LiveMessage::Type::Authenticated},
    };
    LiveMessage message;
    message.typeName = text(object.value(), "type"_L1);
    if (message.typeName.isEmpty())
        return invalid(u"live message: type is missing"_s);
    message.type = types.value(message.typeName, LiveMessage::Type::Other);
    switch (message.type) {
    case LiveMessage::Type::Transcription:
    case LiveMessage::Type::CallStatus:
    case LiveMessage::Type::CallCompleted:
        return eventMessage(std::move(message), object.value());
    case LiveMessage::Type::Subscribed:
        if (object->value("recovered"_L1).isBool())
            message.recovered = object->value("recovered"_L1).toBool();
        message.lastEventId = integer(object.value(), "last_event_id"_L1).value_or(0);
        break;
    case LiveMessage::Type::Error:
        message.errorCode = text(object.value(), "code"_L1);
        message.errorMessage = text(object.value(), "message"_L1);
        break;
    case LiveMessage::Type::TokenExpiring:
    case LiveMessage::Type::Authenticated:
        message.expiresAt = integer(object.value(), "expires_at"_L1).value_or(0);
        break;
    case LiveMessage::Type::Pong:
    case LiveMessage::Type::Other:
        break;
    }
    return message;
}

} // namespace callwatch::app
