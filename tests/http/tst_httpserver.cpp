// SPDX-License-Identifier: GPL-3.0-or-later
// The HTTP protocol as a client sees it on a real socket: limits, routing errors, body limits,
// 100-continue, chunked bodies, pipelining, keep-alive rules and the response format.
#include "rawclient.h"
#include "testserver.h"

#include <QLoggingCategory>
#include <QSignalSpy>
#include <QTest>

using namespace callwatch::http;

class TestHttpServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void headLimits_data();
    void headLimits();
    void notFoundAndMethodNotAllowed();
    void unroutedBodyIsNotRead_data();
    void unroutedBodyIsNotRead();
    void bodyTooLarge_data();
    void bodyTooLarge();
    void expectContinue_data();
    void expectContinue();
    void chunkedBodies_data();
    void chunkedBodies();
    void pipelinedAnswersStayInOrder();
    void keepAliveRules_data();
    void keepAliveRules();
    void responseFormat();
    void pathArgumentsAreDecoded();
    void requestLogAndInFlight();
    void logLinesStayOneLine_data();
    void logLinesStayOneLine();
};

void TestHttpServer::headLimits_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");

    QByteArray many;
    for (int i = 0; i < 100; ++i)
        many += "X-" + QByteArray::number(i) + ": v\r\n";
    const QByteArray base = "GET /ping HTTP/1.1\r\nHost: h\r\n";
    const QByteArray hundred = many.sliced(many.indexOf('\n') + 1); // 99 + Host = 100
    QTest::newRow("100 headers") << base + hundred + "\r\n" << 200 << QString();
    QTest::newRow("101 headers") << base + many + "\r\n" << 431 << u"too_many_headers"_s;
    QTest::newRow("head over 32 KiB") << base + "X: " + QByteArray(33 * 1024, 'a') + "\r\n\r\n"
                                      << 431 << u"header_too_large"_s;
    QTest::newRow("url over 8 KiB") << get("/" + QByteArray(9000, 'a')) << 414 << u"uri_too_long"_s;
    QTest::newRow("malformed request line")
        << QByteArray("GET/ping HTTP/1.1\r\nHost: h\r\n\r\n") << 400 << u"bad_request_line"_s;
    QTest::newRow("malformed header") << base + "Bad Header: x\r\n\r\n" << 400 << u"bad_header"_s;
    QTest::newRow("bad content-length")
        << get("/ping", "Content-Length: 1x\r\n") << 400 << u"bad_content_length"_s;
    QTest::newRow("both framings")
        << get("/ping", "Content-Length: 1\r\nTransfer-Encoding: chunked\r\n") << 400
        << u"conflicting_framing"_s;
    QTest::newRow("unsupported transfer-encoding")
        << get("/ping", "Transfer-Encoding: gzip\r\n") << 400 << u"unsupported_transfer_encoding"_s;
    QTest::newRow("not http/1.x") << QByteArray("GET /ping HTTP/2.0\r\nHost: h\r\n\r\n") << 400
                                  << u"unsupported_http_version"_s;
    QTest::newRow("binary garbage")
        << QByteArray("\x16\x03\x01\x02\x00\x01\r\n\r\n", 10) << 400 << u"bad_request_line"_s;
}

void TestHttpServer::headLimits()
{
    QFETCH(QByteArray, raw);
    QFETCH(int, status);
    QFETCH(QString, code);

    TestServer t;
    RawClient client(t.port());
    client.send(raw);
    const auto reply = client.reply();
    QVERIFY(reply);
    QCOMPARE(reply->status, status);
    if (status == 200) {
        QCOMPARE(reply->header("connection"), QByteArray("keep-alive"));
        return;
    }
    QCOMPARE(reply->header("content-type"), QByteArray("application/json"));
    QCOMPARE(reply->errorCode(), code);
    QCOMPARE(reply->header("connection"), QByteArray("close"));
    QVERIFY(client.waitClosed());
}

void TestHttpServer::notFoundAndMethodNotAllowed()
{
    TestServer t;
    RawClient client(t.port());
    client.send(get("/nope"));
    auto reply = client.reply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 404);
    QCOMPARE(reply->errorCode(), u"not_found"_s);
    QCOMPARE(reply->header("connection"), QByteArray("keep-alive")); // no body: safe to go on

    client.send("DELETE /api/calls/CA1 HTTP/1.1\r\nHost: h\r\n\r\n");
    reply = client.reply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 405);
    QCOMPARE(reply->header("allow"), QByteArray("GET, POST"));
    QCOMPARE(reply->errorCode(), u"method_not_allowed"_s);

    client.send(get("/ping"));
    reply = client.reply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
}

void TestHttpServer::unroutedBodyIsNotRead_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<int>("status");

    const QByteArray huge = "Host: h\r\nContent-Length: 104857600\r\n\r\n";
    QTest::newRow("404") << "POST /nope HTTP/1.1\r\n" + huge << 404;
    QTest::newRow("405") << "PUT /ping HTTP/1.1\r\n" + huge << 405;
}

void TestHttpServer::unroutedBodyIsNotRead()
{
    QFETCH(QByteArray, head);
    QFETCH(int, status);

    TestServer t;
    RawClient client(t.port());
    client.send(head + QByteArray(1000, 'x')); // the 100 MB never come
    const auto reply = client.reply();
    QVERIFY(reply);
    QCOMPARE(reply->status, status);
    QCOMPARE(reply->header("connection"), QByteArray("close"));
    QVERIFY(client.waitClosed());
    QCOMPARE(t.server->peakBufferedBodyBytes(), 0);
}

void TestHttpServer::bodyTooLarge_data()
{
    QTest::addColumn<bool>("isChunked");
    QTest::newRow("content-length") << false;
    QTest::newRow("chunked") << true;
}

void TestHttpServer::bodyTooLarge()
{
    QFETCH(bool, isChunked);

    TestServer t;
    RawClient client(t.port());
    const QByteArray body(2 * 1024 * 1024, 'b');
    if (isChunked) {
        client.send(chunkedPost("/echo", chunked(body, 64 * 1024)));
    } else {
        // Only the head: the 413 must come from the declared length, before any body byte.
        const QByteArray request = post("/echo", body);
        client.send(request.first(request.size() - body.size()));
    }
    const auto reply = client.reply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 413);
    QCOMPARE(reply->errorCode(), u"payload_too_large"_s);
    QCOMPARE(reply->header("connection"), QByteArray("close"));
    if (!isChunked)
        client.send(body); // the server drains it while it lingers, then closes
    QVERIFY(client.waitClosed());
    QVERIFY(t.server->peakBufferedBodyBytes() <= 1024 * 1024);
    if (!isChunked)
        QCOMPARE(t.server->peakBufferedBodyBytes(), 0);
}

void TestHttpServer::expectContinue_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<qint64>("length");
    QTest::addColumn<int>("status");

    QTest::newRow("accepted") << QByteArray("/echo") << qint64(5) << 200;
    QTest::newRow("too large") << QByteArray("/echo") << qint64(2 * 1024 * 1024) << 413;
    QTest::newRow("unknown path") << QByteArray("/nope") << qint64(5) << 404;
}

void TestHttpServer::expectContinue()
{
    QFETCH(QByteArray, target);
    QFETCH(qint64, length);
    QFETCH(int, status);

    TestServer t;
    RawClient client(t.port());
    // Like curl: send the head, wait for 100 (or a final answer), only then the body.
    client.send("POST " + target + " HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n" +
                "Content-Length: " + QByteArray::number(length) + "\r\n\r\n");
    auto reply = client.reply();
    QVERIFY(reply);
    if (status != 200) {
        QCOMPARE(reply->status, status);
        QCOMPARE(reply->header("connection"), QByteArray("close"));
        QVERIFY(client.waitClosed());
        return;
    }
    QCOMPARE(reply->status, 100);
    QCOMPARE(reply->head, QByteArray("HTTP/1.1 100 Continue"));
    client.send("hello");
    reply = client.reply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    QCOMPARE(reply->body, QByteArray("hello"));
}

void TestHttpServer::chunkedBodies_data()
{
    QTest::addColumn<QByteArray>("encoded");
    QTest::addColumn<QByteArray>("expected");
    QTest::addColumn<int>("writes");

    const QByteArray text = "The quick brown fox jumps over the lazy dog";
    QTest::newRow("one chunk") << chunked(text, 1000) << text << 1;
    QTest::newRow("one byte chunks") << chunked(text, 1) << text << 1;
    QTest::newRow("extensions and trailers")
        << QByteArray("4;a=b\r\nThe \r\n6 ; x\r\nquick!\r\n0\r\nX-Sum: 1\r\nX-B: 2\r\n\r\n")
        << QByteArray("The quick!") << 1;
    QTest::newRow("upper-case hex")
        << QByteArray("A\r\n0123456789\r\n0\r\n\r\n") << QByteArray("0123456789") << 1;
    QTest::newRow("empty body") << QByteArray("0\r\n\r\n") << QByteArray() << 1;
    QTest::newRow("split across writes") << chunked(text, 5) << text << 7;
}

void TestHttpServer::chunkedBodies()
{
    QFETCH(QByteArray, encoded);
    QFETCH(QByteArray, expected);
    QFETCH(int, writes);

    TestServer t;
    RawClient client(t.port());
    const QByteArray request = chunkedPost("/echo", encoded);
    const qsizetype step = request.size() / writes + 1;
    for (qsizetype at = 0; at < request.size(); at += step) {
        client.send(request.mid(at, step));
        QTest::qWait(writes > 1 ? 20 : 0);
    }
    const auto reply = client.reply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    QCOMPARE(reply->body, expected);
}

void TestHttpServer::pipelinedAnswersStayInOrder()
{
    TestServer t;
    RawClient client(t.port());
    // The first answer comes last in time; the wire order must still be the request order.
    client.send(get("/slow?id=1&ms=150") + get("/ping") + get("/slow?id=3&ms=10") +
                post("/echo", "four") + get("/api/calls/CA5"));
    QList<QByteArray> bodies;
    for (int i = 0; i < 5; ++i) {
        const auto reply = client.reply();
        QVERIFY2(reply, qPrintable(u"reply %1"_s.arg(i)));
        bodies.append(reply->body);
    }
    QCOMPARE(bodies, (QList<QByteArray>{R"({"id":1})", R"({"ok":true})", R"({"id":3})", "four",
                                        R"({"sid":"CA5"})"}));
    QCOMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
}

void TestHttpServer::keepAliveRules_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<bool>("keepAlive");

    QTest::newRow("http/1.1 default") << get("/ping") << true;
    QTest::newRow("http/1.1 close") << get("/ping", "Connection: close\r\n") << false;
    QTest::newRow("http/1.0 default") << QByteArray("GET /ping HTTP/1.0\r\n\r\n") << false;
    QTest::newRow("http/1.0 keep-alive")
        << QByteArray("GET /ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") << true;
}

void TestHttpServer::keepAliveRules()
{
    QFETCH(QByteArray, request);
    QFETCH(bool, keepAlive);

    TestServer t;
    RawClient client(t.port());
    client.send(request);
    auto reply = client.reply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    QCOMPARE(reply->header("connection"), keepAlive ? QByteArray("keep-alive") : "close");
    if (!keepAlive) {
        QVERIFY(client.waitClosed());
        return;
    }
    client.send(request);
    reply = client.reply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
}

void TestHttpServer::responseFormat()
{
    TestServer t;
    t.server->route("GET", u"/created"_s, [](const HttpRequest &) {
        HttpResponse response{201, "application/json", {}, "{}"};
        response.headers = {{"X-Trace", "abc"}, {"Content-Length", "999"}, {"X-Bad", "a\r\nb"}};
        return response;
    });
    t.server->route("GET", u"/empty"_s, [](const HttpRequest &) { return statusOnly(204); });
    RawClient client(t.port());
    client.send(get("/created") + get("/empty"));
    auto reply = client.reply();
    QVERIFY(reply);
    QVERIFY(reply->head.startsWith("HTTP/1.1 201 Created\r\n"));
    QCOMPARE(reply->header("content-type"), QByteArray("application/json"));
    QCOMPARE(reply->header("content-length"), QByteArray("2"));
    QCOMPARE(reply->head.count("Content-Length"), 1); // the handler's copy was dropped
    QVERIFY(!reply->head.contains("X-Bad"));          // no response splitting
    QCOMPARE(reply->header("x-trace"), QByteArray("abc"));
    QCOMPARE(reply->header("connection"), QByteArray("keep-alive"));
    QCOMPARE(reply->body, QByteArray("{}"));
    reply = client.reply();
    QVERIFY(reply);
    QVERIFY(reply->head.startsWith("HTTP/1.1 204 No Content\r\n"));
    QVERIFY(!reply->head.contains("Content-Length"));
}

void TestHttpServer::pathArgumentsAreDecoded()
{
    TestServer t;
    RawClient client(t.port());
    client.send(get("/api/calls/CA%2F1%20x?q=1"));
    const auto reply = client.reply();
    QVERIFY(reply);
    QCOMPARE(reply->body, QByteArray(R"({"sid":"CA/1 x"})"));
}

void TestHttpServer::requestLogAndInFlight()
{
    TestServer t;
    QSignalSpy finished(t.server.get(), &HttpServer::idle);
    RawClient client(t.port());
    client.send(get("/slow?id=7&ms=100"));
    QTRY_COMPARE(t.server->inFlightRequests(), 1);
    QVERIFY(client.reply());
    QTRY_COMPARE(t.server->inFlightRequests(), 0);
    QVERIFY(finished.count() >= 1);

    client.send(post("/echo?secret=1", "abc"));
    QVERIFY(client.reply());
    QTRY_COMPARE(t.log.size(), 2);
    const RequestLogEntry &entry = t.log.last();
    QCOMPARE(entry.method, QByteArray("POST"));
    QCOMPARE(entry.path, u"/echo"_s); // never the query
    QCOMPARE(entry.status, 200);
    QCOMPARE(entry.bodyBytesIn, 3);
    QCOMPARE(entry.bodyBytesOut, 3);
    QCOMPARE(entry.peer, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(entry.peerPort, client.socket.localPort());
    QVERIFY(!entry.clientGone);
    QVERIFY(t.log.first().durationUs >= 90'000); // the async answer came after ~100 ms
}

namespace {
QStringList capturedLog;
void captureLog(QtMsgType, const QMessageLogContext &context, const QString &message)
{
    if (QByteArrayView(context.category) == "callwatch.http")
        capturedLog << message;
}
} // namespace

// The access log as an operator reads it: a path is anybody's text, and once decoded a %0A
// would forge a second line, an escape sequence would drive the terminal.
void TestHttpServer::logLinesStayOneLine_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QString>("logged");
    QTest::newRow("plain") << QByteArray("/nope/a-b") << u"/nope/a-b"_s;
    QTest::newRow("encoded newline")
        << QByteArray("/x%0A2026-01-01%20INFO%20fake") << u"/x%0A2026-01-01 INFO fake"_s;
    QTest::newRow("carriage return and escape")
        << QByteArray("/x%0D%1B[31mred") << u"/x%0D%1B[31mred"_s;
    QTest::newRow("DEL and a C1 control") << QByteArray("/x%7F%C2%9B") << u"/x%7F%C2%9B"_s;
    QTest::newRow("other text kept") << QByteArray("/caf%C3%A9") << u"/caf\u00e9"_s;
}

void TestHttpServer::logLinesStayOneLine()
{
    QFETCH(QByteArray, target);
    QFETCH(QString, logged);
    // The default logger, not TestServer's list: what reaches the log.
    HttpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QLoggingCategory::setFilterRules(u"callwatch.http.info=true"_s);
    capturedLog.clear();
    const QtMessageHandler previous = qInstallMessageHandler(captureLog);
    RawClient client(server.port());
    client.send("GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n");
    const auto reply = client.reply();
    QTRY_COMPARE(capturedLog.size(), 1);
    qInstallMessageHandler(previous);
    QLoggingCategory::setFilterRules(QString());
    QVERIFY(reply);
    QCOMPARE(reply->status, 404);
    const QString line = capturedLog.first();
    QVERIFY2(!line.contains(u'\n') && !line.contains(QChar(0x1b)), qPrintable(line));
    QVERIFY2(line.contains(u" GET "_s + logged + u" 404 "_s), qPrintable(line));
}

QTEST_GUILESS_MAIN(TestHttpServer)
#include "tst_httpserver.moc"
