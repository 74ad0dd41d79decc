// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/tokeninfo.h"
#include "app/wireparser.h"
#include "app/wiretypes.h"

#include <QDeadlineTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <functional>

class QWebSocket;

namespace callwatch::app {

/**
 * @brief The dashboard's one live connection: owns the QWebSocket, subscribes to every call,
 * turns the envelope into typed signals, and keeps the stream gap-free across reconnects.
 *
 * Reconnects with exponential backoff (0.5 s doubling to 30 s, ±20 % jitter) and resumes with
 * `since` = the last event id it emitted; events at or below that id are dropped, so a replay
 * that overlaps what was already shown never applies anything twice. When the server cannot
 * resume (`recovered` false, or a first subscribe) it emits resyncRequired() so the owner reloads
 * over REST. Close code 4001 asks the token provider for a new token first and gives up
 * (state Unauthorized) when there is none; an application-level ping detects dead peers.
 */
class LiveClient : public QObject
{
    Q_OBJECT
public:
    enum class State { Offline, Connecting, Live, Reconnecting, Unauthorized };
    Q_ENUM(State)

    struct Timing
    {
        int initialBackoffMs = 500;
        int maxBackoffMs = 30000;
        double jitter = 0.2; ///< each delay is scaled by a random factor in [1-jitter, 1+jitter]
        int pingIntervalMs = 20000;
        int pongTimeoutMs = 10000;
        int connectTimeoutMs = 15000; ///< TCP + handshake + "subscribed"
    };

    explicit LiveClient(QObject *parent = nullptr);
    ~LiveClient() override;

    /** The backend's base URL (http://host:port); the socket URL is derived from it. */
    void setServerUrl(const QUrl &baseUrl);
    QUrl webSocketUrl() const;
    void setTokenProvider(TokenProvider provider);
    void setTiming(const Timing &timing);
    /** Source of uniform random numbers in [0, 1) for the jitter; tests make it fixed. */
    void setRandomSource(std::function<double()> random);

    void start();
    void stop();
    /** Skips the remaining backoff (the "Retry now" button), also after Unauthorized. */
    void reconnectNow();

    State state() const { return m_state; }
    int secondsToRetry() const;
    qint64 lastEventId() const { return m_lastEventId; }
    int duplicatesDropped() const { return m_duplicatesDropped; }
    QString lastError() const { return m_lastError; }

    /** The delay before reconnect attempt number `attempt` (0-based). */
    static int backoffDelayMs(int attempt, const Timing &timing, double random01);

Q_SIGNALS:
    void transcriptionReceived(const callwatch::app::TranscriptEvent &event);
    void callStatusChanged(const callwatch::app::CallStatusEvent &event);
    void callCompleted(const callwatch::app::CallCompletedEvent &event);
    void connectionStateChanged(callwatch::app::LiveClient::State state, int secondsToRetry);
    /** The stream has a gap the server cannot fill: reload the current state over REST. */
    void resyncRequired();
    void serverError(const QString &code, const QString &message);

private:
    void connectNow();
    void onConnected(QWebSocket *socket);
    void onTextMessage(const QString &text);
    void onSocketGone(QWebSocket *socket);
    void handleConnectionLost(int closeCode);
    void handleEvent(const LiveMessage &message);
    void handleSubscribed(const LiveMessage &message);
    void refreshTokenInPlace();
    void scheduleReconnect();
    void dropSocket();
    void sendJson(const QJsonObject &object);
    void setState(State state, int secondsToRetry = 0);

    QUrl m_baseUrl;
    TokenProvider m_tokenProvider;
    Timing m_timing;
    std::function<double()> m_random;
    QPointer<QWebSocket> m_socket;
    QTimer m_retryTimer;
    QTimer m_countdownTimer;
    QTimer m_pingTimer;
    QTimer m_pongDeadline;
    QTimer m_connectTimeout;
    QDeadlineTimer m_retryDeadline;
    State m_state = State::Offline;
    int m_secondsToRetry = 0;
    bool m_running = false;
    bool m_hasResumePoint = false;
    qint64 m_lastEventId = 0;
    int m_attempt = 0;
    int m_authFailures = 0;
    int m_duplicatesDropped = 0;
    QString m_currentToken;
    QString m_lastError;
};

} // namespace callwatch::app
