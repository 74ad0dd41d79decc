// SPDX-License-Identifier: GPL-3.0-or-later
#include "live/livesession.h"

#include "live/callidentitymap.h"
#include "live/jwtverifier.h"
#include "live/liveprotocol.h"
#include "live/logging.h"
#include "live/websocketconnection.h"

#include <QDateTime>
#include <QUrlQuery>

#include <exception>

using namespace Qt::StringLiterals;

namespace callwatch::live {

namespace {

/** Hand the connection at most this much beyond what the kernel has taken, so the rest stays
 * in the outbox where unsubscribe can still withdraw it and the backlog is counted. */
constexpr qint64 WriteChunkBytes = 64 * 1024;
/** Frames handed over per write. */
constexpr size_t MaxFramesPerWrite = 64;
/** QTimer takes int milliseconds; far-away deadlines are re-checked daily. */
constexpr qint64 MaxTimerMs = 24LL * 3600 * 1000;

bool eventsLost(const ReplayBatch &batch, qint64 afterId)
{
    return batch.oldestRetainedId > 0 && afterId < batch.oldestRetainedId - 1;
}

} // namespace

LiveSession::LiveSession(WebSocketConnection *connection, LiveSessionEnvironment environment,
                         QObject *parent)
    : QObject(parent), m_connection(connection), m_env(std::move(environment)), m_pingTimer(this),
      m_pongTimer(this), m_tokenTimer(this)
{
    connection->setParent(this);
    m_pongTimer.setSingleShot(true);
    m_tokenTimer.setSingleShot(true);
    m_tokenTimer.setTimerType(Qt::PreciseTimer);
    connect(connection, &WebSocketConnection::disconnected, this, &LiveSession::onDisconnected);
}

LiveSession::~LiveSession()
{
    if (!m_connection)
        return;
    m_connection->disconnect(this);
    // The hub is going away: say so (close() writes what the kernel takes at once); the
    // descriptor closes with the connection, our child.
    if (m_state == State::Open)
        m_connection->close(CloseCode::GoingAway, u"server shutting down"_s);
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
        qCInfo(lcLive).noquote() << "live client from" << m_connection->peerAddress().toString()
                                 << "refused:" << refusal;
        closeWith(CloseCode::Unauthorized, u"unauthorized: "_s + refusal);
        return false;
    }
    m_claims = claims.value();
    m_state = State::Open;
    ++m_env.stats->connectionsAccepted;
    qCDebug(lcLive).noquote() << "live client connected, subject" << m_claims.subject;

    connect(m_connection, &WebSocketConnection::textMessageReceived, this,
            &LiveSession::onTextMessage);
    connect(m_connection, &WebSocketConnection::binaryMessageReceived, this,
            &LiveSession::onBinaryMessage);
    connect(m_connection, &WebSocketConnection::pongReceived, this, [this] { m_pongTimer.stop(); });
    connect(m_connection, &WebSocketConnection::bytesWritten, this, [this] {
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
    const UpgradeRequest &request = m_connection->request();
    const qsizetype question = request.target.indexOf('?');
    if (question >= 0) {
        const QUrlQuery query(QString::fromUtf8(request.target.sliced(question + 1)));
        const QString fromQuery = query.queryItemValue(u"token"_s, QUrl::FullyDecoded);
        if (!fromQuery.isEmpty())
            return fromQuery.toUtf8();
    }
    const QByteArray authorization = request.authorization;
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

void LiveSession::onTextMessage(const QByteArray &utf8)
{
    if (!isOpen())
        return;
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
    if (message.selector.kind != Selector::Kind::All &&
        !m_subscriptions.contains(message.selector) &&
        m_subscriptions.identifierCount() >= m_env.options->maxSubscribedIdentifiers) {
        sendControl(LiveProtocol::errorMessage(
            u"too_many_subscriptions"_s,
            u"This connection holds %1 call identifiers, the most allowed: subscribe with "
            u"\"all\": true or unsubscribe first."_s.arg(m_subscriptions.identifierCount()),
            message.requestId));
        return;
    }
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
    if (!isOpen() || !m_connection)
        return PumpResult::Idle;
    const qint64 chunk = qMin(WriteChunkBytes, m_env.options->maxUnsentBytes);
    while (!m_outbox.empty()) {
        if (m_connection->bufferedBytes() >= chunk)
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
    // Up to `chunk` bytes (at least one message) off the front of the outbox, in one write.
    size_t frames = 0;
    qint64 batchBytes = 0;
    while (!m_outbox.empty() && frames < MaxFramesPerWrite &&
           (frames == 0 || batchBytes + m_outbox.front().frame.size() <= chunk)) {
        const OutgoingMessage &message = m_outbox.front();
        batchBytes += message.frame.size();
        m_outboxBytes -= message.bytes;
        if (message.eventId > 0)
            ++m_env.stats->eventsSent;
        m_connection->queue(message.frame);
        m_outbox.pop_front();
        ++frames;
    }
    m_connection->flush();
}

void LiveSession::link(const QString &callSid, const QString &conversationId)
{
    m_subscriptions.link(callSid, conversationId);
}

qint64 LiveSession::backlog() const
{
    const qint64 buffered = m_connection ? m_connection->bufferedBytes() : 0;
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
    // Ahead of the outbox: the ping measures the peer, not our backlog.
    m_connection->sendPing();
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
    // The connection aborts a peer that never completes the closing handshake.
    if (m_connection)
        m_connection->close(code, reason);
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
    if (m_connection)
        m_connection->abort();
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
    Q_EMIT finished(this);
}

} // namespace callwatch::live
