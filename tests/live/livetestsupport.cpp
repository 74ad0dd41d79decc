// SPDX-License-Identifier: GPL-3.0-or-later
#include "livetestsupport.h"

#include "live/jwtminter.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QRandomGenerator>
#include <QtEndian>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace callwatch::live::test {

bool waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer elapsed;
    elapsed.start();
    QTimer tick; // guarantees a wake-up, so the timeout is honoured
    tick.start(5);
    QEventLoop loop;
    while (!done()) {
        if (elapsed.elapsed() > timeoutMs)
            return false;
        loop.processEvents(QEventLoop::WaitForMoreEvents);
    }
    return true;
}

EventRecord FakeEventStore::append(const char *type, const QString &callSid,
                                   const QString &conversationId, int payloadBytes)
{
    EventRecord event;
    event.id = events.isEmpty() ? 1 : events.last().id + 1;
    event.type = QString::fromLatin1(type);
    event.callSid = callSid;
    event.conversationId = conversationId;
    event.payload = QJsonObject{{"call_sid"_L1, callSid}, {"conversation_id"_L1, conversationId}};
    if (payloadBytes > 0)
        event.payload.insert("text"_L1, QString(payloadBytes, u'x'));
    event.createdAt = QDateTime::currentDateTimeUtc();
    events.append(event);
    return event;
}

ReplayFunction FakeEventStore::function()
{
    return [this](qint64 afterId, int limit) -> Result<ReplayBatch> {
        const int call = ++replayCalls;
        if (onReplay)
            onReplay(call, afterId);
        if (failFromCall > 0 && call >= failFromCall)
            return Error{u"database_unavailable"_s, u"The fake store is down."_s};
        ReplayBatch batch;
        batch.oldestRetainedId = oldestRetainedId;
        if (reportNewest && !events.isEmpty())
            batch.newestId = events.last().id;
        for (const EventRecord &event : std::as_const(events)) {
            if (event.id > afterId && event.id >= oldestRetainedId && batch.events.size() < limit)
                batch.events.append(event);
        }
        return batch;
    };
}

TestClient::TestClient(QObject *parent) : QObject(parent)
{
    connect(&socket, &QWebSocket::connected, this, [this] { connected = true; });
    connect(&socket, &QWebSocket::disconnected, this, [this] {
        disconnected = true;
        closeCode = socket.closeCode();
        closeReason = socket.closeReason();
    });
    connect(&socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        const Result<ServerMessage> message = LiveProtocol::parseServerMessage(text.toUtf8());
        if (message)
            messages.append(message.value());
        else
            qWarning() << "unparseable server message";
    });
}

void TestClient::open(const QUrl &url)
{
    socket.open(url);
}

void TestClient::open(const QNetworkRequest &request)
{
    socket.open(request);
}

void TestClient::send(const QByteArray &json)
{
    socket.sendTextMessage(QString::fromUtf8(json));
}

bool TestClient::roundTrip(int timeoutMs)
{
    const QString id = u"rt-"_s + QString::number(++m_nextPing);
    send(LiveProtocol::pingMessage(id));
    const auto answered = [this, &id] {
        for (const ServerMessage &message : std::as_const(messages)) {
            if (message.type == "pong"_L1 && message.body.value("request_id"_L1).toString() == id)
                return true;
        }
        return false;
    };
    return QTest::qWaitFor(answered, timeoutMs);
}

QList<qint64> TestClient::eventIds() const
{
    QList<qint64> ids;
    for (const ServerMessage &message : messages) {
        if (LiveProtocol::isEventType(message.type))
            ids.append(message.eventId);
    }
    return ids;
}

QList<ServerMessage> TestClient::ofType(const QString &type) const
{
    QList<ServerMessage> found;
    for (const ServerMessage &message : messages) {
        if (message.type == type)
            found.append(message);
    }
    return found;
}

RawWebSocketClient::RawWebSocketClient(QObject *parent) : QObject(parent)
{
    connect(&socket, &QTcpSocket::disconnected, this, [this] { disconnected = true; });
}

bool RawWebSocketClient::connectAndUpgrade(quint16 port, const QByteArray &token,
                                           int receiveBufferBytes)
{
    if (receiveBufferBytes > 0)
        socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, receiveBufferBytes);
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return false;
    const QByteArray request = "GET /live?token=" + token +
                               " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
                               "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                               "Sec-WebSocket-Version: 13\r\n\r\n";
    socket.write(request);
    QByteArray response;
    const bool headersRead = QTest::qWaitFor(
        [&] {
            response += socket.readAll();
            return response.contains("\r\n\r\n");
        },
        5000);
    if (!headersRead || !response.startsWith("HTTP/1.1 101"))
        return false;
    m_buffer = response.mid(response.indexOf("\r\n\r\n") + 4);
    connect(&socket, &QTcpSocket::readyRead, this, [this] {
        m_buffer += socket.readAll();
        parseFrames();
    });
    parseFrames();
    return true;
}

void RawWebSocketClient::sendText(const QByteArray &utf8)
{
    // Client frames must be masked (RFC 6455 §5.3).
    QByteArray frame;
    frame.append(char(0x81));
    if (utf8.size() < 126) {
        frame.append(char(0x80 | utf8.size()));
    } else {
        frame.append(char(0x80 | 126));
        frame.append(char((utf8.size() >> 8) & 0xff));
        frame.append(char(utf8.size() & 0xff));
    }
    const quint32 mask = QRandomGenerator::global()->generate();
    char maskBytes[4];
    qToBigEndian(mask, maskBytes);
    frame.append(maskBytes, 4);
    for (qsizetype i = 0; i < utf8.size(); ++i)
        frame.append(char(utf8[i] ^ maskBytes[i % 4]));
    socket.write(frame);
}

bool RawWebSocketClient::waitForFrame(int opcode, int timeoutMs)
{
    return QTest::qWaitFor(
        [&] {
            for (const RawFrame &frame : std::as_const(frames)) {
                if (frame.opcode == opcode)
                    return true;
            }
            return false;
        },
        timeoutMs);
}

void RawWebSocketClient::stopReading()
{
    // Qt stops pulling from the kernel once its own buffer holds this much.
    socket.setReadBufferSize(1);
}

void RawWebSocketClient::resumeReading()
{
    socket.setReadBufferSize(0);
    m_buffer += socket.readAll();
    parseFrames();
}

void RawWebSocketClient::parseFrames()
{
    for (;;) {
        if (m_buffer.size() < 2)
            return;
        const auto byte = [this](qsizetype i) { return quint8(m_buffer.at(i)); };
        qsizetype header = 2;
        quint64 length = byte(1) & 0x7f;
        if (length == 126) {
            if (m_buffer.size() < 4)
                return;
            length = qFromBigEndian<quint16>(m_buffer.constData() + 2);
            header = 4;
        } else if (length == 127) {
            if (m_buffer.size() < 10)
                return;
            length = qFromBigEndian<quint64>(m_buffer.constData() + 2);
            header = 10;
        }
        if (quint64(m_buffer.size() - header) < length)
            return;
        frames.append(RawFrame{byte(0) & 0x0f, m_buffer.mid(header, qsizetype(length))});
        m_buffer.remove(0, header + qsizetype(length));
    }
}

HubFixture::HubFixture(LiveHubOptions options)
{
    config.algorithm = u"HS256"_s;
    config.secretOrPublicKey = QByteArrayLiteral("live-hub-test-secret-0123456789abcdef");
    options.clockMs = [this] { return QDateTime::currentMSecsSinceEpoch() + clockOffsetMs; };
    hub = std::make_unique<LiveHub>(JwtVerifier(config), store.function(), std::move(options));
    if (!hub->listen(QHostAddress::LocalHost, 0))
        qFatal("the test hub cannot listen");
}

HubFixture::~HubFixture() = default;

qint64 HubFixture::nowSecs() const
{
    return (QDateTime::currentMSecsSinceEpoch() + clockOffsetMs) / 1000;
}

QByteArray HubFixture::token(const QStringList &scopes, qint64 ttlSecs,
                             const QString &subject) const
{
    const Result<QByteArray> minted = JwtMinter::mint(config, subject, scopes, ttlSecs, nowSecs());
    if (!minted)
        qFatal("cannot mint a test token");
    return minted.value();
}

QUrl HubFixture::url(const QByteArray &token) const
{
    QUrl url(u"ws://127.0.0.1/live"_s);
    url.setPort(hub->serverPort());
    if (!token.isNull())
        url.setQuery(u"token="_s + QString::fromLatin1(token));
    return url;
}

EventRecord HubFixture::publishNew(const char *type, const QString &callSid,
                                   const QString &conversationId, int payloadBytes)
{
    const EventRecord event = store.append(type, callSid, conversationId, payloadBytes);
    hub->publish({event});
    return event;
}

} // namespace callwatch::live::test
