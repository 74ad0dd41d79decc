// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/requestparser.h"

#include <QTest>

using namespace callwatch::http;
using namespace Qt::StringLiterals;
using Event = RequestParser::Event;

namespace {

/** Everything a parser produced from one input, fed in fragments of a given size. */
struct Parsed
{
    QList<RequestHead> heads;
    QList<QByteArray> bodies;
    int completes = 0;
    bool failed = false;
    ParseError error;
    bool stalled = false; ///< NeedMore returned without using all input: a parser bug
};

Parsed parse(QByteArrayView data, qsizetype fragment, const HttpLimits &limits = {},
             qint64 bodyLimit = -1)
{
    RequestParser parser(limits);
    Parsed out;
    for (qsizetype at = 0; at < data.size() && !out.failed;) {
        QByteArrayView chunk = data.sliced(at, qMin(fragment, data.size() - at));
        at += chunk.size();
        for (;;) {
            const auto step = parser.feed(chunk);
            chunk = chunk.sliced(step.consumed);
            if (step.event == Event::NeedMore) {
                out.stalled = out.stalled || !chunk.isEmpty();
                break;
            }
            if (step.event == Event::Error) {
                out.failed = true;
                out.error = parser.error();
                break;
            }
            if (step.event == Event::Head) {
                out.heads.append(parser.takeHead());
                out.bodies.append(QByteArray());
                if (bodyLimit >= 0 && !parser.setBodyLimit(bodyLimit)) {
                    out.failed = true;
                    out.error = parser.error();
                    break;
                }
            } else if (step.event == Event::Body) {
                out.bodies.last().append(step.body);
            } else if (step.event == Event::Complete) {
                ++out.completes;
            }
        }
    }
    return out;
}

const QList<qsizetype> kFragments = {1, 2, 3, 7, 64, 1 << 20};

QByteArray headers(int count)
{
    QByteArray out;
    for (int i = 0; i < count; ++i)
        out += "X-H" + QByteArray::number(i) + ": v\r\n";
    return out;
}

} // namespace

class TestRequestParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validRequests_data();
    void validRequests();
    void headFields();
    void pipelined();
    void errors_data();
    void errors();
    void bodyLimit_data();
    void bodyLimit();
    void messageStartedIgnoresLeadingEmptyLines();
    void trickledHeadStopsAtLimit();
};

void TestRequestParser::validRequests_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("keepAlive");

    const QByteArray host = "Host: a\r\n";
    QTest::newRow("get") << "GET /api/calls HTTP/1.1\r\n" + host + "\r\n"
                         << QByteArray("GET") << u"/api/calls"_s << QByteArray() << true;
    QTest::newRow("query and escapes") << "GET /a%20b/c?x=1&y=%41 HTTP/1.1\r\n" + host + "\r\n"
                                       << QByteArray("GET") << u"/a b/c"_s << QByteArray() << true;
    QTest::newRow("absolute-form") << "GET http://a/x/y?z HTTP/1.1\r\n" + host + "\r\n"
                                   << QByteArray("GET") << u"/x/y"_s << QByteArray() << true;
    QTest::newRow("content-length")
        << "POST /hook HTTP/1.1\r\n" + host + "Content-Length: 5\r\n\r\nhello" << QByteArray("POST")
        << u"/hook"_s << QByteArray("hello") << true;
    QTest::newRow("chunked") << "POST /c HTTP/1.1\r\n" + host +
                                    "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
                                    "6\r\n world\r\n0\r\n\r\n"
                             << QByteArray("POST") << u"/c"_s << QByteArray("hello world") << true;
    QTest::newRow("chunked upper hex, extensions, trailers")
        << "POST /c HTTP/1.1\r\n" + host +
               "transfer-encoding: Chunked\r\n\r\nA;name=\"v\"\r\n0123456789\r\n"
               "1 ; ext\r\n!\r\n0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n"
        << QByteArray("POST") << u"/c"_s << QByteArray("0123456789!") << true;
    QTest::newRow("connection close") << "GET / HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n"
                                      << QByteArray("GET") << u"/"_s << QByteArray() << false;
    QTest::newRow("http/1.0 closes") << QByteArray("GET / HTTP/1.0\r\n\r\n") << QByteArray("GET")
                                     << u"/"_s << QByteArray() << false;
    QTest::newRow("http/1.0 keep-alive")
        << QByteArray("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n") << QByteArray("GET")
        << u"/"_s << QByteArray() << true;
    QTest::newRow("leading empty line") << "\r\nGET /x HTTP/1.1\r\n" + host + "\r\n"
                                        << QByteArray("GET") << u"/x"_s << QByteArray() << true;
    QTest::newRow("100 headers") << "GET / HTTP/1.1\r\n" + host + headers(99) + "\r\n"
                                 << QByteArray("GET") << u"/"_s << QByteArray() << true;
}

void TestRequestParser::validRequests()
{
    QFETCH(QByteArray, raw);
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(bool, keepAlive);

    for (qsizetype fragment : kFragments) {
        const Parsed parsed = parse(raw, fragment);
        QVERIFY2(!parsed.failed, qPrintable(parsed.error.message));
        QVERIFY(!parsed.stalled);
        QCOMPARE(parsed.heads.size(), 1);
        QCOMPARE(parsed.completes, 1);
        QCOMPARE(parsed.heads[0].request.method, method);
        QCOMPARE(parsed.heads[0].request.path, path);
        QCOMPARE(parsed.heads[0].keepAlive, keepAlive);
        QCOMPARE(parsed.bodies[0], body);
    }
}

void TestRequestParser::headFields()
{
    const QByteArray raw =
        "POST /a%2Fb?sig=x%20y HTTP/1.1\r\nHost: h\r\nX-Mixed-Case:  padded value \t\r\n"
        "Expect: 100-continue\r\nUpgrade: h2c, WebSocket\r\nContent-Length: 0\r\n\r\n";
    const Parsed parsed = parse(raw, 3);
    QVERIFY(!parsed.failed);
    const RequestHead &head = parsed.heads.value(0);
    QCOMPARE(head.request.target, QByteArray("/a%2Fb?sig=x%20y"));
    QCOMPARE(head.rawPath, QByteArray("/a%2Fb"));
    QCOMPARE(head.request.path, u"/a/b"_s);
    QCOMPARE(head.request.query.queryItemValue(u"sig"_s, QUrl::FullyDecoded), u"x y"_s);
    QCOMPARE(head.request.header("x-mixed-case"), QByteArray("padded value"));
    QCOMPARE(head.request.header("X-MIXED-CASE"), QByteArray("padded value"));
    QCOMPARE(head.request.headers.at(1).first, QByteArray("x-mixed-case"));
    QVERIFY(head.expectContinue);
    QVERIFY(head.upgradeWebSocket);
    QCOMPARE(head.contentLength, 0);
    QCOMPARE(head.headBytes, raw.size());
    QVERIFY(!head.hasBody());
}

void TestRequestParser::pipelined()
{
    const QByteArray one = "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc";
    const QByteArray two = "POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "2\r\nde\r\n0\r\n\r\n";
    const QByteArray three = "GET /c HTTP/1.1\r\nHost: h\r\n\r\n";
    for (qsizetype fragment : kFragments) {
        const Parsed parsed = parse(QByteArray(one + two + three), fragment);
        QVERIFY(!parsed.failed);
        QCOMPARE(parsed.completes, 3);
        QCOMPARE(parsed.bodies, (QList<QByteArray>{"abc", "de", ""}));
        QCOMPARE(parsed.heads[2].request.path, u"/c"_s);
    }
}

void TestRequestParser::errors_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");

    const QByteArray host = "Host: h\r\n";
    const auto row = [](const char *name, const QByteArray &raw, int status, const QString &code) {
        QTest::newRow(name) << raw << status << code;
    };
    row("101 headers", "GET / HTTP/1.1\r\n" + host + headers(100) + "\r\n", 431,
        u"too_many_headers"_s);
    row("head too large", "GET / HTTP/1.1\r\n" + host + "X: " + QByteArray(33000, 'a') + "\r\n\r\n",
        431, u"header_too_large"_s);
    row("url too long", "GET /" + QByteArray(9000, 'a') + " HTTP/1.1\r\n" + host + "\r\n", 414,
        u"uri_too_long"_s);
    row("url over head limit", "GET /" + QByteArray(40000, 'a'), 414, u"uri_too_long"_s);
    row("no version", "GET /\r\n" + host + "\r\n", 400, u"bad_request_line"_s);
    row("double space", "GET  / HTTP/1.1\r\n" + host + "\r\n", 400, u"bad_request_line"_s);
    row("bad method", "G(T / HTTP/1.1\r\n" + host + "\r\n", 400, u"bad_request_line"_s);
    row("http/2", "GET / HTTP/2.0\r\n" + host + "\r\n", 400, u"unsupported_http_version"_s);
    row("bad target", "GET abc HTTP/1.1\r\n" + host + "\r\n", 400, u"bad_target"_s);
    row("bad escape", "GET /%zz HTTP/1.1\r\n" + host + "\r\n", 400, u"bad_target"_s);
    row("encoded nul", "GET /a%00 HTTP/1.1\r\n" + host + "\r\n", 400, u"bad_target"_s);
    row("bare LF", "GET / HTTP/1.1\n" + host + "\r\n", 400, u"bad_request"_s);
    row("space before colon", "GET / HTTP/1.1\r\n" + host + "X-A : b\r\n\r\n", 400,
        u"bad_header"_s);
    row("obs-fold", "GET / HTTP/1.1\r\n" + host + "X-A: b\r\n c\r\n\r\n", 400, u"bad_header"_s);
    row("no colon", "GET / HTTP/1.1\r\n" + host + "nonsense\r\n\r\n", 400, u"bad_header"_s);
    row("control char", "GET / HTTP/1.1\r\n" + host + "X-A: a\x01z\r\n\r\n", 400, u"bad_header"_s);
    row("missing host", "GET / HTTP/1.1\r\n\r\n", 400, u"bad_host"_s);
    row("two hosts", "GET / HTTP/1.1\r\n" + host + host + "\r\n", 400, u"bad_host"_s);
    row("bad content-length", "POST / HTTP/1.1\r\n" + host + "Content-Length: 12a\r\n\r\n", 400,
        u"bad_content_length"_s);
    row("negative content-length", "POST / HTTP/1.1\r\n" + host + "Content-Length: -1\r\n\r\n", 400,
        u"bad_content_length"_s);
    row("content-length list", "POST / HTTP/1.1\r\n" + host + "Content-Length: 1, 1\r\n\r\n", 400,
        u"bad_content_length"_s);
    row("content-length mismatch",
        "POST / HTTP/1.1\r\n" + host + "Content-Length: 1\r\nContent-Length: 2\r\n\r\n", 400,
        u"bad_content_length"_s);
    row("cl and te",
        "POST / HTTP/1.1\r\n" + host + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        400, u"conflicting_framing"_s);
    row("gzip te", "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip, chunked\r\n\r\n", 400,
        u"unsupported_transfer_encoding"_s);
    row("chunked 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
        u"unsupported_transfer_encoding"_s);
    row("expect other", "POST / HTTP/1.1\r\n" + host + "Expect: magic\r\n\r\n", 417,
        u"expectation_failed"_s);
    const QByteArray chunked = "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n";
    row("chunk size not hex", chunked + "xyz\r\n", 400, u"bad_chunk"_s);
    row("chunk size overflow", chunked + "1000000000000000\r\n", 400, u"bad_chunk"_s);
    row("chunk without CRLF", chunked + "3\r\nabcX", 400, u"bad_chunk"_s);
    row("chunk ext too long", chunked + "3;" + QByteArray(5000, 'e') + "\r\n", 400, u"bad_chunk"_s);
    row("bad trailer", chunked + "0\r\nno colon here\r\n\r\n", 400, u"bad_header"_s);
    row("trailer too large", chunked + "0\r\nX: " + QByteArray(40000, 't') + "\r\n\r\n", 431,
        u"header_too_large"_s);
    row("endless empty lines", QByteArray(2000, '\n'), 400, u"bad_request"_s);
}

void TestRequestParser::errors()
{
    QFETCH(QByteArray, raw);
    QFETCH(int, status);
    QFETCH(QString, code);

    for (qsizetype fragment : kFragments) {
        const Parsed parsed = parse(raw, fragment);
        QVERIFY2(parsed.failed, qPrintable(u"fragment %1"_s.arg(fragment)));
        QCOMPARE(parsed.error.status, status);
        QCOMPARE(parsed.error.code, code);
        QVERIFY(!parsed.error.message.isEmpty());
    }
}

void TestRequestParser::bodyLimit_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<qint64>("limit");
    QTest::addColumn<bool>("accepted");

    const QByteArray head = "POST / HTTP/1.1\r\nHost: h\r\n";
    QTest::newRow("length at limit") << head + "Content-Length: 4\r\n\r\nabcd" << qint64(4) << true;
    QTest::newRow("length over limit") << head + "Content-Length: 5\r\n\r\n" << qint64(4) << false;
    QTest::newRow("chunks at limit")
        << head + "Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n"
        << qint64(4) << true;
    // Refused at the second chunk's size line, before its data arrives.
    QTest::newRow("chunks over limit")
        << head + "Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n3\r\n"
        << qint64(4) << false;
}

void TestRequestParser::bodyLimit()
{
    QFETCH(QByteArray, raw);
    QFETCH(qint64, limit);
    QFETCH(bool, accepted);

    for (qsizetype fragment : kFragments) {
        const Parsed parsed = parse(raw, fragment, {}, limit);
        QCOMPARE(!parsed.failed, accepted);
        if (!accepted) {
            QCOMPARE(parsed.error.status, 413);
            QCOMPARE(parsed.error.code, u"payload_too_large"_s);
        }
    }
}

void TestRequestParser::messageStartedIgnoresLeadingEmptyLines()
{
    RequestParser parser;
    QCOMPARE(parser.feed("\r\n").event, Event::NeedMore);
    QVERIFY(!parser.messageStarted());
    const auto step = parser.feed("GET / HT");
    QCOMPARE(step.event, Event::NeedMore);
    QCOMPARE(step.consumed, 8);
    QVERIFY(parser.messageStarted());
    QVERIFY(parser.inHead());
    QCOMPARE(parser.feed("TP/1.1\r\nHost: h\r\n\r\n").event, Event::Head);
    QVERIFY(!parser.inHead());
    QCOMPARE(parser.feed({}).event, Event::Complete);
    QVERIFY(!parser.messageStarted());
}

void TestRequestParser::trickledHeadStopsAtLimit()
{
    // The head buffer never grows past the limit, whatever the fragment size.
    HttpLimits limits;
    limits.maxHeaderBytes = 64;
    const QByteArray raw = "GET / HTTP/1.1\r\nHost: h\r\nX: " + QByteArray(100, 'a');
    for (qsizetype fragment : kFragments) {
        const Parsed parsed = parse(raw, fragment, limits);
        QVERIFY(parsed.failed);
        QCOMPARE(parsed.error.status, 431);
    }
    limits.maxHeaderCount = 2;
    const Parsed parsed = parse("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n", 1, limits);
    QCOMPARE(parsed.error.status, 431);
}

QTEST_APPLESS_MAIN(TestRequestParser)
#include "tst_requestparser.moc"
