// SPDX-License-Identifier: GPL-3.0-or-later
#include "live/liveprotocol.h"

#include <QJsonDocument>

#include <array>
#include <cmath>

using namespace Qt::StringLiterals;

namespace callwatch::live {

namespace {

Error invalid(const QString &message)
{
    return Error{u"invalid_message"_s, message};
}

QByteArray serialize(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

bool hasRequestId(const QJsonValue &requestId)
{
    return requestId.isString() || requestId.isDouble();
}

void putRequestId(QJsonObject &object, const QJsonValue &requestId)
{
    if (hasRequestId(requestId))
        object.insert("request_id"_L1, requestId);
}

void putSelector(QJsonObject &object, const Selector &selector)
{
    switch (selector.kind) {
    case Selector::Kind::CallSid:
        object.insert("call_sid"_L1, selector.value);
        break;
    case Selector::Kind::ConversationId:
        object.insert("conversation_id"_L1, selector.value);
        break;
    case Selector::Kind::All:
        object.insert("all"_L1, true);
        break;
    }
}

std::optional<QJsonObject> parseObject(QByteArrayView utf8)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(utf8.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return document.object();
}

/** Exactly one of call_sid / conversation_id / identifier / all:true. */
Result<Selector> parseSelector(const QJsonObject &object)
{
    static constexpr std::array<QLatin1StringView, 4> Keys = {"call_sid"_L1, "conversation_id"_L1,
                                                              "identifier"_L1, "all"_L1};
    int present = 0;
    for (QLatin1StringView key : Keys)
        present += object.contains(key) ? 1 : 0;
    if (present != 1)
        return invalid(u"Give exactly one of call_sid, conversation_id, identifier or all."_s);
    if (object.contains("all"_L1)) {
        if (object.value("all"_L1) != QJsonValue(true))
            return invalid(u"\"all\" must be true."_s);
        return Selector::all();
    }
    for (QLatin1StringView key : Keys) {
        const QJsonValue value = object.value(key);
        if (value.isUndefined())
            continue;
        const QString text = value.toString();
        if (!value.isString() || text.isEmpty() || text.size() > LiveProtocol::MaxIdentifierLength)
            return invalid(QString(key) +
                           u" must be a non-empty string of at most 256 characters."_s);
        if (key == "call_sid"_L1)
            return Selector::callSid(text);
        if (key == "conversation_id"_L1)
            return Selector::conversationId(text);
        return Selector::identifier(text);
    }
    return invalid(u"No selector."_s);
}

Result<qint64> parseSince(const QJsonValue &value)
{
    constexpr double MaxExact = 9007199254740992.0; // 2^53: beyond this doubles skip integers
    const double number = value.toDouble(-1);
    if (!value.isDouble() || number < 0 || number > MaxExact || std::floor(number) != number)
        return invalid(u"\"since\" must be a non-negative integer event id."_s);
    return static_cast<qint64>(number);
}

Result<ClientMessage> parseFields(const QJsonObject &object, const QString &type)
{
    ClientMessage message;
    message.requestId = object.value("request_id"_L1);
    if (message.requestId.isUndefined() || message.requestId.isNull())
        message.requestId = QJsonValue();
    else if (!hasRequestId(message.requestId) ||
             message.requestId.toString().size() > LiveProtocol::MaxRequestIdLength)
        return invalid(u"\"request_id\" must be a string (at most 128 characters) or a number."_s);

    if (type == "ping"_L1) {
        message.type = ClientMessage::Type::Ping;
        return message;
    }
    if (type == "auth"_L1) {
        message.type = ClientMessage::Type::Auth;
        const QJsonValue token = object.value("token"_L1);
        if (!token.isString() || token.toString().isEmpty())
            return invalid(u"\"auth\" needs a non-empty \"token\" string."_s);
        message.token = token.toString().toUtf8();
        return message;
    }
    message.type =
        type == "subscribe"_L1 ? ClientMessage::Type::Subscribe : ClientMessage::Type::Unsubscribe;
    Result<Selector> selector = parseSelector(object);
    if (!selector)
        return selector.error();
    message.selector = selector.value();
    if (message.type == ClientMessage::Type::Subscribe && object.contains("since"_L1)) {
        const Result<qint64> since = parseSince(object.value("since"_L1));
        if (!since)
            return since.error();
        message.since = since.value();
    }
    return message;
}

} // namespace

Selector Selector::identifier(const QString &identifier)
{
    return identifier.startsWith("conv_"_L1) ? conversationId(identifier) : callSid(identifier);
}

Result<ClientMessage> LiveProtocol::parseClientMessage(QByteArrayView utf8)
{
    const std::optional<QJsonObject> object = parseObject(utf8);
    if (!object)
        return Error{u"malformed_json"_s, u"The message is not a JSON object."_s};
    const QJsonValue type = object->value("type"_L1);
    if (!type.isString())
        return invalid(u"The message has no \"type\" string."_s);
    const QString name = type.toString();
    if (name != "subscribe"_L1 && name != "unsubscribe"_L1 && name != "ping"_L1 &&
        name != "auth"_L1)
        return Error{u"unknown_type"_s, u"Unknown message type."_s};
    return parseFields(*object, name);
}

QJsonValue LiveProtocol::requestIdOf(QByteArrayView utf8)
{
    const std::optional<QJsonObject> object = parseObject(utf8);
    if (!object)
        return {};
    const QJsonValue requestId = object->value("request_id"_L1);
    if (!hasRequestId(requestId) || requestId.toString().size() > MaxRequestIdLength)
        return {};
    return requestId;
}

QByteArray LiveProtocol::subscribeMessage(const Selector &selector, std::optional<qint64> since,
                                          const QJsonValue &requestId)
{
    QJsonObject object{{"type"_L1, "subscribe"_L1}};
    putSelector(object, selector);
    if (since)
        object.insert("since"_L1, *since);
    putRequestId(object, requestId);
    return serialize(object);
}

QByteArray LiveProtocol::unsubscribeMessage(const Selector &selector, const QJsonValue &requestId)
{
    QJsonObject object{{"type"_L1, "unsubscribe"_L1}};
    putSelector(object, selector);
    putRequestId(object, requestId);
    return serialize(object);
}

QByteArray LiveProtocol::pingMessage(const QJsonValue &requestId)
{
    QJsonObject object{{"type"_L1, "ping"_L1}};
    putRequestId(object, requestId);
    return serialize(object);
}

QByteArray LiveProtocol::authMessage(QByteArrayView token, const QJsonValue &requestId)
{
    QJsonObject object{{"type"_L1, "auth"_L1},
                       {"token"_L1, QString::fromUtf8(token.data(), token.size())}};
    putRequestId(object, requestId);
    return serialize(object);
}

QByteArray LiveProtocol::eventMessage(const EventRecord &event)
{
    if (event.payloadJson.startsWith('{')) {
        // The stored text already is the message (its "type" included) but for its id: put
        // "event_id" first instead of parsing and serializing it again for every event.
        // Stored compact ("{}" when empty), as callevents writes it.
        QByteArray message;
        message.reserve(event.payloadJson.size() + 32);
        message.append("{\"event_id\":").append(QByteArray::number(event.id));
        if (event.payloadJson != "{}")
            message.append(',');
        message.append(QByteArrayView(event.payloadJson).sliced(1));
        return message;
    }
    QJsonObject object = event.payload;
    object.insert("type"_L1, event.type);
    object.insert("event_id"_L1, event.id);
    return serialize(object);
}

QByteArray LiveProtocol::subscribedMessage(const Selector &selector, std::optional<bool> recovered,
                                           qint64 lastEventId, const QJsonValue &requestId)
{
    QJsonObject object{{"type"_L1, "subscribed"_L1}};
    putSelector(object, selector);
    if (recovered)
        object.insert("recovered"_L1, *recovered);
    object.insert("last_event_id"_L1, lastEventId);
    putRequestId(object, requestId);
    return serialize(object);
}

QByteArray LiveProtocol::unsubscribedMessage(const Selector &selector, const QJsonValue &requestId)
{
    QJsonObject object{{"type"_L1, "unsubscribed"_L1}};
    putSelector(object, selector);
    putRequestId(object, requestId);
    return serialize(object);
}

QByteArray LiveProtocol::pongMessage(const QJsonValue &requestId)
{
    QJsonObject object{{"type"_L1, "pong"_L1}};
    putRequestId(object, requestId);
    return serialize(object);
}

QByteArray LiveProtocol::errorMessage(const QString &code, const QString &message,
                                      const QJsonValue &requestId)
{
    QJsonObject object{{"type"_L1, "error"_L1}, {"code"_L1, code}, {"message"_L1, message}};
    putRequestId(object, requestId);
    return serialize(object);
}

QByteArray LiveProtocol::tokenExpiringMessage(qint64 expiresAt)
{
    return serialize(QJsonObject{{"type"_L1, "token_expiring"_L1}, {"expires_at"_L1, expiresAt}});
}

QByteArray LiveProtocol::authenticatedMessage(qint64 expiresAt, const QJsonValue &requestId)
{
    QJsonObject object{{"type"_L1, "authenticated"_L1}, {"expires_at"_L1, expiresAt}};
    putRequestId(object, requestId);
    return serialize(object);
}

Result<ServerMessage> LiveProtocol::parseServerMessage(QByteArrayView utf8)
{
    const std::optional<QJsonObject> object = parseObject(utf8);
    if (!object || !object->value("type"_L1).isString())
        return Error{u"malformed_json"_s, u"The message is not a JSON object with a type."_s};
    ServerMessage message;
    message.type = object->value("type"_L1).toString();
    message.eventId = object->value("event_id"_L1).toInteger(0);
    message.body = *object;
    return message;
}

bool LiveProtocol::isEventType(QStringView type)
{
    return type == QLatin1StringView(EventType::Transcription) ||
           type == QLatin1StringView(EventType::CallStatus) ||
           type == QLatin1StringView(EventType::CallCompleted);
}

} // namespace callwatch::live
