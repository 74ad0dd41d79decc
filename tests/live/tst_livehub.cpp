// SPDX-License-Identifier: GPL-3.0-or-later
#include "livetestsupport.h"

#include "live/jwtminter.h"

#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QTcpServer>
#include <QTest>

using namespace callwatch;
using namespace callwatch::live;
using namespace callwatch::live::test;
using namespace Qt::StringLiterals;

namespace {

const QString CallA = u"CA-a"_s;
const QString ConvA = u"conv_a"_s;
const QString CallB = u"CA-b"_s;
const QString ConvB = u"conv_b"_s;

/** Connects, waits for the handshake and subscribes; false when anything fails. */
bool connectAndSubscribe(HubFixture &fixture, TestClient &client, const Selector &selector,
                         std::optional<qint64> since = {})
{
    client.open(fixture.url(fixture.token()));
    if (!QTest::qWaitFor([&] { return client.connected || client.disconnected; }, 5000) ||
        !client.connected)
        return false;
    const qsizetype before = client.count(u"subscribed"_s);
    client.send(LiveProtocol::subscribeMessage(selector, since));
    return QTest::qWaitFor([&] { return client.count(u"subscribed"_s) > before; }, 5000);
}

QByteArray unsignedToken(const QJsonObject &header, const QJsonObject &payload)
{
    const auto b64 = [](const QJsonObject &object) {
        return QJsonDocument(object)
            .toJson(QJsonDocument::Compact)
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    };
    return b64(header) + '.' + b64(payload) + '.';
}

} // namespace

class TestLiveHub : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void refusedHandshake_data();
    void refusedHandshake();
    void bearerHeaderAccepted();
    void upgradeHandedOverByHttpLayer();
    void handedOverSocketWithoutHandshakeTimesOut();
    void subscribeSelectors_data();
    void subscribeSelectors();
    void conversationSubscriptionPicksUpKnownCallSid();
    void unsubscribeStopsEvents();
    void completionOrder();
    void protocolErrorsKeepSocket_data();
    void protocolErrorsKeepSocket();
    void binaryMessageIsAnError();
    void subscriptionsPerClientAreCapped();
    void oversizedMessageCloses1009();
    void tokenRefreshKeepsSocket();
    void refreshRefused_data();
    void refreshRefused();
    void tokenExpiryCloses4001();
    void silentPeerIsDropped();
    void countersAndClientCount();
    void shutdownSaysGoingAway();
};

void TestLiveHub::refusedHandshake_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("reason");

    HubFixture probe; // only to mint with the same secret and clock
    JwtConfig otherSecret = probe.config;
    otherSecret.secretOrPublicKey = "another-secret-another-secret-0123456789";
    const qint64 now = probe.nowSecs();
    const QJsonObject claims{
        {"sub"_L1, "x"_L1}, {"exp"_L1, now + 600}, {"scope"_L1, "calls:read"_L1}};

    QTest::newRow("missing") << QByteArray() << u"unauthorized: missing_token"_s;
    QTest::newRow("malformed") << QByteArray("not-a-jwt") << u"unauthorized: malformed_token"_s;
    QTest::newRow("wrong signature")
        << JwtMinter::mint(otherSecret, u"x"_s, {u"calls:read"_s}, 600, now).value()
        << u"unauthorized: bad_signature"_s;
    QTest::newRow("alg none") << unsignedToken({{"alg"_L1, "none"_L1}}, claims)
                              << u"unauthorized: wrong_algorithm"_s;
    QTest::newRow("expired")
        << JwtMinter::mint(probe.config, u"x"_s, {u"calls:read"_s}, 60, now - 120).value()
        << u"unauthorized: expired"_s;
    QTest::newRow("under-scoped") << probe.token({u"calls:write"_s})
                                  << u"unauthorized: insufficient_scope"_s;
    QTest::newRow("no scope at all") << probe.token({}) << u"unauthorized: insufficient_scope"_s;
}

void TestLiveHub::refusedHandshake()
{
    QFETCH(QByteArray, token);
    QFETCH(QString, reason);

    HubFixture fixture;
    TestClient client;
    client.open(fixture.url(token));
    // Published while the client is being refused: it must never see it.
    QVERIFY(QTest::qWaitFor([&] { return client.connected || client.disconnected; }, 5000));
    fixture.publishNew(EventType::CallStatus, CallA);
    QTRY_VERIFY_WITH_TIMEOUT(client.disconnected, 5000);
    QCOMPARE(client.closeCode, int(CloseCode::Unauthorized));
    QCOMPARE(client.closeReason, reason);
    QVERIFY(client.messages.isEmpty());
    QCOMPARE(fixture.hub->clientCount(), 0);
    QCOMPARE(fixture.hub->stats().authFailures, 1u);
    QCOMPARE(fixture.hub->stats().eventsSent, 0u);
}

void TestLiveHub::bearerHeaderAccepted()
{
    HubFixture fixture;
    TestClient client;
    QNetworkRequest request(fixture.url({}));
    request.setRawHeader("Authorization", "Bearer " + fixture.token());
    client.open(request);
    QTRY_VERIFY_WITH_TIMEOUT(client.connected, 5000);
    client.send(LiveProtocol::subscribeMessage(Selector::all()));
    QTRY_COMPARE_WITH_TIMEOUT(client.count(u"subscribed"_s), 1, 5000);
    fixture.publishNew(EventType::CallStatus, CallA);
    QTRY_COMPARE_WITH_TIMEOUT(client.eventIds(), QList<qint64>{1}, 5000);
    QVERIFY(!client.disconnected);
}

void TestLiveHub::upgradeHandedOverByHttpLayer()
{
    HubFixture fixture;
    // Stand-in for the HTTP layer: it reads nothing and hands the raw socket over once the
    // whole upgrade request is buffered (the case where readyRead will not fire again).
    QTcpServer http;
    QVERIFY(http.listen(QHostAddress::LocalHost, 0));
    connect(&http, &QTcpServer::newConnection, this, [&] {
        QTcpSocket *socket = http.nextPendingConnection();
        if (!QTest::qWaitFor([socket] { return socket->peek(8192).contains("\r\n\r\n"); }, 5000))
            qWarning("the upgrade request did not arrive");
        fixture.hub->handleUpgrade(socket);
    });
    TestClient client;
    QUrl url = fixture.url(fixture.token());
    url.setPort(http.serverPort());
    client.open(url);
    QTRY_VERIFY_WITH_TIMEOUT(client.connected, 5000);
    client.send(LiveProtocol::subscribeMessage(Selector::callSid(CallA)));
    QTRY_COMPARE_WITH_TIMEOUT(client.count(u"subscribed"_s), 1, 5000);
    fixture.publishNew(EventType::CallStatus, CallA);
    QTRY_COMPARE_WITH_TIMEOUT(client.eventIds(), QList<qint64>{1}, 5000);
    QCOMPARE(fixture.hub->clientCount(), 1);
}

void TestLiveHub::handedOverSocketWithoutHandshakeTimesOut()
{
    LiveHubOptions options;
    options.handshakeTimeoutMs = 300;
    HubFixture fixture(options);
    QTcpServer http;
    QVERIFY(http.listen(QHostAddress::LocalHost, 0));
    connect(&http, &QTcpServer::newConnection, this,
            [&] { fixture.hub->handleUpgrade(http.nextPendingConnection()); });
    QTcpSocket silent; // connects and never sends its upgrade request
    bool dropped = false;
    connect(&silent, &QTcpSocket::disconnected, this, [&] { dropped = true; });
    silent.connectToHost(QHostAddress::LocalHost, http.serverPort());
    QVERIFY(silent.waitForConnected(5000));
    QTRY_VERIFY_WITH_TIMEOUT(dropped, 5000);
    QCOMPARE(fixture.hub->clientCount(), 0);
}

void TestLiveHub::subscribeSelectors_data()
{
    QTest::addColumn<QByteArray>("subscribe");
    QTest::addColumn<QString>("echoKey");
    QTest::addColumn<QList<qint64>>("expected");

    // Events: 1 A (sid only), 2 B (both), 3 A (both: pair learned), 4 A completed (both),
    // 5 A (conversation only), 6 a call nobody knew at subscribe time.
    QTest::newRow("call_sid") << QByteArray(R"({"type":"subscribe","call_sid":"CA-a"})")
                              << u"call_sid"_s << QList<qint64>{1, 3, 4, 5};
    QTest::newRow("conversation_id")
        << QByteArray(R"({"type":"subscribe","conversation_id":"conv_a"})") << u"conversation_id"_s
        << QList<qint64>{3, 4, 5};
    QTest::newRow("identifier, conversation")
        << QByteArray(R"({"type":"subscribe","identifier":"conv_a"})") << u"conversation_id"_s
        << QList<qint64>{3, 4, 5};
    QTest::newRow("identifier, call sid")
        << QByteArray(R"({"type":"subscribe","identifier":"CA-a"})") << u"call_sid"_s
        << QList<qint64>{1, 3, 4, 5};
    QTest::newRow("all") << QByteArray(R"({"type":"subscribe","all":true})") << u"all"_s
                         << QList<qint64>{1, 2, 3, 4, 5, 6};
    QTest::newRow("call that does not exist yet")
        << QByteArray(R"({"type":"subscribe","call_sid":"CA-future"})") << u"call_sid"_s
        << QList<qint64>{6};
}

void TestLiveHub::subscribeSelectors()
{
    QFETCH(QByteArray, subscribe);
    QFETCH(QString, echoKey);
    QFETCH(QList<qint64>, expected);

    HubFixture fixture;
    TestClient client;
    client.open(fixture.url(fixture.token()));
    QTRY_VERIFY_WITH_TIMEOUT(client.connected, 5000);
    client.send(subscribe);
    QTRY_COMPARE_WITH_TIMEOUT(client.count(u"subscribed"_s), 1, 5000);
    const QJsonObject subscribed = client.ofType(u"subscribed"_s).first().body;
    QVERIFY(subscribed.contains(echoKey));
    QVERIFY(!subscribed.contains("recovered"_L1)); // no "since" given
    QCOMPARE(subscribed.value("last_event_id"_L1).toInteger(), 0);

    fixture.publishNew(EventType::CallStatus, CallA);
    fixture.publishNew(EventType::Transcription, CallB, ConvB);
    fixture.publishNew(EventType::Transcription, CallA, ConvA);
    fixture.publishNew(EventType::CallCompleted, CallA, ConvA);
    fixture.publishNew(EventType::Transcription, QString(), ConvA);
    fixture.publishNew(EventType::CallStatus, u"CA-future"_s);
    QVERIFY(client.roundTrip());
    QCOMPARE(client.eventIds(), expected);
}

void TestLiveHub::conversationSubscriptionPicksUpKnownCallSid()
{
    HubFixture fixture;
    fixture.publishNew(EventType::Transcription, CallA, ConvA); // the hub learns the pair
    TestClient client;
    QVERIFY(connectAndSubscribe(fixture, client, Selector::conversationId(ConvA)));
    QCOMPARE(client.ofType(u"subscribed"_s).first().body.value("last_event_id"_L1).toInteger(), 1);
    fixture.publishNew(EventType::CallStatus, CallA); // carries only the call sid
    fixture.publishNew(EventType::CallStatus, CallB);
    QVERIFY(client.roundTrip());
    QCOMPARE(client.eventIds(), QList<qint64>{2});
}

void TestLiveHub::unsubscribeStopsEvents()
{
    HubFixture fixture;
    TestClient client;
    QVERIFY(connectAndSubscribe(fixture, client, Selector::identifier(CallA)));
    client.send(LiveProtocol::subscribeMessage(Selector::callSid(CallB)));
    QTRY_COMPARE_WITH_TIMEOUT(client.count(u"subscribed"_s), 2, 5000);
    fixture.publishNew(EventType::Transcription, CallA, ConvA);
    fixture.publishNew(EventType::Transcription, CallB);
    QVERIFY(client.roundTrip());
    QCOMPARE(client.eventIds(), (QList<qint64>{1, 2}));

    // By the other identifier: the call is unsubscribed under both.
    client.send(LiveProtocol::unsubscribeMessage(Selector::conversationId(ConvA), u"u1"_s));
    QTRY_COMPARE_WITH_TIMEOUT(client.count(u"unsubscribed"_s), 1, 5000);
    QCOMPARE(client.ofType(u"unsubscribed"_s).first().body.value("request_id"_L1).toString(),
             u"u1"_s);
    fixture.publishNew(EventType::Transcription, CallA, ConvA);
    fixture.publishNew(EventType::CallStatus, CallA);
    fixture.publishNew(EventType::Transcription, CallB);
    QVERIFY(client.roundTrip());
    QCOMPARE(client.eventIds(), (QList<qint64>{1, 2, 5}));

    client.send(LiveProtocol::unsubscribeMessage(Selector::all()));
    QTRY_COMPARE_WITH_TIMEOUT(client.count(u"unsubscribed"_s), 2, 5000);
    fixture.publishNew(EventType::Transcription, CallB);
    QVERIFY(client.roundTrip());
    QCOMPARE(client.eventIds(), (QList<qint64>{1, 2, 5}));
}

void TestLiveHub::completionOrder()
{
    HubFixture fixture;
    TestClient client;
    QVERIFY(connectAndSubscribe(fixture, client, Selector::callSid(CallA)));
    const EventRecord status = fixture.store.append(EventType::CallStatus, CallA, ConvA);
    const EventRecord completed = fixture.store.append(EventType::CallCompleted, CallA, ConvA);
    fixture.hub->publish({status, completed}); // one commit, two rows
    QTRY_COMPARE_WITH_TIMEOUT(client.eventIds().size(), 2, 5000);
    const QList<ServerMessage> events = client.messages.mid(1);
    QCOMPARE(events.at(0).type, u"call_status"_s);
    QCOMPARE(events.at(1).type, u"call_completed"_s);
    QCOMPARE(events.at(0).eventId, status.id);
    QCOMPARE(events.at(1).eventId, completed.id);
    QCOMPARE(events.at(1).body.value("call_sid"_L1).toString(), CallA);
}

void TestLiveHub::protocolErrorsKeepSocket_data()
{
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("requestId");

    QTest::newRow("malformed JSON") << QByteArray("{\"type\":") << u"malformed_json"_s << QString();
    QTest::newRow("unknown type") << QByteArray(R"({"type":"dance","request_id":"d1"})")
                                  << u"unknown_type"_s << u"d1"_s;
    QTest::newRow("bad selector") << QByteArray(R"({"type":"subscribe","request_id":"s1"})")
                                  << u"invalid_message"_s << u"s1"_s;
}

void TestLiveHub::protocolErrorsKeepSocket()
{
    QFETCH(QByteArray, message);
    QFETCH(QString, code);
    QFETCH(QString, requestId);

    HubFixture fixture;
    TestClient client;
    QVERIFY(connectAndSubscribe(fixture, client, Selector::all()));
    client.send(message);
    QTRY_COMPARE_WITH_TIMEOUT(client.count(u"error"_s), 1, 5000);
    const QJsonObject error = client.ofType(u"error"_s).first().body;
    QCOMPARE(error.value("code"_L1).toString(), code);
    QCOMPARE(error.value("request_id"_L1).toString(), requestId);
    QVERIFY(client.roundTrip());
    fixture.publishNew(EventType::CallStatus, CallA);
    QTRY_COMPARE_WITH_TIMEOUT(client.eventIds(), QList<qint64>{1}, 5000);
    QVERIFY(!client.disconnected);
}

void TestLiveHub::binaryMessageIsAnError()
{
    HubFixture fixture;
    TestClient client;
    QVERIFY(connectAndSubscribe(fixture, client, Selector::all()));
    client.socket.sendBinaryMessage(LiveProtocol::pingMessage());
    QTRY_COMPARE_WITH_TIMEOUT(client.count(u"error"_s), 1, 5000);
    QCOMPARE(client.ofType(u"error"_s).first().body.value("code"_L1).toString(),
             u"unsupported_message"_s);
    QVERIFY(!client.disconnected);
}

void TestLiveHub::subscriptionsPerClientAreCapped()
{
    LiveHubOptions options;
    options.maxSubscribedIdentifiers = 3;
    HubFixture fixture(options);
    TestClient client;
    QVERIFY(connectAndSubscribe(fixture, client, Selector::callSid(u"EL_cap_1"_s)));
    client.send(LiveProtocol::subscribeMessage(Selector::callSid(u"EL_cap_2"_s)));
    client.send(LiveProtocol::subscribeMessage(Selector::conversationId(u"conv_cap_3"_s)));
    client.send(LiveProtocol::subscribeMessage(Selector::callSid(u"EL_cap_4"_s), {}, u"over"_s));
    client.send(LiveProtocol::subscribeMessage(Selector::callSid(u"EL_cap_2"_s))); // held already
    client.send(LiveProtocol::subscribeMessage(Selector::all()));                  // always fine
    QVERIFY(client.roundTrip());
    QCOMPARE(client.count(u"subscribed"_s), 5);
    QCOMPARE(client.count(u"error"_s), 1);
    const QJsonObject error = client.ofType(u"error"_s).first().body;
    QCOMPARE(error.value("code"_L1).toString(), u"too_many_subscriptions"_s);
    QCOMPARE(error.value("request_id"_L1).toString(), u"over"_s);
    // Room again after an unsubscribe.
    client.send(LiveProtocol::unsubscribeMessage(Selector::callSid(u"EL_cap_1"_s)));
    client.send(LiveProtocol::subscribeMessage(Selector::callSid(u"EL_cap_4"_s)));
    QVERIFY(client.roundTrip());
    QCOMPARE(client.count(u"subscribed"_s), 6);
    QCOMPARE(client.count(u"error"_s), 1);
    QVERIFY(!client.disconnected);
}

void TestLiveHub::oversizedMessageCloses1009()
{
    HubFixture fixture;
    TestClient client;
    QVERIFY(connectAndSubscribe(fixture, client, Selector::all()));
    const QByteArray big = R"({"type":"ping","request_id":")" + QByteArray(70 * 1024, 'z') + "\"}";
    client.send(big);
    QTRY_VERIFY_WITH_TIMEOUT(client.disconnected, 5000);
    QCOMPARE(client.closeCode, int(CloseCode::MessageTooBig));
    QCOMPARE(client.count(u"pong"_s), 0);
}

void TestLiveHub::tokenRefreshKeepsSocket()
{
    HubFixture fixture;
    TestClient client;
    // Expires in 2-3 s: inside the 60 s notice window from the start.
    const QByteArray shortLived = fixture.token({u"calls:read"_s}, 3);
    client.open(fixture.url(shortLived));
    QTRY_COMPARE_WITH_TIMEOUT(client.count(u"token_expiring"_s), 1, 5000);
    const qint64 firstExpiry =
        client.ofType(u"token_expiring"_s).first().body.value("expires_at"_L1).toInteger();
    QCOMPARE(firstExpiry,
             JwtVerifier(fixture.config).verify(shortLived, fixture.nowSecs())->expiresAt);

    client.send(LiveProtocol::authMessage(fixture.token({u"calls:read"_s}, 3600), u"a1"_s));
    QTRY_COMPARE_WITH_TIMEOUT(client.count(u"authenticated"_s), 1, 5000);
    const QJsonObject authenticated = client.ofType(u"authenticated"_s).first().body;
    QVERIFY(authenticated.value("expires_at"_L1).toInteger() > firstExpiry + 3000);
    QCOMPARE(authenticated.value("request_id"_L1).toString(), u"a1"_s);

    client.send(LiveProtocol::subscribeMessage(Selector::all()));
    QTest::qWait(3200); // past the first token's expiry
    QVERIFY(!client.disconnected);
    fixture.publishNew(EventType::CallStatus, CallA);
    QTRY_COMPARE_WITH_TIMEOUT(client.eventIds(), QList<qint64>{1}, 5000);
    QCOMPARE(client.count(u"token_expiring"_s), 1);
}

void TestLiveHub::refreshRefused_data()
{
    QTest::addColumn<QString>("subject");
    QTest::addColumn<QStringList>("scopes");
    QTest::addColumn<bool>("garbage");

    QTest::newRow("other subject") << u"mallory"_s << QStringList{u"calls:read"_s} << false;
    QTest::newRow("under-scoped") << u"tester"_s << QStringList{u"calls:write"_s} << false;
    QTest::newRow("invalid token") << u"tester"_s << QStringList{u"calls:read"_s} << true;
}

void TestLiveHub::refreshRefused()
{
    QFETCH(QString, subject);
    QFETCH(QStringList, scopes);
    QFETCH(bool, garbage);

    HubFixture fixture;
    TestClient client;
    QVERIFY(connectAndSubscribe(fixture, client, Selector::all()));
    const QByteArray token = garbage ? QByteArray("x.y.z") : fixture.token(scopes, 3600, subject);
    client.send(LiveProtocol::authMessage(token, u"r"_s));
    QTRY_COMPARE_WITH_TIMEOUT(client.count(u"error"_s), 1, 5000);
    const QJsonObject error = client.ofType(u"error"_s).first().body;
    QCOMPARE(error.value("code"_L1).toString(), u"auth_failed"_s);
    QCOMPARE(error.value("request_id"_L1).toString(), u"r"_s);
    QCOMPARE(client.count(u"authenticated"_s), 0);
    fixture.publishNew(EventType::CallStatus, CallA);
    QTRY_COMPARE_WITH_TIMEOUT(client.eventIds(), QList<qint64>{1}, 5000);
    QVERIFY(!client.disconnected);
}

void TestLiveHub::tokenExpiryCloses4001()
{
    HubFixture fixture;
    TestClient client;
    QVERIFY(connectAndSubscribe(fixture, client, Selector::all()));
    // A new connection with a token that is about to expire.
    TestClient expiring;
    expiring.open(fixture.url(fixture.token({u"calls:read"_s}, 2))); // 1-2 s left
    QTRY_COMPARE_WITH_TIMEOUT(expiring.count(u"token_expiring"_s), 1, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(expiring.disconnected, 5000);
    QCOMPARE(expiring.closeCode, int(CloseCode::Unauthorized));
    QCOMPARE(expiring.closeReason, u"token expired"_s);
    QVERIFY(!client.disconnected);
    QCOMPARE(fixture.hub->clientCount(), 1);
}

void TestLiveHub::silentPeerIsDropped()
{
    LiveHubOptions options;
    options.pingIntervalMs = 100;
    options.pongTimeoutMs = 1000;
    HubFixture fixture(options);
    TestClient answering; // QWebSocket answers pings by itself
    QVERIFY(connectAndSubscribe(fixture, answering, Selector::all()));
    RawWebSocketClient silent; // never answers
    QVERIFY(silent.connectAndUpgrade(fixture.hub->serverPort(), fixture.token()));
    QVERIFY(silent.waitForFrame(0x9)); // it was pinged
    QTRY_VERIFY_WITH_TIMEOUT(silent.disconnected, 5000);
    QVERIFY(fixture.hub->stats().pongTimeouts >= 1);
    QTest::qWait(1500); // many more ping rounds for the answering client
    QVERIFY(!answering.disconnected);
    QCOMPARE(fixture.hub->clientCount(), 1);
}

void TestLiveHub::countersAndClientCount()
{
    HubFixture fixture;
    TestClient one, two;
    QVERIFY(connectAndSubscribe(fixture, one, Selector::all()));
    QVERIFY(connectAndSubscribe(fixture, two, Selector::callSid(CallB)));
    QCOMPARE(fixture.hub->clientCount(), 2);
    fixture.publishNew(EventType::CallStatus, CallA);
    fixture.publishNew(EventType::CallStatus, CallB);
    QVERIFY(one.roundTrip());
    QVERIFY(two.roundTrip());
    const LiveHubStats stats = fixture.hub->stats();
    QCOMPARE(stats.eventsPublished, 2u);
    QCOMPARE(stats.eventsSent, 3u);
    QCOMPARE(stats.connectionsAccepted, 2u);
    QCOMPARE(fixture.hub->lastPublishedId(), 2);
    one.socket.close();
    QTRY_COMPARE_WITH_TIMEOUT(fixture.hub->clientCount(), 1, 5000);
}

void TestLiveHub::shutdownSaysGoingAway()
{
    HubFixture fixture;
    TestClient client;
    QVERIFY(connectAndSubscribe(fixture, client, Selector::all()));
    fixture.hub.reset();
    QTRY_VERIFY_WITH_TIMEOUT(client.disconnected, 5000);
    QCOMPARE(client.closeCode, int(QWebSocketProtocol::CloseCodeGoingAway));
}

QTEST_GUILESS_MAIN(TestLiveHub)
#include "tst_livehub.moc"
