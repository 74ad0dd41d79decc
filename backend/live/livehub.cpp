// SPDX-License-Identifier: GPL-3.0-or-later
#include "live/livehub.h"

#include "live/livesession.h"
#include "live/logging.h"
#include "live/outgoingmessage.h"
#include "live/websocketconnection.h"

#include <QElapsedTimer>
#include <QTcpServer>
#include <QTcpSocket>

using namespace Qt::StringLiterals;

namespace callwatch::live {

namespace {
/** Longest a drain pass writes before it lets the event loop run (new events, reads). */
constexpr qint64 DrainSliceNs = 2'000'000;
} // namespace

LiveHub::LiveHub(JwtVerifier verifier, ReplayFunction replay, LiveHubOptions options,
                 QObject *parent)
    : QObject(parent), m_verifier(std::move(verifier)), m_replay(std::move(replay)),
      m_options(std::move(options))
{
    if (!m_options.clockMs)
        m_options.clockMs = [] { return QDateTime::currentMSecsSinceEpoch(); };
    m_options.replayPageSize = qMax(1, m_options.replayPageSize);
    if (const Result<> usable = JwtVerifier::validateConfig(m_verifier.config()); !usable)
        qCWarning(lcLive).noquote() << "JWT configuration unusable, every client will be refused:"
                                    << usable.error().message;
}

LiveHub::~LiveHub()
{
    // Sessions reach into our members: end them while those still exist.
    const QSet<LiveSession *> sessions = std::exchange(m_sessions, {});
    for (LiveSession *session : sessions) {
        session->disconnect(this);
        delete session;
    }
}

bool LiveHub::listen(const QHostAddress &address, quint16 port)
{
    // Every connection goes through handleUpgrade(), like those the HTTP layer hands over.
    if (!m_listener) {
        m_listener = new QTcpServer(this);
        connect(m_listener, &QTcpServer::newConnection, this, &LiveHub::onTcpConnection);
    }
    if (!m_listener->listen(address, port)) {
        qCWarning(lcLive).noquote() << "live hub cannot listen on" << address.toString() << port
                                    << m_listener->errorString();
        return false;
    }
    return true;
}

quint16 LiveHub::serverPort() const
{
    return m_listener ? m_listener->serverPort() : 0;
}

void LiveHub::close()
{
    if (m_listener)
        m_listener->close();
}

void LiveHub::onTcpConnection()
{
    while (QTcpSocket *socket = m_listener->nextPendingConnection())
        handleUpgrade(socket);
}

void LiveHub::handleUpgrade(QTcpSocket *socket)
{
    if (!socket)
        return;
    WebSocketConnection::Limits limits;
    limits.maxIncomingMessageBytes = m_options.maxIncomingMessageBytes;
    limits.handshakeTimeoutMs = m_options.handshakeTimeoutMs;
    limits.closeTimeoutMs = m_options.closeTimeoutMs;
    // Ours until the handshake completes (a session takes it then); gone if it never does.
    auto *connection = new WebSocketConnection(socket, limits, this);
    connect(connection, &WebSocketConnection::handshakeCompleted, this,
            [this, connection] { onHandshakeCompleted(connection); });
    connect(connection, &WebSocketConnection::disconnected, connection, &QObject::deleteLater);
    connection->start();
}

void LiveHub::onHandshakeCompleted(WebSocketConnection *connection)
{
    connection->disconnect(this);
    disconnect(connection, &WebSocketConnection::disconnected, connection, &QObject::deleteLater);
    LiveSessionEnvironment environment;
    environment.verifier = &m_verifier;
    environment.replay = &m_replay;
    environment.options = &m_options;
    environment.identities = &m_identities;
    environment.stats = &m_stats;
    environment.lastPublishedId = [this] { return m_lastPublishedId; };
    environment.learnIdentity = [this](const QString &callSid, const QString &conversationId) {
        learnIdentity(callSid, conversationId);
    };
    auto *session = new LiveSession(connection, std::move(environment), this);
    connect(session, &LiveSession::finished, this, &LiveHub::onSessionFinished);
    connect(session, &LiveSession::pumpRequested, this, &LiveHub::schedulePump);
    m_sessions.insert(session);
    session->start();
}

void LiveHub::onSessionFinished(LiveSession *session)
{
    m_sessions.remove(session);
    m_pumpSet.remove(session);
    session->deleteLater();
}

void LiveHub::publish(const QList<EventRecord> &events)
{
    // A copy: a session closed while offering (too slow) must not disturb the iteration.
    const QSet<LiveSession *> sessions = m_sessions;
    for (const EventRecord &event : events) {
        ++m_stats.eventsPublished;
        learnIdentity(event.callSid, event.conversationId);
        if (event.id <= m_lastPublishedId)
            qCWarning(lcLive).nospace()
                << "event " << event.id << " published after " << m_lastPublishedId
                << ": clients already past it will not get it";
        m_lastPublishedId = qMax(m_lastPublishedId, event.id);
        const OutgoingMessage message = OutgoingMessage::event(event); // serialized once
        for (LiveSession *session : sessions) {
            if (session->offer(message))
                enqueuePump(session);
        }
    }
    if (!m_pumpSet.isEmpty())
        startDrain();
}

void LiveHub::startDrain()
{
    // A posted call, not a timer: it runs after the events already posted to this thread (new
    // publishes), and restarting a timer would re-sort it among every session's timers.
    if (m_drainPosted)
        return;
    m_drainPosted = true;
    QMetaObject::invokeMethod(this, &LiveHub::drain, Qt::QueuedConnection);
}

void LiveHub::enqueuePump(LiveSession *session)
{
    if (!m_pumpSet.contains(session)) {
        m_pumpSet.insert(session);
        m_pumpQueue.push_back(session);
    }
}

void LiveHub::schedulePump(LiveSession *session)
{
    if (!m_sessions.contains(session))
        return;
    enqueuePump(session);
    startDrain();
}

void LiveHub::drain()
{
    m_drainPosted = false;
    // One pass over the sessions queued now; sessions with more work go to the back.
    QElapsedTimer slice;
    slice.start();
    for (size_t n = m_pumpQueue.size(); n > 0 && !m_pumpQueue.empty(); --n) {
        LiveSession *session = m_pumpQueue.front();
        m_pumpQueue.pop_front();
        // Not in the set: it finished after it was queued (the pointer may even be reused).
        if (!m_pumpSet.remove(session) || !m_sessions.contains(session))
            continue;
        if (session->pump() == LiveSession::PumpResult::MoreWork)
            enqueuePump(session);
        if (slice.nsecsElapsed() >= DrainSliceNs)
            break;
    }
    if (!m_pumpQueue.empty())
        startDrain();
}

void LiveHub::learnIdentity(const QString &callSid, const QString &conversationId)
{
    if (!m_identities.learn(callSid, conversationId))
        return;
    for (LiveSession *session : std::as_const(m_sessions))
        session->link(callSid, conversationId);
}

int LiveHub::clientCount() const
{
    int count = 0;
    for (const LiveSession *session : m_sessions)
        count += session->isOpen() ? 1 : 0;
    return count;
}

} // namespace callwatch::live
