// SPDX-License-Identifier: GPL-3.0-or-later
// The live feed hands committed events over in id order and never goes past an id that may
// still commit: on PostgreSQL ids are taken at insert, so 101 can be visible before 100.
#include "server/eventfeed.h"
#include "store/callrepository.h"
#include "store/eventlog.h"

#include "../store/testdatabase.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch;
using callwatch::server::EventFeed;
using callwatch::store::test::TestDatabase;

#define CW_OPEN_POSTGRES(fixture)                                                                  \
    do {                                                                                           \
        const auto status_ = (fixture).createMigrated(u"postgresql"_s);                            \
        if (status_ == TestDatabase::Status::Skip)                                                 \
            QSKIP(qPrintable((fixture).message()));                                                \
        if (status_ == TestDatabase::Status::Fail)                                                 \
            QFAIL(qPrintable((fixture).message()));                                                \
    } while (false)

class TestEventFeed : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void missingIdHoldsBackWhatFollows_data() { TestDatabase::addDialectRows(); }
    void missingIdHoldsBackWhatFollows();
    void missingIdIsPassedAfterTheWait_data() { TestDatabase::addDialectRows(); }
    void missingIdIsPassedAfterTheWait();
    void outOfOrderCommitsArriveInOrder();
    void severalHolesShareOneWait_data() { TestDatabase::addDialectRows(); }
    void severalHolesShareOneWait();
    void holesFarApartShareOneWait_data() { TestDatabase::addDialectRows(); }
    void holesFarApartShareOneWait();
    void aSplitHoleKeepsItsClock_data() { TestDatabase::addDialectRows(); }
    void aSplitHoleKeepsItsClock();
    void startsAfterAnEmptiedTable_data() { TestDatabase::addDialectRows(); }
    void startsAfterAnEmptiedTable();
    void anotherInstancesEventsWakeTheFeed();
};

namespace {

/** A call to hang events on (events.call_id is a foreign key); returns its id. */
qint64 makeCall(QSqlDatabase db)
{
    store::NewCall call;
    call.callSid = u"CA-feed"_s;
    return store::CallRepository(db).createCall(call).value().id; // writes an event too
}

/** An event with the id given, as a transaction that took that id would commit it. */
bool insertEvent(QSqlDatabase db, qint64 id, qint64 callId)
{
    // PostgreSQL's identity column takes a given id only when told to.
    const QString override =
        db.driverName() == u"QPSQL"_s ? u"OVERRIDING SYSTEM VALUE "_s : QString();
    QSqlQuery query(db);
    query.prepare(u"INSERT INTO events (id, type, call_id, call_sid, payload, created_at) "_s +
                  override +
                  u"VALUES (?, 'call_status', ?, 'CA-feed', '{}', '2026-11-21T10:00:00.000Z')"_s);
    query.addBindValue(id);
    query.addBindValue(callId);
    if (!query.exec())
        qWarning() << query.lastError().text();
    return query.isActive();
}

struct Received
{
    QList<qint64> ids;
    QList<QList<qint64>> batches; ///< one per hand-over to the sink
    EventFeed::Sink sink()
    {
        return [this](const QList<EventRecord> &events) {
            batches.append(QList<qint64>());
            for (const EventRecord &event : events) {
                ids << event.id;
                batches.last() << event.id;
            }
        };
    }
};

EventRecord statusEvent(qint64 callId)
{
    EventRecord event;
    event.type = u"call_status"_s;
    event.callId = callId;
    event.callSid = u"CA-feed"_s;
    event.createdAt = QDateTime::currentDateTimeUtc();
    return event;
}

/** A call, and a feed started after its event, delivering into `received`. */
struct FeedUnderTest
{
    explicit FeedUnderTest(TestDatabase &fixture,
                           std::chrono::milliseconds gapWait = EventFeed::DefaultGapWait)
        : db(fixture.connection()), callId(makeCall(db)), feed(&fixture.database(), received.sink())
    {
        feed.setGapWait(gapWait);
        started = feed.start(3600 * 1000).ok(); // the poll never fires during a test
        last = feed.lastDeliveredId();
    }
    QSqlDatabase db;
    qint64 callId;
    Received received;
    EventFeed feed;
    bool started = false;
    qint64 last = 0; ///< the newest event when the feed started
};

} // namespace

void TestEventFeed::missingIdHoldsBackWhatFollows()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    FeedUnderTest t(fixture);
    QVERIFY(t.started);
    auto &[db, callId, received, feed, started, last] = t;
    QVERIFY(last > 0);

    QVERIFY(insertEvent(db, last + 2, callId)); // last + 1 is taken, not yet committed
    feed.pump();
    QCOMPARE(received.ids, QList<qint64>{});
    QCOMPARE(feed.lastDeliveredId(), last);
    // Resume must not send it either: the session would then skip last + 1 when it comes.
    QList<EventRecord> page = store::EventLog(db).readAfter(last, 10).value();
    QCOMPARE(page.size(), 1);
    feed.keepDelivered(page);
    QVERIFY(page.isEmpty());

    QVERIFY(insertEvent(db, last + 1, callId)); // it commits
    feed.pump();
    QCOMPARE(received.ids, (QList<qint64>{last + 1, last + 2}));
    QCOMPARE(feed.gapsSkipped(), 0u);

    QVERIFY(insertEvent(db, last + 3, callId)); // no gap, no wait
    feed.pump();
    QCOMPARE(received.ids, (QList<qint64>{last + 1, last + 2, last + 3}));
}

void TestEventFeed::missingIdIsPassedAfterTheWait()
{
    // A rolled-back transaction's id never appears (a PostgreSQL sequence does not give ids
    // back): after the wait the feed goes on, on its own, without another commit to wake it.
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    FeedUnderTest t(fixture, std::chrono::milliseconds(100));
    QVERIFY(t.started);
    auto &[db, callId, received, feed, started, last] = t;

    QVERIFY(insertEvent(db, last + 2, callId));
    QVERIFY(insertEvent(db, last + 3, callId));
    feed.pump();
    QCOMPARE(received.ids, QList<qint64>{});
    QTRY_COMPARE_WITH_TIMEOUT(received.ids, (QList<qint64>{last + 2, last + 3}), 10000);
    QCOMPARE(feed.gapsSkipped(), 1u);
    QCOMPARE(feed.lastDeliveredId(), last + 3);
}

void TestEventFeed::outOfOrderCommitsArriveInOrder()
{
    // The real case: two PostgreSQL sessions (the webhook writer and the HTTP thread, or two
    // instances) insert events; the one with the higher id commits first.
    TestDatabase fixture;
    CW_OPEN_POSTGRES(fixture);
    FeedUnderTest t(fixture, std::chrono::minutes(5)); // no machine is that slow to commit
    QVERIFY(t.started);
    auto &[db, callId, received, feed, started, last] = t;

    std::unique_ptr<store::Database> other = fixture.openAnother();
    QSqlDatabase slow = other->connection();
    auto append = [callId](QSqlDatabase on) {
        return store::EventLog(on).append(statusEvent(callId));
    };
    QVERIFY(slow.transaction());
    auto first = append(slow); // takes the lower id, commits last
    QVERIFY(first.ok());
    auto second = append(db);
    QVERIFY(second.ok());
    QVERIFY(second.value() > first.value());
    feed.pump();
    QCOMPARE(received.ids, QList<qint64>{}); // not past the id still open

    QVERIFY(slow.commit());
    QTRY_COMPARE(received.ids, (QList<qint64>{first.value(), second.value()}));
    QCOMPARE(feed.gapsSkipped(), 0u);
    QVERIFY(first.value() > last);
}

void TestEventFeed::severalHolesShareOneWait()
{
    // Three ids missing at once (rolled back, say): one wait for all of them, not one after
    // the other, which would let the feed fall behind without bound.
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    FeedUnderTest t(fixture, std::chrono::milliseconds(200));
    QVERIFY(t.started);
    for (qint64 n : {2, 4, 6})
        QVERIFY(insertEvent(t.db, t.last + n, t.callId));
    t.feed.pump();
    QVERIFY(t.received.ids.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(!t.received.batches.isEmpty(), 10000);
    QCOMPARE(t.received.batches.first(), (QList<qint64>{t.last + 2, t.last + 4, t.last + 6}));
    QCOMPARE(t.feed.gapsSkipped(), 3u);
}

void TestEventFeed::holesFarApartShareOneWait()
{
    // Missing ids 1,400 apart, more than one read of ids (1,000): the second must not start
    // its own wait when the first is passed, or the feed falls behind a second per hole.
    // qSleep, not qWait: no event loop, so only these pump() calls read.
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    FeedUnderTest t(fixture, std::chrono::milliseconds(200));
    QVERIFY(t.started);
    QVERIFY(t.db.transaction());
    for (qint64 n = 2; n <= 1402; ++n) {
        if (n != 1400)
            QVERIFY(insertEvent(t.db, t.last + n, t.callId));
    }
    QVERIFY(t.db.commit());
    t.feed.pump();
    QVERIFY(t.received.ids.isEmpty());
    QTest::qSleep(300);
    t.feed.pump();
    QCOMPARE(t.received.ids.size(), 1400);
    QCOMPARE(t.received.ids.constLast(), t.last + 1402);
    QCOMPARE(t.feed.gapsSkipped(), 2u);
}

void TestEventFeed::aSplitHoleKeepsItsClock()
{
    // A hole of three ids, then the middle one commits: the two left are as old as the hole.
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    FeedUnderTest t(fixture, std::chrono::milliseconds(200));
    QVERIFY(t.started);
    QVERIFY(insertEvent(t.db, t.last + 4, t.callId));
    t.feed.pump();
    QVERIFY(t.received.ids.isEmpty());
    QTest::qSleep(300);
    QVERIFY(insertEvent(t.db, t.last + 2, t.callId));
    t.feed.pump();
    QCOMPARE(t.received.ids, (QList<qint64>{t.last + 2, t.last + 4}));
    QCOMPARE(t.feed.gapsSkipped(), 2u);
}

void TestEventFeed::startsAfterAnEmptiedTable()
{
    // Retention may delete every event; ids carry on from the counter, and the first new one
    // must not look like it follows missing ones (it would wait, gapWait here an hour).
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    QSqlDatabase db = fixture.connection();
    const qint64 callId = makeCall(db);
    store::EventLog log(db);
    for (int i = 0; i < 3; ++i)
        QVERIFY(log.append(statusEvent(callId)).ok());
    QSqlQuery clear(db);
    QVERIFY(clear.exec(u"DELETE FROM events"_s));

    Received received;
    EventFeed feed(&fixture.database(), received.sink());
    feed.setGapWait(std::chrono::hours(1));
    QVERIFY(feed.start(3600 * 1000).ok());
    const qint64 next = log.append(statusEvent(callId)).value();
    feed.pump();
    QCOMPARE(received.ids, QList<qint64>{next});
    QCOMPARE(feed.gapsSkipped(), 0u);
}

void TestEventFeed::anotherInstancesEventsWakeTheFeed()
{
    // Two instances on one PostgreSQL: what the other one commits wakes this feed through its
    // NOTIFY, not at a poll (an hour here) and not by a commit of ours.
    TestDatabase fixture;
    CW_OPEN_POSTGRES(fixture);
    FeedUnderTest t(fixture);
    QVERIFY(t.started);
    t.feed.listenForOtherWriters();
    std::unique_ptr<store::Database> other = fixture.openAnother();
    QSqlDatabase otherDb = other->connection();
    Received otherReceived;
    EventFeed otherFeed(other.get(), otherReceived.sink());
    QVERIFY(otherFeed.start(3600 * 1000).ok());
    otherFeed.listenForOtherWriters();
    for (qint64 n = 1; n <= 3; ++n) {
        QVERIFY(insertEvent(otherDb, t.last + n, t.callId));
        otherFeed.localCommit();
        QList<qint64> expected;
        for (qint64 i = 1; i <= n; ++i)
            expected << t.last + i;
        QTRY_COMPARE_WITH_TIMEOUT(t.received.ids, expected, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(otherReceived.ids, expected, 10000);
    }

    // A connection opened again (the database restarted, say) listens again at the next pump.
    t.db = QSqlDatabase();
    fixture.database().closeThreadConnection();
    t.feed.pump();
    QVERIFY(insertEvent(otherDb, t.last + 4, t.callId));
    otherFeed.localCommit();
    QTRY_COMPARE_WITH_TIMEOUT(t.received.ids.size(), 4, 10000);
}

QTEST_GUILESS_MAIN(TestEventFeed)
#include "tst_eventfeed.moc"
