// SPDX-License-Identifier: GPL-3.0-or-later
// event-retention-days: old live events are deleted, in chunks, through the webhook writer;
// recent ones, calls and turns stay.
#include "server/config.h"
#include "server/eventretention.h"
#include "store/callrepository.h"
#include "store/eventlog.h"
#include "store/sql.h"
#include "webhooks/ingestwriter.h"

#include "../store/testdatabase.h"

#include <QSignalSpy>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch;
using callwatch::server::EventRetention;
using callwatch::store::test::TestDatabase;

class TestEventRetention : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oldEventsGoInChunks_data() { TestDatabase::addDialectRows(); }
    void oldEventsGoInChunks();
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

void TestEventRetention::oldEventsGoInChunks()
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
    EventRetention retention(&writer, std::chrono::hours(24 * 7));
    retention.setClock([now] { return now; });
    retention.setChunkSize(4); // 10 old events: chunks of 4, 4, 2
    QSignalSpy finished(&retention, &EventRetention::finished);
    const quint64 groupsBefore = writer.groupsCommitted();
    retention.runNow();
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.at(0).at(0).toLongLong(), 10);
    QCOMPARE(finished.at(0).at(1).toBool(), true);
    QVERIFY(writer.groupsCommitted() - groupsBefore >= 3); // one chunk per piece of work
    QCOMPARE(countRows(db, u"events"_s), 3);
    QCOMPARE(log.oldestId().value(), firstRecent);
    QCOMPARE(countRows(db, u"calls"_s), 1); // what the events were made from stays

    // Nothing old left: a run deletes nothing.
    retention.runNow();
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.at(1).at(0).toLongLong(), 0);
    QCOMPARE(retention.deletedTotal(), 10u);
    writer.stop();
}

void TestEventRetention::failureEndsTheRun()
{
    // The database refuses: the run ends reporting it, nothing counted, no chunk after chunk.
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    QSqlQuery ddl(fixture.connection());
    QVERIFY(ddl.exec(u"ALTER TABLE events RENAME TO events_away"_s));
    webhooks::IngestWriter writer(&fixture.database());
    writer.start();
    EventRetention retention(&writer, std::chrono::hours(24));
    QSignalSpy finished(&retention, &EventRetention::finished);
    retention.runNow();
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.at(0).at(0).toLongLong(), 0);
    QCOMPARE(finished.at(0).at(1).toBool(), false);
    QCOMPARE(retention.deletedTotal(), 0u);
    writer.stop();
    QVERIFY(ddl.exec(u"ALTER TABLE events_away RENAME TO events"_s));
}

void TestEventRetention::retentionDaysFromConfig_data()
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
}

void TestEventRetention::retentionDaysFromConfig()
{
    QFETCH(QString, value);
    QFETCH(int, days);
    server::Config config;
    if (!value.isNull())
        config.set(u"event-retention-days"_s, value);
    const auto parsed = config.eventRetentionDays();
    if (days < 0) {
        QVERIFY(!parsed);
        QCOMPARE(parsed.error().code, u"invalid_event_retention"_s);
        QVERIFY(parsed.error().message.contains(value.trimmed()));
    } else {
        QVERIFY(parsed);
        QCOMPARE(parsed.value(), days);
    }
}

QTEST_GUILESS_MAIN(TestEventRetention)
#include "tst_eventretention.moc"
