// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "live/jwttypes.h"
#include "live/livetypes.h"
#include "live/outgoingmessage.h"
#include "live/subscriptionset.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <deque>
#include <functional>
#include <optional>

namespace callwatch::live {

class CallIdentityMap;
class JwtVerifier;
class WebSocketConnection;
struct ClientMessage;

/** @brief What a session needs from its hub; the pointers outlive every session. */
struct LiveSessionEnvironment
{
    const JwtVerifier *verifier = nullptr;
    const ReplayFunction *replay = nullptr;
    const LiveHubOptions *options = nullptr;
    const CallIdentityMap *identities = nullptr;
    LiveHubStats *stats = nullptr;
    std::function<qint64()> lastPublishedId;
    /** Teach the hub a (call sid, conversation id) pair seen in a replayed event. */
    std::function<void(const QString &callSid, const QString &conversationId)> learnIdentity;
};

/**
 * @brief One authenticated live WebSocket: its token, subscriptions, outgoing queue and resume.
 *
 * Nothing is written to the socket outside pump(): publish() only queues (offer()), and the hub
 * pumps sessions from the event loop, a bounded amount each turn, so writes get flushed and a
 * client whose backlog (queued + socket-buffered bytes) would pass maxUnsentBytes is closed
 * with 4008 instead of growing without bound. Every event id sent is larger than the last.
 *
 * The pre-built frames of OutgoingMessage are handed to the WebSocketConnection as they are
 * (shared, not copied), at most a write chunk ahead of what the kernel has taken.
 */
class LiveSession : public QObject
{
    Q_OBJECT

public:
    enum class PumpResult {
        Idle,             ///< nothing left to do
        WaitingForSocket, ///< socket buffer full: bytesWritten will ask for the next pump
        MoreWork          ///< pump again on the next event-loop turn
    };

    /** Takes `connection` (handshake completed) as its child. */
    LiveSession(WebSocketConnection *connection, LiveSessionEnvironment environment,
                QObject *parent);
    ~LiveSession() override;

    /** Checks the handshake token; on failure closes with 4001. Returns whether the session is
     * open. */
    bool start();
    bool isOpen() const { return m_state == State::Open; }
    QString subject() const { return m_claims.subject; }

    /** A live event from publish(); true when it was queued for sending (pump it). */
    bool offer(const OutgoingMessage &message);
    PumpResult pump();
    void link(const QString &callSid, const QString &conversationId);

Q_SIGNALS:
    void pumpRequested(callwatch::live::LiveSession *session);
    void finished(callwatch::live::LiveSession *session);

private:
    enum class State { Handshake, Open, Closing, Closed };

    void onTextMessage(const QByteArray &utf8);
    void onBinaryMessage();
    void handleSubscribe(const ClientMessage &message);
    void handleUnsubscribe(const ClientMessage &message);
    void handleAuth(const ClientMessage &message);

    bool beginReplay(qint64 since);
    void replayStep();
    void finishReplay();
    Result<ReplayBatch> fetchReplay(qint64 afterId) const;

    void checkToken();
    void sendPing();
    qint64 nowMs() const;
    QByteArray handshakeToken() const;

    qint64 backlog() const;
    void writeBatch(qint64 chunk);
    bool enqueue(const OutgoingMessage &message, bool enforceLimit);
    void dropAsTooSlow();
    void sendControl(const QByteArray &utf8);
    void purgeUnmatched();
    void dropQueues();
    void closeWith(quint16 code, const QString &reason);
    void abortConnection();
    void onDisconnected();

    QPointer<WebSocketConnection> m_connection;
    LiveSessionEnvironment m_env;
    State m_state = State::Handshake;
    Claims m_claims;
    bool m_expiryNoticeSent = false;
    SubscriptionSet m_subscriptions;

    std::deque<OutgoingMessage> m_outbox; ///< accepted for sending, in order
    qint64 m_outboxBytes = 0;
    qint64 m_lastEventId = 0; ///< highest event id accepted into the outbox

    bool m_replaying = false;
    qint64 m_replayCursor = 0;               ///< every stored event ≤ this has been examined
    std::deque<OutgoingMessage> m_liveQueue; ///< live events that arrived during the replay
    qint64 m_liveQueueBytes = 0;
    std::optional<std::pair<qint64, ReplayBatch>>
        m_prefetched; ///< first page, fetched at subscribe

    QTimer m_pingTimer;
    QTimer m_pongTimer;
    QTimer m_tokenTimer;
};

} // namespace callwatch::live
