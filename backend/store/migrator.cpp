// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/migrator.h"

#include "store/database.h"
#include "store/logging.h"
#include "store/sql.h"
#include "store/sqlscript.h"
#include "store/transaction.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QRegularExpression>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace callwatch::store {

namespace {

// Any constant works: it only has to be the same for every instance of this program.
constexpr qint64 kMigrationLockKey = 0x63616c6c77617463; // "callwatc"

Error invalidMigration(const QString &message)
{
    return Error{u"invalid_migration"_s, message};
}

QString label(const Migration &migration)
{
    return u"%1_%2"_s.arg(migration.version, 4, 10, QLatin1Char('0')).arg(migration.name);
}

Result<QList<Migration>> sortedUnique(QList<Migration> migrations)
{
    std::sort(migrations.begin(), migrations.end(),
              [](const Migration &a, const Migration &b) { return a.version < b.version; });
    for (qsizetype i = 0; i < migrations.size(); ++i) {
        if (migrations.at(i).version <= 0)
            return invalidMigration(u"Migration versions start at 1."_s);
        if (i > 0 && migrations.at(i).version == migrations.at(i - 1).version)
            return invalidMigration(
                u"Two migrations have version %1."_s.arg(migrations.at(i).version));
    }
    return migrations;
}

} // namespace

Migration Migration::fromSql(int version, const QString &name, const QByteArray &sql)
{
    return Migration{
        version, name, sql,
        QString::fromLatin1(QCryptographicHash::hash(sql, QCryptographicHash::Sha256).toHex())};
}

Migrator::Migrator(QSqlDatabase db) : m_db(std::move(db)), m_dialect(Database::dialectOf(m_db))
{
    auto loaded = builtinMigrations(m_dialect);
    if (loaded)
        m_migrations = loaded.value();
    else
        m_loadError = loaded.error();
}

Migrator::Migrator(QSqlDatabase db, QList<Migration> migrations)
    : m_db(std::move(db)), m_dialect(Database::dialectOf(m_db))
{
    auto sorted = sortedUnique(std::move(migrations));
    if (sorted)
        m_migrations = sorted.value();
    else
        m_loadError = sorted.error();
}

Result<QList<Migration>> Migrator::builtinMigrations(Dialect dialect)
{
    const QString dir =
        dialect == Dialect::Sqlite ? u":/migrations/sqlite"_s : u":/migrations/postgresql"_s;
    auto migrations = loadDirectory(dir);
    if (migrations && migrations->isEmpty())
        return invalidMigration(u"No migrations are embedded at %1."_s.arg(dir));
    return migrations;
}

Result<QList<Migration>> Migrator::loadDirectory(const QString &path)
{
    static const QRegularExpression pattern(u"^(\\d{4,})_([A-Za-z0-9_]+)\\.sql$"_s);
    QList<Migration> migrations;
    const QStringList files = QDir(path).entryList(QDir::Files, QDir::Name);
    for (const QString &file : files) {
        const auto match = pattern.match(file);
        if (!match.hasMatch())
            return invalidMigration(
                u"%1 is not named NNNN_name.sql and cannot be a migration."_s.arg(file));
        QFile source(path + u'/' + file);
        if (!source.open(QIODevice::ReadOnly))
            return invalidMigration(u"Cannot read migration %1."_s.arg(file));
        migrations << Migration::fromSql(match.captured(1).toInt(), match.captured(2),
                                         source.readAll());
    }
    return sortedUnique(std::move(migrations));
}

int Migrator::latestVersion() const
{
    return m_migrations.isEmpty() ? 0 : m_migrations.constLast().version;
}

const Migration *Migrator::find(int version) const
{
    for (const Migration &migration : m_migrations) {
        if (migration.version == version)
            return &migration;
    }
    return nullptr;
}

Result<bool> Migrator::tableExists()
{
    const QString statement =
        m_dialect == Dialect::Sqlite
            ? u"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"_s
            : u"SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
              "AND tablename = 'schema_migrations'"_s;
    auto row = sql::scalar(m_db, u"schema_migrations_exists"_s, statement);
    if (!row)
        return row.error();
    return row->has_value();
}

Result<> Migrator::createTable()
{
    // Checked first so PostgreSQL does not print a NOTICE for IF NOT EXISTS on every run; the
    // caller holds the migration lock, so nobody creates it in between.
    auto exists = tableExists();
    if (!exists)
        return exists.error();
    if (exists.value())
        return {};
    const QString timeType = m_dialect == Dialect::Sqlite ? u"TEXT"_s : u"TIMESTAMPTZ"_s;
    auto created = sql::run(m_db, u"create_schema_migrations"_s,
                            u"CREATE TABLE IF NOT EXISTS schema_migrations ("
                            "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                            "checksum TEXT NOT NULL, applied_at "_s +
                                timeType + u" NOT NULL)"_s);
    if (!created)
        return created.error();
    return {};
}

Result<Migrator::AppliedMap> Migrator::readApplied()
{
    auto exists = tableExists();
    if (!exists)
        return exists.error();
    AppliedMap applied;
    if (!exists.value())
        return applied;
    auto query = sql::exec(m_db, u"read_schema_migrations"_s,
                           u"SELECT version, name, checksum FROM schema_migrations"_s);
    if (!query)
        return query.error();
    while (query->next())
        applied.insert(query->value(0).toInt(),
                       Applied{query->value(1).toString(), query->value(2).toString()});
    return applied;
}

Result<> Migrator::verify(const AppliedMap &applied) const
{
    if (!applied.isEmpty() && applied.lastKey() > latestVersion()) {
        return Error{u"database_newer_than_binary"_s,
                     u"The database is at migration %1 but this binary knows only up to %2; "
                     "run a newer callwatchd."_s.arg(applied.lastKey())
                         .arg(latestVersion())};
    }
    for (auto it = applied.cbegin(); it != applied.cend(); ++it) {
        const Migration *known = find(it.key());
        if (!known) {
            return Error{u"migration_unknown"_s,
                         u"The database has migration %1 (%2), which this binary does not "
                         "contain."_s.arg(it.key())
                             .arg(it->name)};
        }
        if (known->checksum != it->checksum) {
            return Error{u"migration_checksum_mismatch"_s,
                         u"Migration %1 was changed after it was applied (its checksum differs); "
                         "restore the original file."_s.arg(label(*known))};
        }
    }
    return {};
}

Result<QList<Migration>> Migrator::plan()
{
    if (!m_loadError.code.isEmpty())
        return m_loadError;
    auto applied = readApplied();
    if (!applied)
        return applied.error();
    if (auto verified = verify(applied.value()); !verified)
        return verified.error();
    QList<Migration> pending;
    for (const Migration &migration : std::as_const(m_migrations)) {
        if (!applied->contains(migration.version))
            pending << migration;
    }
    return pending;
}

Result<QList<Migration>> Migrator::apply()
{
    auto pending = plan();
    if (!pending)
        return pending;
    QList<Migration> done;
    for (const Migration &migration : std::as_const(pending.value())) {
        auto applied = applyOne(migration);
        if (!applied)
            return applied.error();
        if (applied.value())
            done << migration;
    }
    return done;
}

Result<bool> Migrator::applyOne(const Migration &migration)
{
    Transaction tx(m_db);
    if (auto begun = tx.status(); !begun)
        return begun.error();
    if (m_dialect == Dialect::Postgresql) {
        // Serialises instances: the loser waits here, then sees the winner's row below.
        auto locked = sql::scalar(m_db, u"migration_lock"_s, u"SELECT pg_advisory_xact_lock(?)"_s,
                                  {kMigrationLockKey});
        if (!locked)
            return locked.error();
    }
    if (auto created = createTable(); !created)
        return created.error();
    auto applied = readApplied();
    if (!applied)
        return applied.error();
    if (auto verified = verify(applied.value()); !verified)
        return verified.error();
    if (applied->contains(migration.version))
        return false; // another instance was quicker

    if (auto ran = runMigration(migration); !ran)
        return ran.error();
    auto recorded = sql::run(
        m_db, u"record_migration"_s,
        u"INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)"_s,
        {migration.version, migration.name, migration.checksum, sql::timeText(sql::nowUtc())});
    if (!recorded)
        return recorded.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    qCInfo(lcStore).noquote() << "Applied migration" << label(migration);
    return true;
}

Result<> Migrator::runMigration(const Migration &migration)
{
    const QStringList statements = splitSqlScript(QString::fromUtf8(migration.sql));
    for (qsizetype i = 0; i < statements.size(); ++i) {
        auto ran =
            sql::run(m_db, u"%1 statement %2"_s.arg(label(migration)).arg(i + 1), statements.at(i));
        if (!ran) {
            return Error{u"migration_failed"_s,
                         u"Migration %1 failed and was rolled back: %2"_s.arg(label(migration),
                                                                              ran.error().message)};
        }
    }
    return {};
}

Result<int> Migrator::currentVersion()
{
    auto applied = readApplied();
    if (!applied)
        return applied.error();
    return applied->isEmpty() ? 0 : applied->lastKey();
}

Result<bool> Migrator::isCurrent()
{
    auto pending = plan();
    if (!pending)
        return pending.error();
    return pending->isEmpty();
}

} // namespace callwatch::store
