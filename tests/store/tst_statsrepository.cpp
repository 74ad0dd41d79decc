// SPDX-License-Identifier: GPL-3.0-or-later
#include "callfixtures.h"
#include "store/callrepository.h"
#include "store/statsrepository.h"
#include "testdatabase.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch;
using namespace callwatch::store;
using namespace callwatch::store::test;

class TestStatsRepository : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void countsSince_data() { TestDatabase::addDialectRows(); }
    void countsSince();
};

void TestStatsRepository::countsSince()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    QSqlDatabase db = fixture.connection();
    CallRepository repo(db);
    const QDateTime startOfDay = QDateTime::currentDateTimeUtc().addSecs(-3600);

    QVERIFY(repo.createCall(newCall(u"live-1"_s)).ok());
    const CallRecord talking = repo.createCall(newCall(u"live-2"_s)).value();
    QVERIFY(repo.changeStatus(talking.id, u"in_progress"_s).ok());
    const CallRecord done = repo.createCall(newCall(u"done"_s)).value();
    CompletionData data;
    data.cost = 0.5;
    QVERIFY(repo.completeCall(done.id, data).ok());
    const CallRecord failed = repo.createCall(newCall(u"failed"_s)).value();
    QVERIFY(repo.changeStatus(failed.id, u"failed"_s, u"busy"_s).ok());
    // Ended yesterday: not counted for today.
    const CallRecord old = repo.createCall(newCall(u"old"_s)).value();
    CompletionData yesterday;
    yesterday.cost = 9.0;
    yesterday.endedAt = startOfDay.addDays(-1);
    QVERIFY(repo.completeCall(old.id, yesterday).ok());

    auto stats = StatsRepository(db).since(startOfDay);
    QVERIFY2(stats.ok(), qPrintable(stats.error().message));
    QCOMPARE(stats->liveCalls, 2);
    QCOMPARE(stats->completedToday, 1);
    QCOMPARE(stats->failedToday, 1);
    QCOMPARE(stats->costToday, 0.5);
    QCOMPARE(stats->lastEventId, EventLog(db).lastId().value());
}

QTEST_GUILESS_MAIN(TestStatsRepository)
#include "tst_statsrepository.moc"
