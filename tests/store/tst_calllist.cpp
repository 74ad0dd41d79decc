// SPDX-License-Identifier: GPL-3.0-or-later
#include "callfixtures.h"
#include "store/callrepository.h"
#include "store/sql.h"
#include "store/transaction.h"
#include "testdatabase.h"

#include <QSet>
#include <QTest>
#include <QThread>

using namespace Qt::StringLiterals;
using namespace callwatch;
using namespace callwatch::store;
using namespace callwatch::store::test;

class TestCallList : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keysetPagination_data() { TestDatabase::addDialectRows(); }
    void keysetPagination();
    void filters_data() { TestDatabase::addDialectRows(); }
    void filters();
};

void TestCallList::keysetPagination()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    QSqlDatabase db = fixture.connection();
    CallRepository repo(db);
    constexpr int kCalls = 130;
    const QDateTime base(QDate(2024, 5, 1), QTime(8, 0), Qt::UTC);
    {
        Transaction tx(db);
        for (int i = 0; i < kCalls; ++i) {
            auto call = repo.createCall(newCall(u"CA%1"_s.arg(i, 3, 10, QLatin1Char('0'))));
            QVERIFY(call.ok());
            // Groups of three share a timestamp: ties must be broken by id, not lost.
            QVERIFY(sql::run(db, u"backdate"_s, u"UPDATE calls SET created_at = ? WHERE id = ?"_s,
                             {sql::timeText(base.addSecs(i / 3)), call->id})
                        .ok());
        }
        QVERIFY(tx.commit().ok());
    }

    CallFilter filter;
    filter.limit = 25;
    QList<CallRecord> seen;
    int pages = 0;
    do {
        auto page = repo.listCalls(filter);
        QVERIFY2(page.ok(), qPrintable(page.error().message));
        QVERIFY(page->calls.size() <= 25);
        seen << page->calls;
        filter.after = page->nextCursor;
        QVERIFY(++pages <= 10);
    } while (!filter.after.isEmpty());
    QCOMPARE(pages, 6);
    QCOMPARE(seen.size(), kCalls);
    QSet<qint64> ids;
    for (qsizetype i = 0; i < seen.size(); ++i) {
        ids.insert(seen.at(i).id);
        if (i > 0) { // strictly newest first by (created_at, id)
            const CallRecord &a = seen.at(i - 1);
            const CallRecord &b = seen.at(i);
            QVERIFY(a.createdAt > b.createdAt || (a.createdAt == b.createdAt && a.id > b.id));
        }
    }
    QCOMPARE(ids.size(), kCalls);

    // Limits: default 50, capped at 500.
    CallFilter defaults;
    QCOMPARE(repo.listCalls(defaults)->calls.size(), 50);
    CallFilter huge;
    huge.limit = 100000;
    QCOMPARE(repo.listCalls(huge)->calls.size(), kCalls);
    QVERIFY(repo.listCalls(huge)->nextCursor.isEmpty());

    for (const QString &bad :
         {u"garbage!"_s, u"MjAyNA"_s,
          QString::fromLatin1(QByteArray("2024-05-01T08:00:00.000Z|x").toBase64())}) {
        CallFilter badCursor;
        badCursor.after = bad;
        auto refused = repo.listCalls(badCursor);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, u"invalid_cursor"_s);
    }
}

void TestCallList::filters()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    QSqlDatabase db = fixture.connection();
    CallRepository repo(db);
    const QDateTime base(QDate(2024, 5, 1), QTime(8, 0), Qt::UTC);
    struct Seed
    {
        const char *sid;
        const char *driver;
        const char *number;
        const char *conversation;
        const char *status;
        int minute;
    };
    const Seed seeds[] = {
        {"CA-alpha", "drv_1", "+15550001", "conv-a", "initiating", 0},
        {"CA-beta", "drv%2", "+15550002", "conv-b", "in_progress", 10},
        {"CA-gamma", "drv_1", "+44770003", "", "completed", 20},
        {"CA-delta", "drv3", "+15550004", "CONV-D", "failed", 30},
    };
    for (const Seed &seed : seeds) {
        NewCall input = newCall(QString::fromLatin1(seed.sid), QString::fromLatin1(seed.driver));
        input.toNumber = QString::fromLatin1(seed.number);
        input.conversationId = QString::fromLatin1(seed.conversation);
        input.status = QString::fromLatin1(seed.status);
        const CallRecord call = repo.createCall(input).value();
        QVERIFY(sql::run(db, u"backdate"_s, u"UPDATE calls SET created_at = ? WHERE id = ?"_s,
                         {sql::timeText(base.addSecs(seed.minute * 60)), call.id})
                    .ok());
    }
    auto sids = [&repo](const CallFilter &filter) {
        QStringList result;
        auto page = repo.listCalls(filter);
        if (!page)
            return QStringList{u"error: "_s + page.error().message};
        for (const CallRecord &call : page->calls)
            result << call.callSid;
        return result;
    };

    CallFilter f;
    QCOMPARE(sids(f), (QStringList{u"CA-delta"_s, u"CA-gamma"_s, u"CA-beta"_s, u"CA-alpha"_s}));
    f.statuses = {u"completed"_s, u"failed"_s};
    QCOMPARE(sids(f), (QStringList{u"CA-delta"_s, u"CA-gamma"_s}));
    f = {};
    f.from = base.addSecs(10 * 60);
    f.to = base.addSecs(30 * 60); // exclusive
    QCOMPARE(sids(f), (QStringList{u"CA-gamma"_s, u"CA-beta"_s}));
    f = {};
    f.search = u"ALPHA"_s; // call_sid, case-insensitive
    QCOMPARE(sids(f), QStringList{u"CA-alpha"_s});
    f.search = u"conv-d"_s; // conversation_id
    QCOMPARE(sids(f), QStringList{u"CA-delta"_s});
    f.search = u"+4477"_s; // to_number
    QCOMPARE(sids(f), QStringList{u"CA-gamma"_s});
    f.search = u"drv_"_s; // driver_id; '_' is literal, not a wildcard
    QCOMPARE(sids(f), (QStringList{u"CA-gamma"_s, u"CA-alpha"_s}));
    f.search = u"%"_s; // literal too
    QCOMPARE(sids(f), QStringList{u"CA-beta"_s});
    f = {};
    f.driverId = u"drv_1"_s;
    f.statuses = {u"initiating"_s};
    QCOMPARE(sids(f), QStringList{u"CA-alpha"_s});
    f = {};
    f.statuses = {u"bogus"_s};
    QCOMPARE(repo.listCalls(f).error().code, u"invalid_call"_s);
}

QTEST_GUILESS_MAIN(TestCallList)
#include "tst_calllist.moc"
