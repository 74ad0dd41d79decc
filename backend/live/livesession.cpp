// SPDX-License-Identifier: GPL-3.0-or-later
#include "live/livesession.h"

#include "live/callidentitymap.h"
#include "live/jwtverifier.h"
#include "live/liveprotocol.h"
#include "live/logging.h"

#include <QDateTime>
#include <QNetworkRequest>
#include <QTcpSocket>
#include <QUrlQuery>
#include <QWebSocket>

#include <array>
#include <exception>

#include <sys/socket.h>
#include <sys/uio.h>

using namespace Qt::StringLiterals;

namespace callwatch::live {

namespace {

/** Hand the socket at most this much at a time so Qt can flush between pumps. */
constexpr qint64 WriteChunkBytes = 64 * 1024;
/** Frames gathered into one sendmsg() (well under IOV_MAX). */
constexpr size_t MaxFramesPerWrite = 64;
/** QTimer takes int milliseconds; far-away deadlines are re-checked daily. */
constexpr qint64 MaxTimerMs = 24LL * 3600 * 1000;

bool eventsLost(const ReplayBatch &batch, qint64 afterId)
{
    return batch.oldestRetainedId > 0 && afterId < batch.oldestRetainedId - 1;
}

} // namespace

LiveSession::LiveSession(QWebSocket *socket, QTcpSocket *transport,
                         LiveSessionEnvironment environment, QObject *parent)
    : QObject(parent), m_socket(socket), m_transport(transport), m_env(std::move(environment)),
      m_pingTimer(this), m_pongTimer(this), m_tokenTimer(this), m_closeTimer(this)
{
    socket->setParent(this);
    const auto maxIncoming = static_cast<quint64>(m_env.options->maxIncomingMessageBytes);
    socket->setMaxAllowedIncomingFrameSize(maxIncoming);
    socket->setMaxAllowedIncomingMessageSize(maxIncoming);
    m_pongTimer.setSingleShot(true);
    m_tokenTimer.setSingleShot(true);
    m_tokenTimer.setTimerType(Qt::PreciseTimer);
    m_closeTimer.setSingleShot(true);
    connect(socket, &QWebSocket::disconnected, this, &LiveSession::onDisconnected);
    connect(&m_closeTimer, &QTimer::timeout, this, &LiveSession::abortConnection);
}

LiveSession::~LiveSession()
{
    if (!m_socket)
        return;
    m_socket->disconnect(this);
    if (m_state == State::Open) {
        // The hub is going away: say so, and push the close frame out before dropping the line.
        m_socket->close(QWebSocketProtocol::CloseCodeGoingAway, u"server shutting down"_s);
        m_socket->flush();
    }
    m_socket->abort();
    delete m_socket.data();
}

bool LiveSession::start()
{
    const Result<Claims> claims = m_env.verifier->verify(handshakeToken(), nowMs() / 1000);
    QString refusal;
    if (!claims)
        refusal = claims.error().code;
    else if (!hasScope(claims.value(), QLatin1StringView(ScopeCallsRead)))
        refusal = u"insufficient_scope"_s;
    if (!refusal.isEmpty()) {
        ++m_env.stats->authFailures;
        qCInfo(lcLive).noquote() << "live client from" << m_socket->peerAddress().toString()
                                 << "refused:" << refusal;
        closeWith(CloseCode::Unauthorized, u"unauthorized: "_s + refusal);
        return false;
    }
    m_claims = claims.value();
    m_state = State::Open;
    ++m_env.stats->connectionsAccepted;
    qCDebug(lcLive).noquote() << "live client connected, subject" << m_claims.subject;

    connect(m_socket, &QWebSocket::textMessageReceived, this, &LiveSession::onTextMessage);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &LiveSession::onBinaryMessage);
    connect(m_socket, &QWebSocket::pong, this, [this] { m_pongTimer.stop(); });
    connect(m_socket, &QWebSocket::bytesWritten, this, [this] {
        if (isOpen() && (!m_outbox.empty() || m_replaying))
            Q_EMIT pumpRequested(this);
    });
    connect(&m_pingTimer, &QTimer::timeout, this, &LiveSession::sendPing);
    connect(&m_pongTimer, &QTimer::timeout, this, [this] {
        ++m_env.stats->pongTimeouts;
        qCInfo(lcLive).noquote() << "live client" << m_claims.subject << "missed a pong; dropping";
        abortConnection();
    });
    connect(&m_tokenTimer, &QTimer::timeout, this, &LiveSession::checkToken);
    m_pingTimer.start(m_env.options->pingIntervalMs);
    checkToken();
    return isOpen();
}

QByteArray LiveSession::handshakeToken() const
{
    const QUrlQuery query(m_socket->requestUrl());
    const QString fromQuery = query.queryItemValue(u"token"_s, QUrl::FullyDecoded);
    if (!fromQuery.isEmpty())
        return fromQuery.toUtf8();
    const QByteArray authorization = m_socket->request().rawHeader("Authorization").trimmed();
    constexpr int SchemeLength = 7; // "Bearer "
    if (authorization.size() > SchemeLength &&
        qstrnicmp(authorization.constData(), "bearer ", SchemeLength) == 0)
        return authorization.sliced(SchemeLength).trimmed();
    return {};
}

qint64 LiveSession::nowMs() const
{
    return m_env.options->clockMs ? m_env.options->clockMs() : QDateTime::currentMSecsSinceEpoch();
}

// --- incoming --------------------------------------------------------------------------------

void LiveSession::onTextMessage(const QString &text)
{
    if (!isOpen())
        return;
    const QByteArray utf8 = text.toUtf8();
    const Result<ClientMessage> parsed = LiveProtocol::parseClientMessage(utf8);
    if (!parsed) {
        sendControl(LiveProtocol::errorMessage(parsed.error().code, parsed.error().message,
                                               LiveProtocol::requestIdOf(utf8)));
        return;
    }
    switch (parsed->type) {
    case ClientMessage::Type::Subscribe:
        handleSubscribe(parsed.value());
        break;
    case ClientMessage::Type::Unsubscribe:
        handleUnsubscribe(parsed.value());
        break;
    case ClientMessage::Type::Ping:
        sendControl(LiveProtocol::pongMessage(parsed->requestId));
        break;
    case ClientMessage::Type::Auth:
        handleAuth(parsed.value());
        break;
    }
}

void LiveSession::onBinaryMessage()
{
    if (isOpen())
        sendControl(
            LiveProtocol::errorMessage(u"unsupported_message"_s, u"Send JSON in text frames."_s));
}

void LiveSession::handleSubscribe(const ClientMessage &message)
{
    // Events up to this id were published before the subscription existed.
    const qint64 liveFrom = m_env.lastPublishedId();
    std::optional<bool> recovered;
    qint64 afterId = liveFrom;
    if (message.since) {
        recovered = beginReplay(*message.since);
        if (*recovered)
            afterId = *message.since;
    }
    m_subscriptions.add(message.selector, afterId, *m_env.identities);
    sendControl(
        LiveProtocol::subscribedMessage(message.selector, recovered, liveFrom, message.requestId));
}

void LiveSession::handleUnsubscribe(const ClientMessage &message)
{
    m_subscriptions.remove(message.selector);
    purgeUnmatched();
    sendControl(LiveProtocol::unsubscribedMessage(message.selector, message.requestId));
}

void LiveSession::handleAuth(const ClientMessage &message)
{
    const Result<Claims> claims = m_env.verifier->verify(message.token, nowMs() / 1000);
    QString refusal;
    if (!claims)
        refusal = u"Token refused: "_s + claims.error().code + u'.';
    else if (!hasScope(claims.value(), QLatin1StringView(ScopeCallsRead)))
        refusal = u"Token refused: it lacks the calls:read scope."_s;
    else if (claims->subject != m_claims.subject)
        refusal = u"Token refused: its subject differs from the connection's."_s;
    if (!refusal.isEmpty()) {
        sendControl(LiveProtocol::errorMessage(u"auth_failed"_s, refusal, message.requestId));
        return;
    }
    m_claims = claims.value();
    m_expiryNoticeSent = false;
    sendControl(LiveProtocol::authenticatedMessage(m_claims.expiresAt, message.requestId));
    if (isOpen())
        checkToken();
}

// --- resume ----------------------------------------------------------------------------------

bool LiveSession::beginReplay(qint64 since)
{
    // Events newer than `since` were already sent: replaying would mean sending older ids.
    if (since < m_lastEventId)
        return false;
    // The running replay has not passed `since` yet, so it will deliver what follows it.
    if (m_replaying && since >= m_replayCursor)
        return true;
    Result<ReplayBatch> page = fetchReplay(since);
    if (!page) {
        qCWarning(lcLive).noquote() << "replay unavailable:" << page.error().code;
        return false;
    }
    if (eventsLost(page.value(), since) || (page->newestId > 0 && since > page->newestId))
        return false;
    if (!m_replaying) {
        m_replaying = true;
        m_liveQueue.clear();
        m_liveQueueBytes = 0;
    }
    // Rewinding is safe: nothing above m_lastEventId (≤ since) was sent.
    m_replayCursor = since;
    m_prefetched.emplace(since, std::move(page.value()));
    Q_EMIT pumpRequested(this);
    return true;
}

Result<ReplayBatch> LiveSession::fetchReplay(qint64 afterId) const
{
    const ReplayFunction &replay = *m_env.replay;
    if (!replay)
        return Error{u"replay_unavailable"_s, u"No event store to resume from."_s};
    try {
        return replay(afterId, m_env.options->replayPageSize);
    } catch (const std::exception &) {
        return Error{u"replay_failed"_s, u"Reading stored events failed."_s};
    } catch (...) {
        return Error{u"replay_failed"_s, u"Reading stored events failed."_s};
    }
}

void LiveSession::replayStep()
{
    Result<ReplayBatch> page = (m_prefetched && m_prefetched->first == m_replayCursor)
                                   ? Result<ReplayBatch>(std::move(m_prefetched->second))
                                   : fetchReplay(m_replayCursor);
    m_prefetched.reset();
    if (!page) {
        qCWarning(lcLive).noquote() << "replay failed:" << page.error().code;
        closeWith(CloseCode::ReplayFailed, u"replay failed"_s);
        return;
    }
    if (eventsLost(page.value(), m_replayCursor)) {
        closeWith(CloseCode::ReplayFailed, u"replay fell behind retention"_s);
        return;
    }
    const qint64 before = m_replayCursor;
    for (const EventRecord &event : std::as_const(page->events)) {
        if (event.id <= m_replayCursor)
            continue;
        m_replayCursor = event.id;
        m_env.learnIdentity(event.callSid, event.conversationId);
        if (event.id > m_lastEventId &&
            m_subscriptions.matches(event.id, event.callSid, event.conversationId))
            enqueue(OutgoingMessage::event(event), false);
    }
    if (page->events.size() < m_env.options->replayPageSize)
        finishReplay();
    else if (m_replayCursor == before)
        closeWith(CloseCode::ReplayFailed, u"replay made no progress"_s);
}

void LiveSession::finishReplay()
{
    // Live events that arrived meanwhile: the replay may already have sent some of them.
    std::deque<OutgoingMessage> queued;
    queued.swap(m_liveQueue);
    m_liveQueueBytes = 0;
    m_replaying = false;
    for (const OutgoingMessage &message : queued) {
        if (message.eventId > m_lastEventId &&
            m_subscriptions.matches(message.eventId, message.callSid, message.conversationId))
            enqueue(message, false);
    }
    ++m_env.stats->replays;
}

// --- outgoing --------------------------------------------------------------------------------

bool LiveSession::offer(const OutgoingMessage &message)
{
    if (!isOpen() ||
        !m_subscriptions.matches(message.eventId, message.callSid, message.conversationId))
        return false;
    if (m_replaying) {
        if (backlog() + message.bytes > m_env.options->maxUnsentBytes) {
            dropAsTooSlow();
            return false;
        }
        m_liveQueue.push_back(message);
        m_liveQueueBytes += message.bytes;
        return false;
    }
    if (message.eventId <= m_lastEventId)
        return false;
    return enqueue(message, true);
}

LiveSession::PumpResult LiveSession::pump()
{
    if (!isOpen() || !m_socket)
        return PumpResult::Idle;
    const qint64 chunk = qMin(WriteChunkBytes, m_env.options->maxUnsentBytes);
    while (!m_outbox.empty()) {
        if (m_socket->bytesToWrite() >= chunk)
            return PumpResult::WaitingForSocket;
        writeBatch(chunk);
        if (!isOpen())
            return PumpResult::Idle;
    }
    if (!m_replaying)
        return PumpResult::Idle;
    replayStep();
    return isOpen() ? PumpResult::MoreWork : PumpResult::Idle;
}

void LiveSession::writeBatch(qint64 chunk)
{
    // Take up to `chunk` bytes (at least one message) off the front of the outbox.
    std::vector<OutgoingMessage> batch;
    qint64 batchBytes = 0;
    while (!m_outbox.empty() && batch.size() < MaxFramesPerWrite &&
           (batch.empty() || batchBytes + m_outbox.front().frame.size() <= chunk)) {
        batchBytes += m_outbox.front().frame.size();
        m_outboxBytes -= m_outbox.front().bytes;
        batch.push_back(std::move(m_outbox.front()));
        m_outbox.pop_front();
    }
    qint64 skip = writeDirect(batch);
    for (const OutgoingMessage &message : batch) {
        const qsizetype size = message.frame.size();
        if (skip < size) {
            // What the kernel did not take goes through Qt's buffer, after what it already has.
            if (m_transport)
                m_transport->write(message.frame.constData() + skip, size - skip);
            else if (message.isPing())
                m_socket->ping();
            else
                m_socket->sendTextMessage(QString::fromUtf8(message.payload()));
        }
        skip = qMax<qint64>(0, skip - size);
        if (message.eventId > 0)
            ++m_env.stats->eventsSent;
    }
}

qint64 LiveSession::writeDirect(const std::vector<OutgoingMessage> &batch)
{
    // Only while Qt holds nothing unsent for this socket: otherwise bytes would overtake it.
    if (!m_transport || m_transport->bytesToWrite() > 0 ||
        m_transport->state() != QAbstractSocket::ConnectedState)
        return 0;
    const qintptr fd = m_transport->socketDescriptor();
    if (fd < 0)
        return 0;
    std::array<iovec, MaxFramesPerWrite> parts{};
    for (size_t i = 0; i < batch.size(); ++i) {
        parts[i].iov_base = const_cast<char *>(batch[i].frame.constData());
        parts[i].iov_len = size_t(batch[i].frame.size());
    }
    msghdr header{};
    header.msg_iov = parts.data();
    header.msg_iovlen = batch.size();
    const ssize_t sent = ::sendmsg(int(fd), &header, MSG_NOSIGNAL | MSG_DONTWAIT);
    // EAGAIN (kernel buffer full) or an error: Qt's own write will buffer or report it.
    return sent > 0 ? qint64(sent) : 0;
}

void LiveSession::link(const QString &callSid, const QString &conversationId)
{
    m_subscriptions.link(callSid, conversationId);
}

qint64 LiveSession::backlog() const
{
    // The transport directly when known: one pointer hop less, on a path run per client per event.
    const qint64 buffered = m_transport ? m_transport->bytesToWrite()
                            : m_socket  ? m_socket->bytesToWrite()
                                        : 0;
    return buffered + m_outboxBytes + m_liveQueueBytes;
}

bool LiveSession::enqueue(const OutgoingMessage &message, bool enforceLimit)
{
    if (!isOpen())
        return false;
    if (enforceLimit && backlog() + message.bytes > m_env.options->maxUnsentBytes) {
        dropAsTooSlow();
        return false;
    }
    m_outbox.push_back(message);
    m_outboxBytes += message.bytes;
    if (message.eventId > 0)
        m_lastEventId = message.eventId;
    return true;
}

void LiveSession::dropAsTooSlow()
{
    ++m_env.stats->slowClientsDropped;
    qCInfo(lcLive).noquote() << "live client" << m_claims.subject << "is" << backlog()
                             << "bytes behind; closing as too slow";
    closeWith(CloseCode::TooSlow, u"too slow"_s);
}

void LiveSession::sendControl(const QByteArray &utf8)
{
    if (enqueue(OutgoingMessage::control(utf8), true))
        Q_EMIT pumpRequested(this);
}

void LiveSession::purgeUnmatched()
{
    const auto stillWanted = [this](const OutgoingMessage &message) {
        return message.eventId == 0 ||
               m_subscriptions.matches(message.eventId, message.callSid, message.conversationId);
    };
    const auto filter = [&stillWanted](std::deque<OutgoingMessage> &queue) {
        std::deque<OutgoingMessage> kept;
        qint64 bytes = 0;
        for (OutgoingMessage &message : queue) {
            if (stillWanted(message)) {
                bytes += message.bytes;
                kept.push_back(std::move(message));
            }
        }
        queue.swap(kept);
        return bytes;
    };
    m_outboxBytes = filter(m_outbox);
    m_liveQueueBytes = filter(m_liveQueue);
}

// --- lifecycle -------------------------------------------------------------------------------

void LiveSession::checkToken()
{
    if (!isOpen())
        return;
    const qint64 now = nowMs();
    const qint64 expiresMs = m_claims.expiresAt * 1000;
    if (now >= expiresMs) {
        qCInfo(lcLive).noquote() << "live client" << m_claims.subject << "token expired";
        closeWith(CloseCode::Unauthorized, u"token expired"_s);
        return;
    }
    const qint64 noticeMs = expiresMs - qint64(m_env.options->tokenExpiringNoticeSecs) * 1000;
    if (!m_expiryNoticeSent && now >= noticeMs) {
        m_expiryNoticeSent = true;
        sendControl(LiveProtocol::tokenExpiringMessage(m_claims.expiresAt));
        if (!isOpen())
            return;
    }
    const qint64 next = m_expiryNoticeSent ? expiresMs : noticeMs;
    m_tokenTimer.start(static_cast<int>(qBound<qint64>(1, next - now, MaxTimerMs)));
}

void LiveSession::sendPing()
{
    if (!isOpen() || m_pongTimer.isActive())
        return;
    // Through our own write path, ahead of queued messages: QWebSocket::ping() would write
    // through Qt's buffer, which then keeps a block of memory per idle connection for good.
    if (m_transport) {
        m_outbox.push_front(OutgoingMessage::ping());
        Q_EMIT pumpRequested(this);
    } else {
        m_socket->ping();
    }
    m_pongTimer.start(m_env.options->pongTimeoutMs);
}

void LiveSession::dropQueues()
{
    m_outbox.clear();
    m_outboxBytes = 0;
    m_liveQueue.clear();
    m_liveQueueBytes = 0;
    m_replaying = false;
    m_prefetched.reset();
}

void LiveSession::closeWith(quint16 code, const QString &reason)
{
    if (m_state == State::Closing || m_state == State::Closed)
        return;
    m_state = State::Closing;
    dropQueues();
    m_pingTimer.stop();
    m_pongTimer.stop();
    m_tokenTimer.stop();
    // A peer that never reads would never complete the closing handshake.
    m_closeTimer.start(m_env.options->closeTimeoutMs);
    if (m_socket)
        m_socket->close(static_cast<QWebSocketProtocol::CloseCode>(code), reason);
}

void LiveSession::abortConnection()
{
    if (m_state == State::Closed)
        return;
    m_state = State::Closing;
    dropQueues();
    m_pingTimer.stop();
    m_pongTimer.stop();
    m_tokenTimer.stop();
    m_closeTimer.stop();
    if (m_socket)
        m_socket->abort();
}

void LiveSession::onDisconnected()
{
    if (m_state == State::Closed)
        return;
    m_state = State::Closed;
    dropQueues();
    m_pingTimer.stop();
    m_pongTimer.stop();
    m_tokenTimer.stop();
    m_closeTimer.stop();
    Q_EMIT finished(this);
}

} // namespace callwatch::live
