// SPDX-License-Identifier: GPL-3.0-or-later
// The WAL-gathering VFS (store/walwritevfs): what a gathering thread commits is in the WAL file
// for every other connection the moment COMMIT returns, whatever the transaction's size, after
// rollbacks of transactions that spilled pages, and the file stays intact.
#include "store/database.h"
#include "store/sql.h"
#include "store/sqlitenative.h"
#include "store/walwritevfs.h"
#include "testdatabase.h"

#include <QFileInfo>
#include <QSqlQuery>
#include <QTest>

#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>

#include <sys/resource.h>

using namespace Qt::StringLiterals;
using namespace callwatch;
using namespace callwatch::store;
using callwatch::store::test::TestDatabase;

class TestWalWriteVfs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void commitsAreVisibleToOtherThreadsAtOnce();
    void aFailedWriteFailsTheCommit();
    void writebackStartsOnTheDatabaseFileOnly();
};

namespace {

/// One step of the writer thread: what to run, and whether it commits.
struct Step
{
    int rows = 0;
    qsizetype rowBytes = 0;
    bool commit = true;
};

/// The writer runs one step, then waits until the reader has checked it.
class Handshake
{
public:
    void stepDone(qint64 expectedRows)
    {
        std::unique_lock lock(m_mutex);
        m_expected = expectedRows;
        m_ready = true;
        m_wake.notify_all();
        m_wake.wait(lock, [this] { return !m_ready; });
    }
    qint64 waitForStep()
    {
        std::unique_lock lock(m_mutex);
        m_wake.wait(lock, [this] { return m_ready; });
        return m_expected;
    }
    void checked()
    {
        std::lock_guard lock(m_mutex);
        m_ready = false;
        m_wake.notify_all();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_ready = false;
    qint64 m_expected = 0;
};

bool exec(QSqlDatabase db, const QString &statement)
{
    QSqlQuery query(db);
    return query.exec(statement);
}

/// A fresh SQLite database (through the gathering VFS) with the table t (id, body).
bool createTable(TestDatabase &fixture)
{
    return fixture.create(u"sqlite"_s) == TestDatabase::Status::Ready && walwritevfs::install() &&
           exec(fixture.connection(),
                u"CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)"_s);
}

} // namespace

void TestWalWriteVfs::commitsAreVisibleToOtherThreadsAtOnce()
{
    TestDatabase fixture;
    QVERIFY(createTable(fixture));
    QSqlDatabase reader = fixture.connection();
    const walwritevfs::Stats before = walwritevfs::stats();

    // Small commits (like live turns), commits past one write of the default VFS (128 KiB) and
    // past the gathering bound (8 MiB), and rollbacks of transactions large enough to spill
    // frames into the WAL before their end (cache_size is tiny on the writer).
    QList<Step> steps;
    for (int i = 0; i < 40; ++i)
        steps << Step{1 + i % 12, 300, true};
    steps << Step{3, 200 * 1024, true} << Step{40, 250 * 1024, false} << Step{2, 100, true}
          << Step{1, 9 * 1024 * 1024, true} << Step{60, 64 * 1024, false} << Step{5, 500, true};

    Handshake handshake;
    QString writerError;
    std::thread writer([&] {
        walwritevfs::WalWriteGathering gathering;
        QSqlDatabase db = fixture.database().connection();
        if (!exec(db, u"PRAGMA synchronous=FULL"_s) ||
            !exec(db, u"PRAGMA checkpoint_fullfsync=ON"_s) || !exec(db, u"PRAGMA cache_size=8"_s)) {
            writerError = u"pragmas failed"_s;
        }
        qint64 committedRows = 0;
        for (const Step &step : std::as_const(steps)) {
            bool ok = exec(db, u"BEGIN IMMEDIATE"_s);
            for (int r = 0; r < step.rows && ok; ++r) {
                ok = sql::run(db, u"insert"_s, u"INSERT INTO t (body) VALUES (?)"_s,
                              {QByteArray(step.rowBytes, char('a' + r % 26))})
                         .ok();
            }
            ok = ok && exec(db, step.commit ? u"COMMIT"_s : u"ROLLBACK"_s);
            if (!ok && writerError.isEmpty())
                writerError = u"a step failed"_s;
            if (ok && step.commit)
                committedRows += step.rows;
            handshake.stepDone(committedRows);
        }
        db = QSqlDatabase();
        fixture.database().closeThreadConnection();
    });

    for (qsizetype i = 0; i < steps.size(); ++i) {
        const qint64 expected = handshake.waitForStep();
        auto count = sql::scalar(reader, u"count"_s, u"SELECT COUNT(*) FROM t"_s);
        const bool seen = count.ok() && count->value().toLongLong() == expected;
        handshake.checked();
        QVERIFY2(seen, qPrintable(u"step %1: %2 rows expected"_s.arg(i).arg(expected)));
    }
    writer.join();
    QVERIFY2(writerError.isEmpty(), qPrintable(writerError));

    auto integrity = sql::scalar(reader, u"integrity"_s, u"PRAGMA integrity_check"_s);
    QVERIFY(integrity.ok());
    QCOMPARE(integrity->value().toString(), u"ok"_s);
    auto big =
        sql::scalar(reader, u"big"_s, u"SELECT COUNT(*) FROM t WHERE length(body) = 9437184"_s);
    QCOMPARE(big->value().toInt(), 1);

    // The path was taken: writes were gathered, fewer writes reached the file, and the commits'
    // own syncs were left to the caller.
    const walwritevfs::Stats after = walwritevfs::stats();
    const quint64 gathered = after.gatheredWrites - before.gatheredWrites;
    const quint64 flushes = after.flushes - before.flushes;
    QVERIFY(gathered > 0);
    QVERIFY2(flushes * 4 < gathered,
             qPrintable(u"%1 writes, %2 flushes"_s.arg(gathered).arg(flushes)));
    QVERIFY(after.skippedSyncs - before.skippedSyncs >= 40);
}

void TestWalWriteVfs::aFailedWriteFailsTheCommit()
{
    // A gathered commit whose write fails (here the process's file-size limit: EFBIG, the way a
    // full disk would) fails its COMMIT, other connections see nothing of it, and the same
    // connection commits again once writes succeed.
    TestDatabase fixture;
    QVERIFY(createTable(fixture));
    QSqlDatabase reader = fixture.connection();
    const QString wal = fixture.url().sqlitePath() + u"-wal"_s;
    std::signal(SIGXFSZ, SIG_IGN); // the write fails with EFBIG instead of ending the process
    rlimit saved{};
    QCOMPARE(getrlimit(RLIMIT_FSIZE, &saved), 0);

    bool firstCommitted = false, bigCommitted = true, lastCommitted = false;
    std::thread writer([&] {
        walwritevfs::WalWriteGathering gathering;
        QSqlDatabase db = fixture.database().connection();
        exec(db, u"PRAGMA synchronous=FULL"_s);
        const auto insert = [&db](qsizetype bytes) {
            return sql::run(db, u"insert"_s, u"INSERT INTO t (body) VALUES (?)"_s,
                            {QByteArray(bytes, 'x')})
                .ok();
        };
        firstCommitted = exec(db, u"BEGIN IMMEDIATE"_s) && insert(100) && exec(db, u"COMMIT"_s);
        const rlim_t limit =
            rlim_t(std::max(QFileInfo(wal).size(), QFileInfo(fixture.url().sqlitePath()).size()) +
                   64 * 1024);
        rlimit tight{limit, saved.rlim_max};
        setrlimit(RLIMIT_FSIZE, &tight);
        bigCommitted =
            exec(db, u"BEGIN IMMEDIATE"_s) && insert(1024 * 1024) && exec(db, u"COMMIT"_s);
        if (!bigCommitted)
            exec(db, u"ROLLBACK"_s);
        setrlimit(RLIMIT_FSIZE, &saved);
        lastCommitted = exec(db, u"BEGIN IMMEDIATE"_s) && insert(200) && exec(db, u"COMMIT"_s);
        db = QSqlDatabase();
        fixture.database().closeThreadConnection();
    });
    writer.join();
    setrlimit(RLIMIT_FSIZE, &saved);

    QVERIFY(firstCommitted);
    QVERIFY2(!bigCommitted, "the commit whose WAL write failed reported success");
    QVERIFY(lastCommitted);
    auto sizes = sql::scalar(reader, u"sizes"_s, u"SELECT group_concat(length(body)) FROM t"_s);
    QVERIFY(sizes.ok());
    QCOMPARE(sizes->value().toString(), u"100,200"_s);
    auto integrity = sql::scalar(reader, u"integrity"_s, u"PRAGMA integrity_check"_s);
    QCOMPARE(integrity->value().toString(), u"ok"_s);
}

void TestWalWriteVfs::writebackStartsOnTheDatabaseFileOnly()
{
    // The checkpointer starts the database file's writeback through the descriptor this VFS
    // found for it (read from SQLite's own file object and checked with fstat). If SQLite's
    // layout ever changes, this fails instead of the checkpointer silently syncing for real.
    TestDatabase fixture;
    QVERIFY(createTable(fixture));
    QVERIFY(exec(fixture.connection(), u"INSERT INTO t (body) VALUES (zeroblob(10000))"_s));
    sqlite3 *connection = sqlitenative::connectionOf(fixture.connection());
    QVERIFY(connection);
    sqlite3_file *database = nullptr;
    QCOMPARE(sqlite3_file_control(connection, "main", SQLITE_FCNTL_FILE_POINTER, &database),
             SQLITE_OK);
    QVERIFY(walwritevfs::startWriteback(database));
    sqlite3_file *wal = nullptr;
    QCOMPARE(sqlite3_file_control(connection, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal),
             SQLITE_OK);
    QVERIFY(wal);
    QVERIFY(!walwritevfs::startWriteback(wal)); // the WAL is the WalSyncer's
    QVERIFY(!walwritevfs::startWriteback(nullptr));
}

QTEST_GUILESS_MAIN(TestWalWriteVfs)
#include "tst_walwritevfs.moc"
