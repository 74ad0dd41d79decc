// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/eventrecord.h"
#include "live/callidentitymap.h"
#include "live/jwtverifier.h"
#include "live/livetypes.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QSet>

#include <deque>

class QTcpServer;
class QTcpSocket;

namespace callwatch::live {

class LiveSession;
class WebSocketConnection;

/**
 * @brief The live WebSocket hub: authenticates clients, keeps their subscriptions and pushes
 * committed events to them in id order, with resume ("since") and per-client backpressure.
 *
 * Not thread-safe: create it, call publish() and handleUpgrade() in one thread (with a running
 * event loop). From another thread, post: QMetaObject::invokeMethod(hub, [=] { hub->publish(e); }).
 * publish() only queues; sockets are written from the event loop in bounded steps: each drain
 * pass pumps sessions for at most a couple of milliseconds and then yields, so events published
 * meanwhile join the queues of the clients not yet written to and go out in the same write.
 * Protocol: docs/live-protocol.md.
 */
class LiveHub : public QObject
{
    Q_OBJECT

public:
    LiveHub(JwtVerifier verifier, ReplayFunction replay, LiveHubOptions options = {},
            QObject *parent = nullptr);
    ~LiveHub() override;

    /** Accepts WebSocket clients on its own port (0 = any free port; see serverPort()); each
     * accepted connection takes the handleUpgrade() path. */
    bool listen(const QHostAddress &address, quint16 port);
    quint16 serverPort() const;
    /** Stops listening; connected clients stay. */
    void close();

    /**
     * Takes over a TCP connection whose HTTP upgrade request has NOT been read yet (the HTTP
     * layer must have disconnected its own handlers). The hub owns the socket from now on.
     */
    void handleUpgrade(QTcpSocket *socket);

    /** Committed events in increasing id order. Never throws; never writes to sockets itself. */
    void publish(const QList<EventRecord> &events);

    /** Authenticated clients not yet closing. */
    int clientCount() const;
    LiveHubStats stats() const { return m_stats; }
    qint64 lastPublishedId() const { return m_lastPublishedId; }

private:
    void onTcpConnection();
    void onHandshakeCompleted(WebSocketConnection *connection);
    void startDrain();
    void onSessionFinished(LiveSession *session);
    void schedulePump(LiveSession *session);
    void enqueuePump(LiveSession *session);
    void drain();
    void learnIdentity(const QString &callSid, const QString &conversationId);

    JwtVerifier m_verifier;
    ReplayFunction m_replay;
    LiveHubOptions m_options;
    LiveHubStats m_stats;
    CallIdentityMap m_identities;
    qint64 m_lastPublishedId = 0;

    QTcpServer *m_listener = nullptr; ///< listen(): our own port
    QSet<LiveSession *> m_sessions;
    QSet<LiveSession *> m_pumpSet;         ///< sessions with something to write or replay
    std::deque<LiveSession *> m_pumpQueue; ///< the same sessions, in the order to pump them
    bool m_drainPosted = false;
};

} // namespace callwatch::live
