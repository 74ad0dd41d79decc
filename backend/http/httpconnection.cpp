// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/httpconnection.h"

#include "http/logging.h"

#include <QDir>
#include <QFile>
#include <QTcpSocket>
#include <QTemporaryFile>

#include <algorithm>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

using namespace Qt::StringLiterals;

namespace callwatch::http {

namespace {

constexpr qsizetype kReadChunk = 64 * 1024;
constexpr size_t kMaxPipelined = 32;            ///< unanswered requests before reading pauses
constexpr qint64 kMaxUnsentBytes = 1024 * 1024; ///< unsent response bytes before reading pauses
constexpr int kLingerMs = 2000;
constexpr QByteArrayView kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// Room for a whole head plus a read chunk, so an open transaction can always finish a head;
// bounded, so that a client we stopped reading from is held back by TCP flow control.
qint64 readBufferSize(const HttpLimits &limits)
{
    return qMax<qint64>(256 * 1024, 2 * qint64(limits.maxHeaderBytes) + kReadChunk);
}

bool shutdownWrite(QTcpSocket *socket)
{
#ifdef Q_OS_UNIX
    return ::shutdown(int(socket->socketDescriptor()), SHUT_WR) == 0;
#else
    Q_UNUSED(socket);
    return false;
#endif
}

} // namespace

HttpConnection::HttpConnection(QTcpSocket *socket, ConnectionContext *context, QObject *parent)
    : QObject(parent), m_socket(socket), m_ctx(context), m_parser(context->limits),
      m_peer(socket->peerAddress()), m_peerPort(socket->peerPort()), m_in(kReadChunk, '\0'),
      m_tx(socket)
{
    m_socket->setParent(this);
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_socket->setReadBufferSize(readBufferSize(m_ctx->limits));
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &HttpConnection::onBytesWritten);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::onDisconnected);
    m_ctx->connections.insert(this);
    ++m_ctx->openSockets;
    arm(Timer::Header); // a silent new connection gets the time allowed for one request head
    if (m_socket->bytesAvailable() > 0)
        scheduleProcessing();
}

HttpConnection::~HttpConnection()
{
    m_ctx->connections.remove(this);
    if (m_state != State::Closed && m_state != State::Upgraded)
        --m_ctx->openSockets;
    dropIncoming();
    for (const Exchange &exchange : m_pending) {
        if (!exchange.spoolPath.isEmpty())
            QFile::remove(exchange.spoolPath);
    }
    // Only reached with work left when the server itself is being destroyed: no callback.
    m_ctx->requestsInFlight -= int(m_pending.size()) + m_unflushed;
}

bool HttpConnection::isOpen() const
{
    return m_state == State::Reading || m_state == State::UpgradePending;
}

// ---- reading ------------------------------------------------------------------------------

void HttpConnection::onReadyRead()
{
    if (m_state == State::Reading)
        processInput();
    else if (m_state == State::Lingering)
        discardInput();
}

void HttpConnection::processInput()
{
    while (m_state == State::Reading && !m_stopParsing) {
        if (m_inPos == m_inEnd && !readSocket())
            break;
        if (!parseBuffered())
            break;
    }
    if (isOpen())
        m_tx.settle();
    else if (m_socket)
        m_tx.close();
}

bool HttpConnection::readSocket()
{
    const qint64 read = m_tx.read(m_in.data(), m_in.size());
    if (read <= 0)
        return false;
    m_inPos = 0;
    m_inEnd = read;
    return true;
}

// Feeds the buffered bytes to the parser, one event at a time. True when all were used.
bool HttpConnection::parseBuffered()
{
    while (m_state == State::Reading && !m_stopParsing) {
        const bool idle = !m_parser.messageStarted();
        if (idle && pipelineFull()) {
            m_paused = true;
            return false;
        }
        const auto step =
            m_parser.feed(QByteArrayView(m_in.constData() + m_inPos, m_inEnd - m_inPos));
        m_inPos += step.consumed;
        m_tx.consume(step.consumed);
        if (idle && m_parser.messageStarted()) {
            m_started.start();
            arm(Timer::Header);
        }
        if (!handleStep(step))
            return false;
        if (step.event == RequestParser::Event::NeedMore)
            return true;
    }
    return false;
}

bool HttpConnection::handleStep(const RequestParser::Step &step)
{
    using Event = RequestParser::Event;
    switch (step.event) {
    case Event::NeedMore:
        if (!m_parser.inHead())
            m_tx.confirm();
        return true;
    case Event::Head:
        return onHead(); // confirms the head itself, unless it is an upgrade
    case Event::Body:
        m_tx.confirm();
        return onBody(step.body);
    case Event::Complete:
        m_tx.confirm();
        return onComplete();
    case Event::Error:
        onParseError();
        return false;
    }
    return false;
}

bool HttpConnection::pipelineFull() const
{
    return m_pending.size() >= kMaxPipelined || m_socket->bytesToWrite() > kMaxUnsentBytes;
}

void HttpConnection::scheduleProcessing()
{
    if (m_scheduled)
        return;
    m_scheduled = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_scheduled = false;
            m_paused = false;
            if (m_state == State::Reading)
                processInput();
        },
        Qt::QueuedConnection);
}

// ---- one request --------------------------------------------------------------------------

bool HttpConnection::onHead()
{
    RequestHead head = m_parser.takeHead();
    head.request.peer = m_peer;
    head.request.received = m_started;
    if (m_ctx->upgradeHandler && head.upgradeWebSocket && head.request.method == "GET" &&
        head.request.path == m_ctx->upgradePath) {
        beginUpgrade(std::move(head.request));
        return false;
    }
    m_tx.confirm();
    Exchange &exchange = pushExchange(&head.request, !head.keepAlive);
    return routeHead(head, exchange);
}

// Routing right after the head lets the route's limits apply before any body byte is read.
bool HttpConnection::routeHead(RequestHead &head, Exchange &exchange)
{
    const quint64 serial = exchange.serial;
    const RouteMatch match = m_ctx->router.match(head.request.method, head.rawPath);
    m_incoming.serial = serial;
    if (match.kind != RouteMatch::Kind::Found) {
        // A body we are not going to read cannot be skipped cheaply: close after answering.
        if (head.hasBody())
            exchange.closeAfter = exchange.linger = m_stopParsing = true;
        m_incoming.discard = true;
        respond(serial, match.errorResponse());
        return !m_stopParsing;
    }
    m_incoming.route = match.route;
    head.request.pathArgs = match.args;
    m_incoming.request = std::move(head.request); // before any failRequest(): its refusal hook
    const RouteOptions &options = match.route->options;
    if (!m_parser.setBodyLimit(options.maxBodyBytes)) {
        failRequest(serial, m_parser.error(), true);
        return false;
    }
    // Spool at once when the declared length is already over the threshold; a chunked body
    // (or one just under it) starts in memory and moves to disk when it grows past it.
    const bool spoolNow =
        options.spoolBodyToDisk &&
        (options.spoolThresholdBytes == 0 || head.contentLength > options.spoolThresholdBytes);
    if (spoolNow && !openSpool())
        return false;
    if (!spoolNow && head.contentLength > 0)
        m_incoming.request.body.reserve(head.contentLength);
    if (head.expectContinue && head.hasBody()) {
        exchange.needsContinue = true;
        flushResponses(); // sends the 100 now unless earlier answers must go first
    }
    m_bodyStartedMs = m_ctx->clock.elapsed();
    arm(head.hasBody() ? Timer::Body : Timer::None);
    return true;
}

bool HttpConnection::openSpool()
{
    auto file = std::make_unique<QTemporaryFile>(
        QDir(m_ctx->spoolDirectory).filePath(u"callwatch-body-XXXXXX"_s));
    if (!file->open()) {
        qCWarning(lcHttp) << "cannot create a body spool file in" << m_ctx->spoolDirectory
                          << file->errorString();
        failRequest(m_incoming.serial,
                    {500, u"spool_failed"_s, u"The request body could not be stored."_s}, true);
        return false;
    }
    m_incoming.spool = std::move(file);
    return true;
}

bool HttpConnection::onBody(QByteArrayView data)
{
    arm(Timer::Body);
    if (m_incoming.discard)
        return true;
    m_incoming.request.bodySize += data.size();
    // Each byte received buys 1/minBodyBytesPerSec s: the deadline between bytes stays, but the
    // whole body may not take longer than bodyTimeoutMs plus what its bytes bought.
    const HttpLimits &limits = m_ctx->limits;
    if (limits.minBodyBytesPerSec > 0) {
        const qint64 earned = m_incoming.request.bodySize * 1000 / limits.minBodyBytesPerSec;
        m_deadline = std::min(m_deadline, m_bodyStartedMs + limits.bodyTimeoutMs + earned);
    }
    const RouteOptions &options = m_incoming.route->options;
    if (!m_incoming.spool && options.spoolBodyToDisk &&
        m_incoming.request.bodySize > options.spoolThresholdBytes) {
        if (!openSpool())
            return false;
        const QByteArray inMemory = std::exchange(m_incoming.request.body, {});
        m_ctx->bufferedBodyBytes -= m_incoming.buffered;
        m_incoming.buffered = 0;
        if (!writeSpool(inMemory))
            return false;
    }
    if (!m_incoming.spool) {
        m_incoming.request.body.append(data);
        m_incoming.buffered += data.size();
        m_ctx->addBuffered(data.size());
        return true;
    }
    return writeSpool(data);
}

bool HttpConnection::writeSpool(QByteArrayView data)
{
    if (m_incoming.spool->write(data.data(), data.size()) == data.size())
        return true;
    qCWarning(lcHttp) << "cannot write a body spool file:" << m_incoming.spool->errorString();
    failRequest(m_incoming.serial,
                {507, u"spool_failed"_s, u"The request body could not be stored."_s}, true);
    return false;
}

bool HttpConnection::onComplete()
{
    Incoming incoming = std::exchange(m_incoming, Incoming{});
    bool last = false;
    if (Exchange *exchange = findExchange(incoming.serial)) {
        exchange->needsContinue = false; // the body is here: a late 100 would only confuse
        exchange->bodyIn = incoming.request.bodySize;
        last = exchange->closeAfter;
    }
    arm(Timer::None);
    m_stopParsing = m_stopParsing || last;
    if (incoming.discard)
        afterQueueChanged(); // answered at the head already: the idle timer starts now
    else
        dispatch(std::move(incoming));
    return !m_stopParsing;
}

void HttpConnection::dispatch(Incoming incoming)
{
    const quint64 serial = incoming.serial;
    if (incoming.spool) {
        incoming.spool->setAutoRemove(false); // deleted by us once the request is finished
        incoming.request.bodyFilePath = incoming.spool->fileName();
        incoming.spool.reset();
        if (Exchange *exchange = findExchange(serial))
            exchange->spoolPath = incoming.request.bodyFilePath;
    }
    const Route *route = incoming.route;
    if (route->syncHandler) {
        HttpResponse response = route->syncHandler(incoming.request);
        m_ctx->bufferedBodyBytes -= incoming.buffered;
        respond(serial, std::move(response));
        return;
    }
    if (Exchange *exchange = findExchange(serial))
        exchange->handlerOwned = true;
    route->asyncHandler(incoming.request, HttpResponder(this, serial));
    m_ctx->bufferedBodyBytes -= incoming.buffered;
}

void HttpConnection::onParseError()
{
    failRequest(m_incoming.serial, m_parser.error(), true);
}

// Answers the request being received (or a new slot when its head never parsed) with an
// error, then closes; `linger` when unread input may follow.
void HttpConnection::failRequest(quint64 serial, const ParseError &error, bool linger)
{
    m_stopParsing = true;
    if (serial && serial == m_incoming.serial && m_incoming.route && !m_incoming.discard &&
        m_incoming.route->options.onRefused) {
        m_incoming.request.body.clear(); // a refusal is recorded without what came of the body
        m_incoming.route->options.onRefused(m_incoming.request, error.status, error.code,
                                            error.message);
    }
    dropIncoming();
    Exchange *exchange = serial ? findExchange(serial) : nullptr;
    if (!exchange)
        exchange = &pushExchange(nullptr, true);
    exchange->closeAfter = true;
    exchange->linger = linger;
    exchange->needsContinue = false;
    respond(exchange->serial, HttpResponse::error(error.status, error.code, error.message));
}

void HttpConnection::dropIncoming()
{
    m_ctx->bufferedBodyBytes -= m_incoming.buffered;
    m_incoming = Incoming{}; // an unfinished spool file is removed with its QTemporaryFile
}

// ---- answering in order -------------------------------------------------------------------

HttpConnection::Exchange &HttpConnection::pushExchange(const HttpRequest *request, bool closeAfter)
{
    Exchange exchange;
    exchange.serial = m_nextSerial++;
    exchange.closeAfter = closeAfter;
    exchange.received = m_started;
    if (request) {
        exchange.method = request->method;
        exchange.path = request->path;
    }
    ++m_ctx->requestsInFlight;
    m_pending.push_back(std::move(exchange));
    return m_pending.back();
}

HttpConnection::Exchange *HttpConnection::findExchange(quint64 serial)
{
    auto it = std::find_if(m_pending.begin(), m_pending.end(),
                           [serial](const Exchange &e) { return e.serial == serial; });
    return it == m_pending.end() ? nullptr : &*it;
}

void HttpConnection::respond(quint64 serial, HttpResponse response)
{
    Exchange *exchange = findExchange(serial);
    if (!exchange || exchange->answered)
        return;
    exchange->answered = true;
    exchange->status = response.status;
    exchange->bodyOut = response.body.size();
    if (isOpen())
        exchange->wire = response.toWire(!exchange->closeAfter);
    flushResponses();
}

void HttpConnection::flushResponses()
{
    if (!isOpen()) {
        reapClosed();
        return;
    }
    bool wrote = false;
    while (!m_pending.empty()) {
        Exchange &front = m_pending.front();
        if (!front.answered) {
            if (front.needsContinue && m_state == State::Reading) {
                m_socket->write(kContinue.data(), kContinue.size());
                front.needsContinue = false;
                wrote = true;
            }
            break;
        }
        const bool close = front.closeAfter;
        const bool linger = front.linger;
        m_socket->write(front.wire);
        ++m_unflushed; // in flight until the kernel has it: see onBytesWritten()
        wrote = true;
        finishExchange(front, false);
        m_pending.pop_front();
        if (close) {
            beginClose(linger);
            return;
        }
    }
    // Written now: a buffered QTcpSocket only turns its write notifier on, and the answers would
    // wait for the next pass of the event loop (one more poll and notifier round each). This
    // emits bytesWritten() before it returns; a failed write closes the socket (onDisconnected).
    if (wrote) {
        m_socket->flush();
        // Qt does not emit bytesWritten() again inside its own emission of it: were this ever
        // called from there, the count of answers in flight must still come down.
        if (m_socket && m_socket->bytesToWrite() == 0 && m_unflushed > 0)
            m_ctx->finishRequests(std::exchange(m_unflushed, 0));
    }
    afterQueueChanged();
}

void HttpConnection::finishExchange(const Exchange &exchange, bool clientGone)
{
    if (!exchange.spoolPath.isEmpty())
        QFile::remove(exchange.spoolPath); // harmless when the handler moved it away
    if (clientGone)
        m_ctx->finishRequests(1);
    if (!m_ctx->logger)
        return;
    RequestLogEntry entry;
    entry.method = exchange.method.isEmpty() ? QByteArrayLiteral("-") : exchange.method;
    entry.path = exchange.path.isEmpty() ? u"-"_s : exchange.path;
    entry.status = exchange.answered ? exchange.status : 0;
    entry.bodyBytesIn = exchange.bodyIn;
    entry.bodyBytesOut = clientGone ? 0 : exchange.bodyOut;
    entry.durationUs = exchange.received.isValid() ? exchange.received.nsecsElapsed() / 1000 : 0;
    entry.peer = m_peer;
    entry.peerPort = m_peerPort;
    entry.clientGone = clientGone;
    m_ctx->logger(entry);
}

// After the client left: finish everything except the answers async handlers still owe.
void HttpConnection::reapClosed()
{
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        if (it->handlerOwned && !it->answered) {
            ++it;
            continue;
        }
        finishExchange(*it, true);
        it = m_pending.erase(it);
    }
    if (m_pending.empty() && (m_state == State::Closed || m_state == State::Upgraded))
        deleteLater();
}

void HttpConnection::afterQueueChanged()
{
    if (m_state == State::UpgradePending) {
        if (m_pending.empty())
            QMetaObject::invokeMethod(this, &HttpConnection::handOver, Qt::QueuedConnection);
        return;
    }
    if (m_state != State::Reading)
        return;
    if (m_pending.empty() && m_timer == Timer::None && !m_parser.messageStarted())
        arm(Timer::Idle);
    if (m_paused && !pipelineFull())
        scheduleProcessing();
}

void HttpConnection::onBytesWritten()
{
    if (!m_socket)
        return;
    if (m_timer == Timer::Write || m_timer == Timer::Idle)
        arm(m_timer); // the client is reading: that is progress
    if (m_socket->bytesToWrite() > 0)
        return;
    m_ctx->finishRequests(std::exchange(m_unflushed, 0));
    if (m_state == State::Closing)
        afterFlush();
    else if (m_paused)
        scheduleProcessing();
}

// ---- upgrade, closing, timeouts -----------------------------------------------------------

void HttpConnection::beginUpgrade(HttpRequest request)
{
    m_upgradeRequest = std::move(request);
    m_state = State::UpgradePending;
    arm(Timer::None);
    afterQueueChanged(); // hands over at once, or once earlier answers are written
}

void HttpConnection::handOver()
{
    if (m_state != State::UpgradePending || !m_socket)
        return;
    QTcpSocket *socket = std::exchange(m_socket, nullptr);
    socket->disconnect(this);
    m_tx.giveBack(); // the handshake goes back unread; what preceded it was plain HTTP
    socket->setReadBufferSize(0);
    socket->setParent(nullptr);
    m_state = State::Upgraded;
    --m_ctx->openSockets;
    m_ctx->finishRequests(std::exchange(m_unflushed, 0));
    arm(Timer::None);
    const HttpRequest request = std::exchange(m_upgradeRequest, HttpRequest{});
    deleteLater();
    m_ctx->upgradeHandler(socket, request);
}

void HttpConnection::beginClose(bool linger)
{
    m_state = State::Closing;
    m_lingerAfterFlush = linger;
    dropIncoming();
    m_tx.close();
    while (!m_pending.empty()) { // nothing is parsed after a closing answer; defensive
        finishExchange(m_pending.front(), true);
        m_pending.pop_front();
    }
    arm(Timer::Write);
    if (m_socket->bytesToWrite() == 0)
        afterFlush();
}

void HttpConnection::afterFlush()
{
    // Closing with unread input makes the kernel send RST, which can destroy the answer in
    // flight; half-close and drain for a moment instead (the "lingering close" of web servers).
    if (m_lingerAfterFlush && shutdownWrite(m_socket)) {
        m_state = State::Lingering;
        arm(Timer::Linger);
        discardInput();
        return;
    }
    m_socket->disconnectFromHost();
}

void HttpConnection::discardInput()
{
    m_socket->skip(m_socket->bytesAvailable());
}

void HttpConnection::onDisconnected()
{
    if (m_state == State::Closed || m_state == State::Upgraded)
        return;
    m_state = State::Closed;
    --m_ctx->openSockets;
    arm(Timer::None);
    m_tx.close();
    dropIncoming();
    m_ctx->finishRequests(std::exchange(m_unflushed, 0));
    reapClosed();
}

void HttpConnection::checkTimeout(qint64 nowMs)
{
    if (m_timer == Timer::None || nowMs < m_deadline || !m_socket)
        return;
    const Timer expired = m_timer;
    arm(Timer::None);
    switch (expired) {
    case Timer::Header:
    case Timer::Body:
        timeoutRequest();
        break;
    case Timer::Idle:
        if (m_socket->bytesToWrite() > 0)
            m_socket->abort();
        else
            m_socket->disconnectFromHost();
        break;
    default:
        m_socket->abort();
        break;
    }
}

void HttpConnection::timeoutRequest()
{
    if (!m_parser.messageStarted() && m_pending.empty()) {
        m_socket->disconnectFromHost(); // connected but never sent a byte: nobody to answer
        return;
    }
    // A 408 must wait for earlier answers; a client this slow does not get to hold us for them.
    const bool blocked = std::any_of(m_pending.begin(), m_pending.end(), [this](const Exchange &e) {
        return !e.answered && e.serial != m_incoming.serial;
    });
    if (blocked) {
        m_socket->abort();
        return;
    }
    failRequest(m_incoming.serial,
                {408, u"request_timeout"_s, u"The request was not received in time."_s}, false);
}

void HttpConnection::arm(Timer timer)
{
    const HttpLimits &limits = m_ctx->limits;
    int ms = 0;
    switch (timer) {
    case Timer::None:
        break;
    case Timer::Header:
        ms = limits.headerTimeoutMs;
        break;
    case Timer::Body:
    case Timer::Write:
        ms = limits.bodyTimeoutMs;
        break;
    case Timer::Idle:
        ms = limits.idleTimeoutMs;
        break;
    case Timer::Linger:
        ms = qMin(kLingerMs, limits.bodyTimeoutMs);
        break;
    }
    m_timer = timer;
    if (timer != Timer::None)
        m_deadline = m_ctx->clock.elapsed() + ms;
}

} // namespace callwatch::http
