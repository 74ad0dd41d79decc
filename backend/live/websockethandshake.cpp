// SPDX-License-Identifier: GPL-3.0-or-later
#include "live/websockethandshake.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>

using namespace Qt::StringLiterals;

namespace callwatch::live::WsHandshake {

namespace {

constexpr QByteArrayView KeyGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr qsizetype KeyBytes = 16;

HandshakeParse refuse(int status, const QString &code, const QString &message)
{
    HandshakeParse result;
    result.kind = HandshakeParse::Kind::Refused;
    result.status = status;
    result.code = code;
    result.message = message;
    return result;
}

/** True when the comma-separated header value lists `token` (case-insensitive). */
bool hasToken(const QByteArray &value, QByteArrayView token)
{
    const QList<QByteArray> tokens = value.split(',');
    for (const QByteArray &candidate : tokens) {
        if (candidate.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

struct RequestHead
{
    QByteArray method;
    QByteArray target;
    QByteArray version;
    QByteArray upgrade;
    QByteArray connection;
    QByteArray wsVersion;
    QByteArray key;
    QByteArray authorization;
};

bool readHead(QByteArrayView head, RequestHead &out)
{
    const QList<QByteArray> lines = head.toByteArray().split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    if (requestLine.size() != 3)
        return false;
    out.method = requestLine[0];
    out.target = requestLine[1];
    out.version = requestLine[2];
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines[i];
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.first(colon).trimmed().toLower();
        const QByteArray value = line.sliced(colon + 1).trimmed();
        // Repeated list headers are one list (RFC 9110 §5.3).
        const auto join = [&value](QByteArray &field) {
            field = field.isEmpty() ? value : field + ',' + value;
        };
        if (name == "upgrade")
            join(out.upgrade);
        else if (name == "connection")
            join(out.connection);
        else if (name == "sec-websocket-version")
            out.wsVersion = value;
        else if (name == "sec-websocket-key")
            out.key = value;
        else if (name == "authorization")
            out.authorization = value;
    }
    return true;
}

const char *reasonPhrase(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 405:
        return "Method Not Allowed";
    case 426:
        return "Upgrade Required";
    case 431:
        return "Request Header Fields Too Large";
    default:
        return "Error";
    }
}

} // namespace

HandshakeParse parse(QByteArrayView bytes, qsizetype maxHeadBytes)
{
    const qsizetype end = bytes.indexOf(QByteArrayView("\r\n\r\n"));
    if (end < 0 || end + 4 > maxHeadBytes) {
        if (bytes.size() < maxHeadBytes)
            return {};
        return refuse(431, u"request_header_too_large"_s,
                      u"The upgrade request's head exceeds %1 bytes."_s.arg(maxHeadBytes));
    }
    RequestHead head;
    if (!readHead(bytes.first(end), head))
        return refuse(400, u"malformed_request"_s, u"The request line is not HTTP."_s);
    if (head.method != "GET")
        return refuse(405, u"method_not_allowed"_s, u"A WebSocket upgrade is a GET request."_s);
    if (head.version != "HTTP/1.1")
        return refuse(400, u"malformed_request"_s, u"A WebSocket upgrade needs HTTP/1.1."_s);
    if (!hasToken(head.upgrade, "websocket") || !hasToken(head.connection, "upgrade"))
        return refuse(400, u"not_a_websocket_upgrade"_s,
                      u"This endpoint speaks WebSocket only: send 'Upgrade: websocket' and "
                      u"'Connection: Upgrade'."_s);
    if (head.wsVersion != "13")
        return refuse(426, u"unsupported_websocket_version"_s,
                      u"Only WebSocket version 13 (RFC 6455) is supported."_s);
    if (QByteArray::fromBase64(head.key).size() != KeyBytes)
        return refuse(400, u"bad_websocket_key"_s,
                      u"Sec-WebSocket-Key must be 16 bytes in base64."_s);
    HandshakeParse result;
    result.kind = HandshakeParse::Kind::Accepted;
    result.consumed = end + 4;
    result.request = {head.target, head.authorization, head.key};
    return result;
}

QByteArray acceptResponse(const QByteArray &key)
{
    const QByteArray accept =
        QCryptographicHash::hash(QByteArray(key + KeyGuid), QCryptographicHash::Sha1).toBase64();
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: " +
           accept + "\r\n\r\n";
}

QByteArray refusalResponse(const HandshakeParse &refusal)
{
    const QJsonObject inner{{u"code"_s, refusal.code}, {u"message"_s, refusal.message}};
    const QByteArray body =
        QJsonDocument(QJsonObject{{u"error"_s, inner}}).toJson(QJsonDocument::Compact);
    QByteArray response = "HTTP/1.1 " + QByteArray::number(refusal.status) + ' ' +
                          reasonPhrase(refusal.status) +
                          "\r\nContent-Type: application/json\r\nConnection: close\r\n";
    if (refusal.status == 426)
        response += "Sec-WebSocket-Version: 13\r\nUpgrade: websocket\r\n";
    response += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    return response;
}

} // namespace callwatch::live::WsHandshake
