// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/httptypes.h"

#include <QHostAddress>
#include <QObject>
#include <QString>
#include <QTcpServer>
#include <QTimer>

#include <memory>

namespace callwatch::http {

struct ConnectionContext;

/**
 * @brief A small, strict HTTP/1.1 server on QTcpServer: routes, limits, timeouts, keep-alive,
 * pipelining, 100-continue, chunked bodies, body spooling and WebSocket hand-over.
 *
 * Every limit is enforced by the parser while bytes arrive, before anything is buffered: head
 * size and field count (431), target length (414), per-route body size (413, decided from the
 * head), header/body/idle timeouts, and a connection cap (503). Errors are JSON
 * (HttpResponse::error) and close the connection. Single-threaded: handlers run in the thread
 * that owns the server and must not block or spin nested event loops.
 */
class HttpServer : public QObject
{
    Q_OBJECT

public:
    explicit HttpServer(HttpLimits limits = {}, QObject *parent = nullptr);
    ~HttpServer() override;

    /** Registers a handler returning its response. False when the pattern is invalid. */
    bool route(QByteArray method, const QString &pattern, SyncHandler handler,
               RouteOptions options = {});
    /** Registers a handler answering later through its HttpResponder. */
    bool routeAsync(QByteArray method, const QString &pattern, AsyncHandler handler,
                    RouteOptions options = {});
    /**
     * A GET with `Upgrade: websocket` on @p path is not routed: its socket, with the handshake
     * still unread, goes to @p handler (e.g. QWebSocketServer::handleConnection), which owns it.
     */
    void setUpgradeHandler(const QString &path, UpgradeHandler handler);
    /** Where spooled bodies go (RouteOptions::spoolBodyToDisk); QDir::tempPath() by default. */
    void setSpoolDirectory(const QString &directory);
    QString spoolDirectory() const;
    /** One call per finished request; replaces the default info line on lcHttp. Empty: none. */
    void setRequestLogger(RequestLogger logger);

    bool listen(const QHostAddress &address = QHostAddress::LocalHost, quint16 port = 0);
    quint16 port() const;
    QString errorString() const;
    /** Stops accepting; open connections are served until they close or time out. */
    void stopListening();
    bool isListening() const;

    const HttpLimits &limits() const;
    int openConnections() const;
    /** Requests from head parsed until their response reached the kernel (or the client left). */
    int inFlightRequests() const;
    /** High-water mark of request body bytes held in memory, over all connections. */
    qint64 peakBufferedBodyBytes() const;

Q_SIGNALS:
    /** inFlightRequests() dropped to zero: with stopListening(), the moment to shut down. */
    void idle();

private:
    void acceptConnections();
    void rejectBusy(QTcpSocket *socket);
    void sweepTimeouts();

    std::unique_ptr<ConnectionContext> m_ctx;
    QTcpServer m_tcp;
    QTimer m_sweep;
    QByteArray m_busyResponse;
};

} // namespace callwatch::http
