// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/sql.h"
#include "store/transaction.h"
#include "testdatabase.h"

#include <QTest>
#include <QThread>

using namespace Qt::StringLiterals;
using namespace callwatch;
using namespace callwatch::store;
using callwatch::store::test::TestDatabase;

class TestTransaction : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void commitPersists_data() { TestDatabase::addDialectRows(); }
    void commitPersists();
    void destructorRollsBack_data() { TestDatabase::addDialectRows(); }
    void destructorRollsBack();
    void savepointRollbackKeepsOuterWork_data() { TestDatabase::addDialectRows(); }
    void savepointRollbackKeepsOuterWork();
    void outerRollbackUndoesCommittedSavepoint_data() { TestDatabase::addDialectRows(); }
    void outerRollbackUndoesCommittedSavepoint();
    void failedStatementRefusesCommit_data() { TestDatabase::addDialectRows(); }
    void failedStatementRefusesCommit();
    void failureInSavepointIsContained_data() { TestDatabase::addDialectRows(); }
    void failureInSavepointIsContained();
    void groupOfItemsKeepsTheGoodOnes_data() { TestDatabase::addDialectRows(); }
    void groupOfItemsKeepsTheGoodOnes();
    void concurrentReadThenWriteWriters_data() { TestDatabase::addDialectRows(); }
    void concurrentReadThenWriteWriters();
    void commitFinishesReadersLeftOpen_data() { TestDatabase::addDialectRows(); }
    void commitFinishesReadersLeftOpen();
};

namespace {

bool insert(QSqlDatabase db, int value)
{
    return sql::run(db, u"insert"_s, u"INSERT INTO t (v) VALUES (?)"_s, {value}).ok();
}

// Values as committed, read from a different thread (hence a different connection).
QList<int> committedValues(Database &database)
{
    QList<int> values;
    std::unique_ptr<QThread> reader(QThread::create([&] {
        auto query = sql::exec(database.connection(), u"read"_s, u"SELECT v FROM t ORDER BY v"_s);
        while (query && query->next())
            values << query->value(0).toInt();
    }));
    reader->start();
    reader->wait();
    return values;
}

void createTable(QSqlDatabase db)
{
    QVERIFY(sql::run(db, u"create"_s, u"CREATE TABLE t (v INTEGER PRIMARY KEY)"_s).ok());
}

} // namespace

void TestTransaction::commitPersists()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    QSqlDatabase db = fixture.connection();
    createTable(db);
    QCOMPARE(Transaction::depth(db), 0);
    {
        Transaction tx(db);
        QVERIFY(tx.status().ok());
        QCOMPARE(tx.level(), 1);
        QCOMPARE(Transaction::depth(db), 1);
        QVERIFY(insert(db, 1));
        QCOMPARE(committedValues(fixture.database()), QList<int>{}); // not visible yet
        QVERIFY(tx.commit().ok());
        QVERIFY(!tx.isActive());
    }
    QCOMPARE(Transaction::depth(db), 0);
    QCOMPARE(committedValues(fixture.database()), QList<int>{1});
}

void TestTransaction::destructorRollsBack()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    QSqlDatabase db = fixture.connection();
    createTable(db);
    {
        Transaction tx(db);
        QVERIFY(insert(db, 1));
    }
    QCOMPARE(Transaction::depth(db), 0);
    QCOMPARE(committedValues(fixture.database()), QList<int>{});
    QVERIFY(insert(db, 2)); // the connection is usable afterwards
    QCOMPARE(committedValues(fixture.database()), QList<int>{2});
}

void TestTransaction::savepointRollbackKeepsOuterWork()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    QSqlDatabase db = fixture.connection();
    createTable(db);
    Transaction outer(db);
    QVERIFY(insert(db, 1));
    {
        Transaction inner(db);
        QVERIFY(inner.status().ok());
        QCOMPARE(inner.level(), 2);
        QCOMPARE(Transaction::depth(db), 2);
        QVERIFY(insert(db, 2));
        {
            Transaction innermost(db);
            QCOMPARE(innermost.level(), 3);
            QVERIFY(insert(db, 3));
            QVERIFY(innermost.commit().ok());
        }
        // not committed: rolls back 2 and the released savepoint's 3
    }
    QCOMPARE(Transaction::depth(db), 1);
    QVERIFY(insert(db, 4));
    QVERIFY(outer.commit().ok());
    QCOMPARE(committedValues(fixture.database()), (QList<int>{1, 4}));
}

void TestTransaction::outerRollbackUndoesCommittedSavepoint()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    QSqlDatabase db = fixture.connection();
    createTable(db);
    {
        Transaction outer(db);
        QVERIFY(insert(db, 1));
        Transaction inner(db);
        QVERIFY(insert(db, 2));
        QVERIFY(inner.commit().ok());
        outer.rollback();
        QVERIFY(!outer.isActive());
    }
    QCOMPARE(committedValues(fixture.database()), QList<int>{});
}

void TestTransaction::failedStatementRefusesCommit()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    QSqlDatabase db = fixture.connection();
    createTable(db);
    Transaction tx(db);
    QVERIFY(insert(db, 1));
    QVERIFY(!insert(db, 1)); // primary key violation
    auto committed = tx.commit();
    QVERIFY(!committed.ok());
    QCOMPARE(committed.error().code, u"transaction_aborted"_s);
    QVERIFY(!tx.isActive());
    QCOMPARE(Transaction::depth(db), 0);
    QCOMPARE(committedValues(fixture.database()), QList<int>{});
}

void TestTransaction::failureInSavepointIsContained()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    QSqlDatabase db = fixture.connection();
    createTable(db);
    Transaction outer(db);
    QVERIFY(insert(db, 1));
    {
        Transaction inner(db);
        QVERIFY(insert(db, 2));
        QVERIFY(!insert(db, 1)); // fails: on PostgreSQL the whole transaction is now aborted…
        QVERIFY(!inner.commit().ok()); // …so this level cannot commit and rolls back
    }
    QVERIFY(insert(db, 3)); // …but after the savepoint rollback the outer work goes on
    auto committed = outer.commit();
    QVERIFY2(committed.ok(), qPrintable(committed.error().message));
    QCOMPARE(committedValues(fixture.database()), (QList<int>{1, 3}));
}

void TestTransaction::groupOfItemsKeepsTheGoodOnes()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    QSqlDatabase db = fixture.connection();
    createTable(db);
    QVERIFY(insert(db, 3)); // makes item 3 of the group fail
    Transaction group(db);
    int failed = 0;
    for (int item = 1; item <= 5; ++item) {
        Transaction one(db);
        if (!insert(db, item) || !one.commit().ok())
            ++failed;
    }
    QCOMPARE(failed, 1);
    QVERIFY(group.commit().ok());
    QCOMPARE(committedValues(fixture.database()), (QList<int>{1, 2, 3, 4, 5}));
}

void TestTransaction::concurrentReadThenWriteWriters()
{
    // Read, then write what was read: with a deferred BEGIN, SQLite fails such writers with
    // "database is locked" when two try to upgrade at once; BEGIN IMMEDIATE makes them queue.
    // (PostgreSQL needs the row lock of FOR UPDATE for the same guarantee.)
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    Database &database = fixture.database();
    QSqlDatabase db = fixture.connection();
    QVERIFY(sql::run(db, u"create"_s, u"CREATE TABLE counter (v INTEGER NOT NULL)"_s).ok());
    QVERIFY(sql::run(db, u"seed"_s, u"INSERT INTO counter (v) VALUES (0)"_s).ok());
    const QString read = database.dialect() == Dialect::Postgresql
                             ? u"SELECT v FROM counter FOR UPDATE"_s
                             : u"SELECT v FROM counter"_s;
    constexpr int kThreads = 4;
    constexpr int kRounds = 20;
    QList<QString> errors(kThreads);
    std::vector<std::unique_ptr<QThread>> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back(QThread::create([&, t] {
            QSqlDatabase mine = database.connection();
            for (int i = 0; i < kRounds && errors[t].isEmpty(); ++i) {
                Transaction tx(mine);
                auto value = sql::scalar(mine, u"read"_s, read);
                auto written = value ? sql::run(mine, u"write"_s, u"UPDATE counter SET v = ?"_s,
                                                {value->value_or(QVariant()).toInt() + 1})
                                     : Result<int>(value.error());
                auto done = written ? tx.commit() : Result<>(written.error());
                if (!done)
                    errors[t] = done.error().message;
            }
        }));
    }
    for (auto &thread : threads)
        thread->start();
    for (auto &thread : threads)
        QVERIFY(thread->wait(120000));
    for (const QString &error : std::as_const(errors))
        QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(sql::scalar(db, u"total"_s, u"SELECT v FROM counter"_s)->value_or(QVariant()).toInt(),
             kThreads * kRounds);
}

void TestTransaction::commitFinishesReadersLeftOpen()
{
    // A statement may still be open when its transaction ends (sql.h); RELEASE and COMMIT
    // finish it first (an unfinished write makes SQLite refuse them). Statements opened before
    // the transaction, inside a savepoint, and one run twice all count.
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    QSqlDatabase db = fixture.connection();
    createTable(db);
    for (int v = 1; v <= 3; ++v)
        QVERIFY(insert(db, v));
    std::vector<sql::Rows> open; // kept alive across the commits
    auto readFirst = [&](const QString &text, const QVariantList &values) {
        auto rows = sql::exec(db, u"read first"_s, text, values);
        if (!rows || !rows->next() || rows->value(0).toInt() <= 0)
            return false;
        open.push_back(std::move(rows.value()));
        return true;
    };
    const QString select = u"SELECT v * ? FROM t ORDER BY v"_s;
    const QString insertTwo = u"INSERT INTO t (v) VALUES (?), (?) RETURNING v"_s;
    QVERIFY(readFirst(select, {1}));
    for (int round = 0; round < 3; ++round) {
        Transaction tx(db);
        QVERIFY(tx.status().ok());
        QVERIFY(readFirst(select, {2}));
        {
            Transaction savepoint(db);
            QVERIFY(readFirst(select, {3}));
            QVERIFY(readFirst(insertTwo, {10 + round * 4, 11 + round * 4}));
            const auto released = savepoint.commit();
            QVERIFY2(released.ok(), qPrintable(released ? QString() : released.error().message));
        }
        QVERIFY(readFirst(select, {4}));
        QVERIFY(readFirst(insertTwo, {12 + round * 4, 13 + round * 4}));
        const auto committed = tx.commit();
        QVERIFY2(committed.ok(), qPrintable(committed ? QString() : committed.error().message));
    }
    open.clear();
    QList<int> expected{1, 2, 3};
    for (int v = 10; v < 22; ++v)
        expected << v;
    QCOMPARE(committedValues(fixture.database()), expected);
}

QTEST_GUILESS_MAIN(TestTransaction)
#include "tst_transaction.moc"
