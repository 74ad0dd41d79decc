// SPDX-License-Identifier: GPL-3.0-or-later
// event-retention-days and inbox-body-retention-days: old live events are deleted and old raw
// inbox bodies cleared, in steps through the webhook writer; recent ones, calls, turns and the
// deliveries themselves stay.
#include "server/config.h"
#include "server/retentionjob.h"
#include "store/callrepository.h"
#include "store/deliveryrepository.h"
#include "store/eventlog.h"
#include "store/sql.h"
#include "webhooks/ingestwriter.h"

#include "../store/testdatabase.h"

#include <QSignalSpy>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch;
using callwatch::server::RetentionJob;
using callwatch::store::test::TestDatabase;

class TestRetention : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oldEventsGoInChunks_data() { TestDatabase::addDialectRows(); }
    void oldEventsGoInChunks();
    void oldInboxBodiesAreCleared_data() { TestDatabase::addDialectRows(); }
    void oldInboxBodiesAreCleared();
    void inboxWalkStopsAtANewerDelivery_data() { TestDatabase::addDialectRows(); }
    void inboxWalkStopsAtANewerDelivery();
    void failureEndsTheRun_data() { TestDatabase::addDialectRows(); }
    void failureEndsTheRun();
    void retentionDaysFromConfig_data();
    void retentionDaysFromConfig();
};

namespace {

qint64 countRows(QSqlDatabase db, const QString &table)
{
    return store::sql::scalar(db, u"count"_s, u"SELECT COUNT(*) FROM "_s + table)
        .value()
        .value_or(QVariant(-1))
        .toLongLong();
}

} // namespace

void TestRetention::oldEventsGoInChunks()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    QSqlDatabase db = fixture.connection();
    store::NewCall newCall;
    newCall.callSid = u"CA-retention"_s;
    const store::CallRecord call = store::CallRepository(db).createCall(newCall).value();
    QSqlQuery ddl(db);
    QVERIFY(ddl.exec(u"DELETE FROM events"_s)); // the creation event: dated now, below

    // 10 events from 30 days ago, then 3 from an hour ago; "now" is fixed by the test clock.
    const QDateTime now(QDate(2026, 11, 21), QTime(12, 0), Qt::UTC);
    store::EventLog log(db);
    auto append = [&](const QDateTime &at) {
        EventRecord event;
        event.type = u"call_status"_s;
        event.callId = call.id;
        event.callSid = call.callSid;
        event.payload = QJsonObject{{u"status"_s, u"in_progress"_s}};
        event.createdAt = at;
        return log.append(event).ok();
    };
    for (int i = 0; i < 10; ++i)
        QVERIFY(append(now.addDays(-30).addSecs(i)));
    for (int i = 0; i < 3; ++i)
        QVERIFY(append(now.addSecs(-3600 + i)));
    const qint64 firstRecent = log.lastId().value() - 2;

    webhooks::IngestWriter writer(&fixture.database());
    writer.start();
    RetentionJob retention(&writer, u"events"_s, std::chrono::hours(24 * 7),
                           server::liveEventsStep());
    retention.setClock([now] { return now; });
    retention.setStepSize(4); // 10 old events: steps of 4, 4, 2
    QSignalSpy finished(&retention, &RetentionJob::finished);
    const quint64 groupsBefore = writer.groupsCommitted();
    retention.runNow();
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.at(0).at(0).toLongLong(), 10);
    QCOMPARE(finished.at(0).at(1).toBool(), true);
    QVERIFY(writer.groupsCommitted() - groupsBefore >= 3); // one step per piece of work
    QCOMPARE(countRows(db, u"events"_s), 3);
    QCOMPARE(log.oldestId().value(), firstRecent);
    QCOMPARE(countRows(db, u"calls"_s), 1); // what the events were made from stays

    // Nothing old left: a run deletes nothing.
    retention.runNow();
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.at(1).at(0).toLongLong(), 0);
    QCOMPARE(retention.changedTotal(), 10u);
    writer.stop();
}

void TestRetention::oldInboxBodiesAreCleared()
{
    // 6 deliveries from 40 days ago with 10 KB bodies, one of them already without a body (an
    // audio body kept on disk), then 2 from today. Steps stop at 25 KB of bodies.
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    QSqlDatabase db = fixture.connection();
    const QDateTime now(QDate(2026, 11, 21), QTime(12, 0), Qt::UTC);
    store::DeliveryRepository inbox(db);
    auto record = [&](const QDateTime &at, bool withBody) {
        store::DeliveryRecord delivery;
        delivery.receivedAt = at;
        delivery.route = u"post-call"_s;
        delivery.body = withBody ? QByteArray(10 * 1024, 'x') : QByteArray();
        delivery.bodyPath = withBody ? QString() : u"audio/a.mp3"_s;
        delivery.bodySize = 10 * 1024;
        delivery.outcome = u"processed"_s;
        return inbox.record(delivery).value();
    };
    QList<qint64> old;
    for (int i = 0; i < 6; ++i)
        old << record(now.addDays(-40).addSecs(i), i != 2);
    const qint64 recent = record(now.addSecs(-60), true);
    record(now.addSecs(-30), true);

    webhooks::IngestWriter writer(&fixture.database());
    writer.start();
    RetentionJob retention(&writer, u"inbox bodies"_s, std::chrono::hours(24 * 30),
                           server::inboxBodiesStep(25 * 1024));
    retention.setClock([now] { return now; });
    QSignalSpy finished(&retention, &RetentionJob::finished);
    const quint64 groupsBefore = writer.groupsCommitted();
    retention.runNow();
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.at(0).at(0).toLongLong(), 5); // the one without a body had none to clear
    QCOMPARE(finished.at(0).at(1).toBool(), true);
    QVERIFY(writer.groupsCommitted() - groupsBefore >= 2); // 25 KB per step: several steps
    QCOMPARE(countRows(db, u"webhook_deliveries"_s), 8);   // every delivery stays
    for (qint64 id : std::as_const(old)) {
        const auto delivery = inbox.get(id).value();
        QVERIFY(delivery.has_value());
        QVERIFY(delivery->body.isEmpty());
        QCOMPARE(delivery->bodySize, 10 * 1024); // what it was, for the inspector
        QCOMPARE(delivery->outcome, u"processed"_s);
    }
    QCOMPARE(inbox.get(recent).value()->body.size(), 10 * 1024);

    // A later run starts after what it walked and finds nothing older.
    retention.runNow();
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.at(1).at(0).toLongLong(), 0);
    writer.stop();
}

void TestRetention::inboxWalkStopsAtANewerDelivery()
{
    // Ids in time order but for one delivery stamped later (another instance's clock): the walk
    // stops there and never clears a newer body; what follows it waits until it is old too.
    // Steps of 2 rows: a run takes several, each continuing after the last.
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    QSqlDatabase db = fixture.connection();
    QDateTime now(QDate(2026, 11, 21), QTime(12, 0), Qt::UTC);
    store::DeliveryRepository inbox(db);
    auto record = [&](const QDateTime &at) {
        store::DeliveryRecord delivery;
        delivery.receivedAt = at;
        delivery.route = u"transcription"_s;
        delivery.body = QByteArray(100, 'y');
        delivery.bodySize = 100;
        return inbox.record(delivery).value();
    };
    QList<qint64> ids;
    for (int i = 0; i < 5; ++i)
        ids << record(now.addDays(-40).addSecs(i));
    ids << record(now.addDays(-5)); // newer than the retention period
    ids << record(now.addDays(-40).addSecs(10));
    auto bodyOf = [&](qint64 id) { return inbox.get(id).value()->body; };

    webhooks::IngestWriter writer(&fixture.database());
    writer.start();
    RetentionJob retention(&writer, u"inbox bodies"_s, std::chrono::hours(24 * 30),
                           server::inboxBodiesStep());
    retention.setClock([&now] { return now; });
    retention.setStepSize(2);
    QSignalSpy finished(&retention, &RetentionJob::finished);
    retention.runNow();
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.at(0).at(0).toLongLong(), 5);
    for (int i = 0; i < 5; ++i)
        QVERIFY(bodyOf(ids.at(i)).isEmpty());
    QCOMPARE(bodyOf(ids.at(5)).size(), 100);
    QCOMPARE(bodyOf(ids.at(6)).size(), 100); // behind the newer one

    now = now.addDays(30); // the newer one is old now too: the walk goes on from where it was
    retention.runNow();
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.at(1).at(0).toLongLong(), 2);
    QVERIFY(bodyOf(ids.at(5)).isEmpty());
    QVERIFY(bodyOf(ids.at(6)).isEmpty());
    writer.stop();
}

void TestRetention::failureEndsTheRun()
{
    // The database refuses: the run ends reporting it, nothing counted, no chunk after chunk.
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    QSqlQuery ddl(fixture.connection());
    QVERIFY(ddl.exec(u"ALTER TABLE events RENAME TO events_away"_s));
    webhooks::IngestWriter writer(&fixture.database());
    writer.start();
    RetentionJob retention(&writer, u"events"_s, std::chrono::hours(24), server::liveEventsStep());
    QSignalSpy finished(&retention, &RetentionJob::finished);
    retention.runNow();
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.at(0).at(0).toLongLong(), 0);
    QCOMPARE(finished.at(0).at(1).toBool(), false);
    QCOMPARE(retention.changedTotal(), 0u);
    writer.stop();
    QVERIFY(ddl.exec(u"ALTER TABLE events_away RENAME TO events"_s));
}

void TestRetention::retentionDaysFromConfig_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<int>("days"); // -1: refused
    QTest::newRow("default") << QString() << 7;
    QTest::newRow("30") << u"30"_s << 30;
    QTest::newRow("zero keeps forever") << u"0"_s << 0;
    QTest::newRow("spaces") << u" 14 "_s << 14;
    QTest::newRow("negative") << u"-1"_s << -1;
    QTest::newRow("fraction") << u"1.5"_s << -1;
    QTest::newRow("words") << u"a week"_s << -1;
    QTest::newRow("past a century") << u"36501"_s << -1;
    QTest::newRow("inbox default") << u"inbox:"_s << 0;
    QTest::newRow("inbox 90") << u"inbox:90"_s << 90;
    QTest::newRow("inbox words") << u"inbox:soon"_s << -1;
}

void TestRetention::retentionDaysFromConfig()
{
    // "inbox:N" rows are inbox-body-retention-days (default 0), the others event-retention-days.
    QFETCH(QString, value);
    QFETCH(int, days);
    const bool inbox = value.startsWith(u"inbox:"_s);
    const QString key = inbox ? u"inbox-body-retention-days"_s : u"event-retention-days"_s;
    if (inbox)
        value = value.mid(6);
    server::Config config;
    if (!value.isEmpty())
        config.set(key, value);
    const auto parsed = inbox ? config.inboxBodyRetentionDays() : config.eventRetentionDays();
    if (days < 0) {
        QVERIFY(!parsed);
        QCOMPARE(parsed.error().code, u"invalid_retention"_s);
        QVERIFY(parsed.error().message.contains(key));
        QVERIFY(parsed.error().message.contains(value.trimmed()));
    } else {
        QVERIFY(parsed);
        QCOMPARE(parsed.value(), days);
    }
}

QTEST_GUILESS_MAIN(TestRetention)
#include "tst_retention.moc"
