// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QSet>
#include <QTcpServer>
#include <QUrl>
#include <QWebSocketServer>

class QTcpSocket;
class QWebSocket;

namespace callwatch::app::testing {

/**
 * @brief A small in-test callwatchd: the REST routes and the live WebSocket on one loopback
 * port, speaking the same wire formats as the real backend, with an in-memory state.
 *
 * The scenario helpers (startCall, addTurn, completeCall, failCall) change the REST state and
 * publish the matching live event, like the backend's event feed. Events are kept so a client
 * can resume with `since`; dropConnections() cuts every live socket mid-stream.
 */
class FakeServer : public QObject
{
    Q_OBJECT
public:
    struct Request
    {
        QByteArray method;
        QString path;
        QMap<QString, QString> query;
        QByteArray authorization;
    };

    explicit FakeServer(QObject *parent = nullptr);
    ~FakeServer() override;

    bool listen(quint16 port = 0);
    quint16 port() const;
    QUrl baseUrl() const;

    /** Tokens accepted on REST and the socket; empty accepts anything. */
    void setAcceptedTokens(const QStringList &tokens) { m_acceptedTokens = tokens; }
    /** Events at or below this id can no longer be replayed (resume → recovered:false). */
    void setRetainedFrom(qint64 eventId) { m_retainedFrom = eventId; }
    /** Replays this many events before `since` as well, as a sloppy server might. */
    void setReplayOverlap(int events) { m_replayOverlap = events; }
    void setReplayForbidden(bool forbidden) { m_replayForbidden = forbidden; }
    /** A dead peer: the socket stays open but pings go unanswered. */
    void setAnswerPings(bool answer) { m_answerPings = answer; }
    void close() { m_tcp.close(); }
    /** Holds live events back (still recorded) until set false; then sends what was held. */
    void setLiveHeld(bool held);

    // State.
    void upsertCall(const QJsonObject &call);
    QJsonObject call(const QString &callSid) const { return m_calls.value(callSid); }
    void setPostCallTranscript(const QString &callSid, const QJsonArray &turns)
    {
        m_postCallTurns.insert(callSid, turns);
    }
    void addDelivery(const QJsonObject &delivery, const QByteArray &body);
    qint64 lastEventId() const { return qint64(m_events.size()); }

    // Scenario steps: change the state and publish the event. Each returns the event id.
    qint64 startCall(const QString &callSid, const QString &driverId, const QString &toNumber,
                     const QString &status = QStringLiteral("in_progress"));
    qint64 addTurn(const QString &callSid, qint64 sequence, const QString &speaker,
                   const QString &message, double timeInCall);
    qint64 completeCall(const QString &callSid, const QJsonObject &completion,
                        const QJsonArray &postCallTurns);
    qint64 failCall(const QString &callSid, const QString &reason);
    /** Publish a raw event (type and fields given; event_id is assigned). */
    qint64 publish(QJsonObject event);

    // Live connection control.
    void dropConnections();
    void closeConnections(quint16 code, const QString &reason);
    void sendToAll(const QJsonObject &message);
    int liveClientCount() const { return int(m_clients.size()); }

    // What clients did.
    QList<QJsonObject> subscribeMessages() const { return m_subscribes; }
    QList<QJsonObject> clientMessages() const { return m_clientMessages; }
    QStringList webSocketTokens() const { return m_wsTokens; }
    QList<Request> requests() const { return m_requests; }
    int requestCount(const QString &pathPrefix) const;

    static QString now();

Q_SIGNALS:
    void clientSubscribed(const QJsonObject &message);
    void clientMessageReceived(const QJsonObject &message);
    void webSocketClosed();

private:
    struct Client
    {
        QWebSocket *socket = nullptr;
        bool subscribed = false;
    };

    void onTcpConnection();
    void onReadyRead(QTcpSocket *socket);
    void onWebSocketConnection();
    void onClientMessage(QWebSocket *socket, const QString &text);
    void handleSubscribe(Client &client, const QJsonObject &message);
    void respond(QTcpSocket *socket, int status, const QJsonObject &body);
    void route(QTcpSocket *socket, const Request &request);
    void respondCallList(QTcpSocket *socket, const Request &request);
    void respondDeliveryList(QTcpSocket *socket, const Request &request);
    bool authorized(const QByteArray &token) const;
    QJsonObject stats() const;
    QJsonArray transcriptOf(const QString &callSid) const;
    void send(QWebSocket *socket, const QJsonObject &message);

    QTcpServer m_tcp;
    QWebSocketServer m_webSockets;
    QList<Client> m_clients;
    QStringList m_acceptedTokens;
    qint64 m_retainedFrom = 0;
    int m_replayOverlap = 0;
    bool m_replayForbidden = false;
    bool m_answerPings = true;
    bool m_liveHeld = false;
    qint64 m_sentUpTo = 0;

    QMap<QString, QJsonObject> m_calls;
    QMap<QString, QJsonArray> m_liveTurns;
    QMap<QString, QJsonArray> m_postCallTurns;
    QMap<qint64, QJsonObject> m_deliveries;
    QMap<qint64, QByteArray> m_deliveryBodies;
    QList<QJsonObject> m_events; ///< event id = index + 1

    QList<QJsonObject> m_subscribes;
    QList<QJsonObject> m_clientMessages;
    QStringList m_wsTokens;
    QList<Request> m_requests;
};

} // namespace callwatch::app::testing
