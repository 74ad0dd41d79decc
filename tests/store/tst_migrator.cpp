// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/callrepository.h"
#include "store/migrator.h"
#include "store/sql.h"
#include "testdatabase.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTest>
#include <QThread>

using namespace Qt::StringLiterals;
using namespace callwatch;
using namespace callwatch::store;
using callwatch::store::test::TestDatabase;

Q_DECLARE_METATYPE(callwatch::store::Migration)

class TestMigrator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void builtinMigrationsMatchTheFiles();
    void appliesToEmptyDatabase_data() { TestDatabase::addDialectRows(); }
    void appliesToEmptyDatabase();
    void secondRunChangesNothing_data() { TestDatabase::addDialectRows(); }
    void secondRunChangesNothing();
    void tamperedChecksumIsRefused_data() { TestDatabase::addDialectRows(); }
    void tamperedChecksumIsRefused();
    void newerDatabaseIsRefused_data() { TestDatabase::addDialectRows(); }
    void newerDatabaseIsRefused();
    void failingMigrationRollsBack_data() { TestDatabase::addDialectRows(); }
    void failingMigrationRollsBack();
    void laterMigrationIsPlannedAndApplied_data() { TestDatabase::addDialectRows(); }
    void laterMigrationIsPlannedAndApplied();
    void concurrentApplyIsSafe_data() { TestDatabase::addDialectRows(); }
    void concurrentApplyIsSafe();
    void callSequencesKeepCounters_data() { TestDatabase::addDialectRows(); }
    void callSequencesKeepCounters();
    void turnsKeptWhenSequenceIndexGoes_data() { TestDatabase::addDialectRows(); }
    void turnsKeptWhenSequenceIndexGoes();
    void badMigrationLists_data();
    void badMigrationLists();
};

namespace {

/// The built-in migrations up to `version`: a database as an older release left it.
bool applyUpTo(QSqlDatabase db, int version)
{
    QList<Migration> upTo = Migrator::builtinMigrations(Database::dialectOf(db)).value();
    while (upTo.constLast().version > version)
        upTo.removeLast();
    return Migrator(db, upTo).apply().ok();
}

QStringList tables(QSqlDatabase db)
{
    QStringList names = db.tables(QSql::Tables);
    names.sort();
    return names;
}

Result<int> count(QSqlDatabase db, const QString &table)
{
    auto value = sql::scalar(db, u"count"_s, u"SELECT COUNT(*) FROM "_s + table);
    if (!value)
        return value.error();
    return value->value_or(QVariant()).toInt();
}

QList<Migration> twoMigrations()
{
    return {Migration::fromSql(1, u"first"_s, "CREATE TABLE first_table (x INTEGER);"),
            Migration::fromSql(2, u"second"_s,
                               "CREATE TABLE second_table (y INTEGER);\n"
                               "INSERT INTO second_table (y) VALUES (1);")};
}

} // namespace

void TestMigrator::builtinMigrationsMatchTheFiles()
{
    for (const auto &[dialect, dir] : {std::pair{Dialect::Sqlite, u"sqlite"_s},
                                       std::pair{Dialect::Postgresql, u"postgresql"_s}}) {
        auto builtin = Migrator::builtinMigrations(dialect);
        QVERIFY2(builtin.ok(), qPrintable(builtin.error().message));
        auto onDisk =
            Migrator::loadDirectory(QStringLiteral(CALLWATCH_SOURCE_DIR) + u"/migrations/"_s + dir);
        QVERIFY(onDisk.ok());
        // Every file in migrations/ is listed in the resources (and nothing else).
        QCOMPARE(builtin->size(), onDisk->size());
        for (qsizetype i = 0; i < builtin->size(); ++i) {
            QCOMPARE(builtin->at(i).version, onDisk->at(i).version);
            QCOMPARE(builtin->at(i).checksum, onDisk->at(i).checksum);
        }
        QCOMPARE(builtin->first().version, 1);
        QCOMPARE(builtin->first().name, u"initial"_s);
        QCOMPARE(builtin->first().checksum,
                 QString::fromLatin1(
                     QCryptographicHash::hash(builtin->first().sql, QCryptographicHash::Sha256)
                         .toHex()));
    }
}

void TestMigrator::appliesToEmptyDatabase()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    Migrator migrator(fixture.connection());
    QCOMPARE(migrator.currentVersion().value(), 0);
    QCOMPARE(migrator.isCurrent().value(), false);
    auto planned = migrator.plan();
    QVERIFY(planned.ok());
    QCOMPARE(planned->size(), migrator.latestVersion());
    QVERIFY(tables(fixture.connection()).isEmpty()); // plan() changes nothing

    auto applied = migrator.apply();
    QVERIFY2(applied.ok(), qPrintable(applied.error().message));
    QCOMPARE(applied->size(), planned->size());
    QCOMPARE(migrator.currentVersion().value(), migrator.latestVersion());
    QCOMPARE(migrator.isCurrent().value(), true);
    const QStringList names = tables(fixture.connection());
    for (const char *table : {"calls", "call_transcriptions", "events", "webhook_deliveries",
                              "webhook_dedup", "schema_migrations"})
        QVERIFY2(names.contains(QLatin1StringView(table)), table);
    auto row =
        sql::exec(fixture.connection(), u"read"_s,
                  u"SELECT name, checksum, applied_at FROM schema_migrations WHERE version = 1"_s);
    QVERIFY(row.ok() && row->next());
    QCOMPARE(row->value(0).toString(), u"initial"_s);
    QCOMPARE(row->value(1).toString(),
             Migrator::builtinMigrations(fixture.database().dialect()).value().first().checksum);
    const QDateTime appliedAt = sql::toTime(row->value(2));
    QVERIFY(appliedAt.isValid());
    QVERIFY(qAbs(appliedAt.secsTo(QDateTime::currentDateTimeUtc())) < 600);
}

void TestMigrator::secondRunChangesNothing()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    Migrator migrator(fixture.connection());
    QCOMPARE(migrator.plan()->size(), 0);
    auto again = migrator.apply();
    QVERIFY2(again.ok(), qPrintable(again.error().message));
    QCOMPARE(again->size(), 0);
    QCOMPARE(count(fixture.connection(), u"schema_migrations"_s).value(), migrator.latestVersion());
}

void TestMigrator::tamperedChecksumIsRefused()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    QVERIFY(Migrator(fixture.connection(), twoMigrations()).apply().ok());
    // The binary now carries a different file for version 1 than the one applied.
    QList<Migration> changed = twoMigrations();
    changed[0] = Migration::fromSql(1, u"first"_s, "CREATE TABLE first_table (x TEXT);");
    Migrator migrator(fixture.connection(), changed);
    for (const auto &result : {migrator.plan(), migrator.apply()}) {
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, u"migration_checksum_mismatch"_s);
        QVERIFY2(result.error().message.contains(u"0001_first"),
                 qPrintable(result.error().message));
    }
    QVERIFY(!migrator.isCurrent().ok());

    // Same when the recorded checksum is edited in the database.
    QVERIFY(sql::run(fixture.connection(), u"tamper"_s,
                     u"UPDATE schema_migrations SET checksum = 'abc' WHERE version = 2"_s)
                .ok());
    auto refused = Migrator(fixture.connection(), twoMigrations()).apply();
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, u"migration_checksum_mismatch"_s);
    QVERIFY(refused.error().message.contains(u"0002_second"));
}

void TestMigrator::newerDatabaseIsRefused()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    QVERIFY(Migrator(fixture.connection(), twoMigrations()).apply().ok());
    // An older binary that knows only migration 1.
    Migrator older(fixture.connection(), {twoMigrations().first()});
    auto refused = older.apply();
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, u"database_newer_than_binary"_s);
    QVERIFY(refused.error().message.contains(u"2"));
    QVERIFY(!older.plan().ok());
    QVERIFY(!older.isCurrent().ok());
    QCOMPARE(older.currentVersion().value(), 2);
}

void TestMigrator::failingMigrationRollsBack()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    QList<Migration> migrations = twoMigrations();
    // Migration 3 does some work, then fails: none of its work may stay.
    migrations << Migration::fromSql(3, u"broken"_s,
                                     "CREATE TABLE third_table (z INTEGER);\n"
                                     "INSERT INTO second_table (y) VALUES (2);\n"
                                     "INSERT INTO no_such_table VALUES (1);\n"
                                     "CREATE TABLE never_made (w INTEGER);");
    Migrator migrator(fixture.connection(), migrations);
    auto result = migrator.apply();
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, u"migration_failed"_s);
    QVERIFY2(result.error().message.contains(u"0003_broken"), qPrintable(result.error().message));
    QCOMPARE(migrator.currentVersion().value(), 2);
    const QStringList names = tables(fixture.connection());
    QVERIFY(names.contains(u"second_table"_s));
    QVERIFY(!names.contains(u"third_table"_s));
    QVERIFY(!names.contains(u"never_made"_s));
    QCOMPARE(count(fixture.connection(), u"second_table"_s).value(), 1);
    QCOMPARE(migrator.plan()->size(), 1);
}

void TestMigrator::laterMigrationIsPlannedAndApplied()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    QList<Migration> migrations = twoMigrations();
    QVERIFY(Migrator(fixture.connection(), {migrations.first()}).apply().ok());
    Migrator newer(fixture.connection(), migrations);
    auto planned = newer.plan();
    QVERIFY(planned.ok());
    QCOMPARE(planned->size(), 1);
    QCOMPARE(planned->first().version, 2);
    QCOMPARE(newer.apply()->size(), 1);
    QCOMPARE(newer.currentVersion().value(), 2);
}

void TestMigrator::concurrentApplyIsSafe()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    Database &database = fixture.database();
    constexpr int kInstances = 3;
    QList<Result<QList<Migration>>> results(kInstances, Error{u"not_run"_s, {}});
    std::vector<std::unique_ptr<QThread>> threads;
    for (int i = 0; i < kInstances; ++i) {
        threads.emplace_back(QThread::create(
            [&database, &results, i] { results[i] = Migrator(database.connection()).apply(); }));
    }
    for (auto &thread : threads)
        thread->start();
    for (auto &thread : threads)
        QVERIFY(thread->wait(60000));
    qsizetype appliedTotal = 0;
    for (const auto &result : std::as_const(results)) {
        QVERIFY2(result.ok(), qPrintable(result.error().message));
        appliedTotal += result->size();
    }
    Migrator migrator(fixture.connection());
    QCOMPARE(appliedTotal, qsizetype(migrator.latestVersion())); // each applied exactly once
    QCOMPARE(migrator.isCurrent().value(), true);
}

void TestMigrator::callSequencesKeepCounters()
{
    // 0004 moves the per-call turn counters out of calls: a call that had numbered turns keeps
    // counting from where it was, one that had none starts at 1.
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    QSqlDatabase db = fixture.connection();
    QVERIFY(applyUpTo(db, 3));
    for (const auto &[sid, last] : {std::pair{u"CA_used"_s, 7}, std::pair{u"CA_new"_s, 0}}) {
        auto inserted =
            sql::run(db, u"insert"_s,
                     u"INSERT INTO calls (call_sid, status, created_at, updated_at, "
                     "last_sequence_number) VALUES (?, 'in_progress', ?, ?, ?)"_s,
                     {sid, sql::timeText(sql::nowUtc()), sql::timeText(sql::nowUtc()), last});
        QVERIFY2(inserted.ok(), qPrintable(inserted.error().message));
    }
    auto applied = Migrator(db).apply();
    QVERIFY2(applied.ok(), qPrintable(applied.error().message));

    CallRepository calls(db);
    const CallRecord used = calls.findByCallSid(u"CA_used"_s).value().value();
    const CallRecord fresh = calls.findByCallSid(u"CA_new"_s).value().value();
    QCOMPARE(used.lastSequenceNumber, 7);
    QCOMPARE(fresh.lastSequenceNumber, 0);
    NewTurn turn;
    turn.speaker = u"agent"_s;
    turn.message = u"m"_s;
    turn.turnKey = u"k"_s;
    QCOMPARE(calls.appendTurn(used.id, turn).value()->sequenceNumber, 8);
    QCOMPARE(calls.appendTurn(fresh.id, turn).value()->sequenceNumber, 1);
    QCOMPARE(calls.findById(used.id).value()->lastSequenceNumber, 8);
    // The old column is gone, so nothing can read a stale counter from it.
    QVERIFY(!sql::run(db, u"old"_s, u"SELECT last_sequence_number FROM calls"_s).ok());
}

void TestMigrator::turnsKeptWhenSequenceIndexGoes()
{
    // 0005 rebuilds call_transcriptions on SQLite without UNIQUE (call_id, sequence_number):
    // every stored turn keeps its id and fields, numbering continues, and a redelivered turn
    // key is still refused. PostgreSQL keeps the constraint.
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    QSqlDatabase db = fixture.connection();
    QVERIFY(applyUpTo(db, 4));
    CallRepository calls(db);
    NewCall input;
    input.callSid = u"CA_turns"_s;
    const CallRecord call = calls.createCall(input).value();
    QList<TranscriptTurn> before;
    for (int n = 1; n <= 3; ++n) {
        NewTurn turn;
        turn.speaker = n % 2 ? u"agent"_s : u"user"_s;
        turn.message = u"Turn %1 — Grüße"_s.arg(n);
        turn.timeInCallSecs = n * 1.5;
        turn.turnKey = u"k%1"_s.arg(n);
        before << calls.appendTurn(call.id, turn).value().value();
    }

    auto applied = Migrator(db).apply();
    QVERIFY2(applied.ok(), qPrintable(applied.error().message));

    const QList<TranscriptTurn> after =
        calls.getCallWithTranscript(u"CA_turns"_s).value().value().turns;
    QCOMPARE(after.size(), before.size());
    for (qsizetype i = 0; i < after.size(); ++i) {
        QCOMPARE(after[i].id, before[i].id);
        QCOMPARE(after[i].sequenceNumber, before[i].sequenceNumber);
        QCOMPARE(after[i].speaker, before[i].speaker);
        QCOMPARE(after[i].message, before[i].message);
        QCOMPARE(after[i].timeInCallSecs, before[i].timeInCallSecs);
        QCOMPARE(after[i].turnKey, before[i].turnKey);
    }
    NewTurn next;
    next.speaker = u"user"_s;
    next.message = u"after the migration"_s;
    next.turnKey = u"k4"_s;
    QCOMPARE(calls.appendTurn(call.id, next).value()->sequenceNumber, 4);
    next.turnKey = u"k2"_s; // stored before the migration
    QVERIFY(!calls.appendTurn(call.id, next).value().has_value());

    // The number guard: gone on SQLite (one writer at a time), kept on PostgreSQL.
    const auto duplicateNumber =
        sql::run(db, u"duplicate_number"_s,
                 u"INSERT INTO call_transcriptions (call_id, sequence_number, speaker, message, "
                 "received_at, source, turn_key) VALUES (?, 4, 'agent', 'x', ?, 'live', 'other')"_s,
                 {call.id, sql::timeText(sql::nowUtc())});
    QCOMPARE(duplicateNumber.ok(), fixture.database().dialect() == Dialect::Sqlite);
}

void TestMigrator::badMigrationLists_data()
{
    QTest::addColumn<QList<Migration>>("migrations");
    QTest::addColumn<QString>("code");
    QTest::newRow("duplicate version")
        << QList<Migration>{Migration::fromSql(1, u"a"_s, "SELECT 1"),
                            Migration::fromSql(1, u"b"_s, "SELECT 2")}
        << u"invalid_migration"_s;
    QTest::newRow("version zero") << QList<Migration>{Migration::fromSql(0, u"a"_s, "SELECT 1")}
                                  << u"invalid_migration"_s;
}

void TestMigrator::badMigrationLists()
{
    TestDatabase fixture;
    QCOMPARE(fixture.create(u"sqlite"_s), TestDatabase::Status::Ready);
    QFETCH(QList<Migration>, migrations);
    Migrator migrator(fixture.connection(), migrations);
    auto result = migrator.apply();
    QVERIFY(!result.ok());
    QTEST(result.error().code, "code");
    QVERIFY(tables(fixture.connection()).isEmpty());
}

QTEST_GUILESS_MAIN(TestMigrator)
#include "tst_migrator.moc"
