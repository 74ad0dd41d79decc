// SPDX-License-Identifier: GPL-3.0-or-later
// The WAL checkpointer keeps the WAL bounded while a writer commits without pause.
#include "store/database.h"
#include "store/databaseurl.h"
#include "store/walcheckpointer.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <thread>

using namespace Qt::StringLiterals;
using namespace callwatch::store;

class TestWalCheckpointer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void walStaysBoundedUnderSteadyWrites();
    void writerCommitsWakeTheCheckpointer();
    void passScheduleLeavesLittleForTheWriter_data();
    void passScheduleLeavesLittleForTheWriter();
};

void TestWalCheckpointer::walStaysBoundedUnderSteadyWrites()
{
    // A writer that never pauses: PASSIVE checkpoints alone never catch up with the end of the
    // WAL, so SQLite never starts it over and the file grows with every commit. The writer's own
    // automatic checkpoint (at a raised threshold) must still bound it.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"wal.db"_s);
    auto url = DatabaseUrl::parse(u"sqlite://"_s + path);
    QVERIFY(url.ok());
    auto opened = Database::open(url.value());
    QVERIFY(opened.ok());
    Database &database = *opened.value();
    {
        QSqlQuery ddl(database.connection());
        QVERIFY(ddl.exec(u"CREATE TABLE t (v BLOB)"_s));
    }

    WalCheckpointer checkpointer(&database);
    checkpointer.setWriterCheckpointPages(256); // 1 MiB, so a short test shows the bound
    checkpointer.start(std::chrono::milliseconds(10));

    std::atomic<bool> done{false};
    std::atomic<qint64> commits{0};
    std::thread writer([&] {
        // Opened after start(), as the webhook writer's connection.
        QSqlDatabase db = database.connection();
        QSqlQuery query(db);
        query.exec(u"PRAGMA synchronous=OFF"_s); // a tight loop, not a disk benchmark
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 1500) {
            query.exec(u"INSERT INTO t (v) VALUES (randomblob(3000))"_s);
            ++commits;
        }
        db = QSqlDatabase();
        database.closeThreadConnection();
        done = true;
    });
    qint64 largestWal = 0;
    while (!done) {
        largestWal = qMax(largestWal, QFileInfo(path + u"-wal"_s).size());
        QTest::qWait(5);
    }
    writer.join();
    checkpointer.stop();

    const qint64 written = commits.load() * 4096; // a page per commit at least
    qInfo() << commits.load() << "commits," << written / 1024 << "KiB written, largest WAL"
            << largestWal / 1024 << "KiB";
    QVERIFY2(commits.load() > 4000, "the writer was too slow to show anything");
    // Without the bound the WAL holds every page written (at least `written`); with it, 256
    // pages plus whatever commits while a checkpoint pass holds the checkpoint lock (a few MiB
    // when the machine is busy).
    QVERIFY2(largestWal < written / 3, "the WAL grew with the commits instead of starting over");
}

void TestWalCheckpointer::writerCommitsWakeTheCheckpointer()
{
    // With watch(), the writer's commits wake the checkpointer as the log grows (here the timer
    // never fires), and the writer's own checkpoint at the limit still starts the log over,
    // also when it meets one of the checkpointer's passes.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"watched.db"_s);
    auto opened = Database::open(DatabaseUrl::parse(u"sqlite://"_s + path).value());
    QVERIFY(opened.ok());
    Database &database = *opened.value();
    {
        QSqlQuery ddl(database.connection());
        QVERIFY(ddl.exec(u"CREATE TABLE t (v BLOB)"_s));
    }
    WalCheckpointer checkpointer(&database);
    checkpointer.setWriterCheckpointPages(256);
    checkpointer.start(std::chrono::minutes(10));

    bool watching = false;
    qint64 commits = 0;
    qint64 largestWal = 0;
    std::thread writer([&] {
        QSqlDatabase db = database.connection();
        watching = checkpointer.watch(db);
        QSqlQuery query(db);
        query.exec(u"PRAGMA synchronous=OFF"_s);
        for (; commits < 3000; ++commits) {
            query.exec(u"INSERT INTO t (v) VALUES (randomblob(3000))"_s);
            largestWal = qMax(largestWal, QFileInfo(path + u"-wal"_s).size());
        }
        db = QSqlDatabase();
        database.closeThreadConnection();
    });
    writer.join();
    const quint64 passes = checkpointer.passes();
    checkpointer.stop();

    QVERIFY(watching);
    qInfo() << passes << "passes woken by" << commits << "commits; largest WAL" << largestWal / 1024
            << "KiB";
    QVERIFY2(passes >= 3, "the writer's commits did not wake the checkpointer");
    // At most the limit plus the commit that crossed it: the writer's checkpoint at the limit
    // waits for a pass it meets instead of giving up (which let the WAL grow to 2-4 times the
    // limit when the tests ran two at a time).
    QVERIFY2(largestWal < 2 * 256 * (4096 + 24), "the WAL grew past the writer's limit");
}

void TestWalCheckpointer::passScheduleLeavesLittleForTheWriter_data()
{
    QTest::addColumn<int>("limit");
    QTest::addColumn<int>("framesPerCommit");
    QTest::newRow("turns: small commits") << 16384 << 9;
    QTest::newRow("post-calls: large commits") << 16384 << 230;
    QTest::newRow("commits past several 32nds") << 16384 << 2100;
    QTest::newRow("a small limit") << 256 << 3;
}

void TestWalCheckpointer::passScheduleLeavesLittleForTheWriter()
{
    // The writer's own checkpoint at the limit holds every waiting request: the passes before
    // it must leave at most a 32nd of the limit (plus the commit that crossed it), with one pass
    // as the log crosses each 32nd.
    QFETCH(int, limit);
    QFETCH(int, framesPerCommit);
    const int unit = limit / 32;
    for (int cycle = 0; cycle < 2; ++cycle) { // and again after the log started over
        int nudgedStep = cycle == 0 ? 0 : 31;
        QList<int> passesAt;
        for (int frames = framesPerCommit; frames < limit; frames += framesPerCommit) {
            if (WalCheckpointer::passDue(frames, limit, nudgedStep))
                passesAt << frames;
        }
        QVERIFY(!passesAt.isEmpty());
        QVERIFY2(limit - passesAt.last() <= unit + framesPerCommit,
                 qPrintable(u"last pass at %1 of %2"_s.arg(passesAt.last()).arg(limit)));
        for (int step = 1; step < 32 && framesPerCommit <= unit; ++step) {
            const int boundary = step * unit;
            const auto crossing = std::count_if(passesAt.begin(), passesAt.end(), [&](int at) {
                return at >= boundary && at < boundary + unit;
            });
            QVERIFY2(crossing == 1,
                     qPrintable(u"%1 passes after %2"_s.arg(crossing).arg(boundary)));
        }
        QVERIFY2(passesAt.size() <= 31, qPrintable(u"%1 passes"_s.arg(passesAt.size())));
    }
}

QTEST_GUILESS_MAIN(TestWalCheckpointer)
#include "tst_walcheckpointer.moc"
