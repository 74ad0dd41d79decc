// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"
#include "store/databaseurl.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QSqlDatabase>
#include <QString>

namespace callwatch::store {

/** @brief One numbered SQL file: `migrations/<dialect>/NNNN_name.sql`. */
struct Migration
{
    int version = 0;
    QString name;
    QByteArray sql;
    QString checksum; ///< sha256 hex of `sql`

    static Migration fromSql(int version, const QString &name, const QByteArray &sql);
};

/**
 * @brief Brings a database to the schema this binary expects.
 *
 * Each migration runs in its own transaction together with its row in `schema_migrations`
 * (version, name, sha256 checksum, applied_at), so a failing one leaves the previous version.
 * Refused: an applied migration whose file changed (`migration_checksum_mismatch`), a database
 * at a version this binary does not know (`database_newer_than_binary`). On PostgreSQL each
 * migration transaction takes an advisory lock and re-checks what is applied, so several
 * instances may call apply() at once.
 */
class Migrator
{
public:
    /// Uses the migrations embedded in the binary (`:/migrations/<dialect>/`).
    explicit Migrator(QSqlDatabase db);
    /// Uses exactly these migrations (tests, tools).
    Migrator(QSqlDatabase db, QList<Migration> migrations);

    static Result<QList<Migration>> builtinMigrations(Dialect dialect);
    /// Reads `NNNN_name.sql` files from a directory (a resource path works too).
    static Result<QList<Migration>> loadDirectory(const QString &path);

    /// The highest version this binary knows.
    int latestVersion() const;
    /// The migrations apply() would run, in order (`migrate --dry-run`).
    Result<QList<Migration>> plan();
    /// Applies the pending migrations; returns those it applied (another instance may do some).
    Result<QList<Migration>> apply();
    /// The highest applied version, 0 for an empty database.
    Result<int> currentVersion();
    /// True when everything is applied and nothing is refused (for /readyz).
    Result<bool> isCurrent();

private:
    struct Applied
    {
        QString name;
        QString checksum;
    };
    using AppliedMap = QMap<int, Applied>;

    Result<bool> tableExists();
    Result<> createTable();
    Result<AppliedMap> readApplied();
    Result<> verify(const AppliedMap &applied) const;
    Result<bool> applyOne(const Migration &migration);
    Result<> runMigration(const Migration &migration);
    const Migration *find(int version) const;

    QSqlDatabase m_db;
    Dialect m_dialect;
    QList<Migration> m_migrations; ///< sorted by version
    Error m_loadError;
};

} // namespace callwatch::store
