// SPDX-License-Identifier: GPL-3.0-or-later
#include "livetestsupport.h"

#include <QTest>
#include <QTimer>

using namespace callwatch;
using namespace callwatch::live;
using namespace callwatch::live::test;
using namespace Qt::StringLiterals;

namespace {

const QString CallA = u"CA-a"_s;
const QString CallB = u"CA-b"_s;

LiveHubOptions smallPages(int pageSize)
{
    LiveHubOptions options;
    options.replayPageSize = pageSize;
    return options;
}

QList<qint64> range(qint64 first, qint64 last)
{
    QList<qint64> ids;
    for (qint64 id = first; id <= last; ++id)
        ids.append(id);
    return ids;
}

bool openClient(HubFixture &fixture, TestClient &client)
{
    client.open(fixture.url(fixture.token()));
    return QTest::qWaitFor([&] { return client.connected || client.disconnected; }, 5000) &&
           client.connected;
}

/** Subscribes and returns the `subscribed` reply (empty when none came). */
QJsonObject subscribe(TestClient &client, const Selector &selector, std::optional<qint64> since)
{
    const qsizetype before = client.count(u"subscribed"_s);
    client.send(LiveProtocol::subscribeMessage(selector, since));
    if (!QTest::qWaitFor([&] { return client.count(u"subscribed"_s) > before; }, 5000))
        return {};
    return client.ofType(u"subscribed"_s).last().body;
}

} // namespace

class TestLiveResume : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void resumeAfterDisconnect();
    void eventsPublishedDuringReplay();
    void replayFiltersBySelector();
    void retention_data();
    void retention();
    void sinceOlderThanAlreadySent();
    void replayFailureMidwayCloses1011();
    void replayUnavailableAtSubscribe();
    void neverSendsAnOlderId();
};

void TestLiveResume::resumeAfterDisconnect()
{
    HubFixture fixture(smallPages(2));
    qint64 lastSeen = 0;
    {
        TestClient first;
        QVERIFY(openClient(fixture, first));
        QCOMPARE(subscribe(first, Selector::all(), std::nullopt).value("type"_L1).toString(),
                 u"subscribed"_s);
        for (int i = 0; i < 3; ++i)
            fixture.publishNew(EventType::Transcription, CallA);
        QTRY_COMPARE_WITH_TIMEOUT(first.eventIds(), range(1, 3), 5000);
        lastSeen = first.eventIds().last();
        first.socket.close();
        QTRY_VERIFY_WITH_TIMEOUT(first.disconnected, 5000);
    }
    QTRY_COMPARE_WITH_TIMEOUT(fixture.hub->clientCount(), 0, 5000);
    for (int i = 0; i < 6; ++i) // produced while nobody listens
        fixture.publishNew(EventType::Transcription, CallA);

    TestClient again;
    QVERIFY(openClient(fixture, again));
    const QJsonObject subscribed = subscribe(again, Selector::all(), lastSeen);
    QCOMPARE(subscribed.value("recovered"_L1), QJsonValue(true));
    QCOMPARE(subscribed.value("last_event_id"_L1).toInteger(), 9);
    QTRY_COMPARE_WITH_TIMEOUT(again.eventIds(), range(4, 9), 5000);
    fixture.publishNew(EventType::CallCompleted, CallA);
    QTRY_COMPARE_WITH_TIMEOUT(again.eventIds(), range(4, 10), 5000);
    // `subscribed` came before every replayed event.
    QCOMPARE(again.messages.first().type, u"subscribed"_s);
    QVERIFY(fixture.store.replayCalls >= 3); // several pages of two
    QCOMPARE(fixture.hub->stats().replays, 1u);
}

void TestLiveResume::eventsPublishedDuringReplay()
{
    HubFixture fixture(smallPages(3));
    for (int i = 0; i < 20; ++i)
        fixture.publishNew(EventType::Transcription, CallA); // nobody connected yet

    // While pages are read, other commits land: some published at once, some published late
    // (after the replay already read them from the store), some after the replay ended.
    QList<QTimer *> timers;
    fixture.store.onReplay = [&](int call, qint64) {
        if (call == 2 || call == 4 || call == 6) {
            const EventRecord soon = fixture.store.append(EventType::Transcription, CallA, {});
            QTimer::singleShot(0, this, [&fixture, soon] { fixture.hub->publish({soon}); });
        }
        if (call == 3) {
            const EventRecord late = fixture.store.append(EventType::CallStatus, CallA, {});
            QTimer::singleShot(300, this, [&fixture, late] { fixture.hub->publish({late}); });
        }
    };
    TestClient client;
    QVERIFY(openClient(fixture, client));
    QCOMPARE(subscribe(client, Selector::all(), 5).value("recovered"_L1), QJsonValue(true));
    QTest::qWait(400); // let the late publish happen too
    fixture.publishNew(EventType::CallCompleted, CallA);
    const qint64 last = fixture.store.events.last().id;
    QCOMPARE(last, 25);
    QTRY_VERIFY_WITH_TIMEOUT(!client.eventIds().isEmpty() && client.eventIds().last() == last,
                             5000);
    QVERIFY(client.roundTrip());
    // Nothing missing, nothing twice, in order.
    QCOMPARE(client.eventIds(), range(6, last));
}

void TestLiveResume::replayFiltersBySelector()
{
    HubFixture fixture(smallPages(4));
    for (int i = 0; i < 10; ++i)
        fixture.publishNew(EventType::Transcription, i % 2 ? CallB : CallA);
    TestClient client;
    QVERIFY(openClient(fixture, client));
    QCOMPARE(subscribe(client, Selector::callSid(CallB), 3).value("recovered"_L1),
             QJsonValue(true));
    fixture.publishNew(EventType::CallStatus, CallA);
    fixture.publishNew(EventType::CallStatus, CallB);
    QTRY_COMPARE_WITH_TIMEOUT(client.eventIds().size(), 5, 5000);
    QVERIFY(client.roundTrip());
    QCOMPARE(client.eventIds(), (QList<qint64>{4, 6, 8, 10, 12}));
}

void TestLiveResume::retention_data()
{
    QTest::addColumn<qint64>("since");
    QTest::addColumn<qint64>("oldestRetained");
    QTest::addColumn<bool>("recovered");
    QTest::addColumn<QList<qint64>>("expected");

    QTest::newRow("all retained") << 3LL << 1LL << true << QList<qint64>{4, 5, 6, 7, 8, 9, 10, 11};
    QTest::newRow("exactly at the edge") << 5LL << 6LL << true << QList<qint64>{6, 7, 8, 9, 10, 11};
    QTest::newRow("one pruned event missing") << 4LL << 6LL << false << QList<qint64>{11};
    QTest::newRow("long gone") << 0LL << 6LL << false << QList<qint64>{11};
    QTest::newRow("up to date") << 10LL << 6LL << true << QList<qint64>{11};
    QTest::newRow("since beyond the newest event") << 500LL << 1LL << false << QList<qint64>{11};
}

void TestLiveResume::retention()
{
    QFETCH(qint64, since);
    QFETCH(qint64, oldestRetained);
    QFETCH(bool, recovered);
    QFETCH(QList<qint64>, expected);

    HubFixture fixture(smallPages(3));
    for (int i = 0; i < 10; ++i)
        fixture.publishNew(EventType::Transcription, CallA);
    fixture.store.oldestRetainedId = oldestRetained;
    TestClient client;
    QVERIFY(openClient(fixture, client));
    const QJsonObject subscribed = subscribe(client, Selector::all(), since);
    QCOMPARE(subscribed.value("recovered"_L1), QJsonValue(recovered));
    QCOMPARE(subscribed.value("last_event_id"_L1).toInteger(), 10);
    fixture.publishNew(EventType::CallStatus, CallA); // id 11, live
    QTRY_COMPARE_WITH_TIMEOUT(client.eventIds().isEmpty() ? 0 : client.eventIds().last(), 11, 5000);
    QVERIFY(client.roundTrip());
    QCOMPARE(client.eventIds(), expected);
}

void TestLiveResume::sinceOlderThanAlreadySent()
{
    HubFixture fixture;
    fixture.publishNew(EventType::Transcription, CallA); // 1
    fixture.publishNew(EventType::Transcription, CallB); // 2
    fixture.publishNew(EventType::Transcription, CallA); // 3
    fixture.publishNew(EventType::Transcription, CallB); // 4
    TestClient client;
    QVERIFY(openClient(fixture, client));
    QCOMPARE(subscribe(client, Selector::callSid(CallA), 0).value("recovered"_L1),
             QJsonValue(true));
    QTRY_COMPARE_WITH_TIMEOUT(client.eventIds(), (QList<qint64>{1, 3}), 5000);
    // Event 2 can no longer be sent after 3: the client must reload B over REST.
    QCOMPARE(subscribe(client, Selector::callSid(CallB), 0).value("recovered"_L1),
             QJsonValue(false));
    // From what it has seen on, B can be resumed.
    QCOMPARE(subscribe(client, Selector::callSid(CallB), 3).value("recovered"_L1),
             QJsonValue(true));
    QVERIFY(client.roundTrip());
    fixture.publishNew(EventType::CallStatus, CallB); // 5
    QTRY_COMPARE_WITH_TIMEOUT(client.eventIds(), (QList<qint64>{1, 3, 4, 5}), 5000);
}

void TestLiveResume::replayFailureMidwayCloses1011()
{
    HubFixture fixture(smallPages(2));
    for (int i = 0; i < 6; ++i)
        fixture.publishNew(EventType::Transcription, CallA);
    fixture.store.failFromCall = 2; // the subscribe's first page works, the next read fails
    TestClient client;
    QVERIFY(openClient(fixture, client));
    QCOMPARE(subscribe(client, Selector::all(), 0).value("recovered"_L1), QJsonValue(true));
    QTRY_VERIFY_WITH_TIMEOUT(client.disconnected, 5000);
    QCOMPARE(client.closeCode, int(CloseCode::ReplayFailed));
    QCOMPARE(client.eventIds(), (QList<qint64>{1, 2}));
}

void TestLiveResume::replayUnavailableAtSubscribe()
{
    HubFixture fixture;
    fixture.publishNew(EventType::Transcription, CallA);
    fixture.store.failFromCall = 1;
    TestClient client;
    QVERIFY(openClient(fixture, client));
    QCOMPARE(subscribe(client, Selector::all(), 0).value("recovered"_L1), QJsonValue(false));
    fixture.publishNew(EventType::Transcription, CallA);
    QTRY_COMPARE_WITH_TIMEOUT(client.eventIds(), QList<qint64>{2}, 5000);
    QVERIFY(!client.disconnected);
}

void TestLiveResume::neverSendsAnOlderId()
{
    HubFixture fixture;
    TestClient client;
    QVERIFY(openClient(fixture, client));
    subscribe(client, Selector::all(), std::nullopt);
    EventRecord five = fixture.store.append(EventType::Transcription, CallA, {});
    five.id = 5;
    EventRecord four = five;
    four.id = 4;
    fixture.hub->publish({five});
    fixture.hub->publish({four, five}); // out of order and a repeat
    QVERIFY(client.roundTrip());
    QCOMPARE(client.eventIds(), QList<qint64>{5});
}

QTEST_GUILESS_MAIN(TestLiveResume)
#include "tst_liveresume.moc"
