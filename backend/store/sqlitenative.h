// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariantList>

#include <functional>

struct sqlite3;
struct sqlite3_stmt;

/**
 * Runs a statement QSQLITE has prepared through SQLite's C API: writes, and hot reads whose
 * rows are taken straight from the statement (no QVariant per value, no cached result copy). Why:
 * Qt 6.4's QSqlResult::bindValue() formats a placeholder name and updates a hash for every
 * positional value, which was about a seventh of the webhook writer's CPU (a group of turns binds
 * ~450 values). The values are bound exactly as QSQLiteResult::exec() binds them, so the stored
 * types do not change.
 */
namespace callwatch::store::sqlitenative {

struct RunResult
{
    enum class Status { Done, Failed, Unavailable };
    Status status = Status::Unavailable; ///< Unavailable: not a QSQLITE statement; use QtSql
    int changes = 0;
    qint64 lastInsertId = 0;
    QString error; ///< SQLite's message when Failed
    /// Failed, and SQLite rolled back the transaction it ran in (e.g. disk full): running the
    /// statement again would run it outside that transaction.
    bool transactionLost = false;
};

/// The SQLite connection behind `db`; nullptr for other drivers (and before it is open).
sqlite3 *connectionOf(const QSqlDatabase &db);
/// Whether `db` (a QSQLITE connection) is inside a transaction; false for other drivers.
bool inTransaction(const QSqlDatabase &db);

/// Gives `db` (QSQLITE) `slots` lookaside slots of `slotBytes`: SQLite's per-connection pool for
/// small allocations. Only while no statement holds lookaside memory; false when it did not take.
bool setLookaside(const QSqlDatabase &db, int slotBytes, int slots);

/// Called for each result row while the statement is positioned on it.
using RowCallback = std::function<void(sqlite3_stmt *row)>;

/// Binds `values` to `prepared`'s statement, steps it to the end (handing each row to `onRow`
/// when given) and resets it. `rowsSeen` counts the rows handed over, also when it fails.
RunResult run(const QSqlQuery &prepared, const QVariantList &values, const RowCallback &onRow = {},
              qsizetype *rowsSeen = nullptr);

} // namespace callwatch::store::sqlitenative
