// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QUrlQuery>

#include <functional>
#include <memory>

QT_FORWARD_DECLARE_CLASS(QTcpSocket)

namespace callwatch::http {

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

/** @brief One parsed HTTP/1.1 request, as a route handler sees it. Plain data, copyable. */
struct HttpRequest
{
    QByteArray method; ///< upper case: "GET", "POST", ...
    QByteArray target; ///< the raw request-target, e.g. "/api/calls?status=failed"
    QString path;      ///< percent-decoded path without the query
    QUrlQuery query;
    HeaderList headers;   ///< names lower-cased, in arrival order
    QByteArray body;      ///< the whole body, unless the route spools to disk
    QString bodyFilePath; ///< set (and body empty) when the route spools large bodies to disk
    qint64 bodySize = 0;  ///< bytes of body received (memory or file)
    QHostAddress peer;
    QStringList pathArgs;   ///< values captured by {placeholders}, in pattern order
    QElapsedTimer received; ///< started when the first byte of the request head arrived

    /** Case-insensitive lookup; the first value when repeated; empty when absent. */
    QByteArray header(QByteArrayView name) const;
    bool hasHeader(QByteArrayView name) const;
};

/** @brief A response to send. JSON by default. */
struct HttpResponse
{
    int status = 200;
    QByteArray contentType = QByteArrayLiteral("application/json");
    HeaderList headers;
    QByteArray body;

    static HttpResponse json(const QJsonObject &object, int status = 200);
    static HttpResponse json(const QJsonArray &array, int status = 200);
    /** {"error": {"code": code, "message": message}} */
    static HttpResponse error(int status, const QString &code, const QString &message);

    /**
     * The bytes to put on the wire: status line, Content-Type, Content-Length, Connection, the
     * extra headers, the body. Framing headers in `headers` (Content-Length, Transfer-Encoding,
     * Connection) and headers containing CR/LF are dropped: the server owns the framing.
     */
    QByteArray toWire(bool keepAlive) const;
    /** "OK", "Not Found", ...; "Unknown" for codes without a registered phrase. */
    static QByteArrayView reasonPhrase(int status);
};

class HttpConnection;

/**
 * @brief The handle a deferred route answers through, possibly long after the handler returned.
 * Copyable; the first send() wins. Sending after the client went away is a safe no-op
 * (this is the point of not using QFuture routes on Qt 6.4, which crash in that case).
 * If every copy is destroyed without a send(), the client gets a 500 so that the
 * pipeline behind this request is not blocked forever.
 * Must be used from the thread that owns the HTTP server.
 */
class HttpResponder
{
public:
    HttpResponder() = default;
    HttpResponder(HttpConnection *connection, quint64 requestSerial);

    void send(HttpResponse response) const;
    bool isConnected() const;

private:
    struct State;
    std::shared_ptr<State> m_state;
};

using SyncHandler = std::function<HttpResponse(const HttpRequest &)>;
using AsyncHandler = std::function<void(const HttpRequest &, HttpResponder)>;

/**
 * Receives a socket whose WebSocket handshake request is still unread in it (for
 * QWebSocketServer::handleConnection). The handler owns the socket from then on; note that
 * in Qt 6.4 handleConnection() does not take ownership either: delete the socket after the
 * QWebSocket built on it.
 */
using UpgradeHandler = std::function<void(QTcpSocket *socket, const HttpRequest &request)>;

/** @brief One finished request, for access logs. Never carries header values or the body. */
struct RequestLogEntry
{
    QByteArray method; ///< "-" when the request line could not be parsed
    QString path;      ///< decoded path without the query (queries may carry secrets)
    int status = 0;    ///< 0 when the client went away before an answer existed
    qint64 bodyBytesIn = 0;
    qint64 bodyBytesOut = 0;
    qint64 durationUs = 0; ///< first byte of the request to the response being queued
    QHostAddress peer;
    quint16 peerPort = 0;
    bool clientGone = false; ///< the response could not be written: the client had disconnected
};

using RequestLogger = std::function<void(const RequestLogEntry &)>;

/**
 * The decoded path as it may go into a log line: control characters (C0, DEL, C1) are written
 * back as %XX. Paths come from anyone who can reach the port: a decoded %0A would start a
 * forged log line, an escape sequence would drive the operator's terminal.
 */
QString loggablePath(const QString &path);

/**
 * Told of a request that was routed but refused before its handler ran: body over the limit
 * (413), broken framing (400), too slow (408), not storable (500/507). `request` has the head
 * and `bodySize` bytes received so far; its body is not kept. Runs on the connection's thread.
 */
using RefusalHandler = std::function<void(const HttpRequest &request, int status,
                                          const QString &code, const QString &message)>;

/**
 * @brief Per-route limits and body handling.
 *
 * Spooling: the de-chunked body is written to a file in HttpServer::spoolDirectory() and
 * HttpRequest::bodyFilePath names it (HttpRequest::body stays empty). The server deletes that
 * path once the request is finished: after the response is written, or after an async handler
 * answers (or drops its responder) when the client has already gone. To keep the file, the
 * handler moves it away (QFile::rename) before answering; a missing file is not an error.
 */
struct RouteOptions
{
    qint64 maxBodyBytes = 1024 * 1024; ///< larger bodies get 413 before they are buffered
    bool spoolBodyToDisk = false;      ///< write the body to a temporary file instead of memory
    /// With spoolBodyToDisk: bodies up to this size stay in memory (0: always spool).
    qint64 spoolThresholdBytes = 0;
    RefusalHandler onRefused; ///< e.g. webhooks: every delivery is recorded, refused ones too
};

/** @brief Limits enforced on every accepted socket before anything reaches a route. */
struct HttpLimits
{
    int maxHeaderBytes = 32 * 1024; ///< request line + headers; over it: 431
    int maxHeaderCount = 100;       ///< over it: 431
    int maxUrlBytes = 8 * 1024;     ///< request-target; over it: 414
    int headerTimeoutMs = 10'000;   ///< time allowed to receive a complete request head
    int bodyTimeoutMs = 60'000;     ///< time allowed between body bytes
    /// And for the whole body: bodyTimeoutMs plus one second per this many bytes received, so
    /// a client trickling a byte now and then cannot hold a connection (and, ten thousand
    /// times over, every connection slot) for as long as it likes.
    int minBodyBytesPerSec = 8 * 1024;
    int idleTimeoutMs = 30'000; ///< keep-alive connection with no request in progress
    int maxConnections = 10'000;
};

} // namespace callwatch::http
