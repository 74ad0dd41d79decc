// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"

#include <QSqlDatabase>

namespace callwatch::store {

/**
 * @brief RAII transaction that nests: the outermost one is a real transaction, inner ones are
 * savepoints, so a batch (e.g. a group of webhook deliveries) can run in one transaction while
 * each item can fail and roll back alone.
 *
 * SQLite starts with `BEGIN IMMEDIATE` so concurrent writers wait for the lock (busy timeout)
 * instead of failing when a read transaction tries to upgrade. Not committed → rolled back by the
 * destructor. The nesting depth is kept on the connection's driver object (one thread per
 * connection), so every Transaction on one connection sees the same depth.
 *
 * A statement that fails through sql::exec() marks the current level failed: committing that
 * level (or an outer one) is refused and rolls back, on SQLite exactly as PostgreSQL does by
 * itself, until a savepoint at or below the failure is rolled back.
 */
class Transaction
{
public:
    explicit Transaction(QSqlDatabase db);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    /// Error when BEGIN/SAVEPOINT failed; commit() then returns the same error.
    Result<> status() const;
    bool isActive() const { return m_active; }
    /// 1 for the outermost transaction, 2 for the first savepoint, …
    int level() const { return m_level; }

    Result<> commit();
    void rollback();

    /// Open transaction levels on this connection (0: none).
    static int depth(const QSqlDatabase &db);
    /// Records that a statement failed at the current level (no-op outside a transaction).
    static void markStatementFailed(const QSqlDatabase &db);

private:
    QSqlDatabase m_db;
    int m_level = 0;
    bool m_active = false;
    Error m_error;
};

} // namespace callwatch::store
