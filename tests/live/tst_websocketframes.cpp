// SPDX-License-Identifier: GPL-3.0-or-later
// The WebSocket wire layer without sockets: the client-frame parser and the opening handshake.
#include "live/websocketframes.h"
#include "live/websockethandshake.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QtEndian>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch::live;

namespace {

constexpr qint64 Limit = 64 * 1024;

/** A client frame: masked unless told otherwise, with the 7/16/64-bit length forms. */
QByteArray clientFrame(int firstByte, const QByteArray &payload, bool masked = true)
{
    QByteArray frame(1, char(firstByte));
    const char maskBit = masked ? char(0x80) : char(0);
    if (payload.size() < 126) {
        frame.append(char(maskBit | char(payload.size())));
    } else if (payload.size() <= 0xFFFF) {
        frame.append(char(maskBit | 126));
        char size[2];
        qToBigEndian(quint16(payload.size()), size);
        frame.append(size, 2);
    } else {
        frame.append(char(maskBit | 127));
        char size[8];
        qToBigEndian(quint64(payload.size()), size);
        frame.append(size, 8);
    }
    if (!masked)
        return frame + payload;
    const char mask[4] = {char(0x37), char(0xfa), char(0x21), char(0x3d)};
    frame.append(mask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload[i] ^ mask[i % 4]));
    return frame;
}

QByteArray text(const QByteArray &payload)
{
    return clientFrame(0x81, payload);
}

QByteArray closeBody(quint16 code, const QByteArray &reason)
{
    char bytes[2];
    qToBigEndian(code, bytes);
    return QByteArray(bytes, 2) + reason;
}

/** The frames as "kind:payload" strings, and the error code (0: none). */
struct Parsed
{
    QStringList frames;
    int errorCode = 0;
};

Parsed parseAll(const QByteArray &bytes, qsizetype pieceSize)
{
    FrameReader reader(Limit);
    std::vector<IncomingFrame> frames;
    for (qsizetype at = 0; at < bytes.size(); at += pieceSize)
        reader.feed(QByteArrayView(bytes).sliced(at, qMin(pieceSize, bytes.size() - at)), frames);
    Parsed parsed;
    static const char *const names[] = {"text", "binary", "ping", "pong", "close"};
    for (const IncomingFrame &frame : frames) {
        QString entry = QString::fromLatin1(names[int(frame.kind)]) + u':';
        if (frame.kind == IncomingFrame::Kind::Close)
            entry += QString::number(frame.closeCode) + u':';
        entry += QString::fromUtf8(frame.payload.size() > 20
                                       ? QByteArray::number(frame.payload.size()) + " bytes"
                                       : frame.payload);
        parsed.frames << entry;
    }
    if (reader.error())
        parsed.errorCode = reader.error()->code;
    else if (reader.bufferedBytes() != 0)
        parsed.errorCode = -1; // complete input must leave nothing held
    return parsed;
}

QByteArray upgradeRequest(const QByteArray &extraOrReplacedHeaders = {},
                          const QByteArray &requestLine = "GET /ws/calls/transcriptions?token=abc "
                                                          "HTTP/1.1")
{
    QByteArray headers = "Host: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                         "Sec-WebSocket-Version: 13\r\n";
    if (!extraOrReplacedHeaders.isEmpty())
        headers = extraOrReplacedHeaders;
    return requestLine + "\r\n" + headers + "\r\n";
}

} // namespace

class TestWebSocketFrames : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parser_data();
    void parser();
    void oversizedFrameRefusedFromItsHeader();
    void serverFrames();
    void handshake_data();
    void handshake();
    void handshakeIncompleteUntilTheBlankLine();
    void acceptKeyFromRfc();
    void refusalIsJson();
};

void TestWebSocketFrames::parser_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QStringList>("frames");
    QTest::addColumn<int>("errorCode");

    const QByteArray big(70 * 1024, 'x');
    const QByteArray mid(300, 'y');
    QTest::newRow("text") << text("hello") << QStringList{u"text:hello"_s} << 0;
    QTest::newRow("two in one read")
        << text("a") + text("b") << QStringList{u"text:a"_s, u"text:b"_s} << 0;
    QTest::newRow("16-bit length") << text(mid) << QStringList{u"text:300 bytes"_s} << 0;
    QTest::newRow("64-bit length at the limit")
        << text(QByteArray(Limit, 'z')) << QStringList{u"text:65536 bytes"_s} << 0;
    QTest::newRow("empty text") << text({}) << QStringList{u"text:"_s} << 0;
    QTest::newRow("binary") << clientFrame(0x82, "bin") << QStringList{u"binary:bin"_s} << 0;
    QTest::newRow("fragmented with a ping between")
        << clientFrame(0x01, "hel") + clientFrame(0x89, "p") + clientFrame(0x80, "lo")
        << QStringList{u"ping:p"_s, u"text:hello"_s} << 0;
    QTest::newRow("ping with payload")
        << clientFrame(0x89, "abc") << QStringList{u"ping:abc"_s} << 0;
    QTest::newRow("pong") << clientFrame(0x8A, {}) << QStringList{u"pong:"_s} << 0;
    QTest::newRow("close with code and reason")
        << clientFrame(0x88, closeBody(1000, "bye")) << QStringList{u"close:1000:bye"_s} << 0;
    QTest::newRow("close without code")
        << clientFrame(0x88, {}) << QStringList{u"close:1005:"_s} << 0;
    QTest::newRow("unmasked") << clientFrame(0x81, "x", false) << QStringList{} << 1002;
    QTest::newRow("reserved bit") << clientFrame(0xC1, "x") << QStringList{} << 1002;
    QTest::newRow("unknown opcode") << clientFrame(0x83, "x") << QStringList{} << 1002;
    QTest::newRow("fragmented control") << clientFrame(0x09, "x") << QStringList{} << 1002;
    QTest::newRow("control over 125 bytes")
        << clientFrame(0x89, QByteArray(126, 'p')) << QStringList{} << 1002;
    QTest::newRow("continuation without a start")
        << clientFrame(0x80, "x") << QStringList{} << 1002;
    QTest::newRow("new message inside a fragmented one")
        << clientFrame(0x01, "a") + clientFrame(0x81, "b") << QStringList{} << 1002;
    QTest::newRow("one-byte close body") << clientFrame(0x88, "x") << QStringList{} << 1002;
    QTest::newRow("frame over the limit") << text(big) << QStringList{} << 1009;
    QTest::newRow("fragments over the limit together")
        << clientFrame(0x01, QByteArray(40 * 1024, 'a')) +
               clientFrame(0x80, QByteArray(40 * 1024, 'b'))
        << QStringList{} << 1009;
    QTest::newRow("invalid UTF-8 text") << text("\xC3\x28") << QStringList{} << 1007;
    QTest::newRow("UTF-8 split across fragments")
        << clientFrame(0x01, "\xC3") + clientFrame(0x80, "\xA9") << QStringList{u"text:é"_s} << 0;
    QTest::newRow("frames before an error are kept")
        << text("ok") + clientFrame(0x81, "x", false) << QStringList{u"text:ok"_s} << 1002;
}

void TestWebSocketFrames::parser()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QStringList, frames);
    QFETCH(int, errorCode);

    // Whole, and one byte at a time: how the bytes are split must not matter.
    for (const qsizetype piece : {bytes.size() + 1, qsizetype(1), qsizetype(7)}) {
        const Parsed parsed = parseAll(bytes, qMax<qsizetype>(1, piece));
        QCOMPARE(parsed.frames, frames);
        QCOMPARE(parsed.errorCode, errorCode);
    }
}

void TestWebSocketFrames::oversizedFrameRefusedFromItsHeader()
{
    // Only the header of a 10 MB frame arrives: refused without waiting for (or holding) it.
    QByteArray header("\x81\xFF", 2);
    char size[8];
    qToBigEndian(quint64(10'000'000), size);
    header.append(size, 8);
    FrameReader reader(Limit);
    std::vector<IncomingFrame> frames;
    reader.feed(header, frames);
    QVERIFY(reader.error());
    QCOMPARE(reader.error()->code, quint16(1009));
    QCOMPARE(reader.bufferedBytes(), 0);
}

void TestWebSocketFrames::serverFrames()
{
    QCOMPARE(WsFrame::ping(), QByteArray("\x89\x00", 2));
    QCOMPARE(WsFrame::pong("ab"), QByteArray("\x8A\x02"
                                             "ab",
                                             4));
    QCOMPARE(WsFrame::close(4001, u"unauthorized"_s), QByteArray("\x88\x0E\x0F\xA1unauthorized"));
    QCOMPARE(WsFrame::header(1, 300), QByteArray("\x81\x7E\x01\x2C", 4));
    QCOMPARE(WsFrame::header(1, 70000), QByteArray("\x81\x7F\0\0\0\0\0\x01\x11\x70", 10));
    // A close frame is a control frame: the reason is cut to fit 125 bytes, between characters.
    const QByteArray longClose = WsFrame::close(1000, QString(100, u'é'));
    QVERIFY(longClose.size() <= 2 + 125);
    QVERIFY(!QString::fromUtf8(longClose.sliced(4)).contains(QChar::ReplacementCharacter));
}

void TestWebSocketFrames::handshake_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status"); // 101 = accepted
    QTest::addColumn<QString>("code");

    const QByteArray good = upgradeRequest();
    QTest::newRow("valid") << good << 101 << QString();
    QTest::newRow("header names and tokens in any case")
        << upgradeRequest("upgrade: WebSocket\r\nconnection: keep-alive, Upgrade\r\n"
                          "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                          "SEC-WEBSOCKET-VERSION: 13\r\n")
        << 101 << QString();
    QTest::newRow("POST") << upgradeRequest({}, "POST /ws HTTP/1.1") << 405
                          << u"method_not_allowed"_s;
    QTest::newRow("HTTP/1.0") << upgradeRequest({}, "GET /ws HTTP/1.0") << 400
                              << u"malformed_request"_s;
    QTest::newRow("garbage request line")
        << upgradeRequest({}, "hello") << 400 << u"malformed_request"_s;
    QTest::newRow("plain GET") << upgradeRequest("Host: localhost\r\n") << 400
                               << u"not_a_websocket_upgrade"_s;
    QTest::newRow("no Connection: Upgrade")
        << upgradeRequest("Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                          "Sec-WebSocket-Version: 13\r\n")
        << 400 << u"not_a_websocket_upgrade"_s;
    QTest::newRow("version 8") << upgradeRequest("Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                                 "Sec-WebSocket-Version: 8\r\n")
                               << 426 << u"unsupported_websocket_version"_s;
    QTest::newRow("short key")
        << upgradeRequest("Upgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n")
        << 400 << u"bad_websocket_key"_s;
    QTest::newRow("head too large")
        << upgradeRequest("X-Filler: " + QByteArray(20000, 'f') + "\r\n") << 431
        << u"request_header_too_large"_s;
}

void TestWebSocketFrames::handshake()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QString, code);

    const QByteArray firstFrame = text("after");
    const HandshakeParse parsed = WsHandshake::parse(QByteArray(request + firstFrame), 16 * 1024);
    if (status == 101) {
        QCOMPARE(int(parsed.kind), int(HandshakeParse::Kind::Accepted));
        QCOMPARE(parsed.consumed, request.size()); // the frame behind it is not eaten
        QCOMPARE(parsed.request.key, QByteArray("dGhlIHNhbXBsZSBub25jZQ=="));
        return;
    }
    QCOMPARE(int(parsed.kind), int(HandshakeParse::Kind::Refused));
    QCOMPARE(parsed.status, status);
    QCOMPARE(parsed.code, code);
}

void TestWebSocketFrames::handshakeIncompleteUntilTheBlankLine()
{
    const QByteArray request = upgradeRequest(
        "Upgrade: websocket\r\nConnection: Upgrade\r\nAuthorization: Bearer t0k\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
    for (qsizetype cut = 0; cut < request.size(); ++cut)
        QCOMPARE(int(WsHandshake::parse(request.first(cut), 16 * 1024).kind),
                 int(HandshakeParse::Kind::Incomplete));
    const HandshakeParse parsed = WsHandshake::parse(request, 16 * 1024);
    QCOMPARE(int(parsed.kind), int(HandshakeParse::Kind::Accepted));
    QCOMPARE(parsed.request.target, QByteArray("/ws/calls/transcriptions?token=abc"));
    QCOMPARE(parsed.request.authorization, QByteArray("Bearer t0k"));
}

void TestWebSocketFrames::acceptKeyFromRfc()
{
    // RFC 6455 §1.3's worked example.
    QVERIFY(WsHandshake::acceptResponse("dGhlIHNhbXBsZSBub25jZQ==")
                .contains("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    QVERIFY(WsHandshake::acceptResponse("x").startsWith("HTTP/1.1 101 Switching Protocols\r\n"));
}

void TestWebSocketFrames::refusalIsJson()
{
    const HandshakeParse parsed =
        WsHandshake::parse(upgradeRequest("Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"),
                           16 * 1024);
    const QByteArray response = WsHandshake::refusalResponse(parsed);
    QVERIFY(response.startsWith("HTTP/1.1 426 Upgrade Required\r\n"));
    QVERIFY(response.contains("\r\nSec-WebSocket-Version: 13\r\n"));
    const qsizetype bodyAt = response.indexOf("\r\n\r\n") + 4;
    const QByteArray body = response.sliced(bodyAt);
    const QByteArray contentLength =
        "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
    QVERIFY(response.contains(contentLength));
    const QJsonObject error = QJsonDocument::fromJson(body).object().value("error"_L1).toObject();
    QCOMPARE(error.value("code"_L1).toString(), u"unsupported_websocket_version"_s);
    QVERIFY(!error.value("message"_L1).toString().isEmpty());
}

QTEST_GUILESS_MAIN(TestWebSocketFrames)
#include "tst_websocketframes.moc"
