// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/httptypes.h"

#include "http/httpconnection.h"

#include <QJsonDocument>
#include <QUrl>

#include <algorithm>
#include <charconv>

using namespace Qt::StringLiterals;

namespace callwatch::http {

namespace {

// The server frames every response itself; a handler-supplied copy would contradict it.
bool isFramingHeader(QByteArrayView name)
{
    return name.compare("content-length", Qt::CaseInsensitive) == 0 ||
           name.compare("transfer-encoding", Qt::CaseInsensitive) == 0 ||
           name.compare("connection", Qt::CaseInsensitive) == 0;
}

bool hasLineBreak(QByteArrayView text)
{
    return text.contains('\r') || text.contains('\n');
}

void appendNumber(QByteArray &out, qint64 value)
{
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, value);
    out.append(digits, result.ptr - digits);
}

} // namespace

QByteArray HttpRequest::header(QByteArrayView name) const
{
    for (const auto &header : headers) {
        if (name.compare(header.first, Qt::CaseInsensitive) == 0)
            return header.second;
    }
    return {};
}

bool HttpRequest::hasHeader(QByteArrayView name) const
{
    for (const auto &header : headers) {
        if (name.compare(header.first, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

HttpResponse HttpResponse::json(const QJsonObject &object, int status)
{
    HttpResponse response;
    response.status = status;
    response.body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    return response;
}

HttpResponse HttpResponse::json(const QJsonArray &array, int status)
{
    HttpResponse response;
    response.status = status;
    response.body = QJsonDocument(array).toJson(QJsonDocument::Compact);
    return response;
}

HttpResponse HttpResponse::error(int status, const QString &code, const QString &message)
{
    const QJsonObject inner{{u"code"_s, code}, {u"message"_s, message}};
    return json(QJsonObject{{u"error"_s, inner}}, status);
}

QByteArray HttpResponse::toWire(bool keepAlive) const
{
    // RFC 9110 §8.6: no Content-Length (and no body) for 1xx, 204 and 304.
    const bool hasBody = status >= 200 && status != 204 && status != 304;
    qsizetype extra = 0;
    for (const auto &header : headers)
        extra += header.first.size() + header.second.size() + 4;

    QByteArray out;
    out.reserve(112 + contentType.size() + extra + (hasBody ? body.size() : 0));
    out.append("HTTP/1.1 ");
    appendNumber(out, status);
    out.append(' ').append(reasonPhrase(status)).append("\r\n");
    if (hasBody) {
        if (!body.isEmpty() && !contentType.isEmpty())
            out.append("Content-Type: ").append(contentType).append("\r\n");
        out.append("Content-Length: ");
        appendNumber(out, body.size());
        out.append("\r\n");
    }
    out.append(keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n");
    for (const auto &header : headers) {
        if (isFramingHeader(header.first) || hasLineBreak(header.first) ||
            hasLineBreak(header.second))
            continue;
        out.append(header.first).append(": ").append(header.second).append("\r\n");
    }
    out.append("\r\n");
    if (hasBody)
        out.append(body);
    return out;
}

QByteArrayView HttpResponse::reasonPhrase(int status)
{
    struct Reason
    {
        int status;
        const char *text;
    };
    static constexpr Reason kReasons[] = {
        {200, "OK"},
        {201, "Created"},
        {202, "Accepted"},
        {204, "No Content"},
        {100, "Continue"},
        {101, "Switching Protocols"},
        {301, "Moved Permanently"},
        {302, "Found"},
        {304, "Not Modified"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {408, "Request Timeout"},
        {409, "Conflict"},
        {410, "Gone"},
        {411, "Length Required"},
        {413, "Content Too Large"},
        {414, "URI Too Long"},
        {415, "Unsupported Media Type"},
        {417, "Expectation Failed"},
        {422, "Unprocessable Content"},
        {426, "Upgrade Required"},
        {429, "Too Many Requests"},
        {431, "Request Header Fields Too Large"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
        {505, "HTTP Version Not Supported"},
        {507, "Insufficient Storage"},
    };
    for (const Reason &reason : kReasons) {
        if (reason.status == status)
            return reason.text;
    }
    return "Unknown";
}

struct HttpResponder::State
{
    QPointer<HttpConnection> connection;
    quint64 serial = 0;
    bool answered = false;

    ~State()
    {
        // A handler that lost its responder would otherwise stall every pipelined response.
        if (!answered && connection)
            connection->respond(serial,
                                HttpResponse::error(500, u"no_response"_s,
                                                    u"The request handler did not answer."_s));
    }
};

HttpResponder::HttpResponder(HttpConnection *connection, quint64 requestSerial)
    : m_state(std::make_shared<State>())
{
    m_state->connection = connection;
    m_state->serial = requestSerial;
}

void HttpResponder::send(HttpResponse response) const
{
    if (!m_state || m_state->answered)
        return;
    m_state->answered = true;
    if (m_state->connection)
        m_state->connection->respond(m_state->serial, std::move(response));
}

bool HttpResponder::isConnected() const
{
    return m_state && m_state->connection && m_state->connection->isOpen();
}

QString loggablePath(const QString &path)
{
    const auto isControl = [](QChar c) {
        const char16_t u = c.unicode();
        return u < 0x20 || (u >= 0x7f && u <= 0x9f);
    };
    if (std::none_of(path.cbegin(), path.cend(), isControl))
        return path;
    QString out;
    out.reserve(path.size() + 16);
    for (const QChar c : path) {
        if (!isControl(c)) {
            out.append(c);
            continue;
        }
        // Each UTF-8 byte as %XX (C1 controls are two), as the request spelled them.
        out.append(QString::fromLatin1(QUrl::toPercentEncoding(QString(c))));
    }
    return out;
}

} // namespace callwatch::http
