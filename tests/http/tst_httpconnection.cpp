// SPDX-License-Identifier: GPL-3.0-or-later
// Connection lifecycles on real sockets: timeouts, the connection cap, body spooling, async
// answers after the client left, garbage input and the WebSocket hand-over.
#include "rawclient.h"
#include "testserver.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace callwatch::http;

namespace {

/** Sends `bytes` from `from` on, one byte every `intervalMs`: a client far too slow. */
struct Trickle
{
    Trickle(RawClient &client, const QByteArray &bytes, qsizetype from, int intervalMs) : sent(from)
    {
        QObject::connect(&timer, &QTimer::timeout, &client.socket, [this, &client, bytes] {
            if (sent < bytes.size())
                client.send(bytes.mid(sent++, 1));
        });
        timer.start(intervalMs);
    }
    QTimer timer;
    qsizetype sent;
};

/**
 * A QWebSocketServer taking sockets from HttpServer's upgrade hand-over; echoes "echo:<m>".
 * handleConnection() does not take ownership of the QTcpSocket (Qt 6.4), so it is kept here
 * and deleted after the QWebSockets that use it.
 */
struct EchoWebSockets
{
    explicit EchoWebSockets(HttpServer *http)
    {
        http->setUpgradeHandler(u"/live"_s, [this](QTcpSocket *socket, const HttpRequest &) {
            tcpSockets.append(socket);
            server.handleConnection(socket);
        });
        QObject::connect(&server, &QWebSocketServer::newConnection, &server, [this] {
            while (QWebSocket *socket = server.nextPendingConnection()) {
                socket->setParent(&server);
                QObject::connect(
                    socket, &QWebSocket::textMessageReceived, socket,
                    [socket](const QString &m) { socket->sendTextMessage(u"echo:"_s + m); });
            }
        });
    }

    ~EchoWebSockets()
    {
        qDeleteAll(server.findChildren<QWebSocket *>());
        for (const QPointer<QTcpSocket> &socket : std::as_const(tcpSockets))
            delete socket.data();
    }

    QWebSocketServer server{u"test"_s, QWebSocketServer::NonSecureMode};
    QList<QPointer<QTcpSocket>> tcpSockets;
};

const QByteArray kHandshake =
    "GET /live HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n";

} // namespace

class TestHttpConnection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void headerTimeoutDropsTrickler();
    void silentConnectionIsDropped();
    void bodyTimeout();
    void trickledBodyTimesOut();
    void idleKeepAliveTimeout_data();
    void idleKeepAliveTimeout();
    void connectionCap();
    void spoolsLargeChunkedBody();
    void handlerKeepsSpoolFileByMovingIt();
    void asyncAnswerAfterClientLeft();
    void droppedResponderAnswers500();
    void garbageDoesNotHurt();
    void webSocketUpgrade();
    void webSocketHandOverKeepsBytes_data();
    void webSocketHandOverKeepsBytes();
};

void TestHttpConnection::headerTimeoutDropsTrickler()
{
    HttpLimits limits;
    limits.headerTimeoutMs = 500;
    TestServer t(limits);
    RawClient client(t.port());
    QVERIFY(client.waitConnected());
    const QByteArray request = get("/ping");
    QElapsedTimer clock;
    clock.start();
    const Trickle trickle(client, request, 0, 100);
    const auto reply = client.reply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 408);
    QCOMPARE(reply->errorCode(), u"request_timeout"_s);
    QVERIFY(client.waitClosed());
    QVERIFY(trickle.sent < request.size()); // dropped long before the head could complete
    QVERIFY(clock.elapsed() >= 500);
}

void TestHttpConnection::silentConnectionIsDropped()
{
    HttpLimits limits;
    limits.headerTimeoutMs = 300;
    TestServer t(limits);
    RawClient client(t.port());
    QVERIFY(client.waitConnected());
    QVERIFY(client.waitClosed());
    QVERIFY(client.pending().isEmpty());
    QTRY_COMPARE(t.server->openConnections(), 0);
}

void TestHttpConnection::bodyTimeout()
{
    HttpLimits limits;
    limits.bodyTimeoutMs = 400;
    TestServer t(limits);
    RawClient client(t.port());
    const QByteArray request = post("/echo", "0123456789");
    client.send(request.first(request.size() - 7)); // three body bytes, then silence
    const auto reply = client.reply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 408);
    QVERIFY(client.waitClosed());
}

// A byte now and then keeps the gap between bytes short, but not the whole body: it may take
// bodyTimeoutMs plus a second per minBodyBytesPerSec bytes received, then 408.
void TestHttpConnection::trickledBodyTimesOut()
{
    HttpLimits limits;
    limits.bodyTimeoutMs = 400;
    limits.minBodyBytesPerSec = 100; // each byte buys 10 ms; one comes every 50 ms
    TestServer t(limits);
    RawClient client(t.port());
    QVERIFY(client.waitConnected());
    const QByteArray request = post("/echo", QByteArray(1000, 'a'));
    const qsizetype headSize = request.indexOf("\r\n\r\n") + 4;
    client.send(request.first(headSize));
    QElapsedTimer clock;
    clock.start();
    const Trickle trickle(client, request, headSize, 50);
    const auto reply = client.reply(20000);
    QVERIFY(reply);
    QCOMPARE(reply->status, 408);
    QVERIFY(client.waitClosed());
    // Cut off after about 400 ms + 10 ms per byte, long before the 50 s the body would take.
    QVERIFY2(trickle.sent - headSize < 200, qPrintable(QString::number(trickle.sent - headSize)));
    QVERIFY(clock.elapsed() >= 400);
}

void TestHttpConnection::idleKeepAliveTimeout_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<int>("status");

    QTest::newRow("sync answer") << QByteArray("/ping") << 200;
    QTest::newRow("async answer") << QByteArray("/slow?id=1&ms=50") << 200;
    QTest::newRow("answered at the head") << QByteArray("/nope") << 404;
}

void TestHttpConnection::idleKeepAliveTimeout()
{
    QFETCH(QByteArray, target);
    QFETCH(int, status);

    HttpLimits limits;
    limits.idleTimeoutMs = 600;
    TestServer t(limits);
    RawClient client(t.port());
    client.send(get(target));
    const auto reply = client.reply();
    QVERIFY(reply);
    QCOMPARE(reply->status, status);
    QCOMPARE(reply->header("connection"), QByteArray("keep-alive"));
    QTest::qWait(150);
    QCOMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
    QVERIFY(client.waitClosed());
    QVERIFY(client.pending().isEmpty()); // closed quietly, no error response
    QTRY_COMPARE(t.server->openConnections(), 0);
}

void TestHttpConnection::connectionCap()
{
    HttpLimits limits;
    limits.maxConnections = 2;
    TestServer t(limits);
    RawClient a(t.port()), b(t.port());
    for (RawClient *client : {&a, &b}) {
        client->send(get("/ping"));
        QVERIFY(client->reply());
    }
    RawClient c(t.port());
    const auto reply = c.reply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 503);
    QCOMPARE(reply->errorCode(), u"server_busy"_s);
    QCOMPARE(reply->header("connection"), QByteArray("close"));
    QVERIFY(c.waitClosed());
    QCOMPARE(t.server->openConnections(), 2);

    a.socket.disconnectFromHost();
    QTRY_COMPARE(t.server->openConnections(), 1);
    RawClient d(t.port());
    d.send(get("/ping"));
    const auto again = d.reply();
    QVERIFY(again);
    QCOMPARE(again->status, 200);
}

void TestHttpConnection::spoolsLargeChunkedBody()
{
    QTemporaryDir dir;
    TestServer t;
    t.server->setSpoolDirectory(dir.path());
    QByteArray body(20 * 1024 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < body.size(); ++i)
        body[i] = char(i * 7 + i / 4093);
    RawClient client(t.port());
    client.send(chunkedPost("/spool", chunked(body, 256 * 1024 + 3)));
    const auto reply = client.reply(60'000);
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    const QJsonObject json = QJsonDocument::fromJson(reply->body).object();
    QCOMPARE(json.value(u"size"_s).toInteger(), body.size());
    QCOMPARE(json.value(u"sha256"_s).toString().toLatin1(),
             QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex());
    QVERIFY(json.value(u"bodyWasEmpty"_s).toBool());
    QVERIFY(t.spooledPath.startsWith(dir.path()));
    QVERIFY(!QFile::exists(t.spooledPath)); // deleted once the response was written
    QVERIFY(QDir(dir.path()).isEmpty(QDir::Files | QDir::Hidden));
    QCOMPARE(t.server->peakBufferedBodyBytes(), 0); // never held in memory
}

void TestHttpConnection::handlerKeepsSpoolFileByMovingIt()
{
    QTemporaryDir spool, keep;
    TestServer t;
    t.server->setSpoolDirectory(spool.path());
    const QString kept = keep.filePath(u"kept.bin"_s);
    t.server->route(
        "POST", u"/keep"_s,
        [&kept](const HttpRequest &request) {
            const bool moved = QFile::rename(request.bodyFilePath, kept);
            return statusOnly(moved ? 201 : 500);
        },
        RouteOptions{1024, true});
    RawClient client(t.port());
    client.send(post("/keep", "keep me"));
    const auto reply = client.reply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 201);
    QFile file(kept);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("keep me"));
    QVERIFY(QDir(spool.path()).isEmpty(QDir::Files | QDir::Hidden));
}

void TestHttpConnection::asyncAnswerAfterClientLeft()
{
    TestServer t;
    bool sent = false;
    bool connectedAtSend = true;
    t.server->routeAsync("GET", u"/later"_s, [&](const HttpRequest &, HttpResponder responder) {
        QTimer::singleShot(200, t.server.get(), [&, responder] {
            connectedAtSend = responder.isConnected();
            responder.send(HttpResponse::json(QJsonObject{{u"late"_s, true}}));
            responder.send(statusOnly(500)); // second send: ignored
            sent = true;
        });
    });
    {
        RawClient client(t.port());
        client.send(get("/later"));
        QTRY_COMPARE(t.server->inFlightRequests(), 1);
        client.socket.abort();
    }
    QTRY_VERIFY(sent);
    QVERIFY(!connectedAtSend);
    QTRY_COMPARE(t.server->inFlightRequests(), 0);
    QTRY_COMPARE(t.server->openConnections(), 0);
    QCOMPARE(t.log.size(), 1);
    QCOMPARE(t.log[0].status, 200);
    QVERIFY(t.log[0].clientGone);

    RawClient again(t.port());
    again.send(get("/ping"));
    const auto reply = again.reply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
}

void TestHttpConnection::droppedResponderAnswers500()
{
    TestServer t;
    RawClient client(t.port());
    client.send(get("/drop") + get("/ping"));
    auto reply = client.reply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 500);
    QCOMPARE(reply->errorCode(), u"no_response"_s);
    reply = client.reply(); // the pipeline behind it is not stuck
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
}

void TestHttpConnection::garbageDoesNotHurt()
{
    QTemporaryDir dir;
    TestServer t;
    t.server->setSpoolDirectory(dir.path());
    t.server->route(
        "POST", u"/big"_s, [](const HttpRequest &) { return statusOnly(204); },
        RouteOptions{200 * 1024 * 1024, true});
    QList<QByteArray> inputs;
    QRandomGenerator random(42);
    for (int i = 0; i < 40; ++i) {
        QByteArray junk(random.bounded(1, 4096), Qt::Uninitialized);
        for (char &c : junk)
            c = char(random.bounded(256));
        inputs.append(junk);
    }
    const QByteArray valid = post("/echo", "hello");
    for (qsizetype n = 1; n < valid.size(); n += 3)
        inputs.append(valid.first(n));
    const QByteArray huge = "Host: h\r\nContent-Length: 104857600\r\n\r\n" + QByteArray(1000, 'x');
    inputs.append("POST /echo HTTP/1.1\r\n" + huge);
    inputs.append("POST /big HTTP/1.1\r\n" + huge + QByteArray(100'000, 'y'));
    inputs.append(chunkedPost("/big", "10000\r\n" + QByteArray(1000, 'z')));

    std::vector<std::unique_ptr<RawClient>> clients;
    for (const QByteArray &input : std::as_const(inputs)) {
        clients.push_back(std::make_unique<RawClient>(t.port()));
        clients.back()->send(input);
    }
    QTest::qWait(200);
    clients.clear(); // every client disconnects, answered or not

    QTRY_COMPARE(t.server->openConnections(), 0);
    QTRY_COMPARE(t.server->inFlightRequests(), 0);
    QTRY_VERIFY(QDir(dir.path()).isEmpty(QDir::Files | QDir::Hidden)); // partial spools removed
    RawClient client(t.port());
    client.send(get("/ping"));
    const auto reply = client.reply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
}

void TestHttpConnection::webSocketUpgrade()
{
    TestServer t;
    EchoWebSockets ws(t.server.get());
    QWebSocket client;
    QSignalSpy received(&client, &QWebSocket::textMessageReceived);
    client.open(QUrl(u"ws://127.0.0.1:%1/live"_s.arg(t.port())));
    QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
    client.sendTextMessage(u"hello"_s);
    QTRY_COMPARE(received.count(), 1);
    QCOMPARE(received.at(0).at(0).toString(), u"echo:hello"_s);
    QCOMPARE(t.server->openConnections(), 0); // no longer an HTTP connection

    RawClient http(t.port());
    http.send(get("/ping"));
    const auto reply = http.reply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
}

void TestHttpConnection::webSocketHandOverKeepsBytes_data()
{
    QTest::addColumn<QByteArray>("before");
    QTest::addColumn<int>("split");

    QTest::newRow("alone") << QByteArray() << 0;
    QTest::newRow("fragmented handshake") << QByteArray() << 37;
    QTest::newRow("behind a sync request") << get("/ping") << 0;
    QTest::newRow("behind a slow async request") << get("/slow?id=1&ms=150") << 0;
    QTest::newRow("behind a request, fragmented") << get("/ping") << 60;
}

void TestHttpConnection::webSocketHandOverKeepsBytes()
{
    QFETCH(QByteArray, before);
    QFETCH(int, split);

    TestServer t;
    EchoWebSockets ws(t.server.get());
    RawClient client(t.port());
    const QByteArray bytes = before + kHandshake;
    const qsizetype cut = split ? before.size() + split : bytes.size();
    client.send(bytes.first(cut));
    QTest::qWait(split ? 50 : 0);
    client.send(bytes.sliced(cut));
    if (!before.isEmpty()) {
        const auto answer = client.reply();
        QVERIFY(answer);
        QCOMPARE(answer->status, 200);
    }
    const auto reply = client.reply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 101);
    QCOMPARE(reply->header("sec-websocket-accept"), QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    client.send(QByteArray("\x81\x83\0\0\0\0abc", 9)); // masked (with a zero key) text "abc"
    QTRY_VERIFY(client.pending().contains("echo:abc"));
}

QTEST_GUILESS_MAIN(TestHttpConnection)
#include "tst_httpconnection.moc"
