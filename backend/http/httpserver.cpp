// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/httpserver.h"

#include "http/httpconnection.h"
#include "http/logging.h"

#include <QDir>
#include <QTcpSocket>

using namespace Qt::StringLiterals;

namespace callwatch::http {

namespace {

constexpr int kRejectGraceMs = 1000;

void logRequest(const RequestLogEntry &entry)
{
    if (!lcHttp().isInfoEnabled())
        return;
    qCInfo(lcHttp).noquote().nospace()
        << entry.peer.toString() << ' ' << entry.method << ' ' << loggablePath(entry.path) << ' '
        << entry.status << " in=" << entry.bodyBytesIn << " out=" << entry.bodyBytesOut << ' '
        << entry.durationUs << "us" << (entry.clientGone ? " client-gone" : "");
}

// Deadlines are checked by one sweep per server instead of a timer per connection: arming a
// deadline is then a store, which matters at tens of thousands of requests per second.
int sweepInterval(const HttpLimits &limits)
{
    const int shortest =
        qMin(limits.headerTimeoutMs, qMin(limits.bodyTimeoutMs, limits.idleTimeoutMs));
    return qBound(10, shortest / 4, 1000);
}

} // namespace

HttpServer::HttpServer(HttpLimits limits, QObject *parent)
    : QObject(parent), m_ctx(std::make_unique<ConnectionContext>())
{
    m_ctx->limits = limits;
    m_ctx->spoolDirectory = QDir::tempPath();
    m_ctx->logger = logRequest;
    // Queued: the count drops inside a connection's own call stack (answers are written and
    // counted synchronously), and a slot that stops and deletes the server must not run there.
    m_ctx->allFinished = [this] {
        QMetaObject::invokeMethod(
            this,
            [this] {
                if (m_ctx->requestsInFlight == 0)
                    Q_EMIT idle();
            },
            Qt::QueuedConnection);
    };
    m_ctx->clock.start();
    m_busyResponse =
        HttpResponse::error(503, u"server_busy"_s, u"Too many open connections; try again later."_s)
            .toWire(false);
    connect(&m_tcp, &QTcpServer::newConnection, this, &HttpServer::acceptConnections);
    m_sweep.setInterval(sweepInterval(limits));
    connect(&m_sweep, &QTimer::timeout, this, &HttpServer::sweepTimeouts);
}

HttpServer::~HttpServer()
{
    m_ctx->allFinished = nullptr;
    // Connections are children, but they use m_ctx, which dies before QObject deletes children.
    const QSet<HttpConnection *> connections = m_ctx->connections;
    qDeleteAll(connections);
}

bool HttpServer::route(QByteArray method, const QString &pattern, SyncHandler handler,
                       RouteOptions options)
{
    Route route{std::move(method), pattern, {}, std::move(handler), {}, options};
    const bool added = route.syncHandler && m_ctx->router.add(std::move(route));
    if (!added)
        qCWarning(lcHttp) << "invalid route" << pattern;
    return added;
}

bool HttpServer::routeAsync(QByteArray method, const QString &pattern, AsyncHandler handler,
                            RouteOptions options)
{
    Route route{std::move(method), pattern, {}, {}, std::move(handler), options};
    const bool added = route.asyncHandler && m_ctx->router.add(std::move(route));
    if (!added)
        qCWarning(lcHttp) << "invalid route" << pattern;
    return added;
}

void HttpServer::setUpgradeHandler(const QString &path, UpgradeHandler handler)
{
    m_ctx->upgradePath = path;
    m_ctx->upgradeHandler = std::move(handler);
}

void HttpServer::setSpoolDirectory(const QString &directory)
{
    QDir().mkpath(directory);
    m_ctx->spoolDirectory = directory;
}

QString HttpServer::spoolDirectory() const
{
    return m_ctx->spoolDirectory;
}

void HttpServer::setRequestLogger(RequestLogger logger)
{
    m_ctx->logger = std::move(logger);
}

bool HttpServer::listen(const QHostAddress &address, quint16 port)
{
    if (!m_tcp.listen(address, port)) {
        qCWarning(lcHttp) << "cannot listen on" << address << port << m_tcp.errorString();
        return false;
    }
    m_sweep.start();
    return true;
}

quint16 HttpServer::port() const
{
    return m_tcp.serverPort();
}

QString HttpServer::errorString() const
{
    return m_tcp.errorString();
}

void HttpServer::stopListening()
{
    m_tcp.close(); // the sweep keeps running: open connections still need their deadlines
}

bool HttpServer::isListening() const
{
    return m_tcp.isListening();
}

const HttpLimits &HttpServer::limits() const
{
    return m_ctx->limits;
}

int HttpServer::openConnections() const
{
    return m_ctx->openSockets;
}

int HttpServer::inFlightRequests() const
{
    return m_ctx->requestsInFlight;
}

qint64 HttpServer::peakBufferedBodyBytes() const
{
    return m_ctx->peakBufferedBodyBytes;
}

void HttpServer::acceptConnections()
{
    while (QTcpSocket *socket = m_tcp.nextPendingConnection()) {
        if (m_ctx->openSockets >= m_ctx->limits.maxConnections)
            rejectBusy(socket);
        else
            new HttpConnection(socket, m_ctx.get(), this);
    }
}

void HttpServer::rejectBusy(QTcpSocket *socket)
{
    socket->setParent(this);
    connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
    socket->write(m_busyResponse);
    socket->disconnectFromHost();
    // A client that never reads would keep the socket in ClosingState for ever.
    QTimer::singleShot(kRejectGraceMs, socket, [socket] { socket->abort(); });
}

void HttpServer::sweepTimeouts()
{
    const qint64 now = m_ctx->clock.elapsed();
    const QSet<HttpConnection *> connections = m_ctx->connections; // shared copy: cheap
    for (HttpConnection *connection : connections)
        connection->checkTimeout(now);
}

} // namespace callwatch::http
