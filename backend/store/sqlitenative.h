// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSqlQuery>
#include <QString>
#include <QVariantList>

/**
 * Runs a statement QSQLITE has prepared through SQLite's C API, for statements whose rows are
 * not read (INSERT, UPDATE without RETURNING). Why: Qt 6.4's QSqlResult::bindValue() formats a
 * placeholder name and updates a hash for every positional value, which was about a seventh of
 * the webhook writer's CPU (a group of turns binds ~450 values). The values are bound exactly
 * as QSQLiteResult::exec() binds them, so the stored types do not change.
 */
namespace callwatch::store::sqlitenative {

struct RunResult
{
    enum class Status { Done, Failed, Unavailable };
    Status status = Status::Unavailable; ///< Unavailable: not a QSQLITE statement; use QtSql
    int changes = 0;
    qint64 lastInsertId = 0;
    QString error; ///< SQLite's message when Failed
};

/// Binds `values` to `prepared`'s statement, steps it to the end and resets it.
RunResult run(const QSqlQuery &prepared, const QVariantList &values);

} // namespace callwatch::store::sqlitenative
