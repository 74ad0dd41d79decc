// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "live/jwttypes.h"
#include "live/livehub.h"
#include "live/liveprotocol.h"

#include <QNetworkRequest>
#include <QObject>
#include <QTcpSocket>
#include <QUrl>
#include <QWebSocket>

#include <functional>
#include <memory>

namespace callwatch::live::test {

/** Runs the event loop until `done` (true) or the timeout (false); unlike QTest::qWaitFor it
 *  does not sleep between checks, so many short waits stay cheap. */
bool waitUntil(const std::function<bool()> &done, int timeoutMs);

/** An in-memory `events` table with a ReplayFunction over it, and hooks to interfere. */
struct FakeEventStore
{
    QList<EventRecord> events;
    qint64 oldestRetainedId = 0;
    int replayCalls = 0;
    int failFromCall = 0;     ///< > 0: this call and later ones fail
    bool reportNewest = true; ///< fill ReplayBatch::newestId
    std::function<void(int call, qint64 afterId)> onReplay;

    EventRecord append(const char *type, const QString &callSid, const QString &conversationId,
                       int payloadBytes = 0);
    ReplayFunction function();
};

/** A QWebSocket client that records everything the hub says. */
class TestClient : public QObject
{
    Q_OBJECT

public:
    explicit TestClient(QObject *parent = nullptr);
    void open(const QUrl &url);
    void open(const QNetworkRequest &request);
    void send(const QByteArray &json);
    /** Sends a ping with a fresh request_id and waits for its pong: everything sent before it
     *  by the hub has then arrived. */
    bool roundTrip(int timeoutMs = 5000);

    QList<qint64> eventIds() const;
    QList<ServerMessage> ofType(const QString &type) const;
    qsizetype count(const QString &type) const { return ofType(type).size(); }

    QWebSocket socket;
    QList<ServerMessage> messages;
    bool connected = false;
    bool disconnected = false;
    int closeCode = -1;
    QString closeReason;

private:
    int m_nextPing = 0;
};

/** A frame as a raw client sees it. */
struct RawFrame
{
    int opcode = 0;
    QByteArray payload;
};

/** A WebSocket client made by hand on a QTcpSocket: it can stop reading and never pongs. */
class RawWebSocketClient : public QObject
{
    Q_OBJECT

public:
    explicit RawWebSocketClient(QObject *parent = nullptr);
    bool connectAndUpgrade(quint16 port, const QByteArray &token, int receiveBufferBytes = 0);
    void sendText(const QByteArray &utf8);
    /** Reads frames until one with `opcode` arrives (or the timeout). */
    bool waitForFrame(int opcode, int timeoutMs = 5000);
    void stopReading();
    void resumeReading();

    QTcpSocket socket;
    QList<RawFrame> frames;
    bool disconnected = false;

private:
    void parseFrames();
    QByteArray m_buffer;
};

/** A hub on 127.0.0.1:0 with an HS256 verifier, a fake store and a movable clock. */
class HubFixture
{
public:
    explicit HubFixture(LiveHubOptions options = {});
    ~HubFixture();
    HubFixture(const HubFixture &) = delete;
    HubFixture &operator=(const HubFixture &) = delete;

    qint64 nowSecs() const;
    QByteArray token(const QStringList &scopes = {QStringLiteral("calls:read")},
                     qint64 ttlSecs = 3600,
                     const QString &subject = QStringLiteral("tester")) const;
    QUrl url(const QByteArray &token) const;
    EventRecord publishNew(const char *type, const QString &callSid,
                           const QString &conversationId = {}, int payloadBytes = 0);

    JwtConfig config;
    FakeEventStore store;
    qint64 clockOffsetMs = 0; ///< the hub's clock = real time + this
    std::unique_ptr<LiveHub> hub;
};

} // namespace callwatch::live::test
