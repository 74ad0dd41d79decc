// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/database.h"
#include "store/sql.h"
#include "store/statementcache.h"
#include "testdatabase.h"

#include <QFileInfo>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTest>
#include <QThread>

#include <cstdio>
#include <thread>

using namespace Qt::StringLiterals;
using namespace callwatch::store;
using callwatch::store::test::TestDatabase;

class TestDatabaseClass : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void opensAndPings_data() { TestDatabase::addDialectRows(); }
    void opensAndPings();
    void sqliteSettings();
    void statementCacheKeepsHotStatements();
    void postgresTimezone();
    void connectionPerThread_data() { TestDatabase::addDialectRows(); }
    void connectionPerThread();
    void adoptedThreadConnectionIsClosed();
    void closeThreadConnectionReconnects();
    void pingRecoversFromDroppedConnection();
    void valuesRoundTrip_data() { TestDatabase::addDialectRows(); }
    void valuesRoundTrip();
    void nulCharacters_data() { TestDatabase::addDialectRows(); }
    void nulCharacters();
    void runBindsLikeQtSql_data();
    void runBindsLikeQtSql();
    void runReportsFailures_data() { TestDatabase::addDialectRows(); }
    void runReportsFailures();
    void placeholderMismatch_data() { TestDatabase::addDialectRows(); }
    void placeholderMismatch();
    void unavailable_data();
    void unavailable();
    void toTimeReadsStoredForms_data();
    void toTimeReadsStoredForms();
    void timeTextMatchesQDate();
};

namespace {

QVariant pragma(QSqlDatabase db, const QString &name)
{
    QSqlQuery query(db);
    if (!query.exec(u"PRAGMA "_s + name) || !query.next())
        return {};
    return query.value(0);
}

} // namespace

void TestDatabaseClass::opensAndPings()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    QVERIFY(fixture.connection().isOpen());
    auto pinged = fixture.database().ping();
    QVERIFY2(pinged.ok(), qPrintable(pinged.error().message));
}

void TestDatabaseClass::sqliteSettings()
{
    TestDatabase fixture;
    QCOMPARE(fixture.create(u"sqlite"_s), TestDatabase::Status::Ready);
    QVERIFY(QFileInfo::exists(fixture.url().sqlitePath())); // parent directory was created
    QSqlDatabase db = fixture.connection();
    QCOMPARE(pragma(db, u"journal_mode"_s).toString(), u"wal"_s);
    QCOMPARE(pragma(db, u"synchronous"_s).toInt(), 2);                    // FULL
    QCOMPARE(pragma(db, u"checkpoint_fullfsync"_s).toInt(), 1);           // see walwritevfs.h
    QCOMPARE(pragma(db, u"journal_size_limit"_s).toLongLong(), 75497472); // > a 16384-page WAL
    QCOMPARE(pragma(db, u"foreign_keys"_s).toInt(), 1);
    QCOMPARE(pragma(db, u"busy_timeout"_s).toInt(), 10000);
}

void TestDatabaseClass::statementCacheKeepsHotStatements()
{
    // Statements built per row count (multi-row INSERTs) can outnumber the cache: the least
    // recently used go, a statement in use every time stays prepared (the same entry).
    TestDatabase fixture;
    QCOMPARE(fixture.create(u"sqlite"_s), TestDatabase::Status::Ready);
    QSqlDatabase db = fixture.connection();
    const QString hotText = u"SELECT ? + 1"_s;
    QString error;
    const auto hot = statementcache::prepared(db, hotText, &error);
    QVERIFY2(hot, qPrintable(error));
    const auto cold = statementcache::prepared(db, u"SELECT ? + 2"_s, &error);
    for (std::size_t n = 0; n < statementcache::kMaxStatements * 2; ++n) {
        QVERIFY(statementcache::prepared(db, u"SELECT ? * %1"_s.arg(n), &error));
        QCOMPARE(statementcache::prepared(db, hotText, &error), hot);
        QVERIFY(statementcache::size(db) <= statementcache::kMaxStatements);
    }
    QCOMPARE(statementcache::size(db), statementcache::kMaxStatements);
    QVERIFY(statementcache::prepared(db, u"SELECT ? + 2"_s, &error) != cold); // let go
    auto value = sql::scalar(db, u"hot"_s, hotText, {41});
    QVERIFY2(value.ok(), qPrintable(value.error().message));
    QCOMPARE(value->value().toInt(), 42);
}

void TestDatabaseClass::postgresTimezone()
{
    TestDatabase fixture;
    const auto status = fixture.create(u"postgresql"_s);
    if (status == TestDatabase::Status::Skip)
        QSKIP(qPrintable(fixture.message()));
    QVERIFY2(status == TestDatabase::Status::Ready, qPrintable(fixture.message()));
    auto zone = sql::scalar(fixture.connection(), u"show_timezone"_s, u"SHOW TIME ZONE"_s);
    QVERIFY(zone.ok());
    QCOMPARE(zone->value_or(QVariant()).toString(), u"UTC"_s);
}

void TestDatabaseClass::connectionPerThread()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    QSqlDatabase mainDb = fixture.connection();
    QVERIFY(sql::run(mainDb, u"create"_s, u"CREATE TABLE t (v INTEGER)"_s).ok());
    const QString mainName = mainDb.connectionName();
    QCOMPARE(fixture.connection().connectionName(), mainName); // stable within a thread

    QString workerName;
    bool workerOk = false;
    std::unique_ptr<QThread> worker(QThread::create([&] {
        QSqlDatabase db = fixture.connection();
        workerName = db.connectionName();
        workerOk =
            db.isOpen() && sql::run(db, u"insert"_s, u"INSERT INTO t (v) VALUES (?)"_s, {42}).ok();
    }));
    worker->start();
    QVERIFY(worker->wait(30000));
    QVERIFY(workerOk);
    QVERIFY(!workerName.isEmpty());
    QVERIFY(workerName != mainName);
    // The worker's connection was closed and removed when its thread finished.
    QVERIFY(!QSqlDatabase::contains(workerName));
    QVERIFY(QSqlDatabase::contains(mainName));
    auto value = sql::scalar(mainDb, u"read"_s, u"SELECT v FROM t"_s);
    QVERIFY(value.ok());
    QCOMPARE(value->value_or(QVariant()).toInt(), 42);
}

void TestDatabaseClass::adoptedThreadConnectionIsClosed()
{
    TestDatabase fixture;
    QCOMPARE(fixture.create(u"sqlite"_s), TestDatabase::Status::Ready);
    QString name;
    std::thread plain([&] { name = fixture.connection().connectionName(); });
    plain.join();
    QVERIFY(!name.isEmpty());
    QVERIFY(!QSqlDatabase::contains(name));
}

void TestDatabaseClass::closeThreadConnectionReconnects()
{
    TestDatabase fixture;
    QCOMPARE(fixture.create(u"sqlite"_s), TestDatabase::Status::Ready);
    const QString first = fixture.connection().connectionName();
    fixture.database().closeThreadConnection();
    QVERIFY(!QSqlDatabase::contains(first));
    QSqlDatabase again = fixture.connection();
    QVERIFY(again.isOpen());
    QVERIFY(again.connectionName() != first);
    QVERIFY(fixture.database().ping().ok());
}

void TestDatabaseClass::valuesRoundTrip()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    QSqlDatabase db = fixture.connection();
    const bool pg = fixture.database().dialect() == Dialect::Postgresql;
    QVERIFY(sql::run(db, u"create"_s,
                     u"CREATE TABLE v (t TEXT, n BIGINT, d DOUBLE PRECISION, b %1)"_s.arg(
                         pg ? u"BYTEA"_s : u"BLOB"_s))
                .ok());
    const QString text = u"O'Brien \\ \"q\" ? -- /* 名前 📞 $1 $$"_s;
    const qint64 big = 9007199254740993LL;
    const double fraction = 0.1 + 0.2;
    const QByteArray bytes("\x00'\\\xff?", 5);
    // A '?' inside a literal is not a placeholder.
    auto inserted =
        sql::run(db, u"insert"_s, u"INSERT INTO v (t, n, d, b) VALUES (? || '?', ?, ?, ?)"_s,
                 {text, big, fraction, bytes});
    QVERIFY2(inserted.ok(), qPrintable(inserted.error().message));
    QVERIFY(sql::run(db, u"insert null"_s, u"INSERT INTO v (t, n, d, b) VALUES (?, ?, ?, ?)"_s,
                     {QVariant(), sql::number(std::optional<qint64>()), QVariant(), QVariant()})
                .ok());
    auto query = sql::exec(db, u"read"_s,
                           u"SELECT t, n, d, b FROM v WHERE t = ? OR t IS NULL "
                           "ORDER BY t IS NULL"_s,
                           {QString(text + u'?')});
    QVERIFY(query.ok());
    QVERIFY(query->next());
    QCOMPARE(query->value(0).toString(), QString(text + u'?'));
    QCOMPARE(query->value(1).toLongLong(), big);
    QCOMPARE(query->value(2).toDouble(), fraction);
    QCOMPARE(query->value(3).toByteArray(), bytes);
    QVERIFY(query->next());
    QVERIFY(query->value(0).isNull());
    QVERIFY(query->value(1).isNull());
    QVERIFY(!query->next());
}

void TestDatabaseClass::nulCharacters()
{
    // A webhook may carry U+0000 (in text or as a JSON escape). PostgreSQL refuses it in text and
    // jsonb, which would fail the delivery on every retry: it must be stored, as U+FFFD there.
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    QSqlDatabase db = fixture.connection();
    const QString text = u"before"_s + QChar(0) + u"after"_s;
    // As the repositories write JSON columns: through sql::json().
    const QVariant json = sql::json(QJsonObject{{u"m"_s, QString(u"a"_s + QChar(0) + u"b"_s)}});
    const bool postgres = fixture.database().dialect() == Dialect::Postgresql;
    auto call = sql::run(
        db, u"call"_s,
        u"INSERT INTO calls (call_sid, status, created_at, updated_at, "
        "transcript_summary, analysis) VALUES (?, 'completed', ?, ?, ?, ?)"_s,
        {u"CA0"_s, sql::timeText(sql::nowUtc()), sql::timeText(sql::nowUtc()), text, json});
    QVERIFY2(call.ok(), qPrintable(call.error().message));
    auto row = sql::exec(db, u"read"_s, u"SELECT transcript_summary, analysis FROM calls"_s);
    QVERIFY(row.ok() && row->next());
    const QString expectedText = postgres ? u"before"_s + QChar(0xFFFD) + u"after"_s : text;
    QCOMPARE(row->value(0).toString(), expectedText);
    const QJsonObject analysis = sql::toJsonObject(row->value(1));
    QCOMPARE(analysis.value(u"m"_s).toString(), u"a"_s + QChar(0xFFFD) + u"b"_s);
}

void TestDatabaseClass::runBindsLikeQtSql_data()
{
    QTest::addColumn<QVariant>("value");
    QTest::newRow("invalid") << QVariant();
    QTest::newRow("null string") << QVariant(QString());
    QTest::newRow("empty string") << QVariant(u""_s);
    QTest::newRow("text") << QVariant(u"Grüße \"q\" 📞"_s);
    QTest::newRow("text with nul") << QVariant(QString(u"a"_s + QChar(0) + u"b"_s));
    QTest::newRow("null bytes") << QVariant(QByteArray());
    QTest::newRow("empty bytes") << QVariant(QByteArray(""));
    QTest::newRow("bytes") << QVariant(QByteArray("\x00\xff{}", 4));
    QTest::newRow("int") << QVariant(-7);
    QTest::newRow("bool") << QVariant(true);
    QTest::newRow("uint") << QVariant(4000000000u);
    QTest::newRow("int64") << QVariant(qint64(9007199254740993LL));
    QTest::newRow("uint64") << QVariant(quint64(18446744073709551615ULL));
    QTest::newRow("double") << QVariant(0.1 + 0.2);
    QTest::newRow("datetime") << QVariant(QDateTime::fromMSecsSinceEpoch(1700000000123, Qt::UTC));
    QTest::newRow("null datetime") << QVariant(QDateTime());
}

void TestDatabaseClass::runBindsLikeQtSql()
{
    // On SQLite, sql::run() binds through the C API (store/sqlitenative) and sql::exec() through
    // QtSql: the same value must be stored with the same type and bytes either way.
    QFETCH(QVariant, value);
    TestDatabase fixture;
    const auto status = fixture.create(u"sqlite"_s);
    QVERIFY2(status == TestDatabase::Status::Ready, qPrintable(fixture.message()));
    QSqlDatabase db = fixture.connection();
    QVERIFY(sql::run(db, u"create"_s, u"CREATE TABLE v (path TEXT, x)"_s).ok());
    const QString insert = u"INSERT INTO v (path, x) VALUES (?, ?)"_s;
    auto native = sql::runWithLastId(db, u"native"_s, insert, {u"run"_s, value});
    QVERIFY2(native.ok(), qPrintable(native.error().message));
    QCOMPARE(native->affected, 1);
    QCOMPARE(native->lastInsertId, 1);
    auto qt = sql::exec(db, u"qt"_s, insert + u" RETURNING rowid"_s, {u"exec"_s, value});
    QVERIFY2(qt.ok(), qPrintable(qt.error().message));
    QVERIFY(qt->next());
    QCOMPARE(qt->value(0).toLongLong(), 2);
    qt->finish();
    QStringList seen;
    auto rows = sql::exec(
        db, u"read"_s, u"SELECT typeof(x) || ' ' || COALESCE(hex(x), '') FROM v ORDER BY rowid"_s);
    QVERIFY(rows.ok());
    while (rows->next())
        seen << rows->value(0).toString();
    QCOMPARE(seen.size(), 2);
    QCOMPARE(seen.at(0), seen.at(1));
}

void TestDatabaseClass::runReportsFailures()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    QSqlDatabase db = fixture.connection();
    QVERIFY(sql::run(db, u"create"_s, u"CREATE TABLE u (k TEXT PRIMARY KEY, n INTEGER NOT NULL)"_s)
                .ok());
    const QString insert = u"INSERT INTO u (k, n) VALUES (?, ?)"_s;
    QCOMPARE(sql::run(db, u"first"_s, insert, {u"a"_s, 1}).value(), 1);
    auto duplicate = sql::run(db, u"second"_s, insert, {u"a"_s, 2});
    QVERIFY(!duplicate.ok());
    QCOMPARE(duplicate.error().code, u"database_error"_s);
    // The driver's reason reaches the caller (SQLite: "UNIQUE constraint failed", PostgreSQL:
    // "duplicate key value violates unique constraint").
    QVERIFY2(duplicate.error().message.contains(u"unique"_s, Qt::CaseInsensitive),
             qPrintable(duplicate.error().message));
    auto mismatch = sql::run(db, u"mismatch"_s, insert, {u"b"_s});
    QVERIFY(!mismatch.ok());
    // The statement is usable again after a failure, and nothing half-written stayed behind.
    QCOMPARE(sql::run(db, u"again"_s, insert, {u"b"_s, 2}).value(), 1);
    QCOMPARE(sql::scalar(db, u"count"_s, u"SELECT COUNT(*) FROM u"_s).value()->toInt(), 2);
}

void TestDatabaseClass::placeholderMismatch()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    QSqlDatabase db = fixture.connection();
    const QList<QVariantList> cases{QVariantList{QVariant(1)},
                                    QVariantList{QVariant(1), QVariant(2), QVariant(3)}};
    for (const QVariantList &values : cases) {
        auto result = sql::exec(db, u"mismatch"_s, u"SELECT ?, ?"_s, values);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, u"database_error"_s);
        QVERIFY(result.error().message.contains(u"mismatch"));
    }
}

void TestDatabaseClass::pingRecoversFromDroppedConnection()
{
    TestDatabase fixture;
    const auto status = fixture.create(u"postgresql"_s);
    if (status == TestDatabase::Status::Skip)
        QSKIP(qPrintable(fixture.message()));
    QVERIFY2(status == TestDatabase::Status::Ready, qPrintable(fixture.message()));
    QSqlDatabase held = fixture.connection(); // as a repository would hold it
    const QVariant pid =
        sql::scalar(held, u"pid"_s, u"SELECT pg_backend_pid()"_s).value().value_or(QVariant());
    // The server drops the connection (restart, idle timeout, admin).
    std::unique_ptr<QThread> admin(QThread::create([&] {
        (void)sql::scalar(fixture.database().connection(), u"kill"_s,
                          u"SELECT pg_terminate_backend(?)"_s, {pid});
    }));
    admin->start();
    QVERIFY(admin->wait(30000));

    auto failed = fixture.database().ping();
    QVERIFY(!failed.ok());
    QCOMPARE(failed.error().code, u"database_unavailable"_s);
    auto recovered = fixture.database().ping();
    QVERIFY2(recovered.ok(), qPrintable(recovered.error().message));
    auto again = sql::scalar(held, u"after"_s, u"SELECT pg_backend_pid()"_s);
    QVERIFY2(again.ok(), qPrintable(again.error().message));
    QVERIFY(again->value_or(QVariant()) != pid);
}

void TestDatabaseClass::unavailable_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("shown");
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    QTest::newRow("postgres refused")
        << u"postgresql://cw:hunter2@127.0.0.1:1/cw"_s << u"postgresql://cw:***@127.0.0.1:1/cw"_s;
    QTest::newRow("sqlite unwritable")
        << u"sqlite:///proc/callwatch-test/x.db"_s << u"sqlite:///proc/callwatch-test/x.db"_s;
}

void TestDatabaseClass::unavailable()
{
    QFETCH(QString, url);
    auto parsed = DatabaseUrl::parse(url);
    QVERIFY(parsed.ok());
    auto database = Database::open(parsed.value());
    QVERIFY(!database.ok());
    QCOMPARE(database.error().code, u"database_unavailable"_s);
    QFETCH(QString, shown);
    QVERIFY2(database.error().message.contains(shown), qPrintable(database.error().message));
    QVERIFY(!database.error().message.contains(u"hunter2"));
}

void TestDatabaseClass::toTimeReadsStoredForms_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QDateTime>("expected"); // invalid: not a time
    const auto utc = [](int y, int mo, int d, int h, int mi, int s, int ms) {
        return QDateTime(QDate(y, mo, d), QTime(h, mi, s, ms), Qt::UTC);
    };
    QTest::newRow("timeText") << u"2024-05-01T09:30:00.123Z"_s << utc(2024, 5, 1, 9, 30, 0, 123);
    QTest::newRow("leap day") << u"2024-02-29T23:59:59.999Z"_s << utc(2024, 2, 29, 23, 59, 59, 999);
    QTest::newRow("postgres") << u"2024-05-01 09:30:00.123+00"_s << utc(2024, 5, 1, 9, 30, 0, 123);
    QTest::newRow("offset") << u"2024-05-01T11:30:00.123+02:00"_s << utc(2024, 5, 1, 9, 30, 0, 123);
    QTest::newRow("no millis") << u"2024-05-01T09:30:00Z"_s << utc(2024, 5, 1, 9, 30, 0, 0);
    QTest::newRow("padded") << u" 2024-05-01T09:30:00.123Z "_s << utc(2024, 5, 1, 9, 30, 0, 123);
    QTest::newRow("no such day") << u"2023-02-29T09:30:00.123Z"_s << QDateTime();
    QTest::newRow("hour 25") << u"2024-05-01T25:30:00.123Z"_s << QDateTime();
    QTest::newRow("letters") << u"2024-05-01T09:3x:00.123Z"_s << QDateTime();
    QTest::newRow("garbage") << u"yesterday"_s << QDateTime();
}

void TestDatabaseClass::toTimeReadsStoredForms()
{
    // timeText()'s own form is read by hand; every form must read as before, and round-trip.
    QFETCH(QString, text);
    QFETCH(QDateTime, expected);
    const QDateTime read = sql::toTime(QVariant(text));
    QCOMPARE(read.isValid(), expected.isValid());
    if (!expected.isValid())
        return;
    QCOMPARE(read, expected);
    QCOMPARE(read.timeSpec(), Qt::UTC);
    QCOMPARE(sql::toTime(QVariant(sql::timeText(read))), read);
    QCOMPARE(sql::toTime(QVariant(sql::timeText(read))).timeSpec(), Qt::UTC);
}

void TestDatabaseClass::timeTextMatchesQDate()
{
    // timeText() computes the civil date itself: it must print what QDate/QTime say, for every
    // day of the years we stamp and around the edges of its range.
    const auto reference = [](const QDateTime &time) {
        const QDateTime utc = time.toUTC();
        char text[40];
        const int length = std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                                         utc.date().year(), utc.date().month(), utc.date().day(),
                                         utc.time().hour(), utc.time().minute(),
                                         utc.time().second(), utc.time().msec());
        return QString::fromLatin1(text, length);
    };
    QList<QDateTime> times;
    for (qint64 day = 0; day < 40 * 366; day += 1) // 1970 … 2010, every day
        times << QDateTime::fromMSecsSinceEpoch(day * 86400000 + (day * 7919) % 86400000, Qt::UTC);
    for (qint64 ms = 0; ms < 253402300800000; ms += 9999991999) // to 9999, every ~116 days
        times << QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
    times << QDateTime::fromMSecsSinceEpoch(0, Qt::UTC)
          << QDateTime(QDate(2000, 2, 29), QTime(23, 59, 59, 999), Qt::UTC)
          << QDateTime(QDate(2100, 3, 1), QTime(0, 0), Qt::UTC)
          << QDateTime(QDate(9999, 12, 31), QTime(23, 59, 59, 999), Qt::UTC)
          << QDateTime(QDate(1969, 12, 31), QTime(23, 59, 59, 999), Qt::UTC) // general path
          << QDateTime(QDate(2024, 5, 1), QTime(11, 30), Qt::OffsetFromUTC, 7200)
          << QDateTime(QDate(2024, 5, 1), QTime(11, 30), Qt::LocalTime);
    for (const QDateTime &time : times)
        QCOMPARE(sql::timeText(time), reference(time));
}

QTEST_GUILESS_MAIN(TestDatabaseClass)
#include "tst_database.moc"
