// SPDX-License-Identifier: GPL-3.0-or-later
// WebSocketConnection on real loopback sockets, driven by a hand-made client so every byte on
// the wire is visible: handshake, pings, both closing handshakes, protocol errors, a peer that
// stops reading. (tst_livehub covers the same transport through real QWebSocket clients.)
#include "live/websocketconnection.h"
#include "live/websocketframes.h"

#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtEndian>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch::live;

namespace {

QByteArray upgradeRequest()
{
    return "GET /ws?token=t HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           "Sec-WebSocket-Version: 13\r\n\r\n";
}

QByteArray maskedFrame(int firstByte, const QByteArray &payload, bool masked = true)
{
    QByteArray frame(1, char(firstByte));
    Q_ASSERT(payload.size() < 126);
    frame.append(char((masked ? 0x80 : 0) | payload.size()));
    if (!masked)
        return frame + payload;
    const char mask[4] = {1, 2, 3, 4};
    frame.append(mask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload[i] ^ mask[i % 4]));
    return frame;
}

struct ServerFrame
{
    int opcode = 0;
    QByteArray payload;
    int closeCode() const
    {
        return payload.size() >= 2 ? qFromBigEndian<quint16>(payload.data()) : 0;
    }
};

/** Server side: every accepted socket becomes a WebSocketConnection; text is echoed back. */
class Server : public QObject
{
public:
    explicit Server(WebSocketConnection::Limits limits) : m_limits(limits)
    {
        QVERIFY(tcp.listen(QHostAddress::LocalHost, 0));
        connect(&tcp, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = tcp.nextPendingConnection()) {
                connection = new WebSocketConnection(socket, m_limits, this);
                connect(connection, &WebSocketConnection::handshakeCompleted, this,
                        [this] { ++handshakes; });
                connect(connection, &WebSocketConnection::textMessageReceived, this,
                        [this](const QByteArray &utf8) {
                            received << utf8;
                            connection->queue(WsFrame::header(1, utf8.size()) + utf8);
                            connection->flush();
                        });
                connect(connection, &WebSocketConnection::pongReceived, this, [this] { ++pongs; });
                connect(connection, &WebSocketConnection::bytesWritten, this,
                        [this] { ++writableSignals; });
                connect(connection, &WebSocketConnection::disconnected, this,
                        [this] { ++disconnects; });
                connection->start();
            }
        });
    }

    QTcpServer tcp;
    QPointer<WebSocketConnection> connection;
    QList<QByteArray> received;
    int handshakes = 0;
    int pongs = 0;
    int writableSignals = 0;
    int disconnects = 0;

private:
    WebSocketConnection::Limits m_limits;
};

/** Client side: raw bytes in and out; frames parsed as they arrive. */
class Client
{
public:
    bool connectTo(const Server &server)
    {
        socket.connectToHost(QHostAddress::LocalHost, server.tcp.serverPort());
        return socket.waitForConnected(5000);
    }

    /** Connects, sends a valid upgrade request and reads the answer's head: true on a 101. */
    bool upgrade(const Server &server)
    {
        if (!connectTo(server))
            return false;
        socket.write(upgradeRequest());
        return readHead().startsWith("HTTP/1.1 101");
    }

    /** upgrade() with a 4 KiB receive buffer, then no more reading: a peer that falls behind. */
    bool upgradeAndStopReading(const Server &server)
    {
        socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
        if (!upgrade(server) || !QTest::qWaitFor([&server] { return server.handshakes == 1; }))
            return false;
        socket.setReadBufferSize(1);
        return true;
    }

    /** Reads until the HTTP head of the answer is complete; returns it. */
    QByteArray readHead()
    {
        if (!QTest::qWaitFor([this] { return pump(), m_bytes.contains("\r\n\r\n"); }, 5000))
            return {};
        const qsizetype end = m_bytes.indexOf("\r\n\r\n");
        if (end < 0)
            return {};
        const QByteArray head = m_bytes.first(end + 4);
        m_bytes.remove(0, end + 4);
        // What follows a 101 is frames; what follows a refusal is its body.
        parseFrames = head.startsWith("HTTP/1.1 101");
        pump();
        return head;
    }

    bool waitForFrame(int opcode)
    {
        return QTest::qWaitFor(
            [&] {
                pump();
                return std::any_of(frames.cbegin(), frames.cend(),
                                   [opcode](const ServerFrame &f) { return f.opcode == opcode; });
            },
            5000);
    }

    bool waitForEndOfStream()
    {
        return QTest::qWaitFor(
            [this] { return pump(), socket.state() == QAbstractSocket::UnconnectedState; }, 5000);
    }

    ServerFrame frame(int opcode) const
    {
        for (const ServerFrame &f : frames) {
            if (f.opcode == opcode)
                return f;
        }
        return {};
    }

    QByteArray rest() const { return m_bytes; }

    QTcpSocket socket;
    QList<ServerFrame> frames;
    bool parseFrames = false; ///< after the 101's head

    void pump()
    {
        m_bytes += socket.readAll();
        qsizetype at = 0;
        while (parseFrames && m_bytes.size() - at >= 2) {
            const char *bytes = m_bytes.constData() + at;
            qsizetype length = quint8(bytes[1]) & 0x7F;
            qsizetype offset = 2;
            if (length == 126) {
                if (m_bytes.size() - at < 4)
                    break;
                length = qFromBigEndian<quint16>(bytes + 2);
                offset = 4;
            } else if (length == 127) {
                if (m_bytes.size() - at < 10)
                    break;
                length = qsizetype(qFromBigEndian<quint64>(bytes + 2));
                offset = 10;
            }
            if (m_bytes.size() - at < offset + length)
                break;
            frames.append({quint8(bytes[0]) & 0x0F, QByteArray(bytes + offset, length)});
            at += offset + length;
        }
        m_bytes.remove(0, at);
    }

private:
    QByteArray m_bytes;
};

WebSocketConnection::Limits shortLimits()
{
    WebSocketConnection::Limits limits;
    limits.handshakeTimeoutMs = 2000;
    limits.closeTimeoutMs = 300;
    return limits;
}

} // namespace

class TestWebSocketConnection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void handshakeByteByByteThenEcho();
    void framesRightBehindTheRequest();
    void refusedUpgradeGetsJsonAndEnds();
    void handshakeTimeout();
    void pingIsAnsweredWithItsPayload();
    void peerInitiatedCloseIsEchoed();
    void serverCloseWaitsForThePeer();
    void serverCloseAbortsSilentPeer();
    void protocolErrorCloses1002();
    void unreadBytesQueueAndDrainInOrder();
    void pingFloodFromANonReaderStaysBounded();
};

void TestWebSocketConnection::handshakeByteByByteThenEcho()
{
    Server server(shortLimits());
    Client client;
    QVERIFY(client.connectTo(server));
    for (const char byte : upgradeRequest()) {
        client.socket.write(&byte, 1);
        client.socket.flush();
    }
    const QByteArray head = client.readHead();
    QVERIFY2(head.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), head.constData());
    QVERIFY(head.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    QTRY_COMPARE(server.handshakes, 1);
    QCOMPARE(server.connection->request().target, QByteArray("/ws?token=t"));
    client.socket.write(maskedFrame(0x81, "hello"));
    QVERIFY(client.waitForFrame(1));
    QCOMPARE(client.frame(1).payload, QByteArray("hello"));
    QCOMPARE(server.connection->bufferedBytes(), 0);
}

void TestWebSocketConnection::framesRightBehindTheRequest()
{
    Server server(shortLimits());
    Client client;
    QVERIFY(client.connectTo(server));
    client.socket.write(upgradeRequest() + maskedFrame(0x81, "one") + maskedFrame(0x81, "two"));
    QVERIFY(client.readHead().startsWith("HTTP/1.1 101"));
    QTRY_COMPARE(server.received, (QList<QByteArray>{"one", "two"}));
}

void TestWebSocketConnection::refusedUpgradeGetsJsonAndEnds()
{
    Server server(shortLimits());
    Client client;
    QVERIFY(client.connectTo(server));
    client.socket.write("GET /ws HTTP/1.1\r\nHost: x\r\n\r\n");
    const QByteArray head = client.readHead();
    QVERIFY2(head.startsWith("HTTP/1.1 400 Bad Request\r\n"), head.constData());
    QVERIFY(client.waitForEndOfStream());
    QVERIFY(client.rest().contains("\"code\":\"not_a_websocket_upgrade\""));
    QTRY_COMPARE(server.disconnects, 1);
    QCOMPARE(server.handshakes, 0);
}

void TestWebSocketConnection::handshakeTimeout()
{
    WebSocketConnection::Limits limits = shortLimits();
    limits.handshakeTimeoutMs = 200;
    Server server(limits);
    Client client;
    QVERIFY(client.connectTo(server));
    client.socket.write("GET /ws HTTP/1.1\r\n"); // and nothing more
    QVERIFY(client.waitForEndOfStream());
    QCOMPARE(server.disconnects, 1);
    QCOMPARE(server.handshakes, 0);
}

void TestWebSocketConnection::pingIsAnsweredWithItsPayload()
{
    Server server(shortLimits());
    Client client;
    QVERIFY(client.upgrade(server));
    client.socket.write(maskedFrame(0x89, "beat"));
    QVERIFY(client.waitForFrame(0xA));
    QCOMPARE(client.frame(0xA).payload, QByteArray("beat"));
    // And the other way: our ping, their pong.
    QTRY_COMPARE(server.handshakes, 1);
    server.connection->sendPing();
    QVERIFY(client.waitForFrame(0x9));
    client.socket.write(maskedFrame(0x8A, {}));
    QTRY_COMPARE(server.pongs, 1);
}

void TestWebSocketConnection::peerInitiatedCloseIsEchoed()
{
    Server server(shortLimits());
    Client client;
    QVERIFY(client.upgrade(server));
    char code[2];
    qToBigEndian(quint16(4000), code);
    client.socket.write(maskedFrame(0x88, QByteArray(code, 2) + "done"));
    QVERIFY(client.waitForFrame(0x8));
    QCOMPARE(client.frame(0x8).closeCode(), 4000);
    QVERIFY(client.waitForEndOfStream()); // the server ends the TCP connection
    QCOMPARE(server.disconnects, 1);
}

void TestWebSocketConnection::serverCloseWaitsForThePeer()
{
    Server server(shortLimits());
    Client client;
    QVERIFY(client.upgrade(server));
    QTRY_COMPARE(server.handshakes, 1);
    server.connection->close(4001, u"unauthorized: expired"_s);
    QVERIFY(!server.connection->isOpen());
    QVERIFY(client.waitForFrame(0x8));
    QCOMPARE(client.frame(0x8).closeCode(), 4001);
    QCOMPARE(client.frame(0x8).payload.sliced(2), QByteArray("unauthorized: expired"));
    QCOMPARE(server.disconnects, 0); // waiting for the peer's close frame
    client.socket.write(maskedFrame(0x88, QByteArray("\x0F\xA1", 2)));
    QTRY_COMPARE(server.disconnects, 1);
}

void TestWebSocketConnection::serverCloseAbortsSilentPeer()
{
    Server server(shortLimits());
    Client client;
    QVERIFY(client.upgrade(server));
    QTRY_COMPARE(server.handshakes, 1);
    server.connection->close(1000, {});
    QVERIFY(client.waitForFrame(0x8));
    // The client never answers: closeTimeoutMs (300 ms) later the server drops the line.
    QTRY_COMPARE_WITH_TIMEOUT(server.disconnects, 1, 3000);
}

void TestWebSocketConnection::protocolErrorCloses1002()
{
    Server server(shortLimits());
    Client client;
    QVERIFY(client.upgrade(server));
    client.socket.write(maskedFrame(0x81, "unmasked", false));
    QVERIFY(client.waitForFrame(0x8));
    QCOMPARE(client.frame(0x8).closeCode(), 1002);
    QVERIFY(client.frame(0x8).payload.contains("masked"));
    QVERIFY(server.received.isEmpty());
    QVERIFY(client.waitForEndOfStream() || server.disconnects == 1);
}

void TestWebSocketConnection::unreadBytesQueueAndDrainInOrder()
{
    Server server(shortLimits());
    Client client;
    // 16,000 numbered 1 KB messages while the client reads nothing: the kernel's buffers fill
    // (a few MB on loopback), the rest waits in the connection's queue.
    QVERIFY(client.upgradeAndStopReading(server));
    constexpr int Messages = 16000;
    for (int i = 0; i < Messages; ++i) {
        const QByteArray payload = QByteArray::number(i).leftJustified(1000, '.');
        server.connection->queue(WsFrame::header(1, payload.size()) + payload);
        server.connection->flush();
    }
    QVERIFY(server.connection->bufferedBytes() > 0);
    client.socket.setReadBufferSize(0);
    QVERIFY(QTest::qWaitFor(
        [&] {
            client.pump();
            return client.frames.size() >= Messages;
        },
        20000));
    for (int i = 0; i < Messages; ++i)
        QCOMPARE(client.frames[i].payload.left(client.frames[i].payload.indexOf('.')),
                 QByteArray::number(i));
    QCOMPARE(server.connection->bufferedBytes(), 0);
    QVERIFY(server.writableSignals > 0);
}

void TestWebSocketConnection::pingFloodFromANonReaderStaysBounded()
{
    Server server(shortLimits());
    Client client;
    QVERIFY(client.upgradeAndStopReading(server)); // never reads again
    // 200,000 pings of 125 bytes (25 MB): answered while the pongs fit, then no longer queued.
    const QByteArray ping = maskedFrame(0x89, QByteArray(125, 'p'));
    QByteArray burst;
    for (int i = 0; i < 1000; ++i)
        burst += ping;
    for (int round = 0; round < 200 && server.connection; ++round) {
        client.socket.write(burst);
        client.socket.flush();
        QTest::qWait(1);
    }
    QTRY_VERIFY_WITH_TIMEOUT(client.socket.bytesToWrite() == 0, 20000);
    QTest::qWait(50);
    QVERIFY(server.connection);
    QVERIFY2(server.connection->bufferedBytes() <= 64 * 1024 + 127,
             QByteArray::number(server.connection->bufferedBytes()).constData());
}

QTEST_GUILESS_MAIN(TestWebSocketConnection)
#include "tst_websocketconnection.moc"
