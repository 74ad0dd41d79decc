// SPDX-License-Identifier: GPL-3.0-or-later
#include "livetestsupport.h"

#include <QtEndian>
#include <QTest>

using namespace callwatch;
using namespace callwatch::live;
using namespace callwatch::live::test;
using namespace Qt::StringLiterals;

namespace {

bool connectAll(HubFixture &fixture, TestClient &client)
{
    client.open(fixture.url(fixture.token()));
    if (!QTest::qWaitFor([&] { return client.connected || client.disconnected; }, 5000) ||
        !client.connected)
        return false;
    client.send(LiveProtocol::subscribeMessage(Selector::all()));
    return QTest::qWaitFor([&] { return client.count(u"subscribed"_s) == 1; }, 5000);
}

qsizetype eventCount(const TestClient &client)
{
    qsizetype count = 0;
    for (const ServerMessage &message : client.messages)
        count += message.eventId > 0 ? 1 : 0;
    return count;
}

bool isSequence(const QList<qint64> &ids, qint64 first, qint64 last)
{
    if (ids.size() != last - first + 1)
        return false;
    for (qsizetype i = 0; i < ids.size(); ++i) {
        if (ids[i] != first + i)
            return false;
    }
    return true;
}

} // namespace

class TestLiveBackpressure : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void slowReaderIsDroppedOthersGetEverything();
    void tinyLimitDropsOnFirstOverflow();
};

void TestLiveBackpressure::slowReaderIsDroppedOthersGetEverything()
{
    LiveHubOptions options;         // the production limit: 1 MiB behind
    options.closeTimeoutMs = 60000; // keep the slow socket so it can read its close frame later
    HubFixture fixture(options);
    TestClient fastA, fastB;
    QVERIFY(connectAll(fixture, fastA));
    QVERIFY(connectAll(fixture, fastB));

    RawWebSocketClient slow;
    QVERIFY(slow.connectAndUpgrade(fixture.hub->serverPort(), fixture.token(), 4096));
    slow.sendText(LiveProtocol::subscribeMessage(Selector::all()));
    QVERIFY(slow.waitForFrame(0x1)); // its `subscribed`
    slow.stopReading();

    // About 11 MB in all: far more than the kernel buffers plus the 1 MiB allowance.
    constexpr int Total = 10000;
    constexpr int Batch = 100;
    for (int published = 0; published < Total; published += Batch) {
        QList<EventRecord> batch;
        for (int i = 0; i < Batch; ++i) {
            const QString call = u"CA-"_s + QString::number((published + i) % 50);
            batch.append(fixture.store.append(EventType::Transcription, call, {}, 1000));
        }
        fixture.hub->publish(batch);
        const qsizetype target = published + Batch;
        QVERIFY2(
            waitUntil([&] { return eventCount(fastA) >= target && eventCount(fastB) >= target; },
                      20000),
            "the fast clients fell behind");
    }
    QVERIFY(isSequence(fastA.eventIds(), 1, Total));
    QVERIFY(isSequence(fastB.eventIds(), 1, Total));
    QVERIFY(!fastA.disconnected);
    QVERIFY(!fastB.disconnected);
    QCOMPARE(fixture.hub->stats().slowClientsDropped, 1u);
    QCOMPARE(fixture.hub->clientCount(), 2);

    // Reading at last, the slow client finds an in-order prefix, then the close frame.
    slow.resumeReading();
    QVERIFY(slow.waitForFrame(0x8, 20000));
    QList<qint64> received;
    RawFrame close;
    for (const RawFrame &frame : std::as_const(slow.frames)) {
        if (frame.opcode == 0x1) {
            const Result<ServerMessage> message = LiveProtocol::parseServerMessage(frame.payload);
            QVERIFY(message.ok());
            if (message->eventId > 0)
                received.append(message->eventId);
        } else if (frame.opcode == 0x8) {
            close = frame;
            break;
        }
    }
    QVERIFY(!received.isEmpty());
    QVERIFY(received.size() < Total);
    QVERIFY(isSequence(received, 1, received.last()));
    QVERIFY(close.payload.size() >= 2);
    QCOMPARE(qFromBigEndian<quint16>(close.payload.constData()), CloseCode::TooSlow);
    QCOMPARE(close.payload.mid(2), QByteArray("too slow"));
}

void TestLiveBackpressure::tinyLimitDropsOnFirstOverflow()
{
    LiveHubOptions options;
    options.maxUnsentBytes = 8 * 1024;
    HubFixture fixture(options);
    TestClient reader;
    QVERIFY(connectAll(fixture, reader));
    // One publish call bigger than the allowance: queued before any write can flush.
    QList<EventRecord> burst;
    for (int i = 0; i < 20; ++i)
        burst.append(fixture.store.append(EventType::Transcription, u"CA1"_s, {}, 1000));
    fixture.hub->publish(burst);
    QTRY_VERIFY_WITH_TIMEOUT(reader.disconnected, 5000);
    QCOMPARE(reader.closeCode, int(CloseCode::TooSlow));
    QCOMPARE(fixture.hub->stats().slowClientsDropped, 1u);
    // What it got before the limit is an in-order prefix.
    const QList<qint64> ids = reader.eventIds();
    QVERIFY(ids.size() < 20);
    QVERIFY(ids.isEmpty() || isSequence(ids, 1, ids.last()));
}

QTEST_GUILESS_MAIN(TestLiveBackpressure)
#include "tst_livebackpressure.moc"
