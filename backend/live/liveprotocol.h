// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/eventrecord.h"
#include "core/result.h"
#include "live/websocketframes.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace callwatch::live {

/** @brief What a subscription names: one call (by either identifier) or every call. */
struct Selector
{
    enum class Kind { CallSid, ConversationId, All };
    Kind kind = Kind::All;
    QString value; ///< empty for All

    static Selector all() { return {Kind::All, {}}; }
    static Selector callSid(const QString &sid) { return {Kind::CallSid, sid}; }
    static Selector conversationId(const QString &id) { return {Kind::ConversationId, id}; }
    /** "conv_…" is an ElevenLabs conversation id; anything else is taken as a call sid. */
    static Selector identifier(const QString &identifier);

    bool operator==(const Selector &other) const = default;
};

/** @brief One parsed client → server message. */
struct ClientMessage
{
    enum class Type { Subscribe, Unsubscribe, Ping, Auth };
    Type type = Type::Ping;
    Selector selector;           ///< Subscribe / Unsubscribe
    std::optional<qint64> since; ///< Subscribe: resume after this event id
    QByteArray token;            ///< Auth
    QJsonValue requestId;        ///< a string or a number when the client sent one, else null
};

/** @brief One parsed server → client message (used by clients and tests). */
struct ServerMessage
{
    QString type;
    qint64 eventId = 0; ///< event messages only (transcription, call_status, call_completed)
    QJsonObject body;   ///< the whole message as sent
};

/** WebSocket close codes the hub uses besides the standard ones. */
namespace CloseCode {
inline constexpr quint16 GoingAway = 1001;    ///< the server is shutting down
inline constexpr quint16 Unauthorized = 4001; ///< token missing, invalid, under-scoped or expired
inline constexpr quint16 TooSlow = 4008;      ///< the client fell more than maxUnsentBytes behind
inline constexpr quint16 MessageTooBig = WsClose::TooBig; ///< a client message over the limit
inline constexpr quint16 ReplayFailed = 1011; ///< resume could not be completed; reconnect
} // namespace CloseCode

/**
 * @brief The live WebSocket wire format, both directions: the only code that builds or reads it.
 *
 * Every message is one compact JSON object in a text frame with a "type". Server messages are
 * returned as UTF-8 bytes so the hub serializes an event once and shares it among clients.
 * See docs/live-protocol.md. Error codes of parseClientMessage: `malformed_json`,
 * `unknown_type`, `invalid_message`.
 */
class LiveProtocol
{
public:
    // Client → server.
    static Result<ClientMessage> parseClientMessage(QByteArrayView utf8);
    /** The request_id of a message that failed to parse, when one can still be read. */
    static QJsonValue requestIdOf(QByteArrayView utf8);
    static QByteArray subscribeMessage(const Selector &selector, std::optional<qint64> since = {},
                                       const QJsonValue &requestId = {});
    static QByteArray unsubscribeMessage(const Selector &selector,
                                         const QJsonValue &requestId = {});
    static QByteArray pingMessage(const QJsonValue &requestId = {});
    static QByteArray authMessage(QByteArrayView token, const QJsonValue &requestId = {});

    // Server → client.
    /** The event payload with "type" and "event_id" set. */
    static QByteArray eventMessage(const EventRecord &event);
    /** `recovered` is written only when the subscribe carried "since". */
    static QByteArray subscribedMessage(const Selector &selector, std::optional<bool> recovered,
                                        qint64 lastEventId, const QJsonValue &requestId = {});
    static QByteArray unsubscribedMessage(const Selector &selector,
                                          const QJsonValue &requestId = {});
    static QByteArray pongMessage(const QJsonValue &requestId = {});
    static QByteArray errorMessage(const QString &code, const QString &message,
                                   const QJsonValue &requestId = {});
    static QByteArray tokenExpiringMessage(qint64 expiresAt);
    static QByteArray authenticatedMessage(qint64 expiresAt, const QJsonValue &requestId = {});
    /** Error code: `malformed_json` (not a JSON object with a string "type"). */
    static Result<ServerMessage> parseServerMessage(QByteArrayView utf8);

    /** Whether `type` is one of the event message types. */
    static bool isEventType(QStringView type);

    static constexpr qsizetype MaxIdentifierLength = 256;
    static constexpr qsizetype MaxRequestIdLength = 128;
};

} // namespace callwatch::live
