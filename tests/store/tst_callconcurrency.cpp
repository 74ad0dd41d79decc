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

class TestCallConcurrency : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void concurrentAppendsAreGapFree_data() { TestDatabase::addDialectRows(); }
    void concurrentAppendsAreGapFree();
    void concurrentDuplicatesStoreOnce_data() { TestDatabase::addDialectRows(); }
    void concurrentDuplicatesStoreOnce();
    void concurrentBatchesAreGapFree_data() { TestDatabase::addDialectRows(); }
    void concurrentBatchesAreGapFree();
    void outerTransactionRollsBackEverything_data() { TestDatabase::addDialectRows(); }
    void outerTransactionRollsBackEverything();
};

void TestCallConcurrency::concurrentAppendsAreGapFree()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    Database &database = fixture.database();
    const CallRecord call =
        CallRepository(fixture.connection()).createCall(newCall(u"CA1"_s)).value();
    constexpr int kThreads = 4;
    constexpr int kTurnsEach = 25;
    QList<QList<qint64>> numbers(kThreads);
    QList<QString> errors(kThreads);
    std::vector<std::unique_ptr<QThread>> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back(QThread::create([&, t] {
            CallRepository repo(database.connection()); // this thread's own connection
            for (int i = 0; i < kTurnsEach; ++i) {
                auto appended = repo.appendTurn(
                    call.id, turn(u"t%1-%2"_s.arg(t).arg(i), u"message %1"_s.arg(i)));
                if (!appended || !appended->has_value()) {
                    errors[t] = appended ? u"unexpected duplicate"_s : appended.error().message;
                    return;
                }
                numbers[t] << appended->value().sequenceNumber;
            }
        }));
    }
    for (auto &thread : threads)
        thread->start();
    for (auto &thread : threads)
        QVERIFY(thread->wait(120000));
    QList<qint64> all;
    for (int t = 0; t < kThreads; ++t) {
        QVERIFY2(errors.at(t).isEmpty(), qPrintable(errors.at(t)));
        all << numbers.at(t);
    }
    std::sort(all.begin(), all.end());
    QList<qint64> expected;
    for (int n = 1; n <= kThreads * kTurnsEach; ++n)
        expected << n;
    QCOMPARE(all, expected);

    QSqlDatabase db = fixture.connection();
    QCOMPARE(CallRepository(db).findById(call.id).value()->lastSequenceNumber,
             kThreads * kTurnsEach);
    auto query =
        sql::exec(db, u"read"_s,
                  u"SELECT sequence_number FROM call_transcriptions ORDER BY sequence_number"_s);
    QVERIFY(query.ok());
    QList<qint64> stored;
    while (query->next())
        stored << query->value(0).toLongLong();
    QCOMPARE(stored, expected);
    // One event per turn, each carrying its turn's number.
    QList<qint64> fromEvents;
    for (const EventRecord &event : allEvents(db)) {
        if (event.type == u"transcription")
            fromEvents << event.payload.value(u"sequence_number").toInteger();
    }
    std::sort(fromEvents.begin(), fromEvents.end());
    QCOMPARE(fromEvents, expected);
}

void TestCallConcurrency::concurrentDuplicatesStoreOnce()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    Database &database = fixture.database();
    const CallRecord call =
        CallRepository(fixture.connection()).createCall(newCall(u"CA1"_s)).value();
    constexpr int kThreads = 4;
    constexpr int kKeys = 20;
    QList<int> storedByThread(kThreads, 0);
    QList<QString> errors(kThreads);
    std::vector<std::unique_ptr<QThread>> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back(QThread::create([&, t] {
            CallRepository repo(database.connection());
            for (int i = 0; i < kKeys; ++i) { // every thread delivers the same turns
                auto appended = repo.appendTurn(call.id, turn(u"key-%1"_s.arg(i), u"m"_s));
                if (!appended) {
                    errors[t] = appended.error().message;
                    return;
                }
                storedByThread[t] += appended->has_value() ? 1 : 0;
            }
        }));
    }
    for (auto &thread : threads)
        thread->start();
    for (auto &thread : threads)
        QVERIFY(thread->wait(120000));
    int stored = 0;
    for (int t = 0; t < kThreads; ++t) {
        QVERIFY2(errors.at(t).isEmpty(), qPrintable(errors.at(t)));
        stored += storedByThread.at(t);
    }
    QCOMPARE(stored, kKeys);
    QSqlDatabase db = fixture.connection();
    QCOMPARE(countRows(db, u"SELECT COUNT(*) FROM call_transcriptions"_s), kKeys);
    QCOMPARE(countRows(db, u"SELECT MAX(sequence_number) FROM call_transcriptions"_s), kKeys);
    QCOMPARE(countRows(db, u"SELECT COUNT(*) FROM events WHERE type = 'transcription'"_s), kKeys);
    QCOMPARE(CallRepository(db).findById(call.id).value()->lastSequenceNumber, kKeys);
}

void TestCallConcurrency::concurrentBatchesAreGapFree()
{
    // Several writers (as several instances on one PostgreSQL would) batch turns for the same
    // calls, each listing them in a different order, with some keys delivered by all of them.
    // The calls are locked in id order, so nobody deadlocks, and every call's numbers come out
    // 1..n without a gap or a repeat.
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    Database &database = fixture.database();
    QList<CallRecord> calls;
    for (int c = 0; c < 3; ++c)
        calls << CallRepository(fixture.connection()).createCall(newCall(u"CA%1"_s.arg(c))).value();
    constexpr int kThreads = 4;
    constexpr int kBatches = 15;
    QList<QString> errors(kThreads);
    std::vector<std::unique_ptr<QThread>> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back(QThread::create([&, t] {
            CallRepository repo(database.connection());
            for (int b = 0; b < kBatches; ++b) {
                QList<LiveTurnAppend> batch;
                for (int c = 0; c < calls.size(); ++c) {
                    const CallRecord &call = calls.at((c + t) % calls.size()); // rotated order
                    batch << LiveTurnAppend{call, turn(u"t%1-%2"_s.arg(t).arg(b), u"m"_s)};
                    batch << LiveTurnAppend{call, turn(u"shared-%1"_s.arg(b), u"m"_s)};
                }
                auto appended = repo.appendLiveTurns(batch);
                if (!appended) {
                    errors[t] = appended.error().message;
                    return;
                }
            }
        }));
    }
    for (auto &thread : threads)
        thread->start();
    for (auto &thread : threads)
        QVERIFY(thread->wait(120000));
    for (int t = 0; t < kThreads; ++t)
        QVERIFY2(errors.at(t).isEmpty(), qPrintable(errors.at(t)));

    QSqlDatabase db = fixture.connection();
    const int perCall = kThreads * kBatches + kBatches; // own keys, plus each shared key once
    for (const CallRecord &call : std::as_const(calls)) {
        auto query = sql::exec(db, u"read"_s,
                               u"SELECT sequence_number FROM call_transcriptions WHERE call_id = ? "
                               "ORDER BY sequence_number"_s,
                               {call.id});
        QVERIFY(query.ok());
        QList<qint64> stored;
        while (query->next())
            stored << query->value(0).toLongLong();
        QList<qint64> expected;
        for (int n = 1; n <= perCall; ++n)
            expected << n;
        QCOMPARE(stored, expected);
        QCOMPARE(CallRepository(db).findById(call.id).value()->lastSequenceNumber, perCall);
    }
    QCOMPARE(countRows(db, u"SELECT COUNT(*) FROM events WHERE type = 'transcription'"_s),
             perCall * calls.size());
}

void TestCallConcurrency::outerTransactionRollsBackEverything()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    QSqlDatabase db = fixture.connection();
    CallRepository repo(db);
    {
        Transaction outer(db);
        const CallRecord call = repo.createCall(newCall(u"CA1"_s)).value();
        QVERIFY(repo.changeStatus(call.id, u"in_progress"_s).ok());
        QVERIFY(repo.appendTurn(call.id, turn(u"k"_s, u"x"_s)).ok());
        QCOMPARE(Transaction::depth(db), 1); // each method's savepoint is closed again
        // not committed
    }
    QCOMPARE(countRows(db, u"SELECT COUNT(*) FROM calls"_s), 0);
    QCOMPARE(countRows(db, u"SELECT COUNT(*) FROM events"_s), 0);

    {
        Transaction group(db);
        QVERIFY(repo.createCall(newCall(u"CA2"_s)).ok());
        QVERIFY(!repo.createCall(newCall(u"CA2"_s)).ok()); // fails alone, in its savepoint
        QVERIFY(repo.createCall(newCall(u"CA3"_s)).ok());
        QVERIFY(group.commit().ok());
    }
    QCOMPARE(countRows(db, u"SELECT COUNT(*) FROM calls"_s), 2);
    QCOMPARE(countRows(db, u"SELECT COUNT(*) FROM events"_s), 2);
}

QTEST_GUILESS_MAIN(TestCallConcurrency)
#include "tst_callconcurrency.moc"
