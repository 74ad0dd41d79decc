// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

#include <memory>

namespace callwatch::store {

/**
 * @brief Prepared statements kept per SQLite connection, so a hot statement is parsed once.
 *
 * QtSql prepares a statement every time a QSqlQuery is built; under webhook load SQLite spent
 * about a quarter of the writer's time in its parser. A connection belongs to one thread
 * (QtSql's rule), so each connection's statements are only touched by that thread; the lock
 * only guards the table of connections.
 *
 * Callers follow the contract written in sql.h: read every row you need before running the same
 * statement again and before a commit. So handing a statement out again, and committing, may
 * finish a query a previous user left open. PostgreSQL statements are not cached: the QPSQL path
 * inlines values (see sql.cpp).
 */
namespace statementcache {

/** One prepared statement; `execution` counts its runs so an old reader cannot finish a new run. */
struct Entry
{
    QSqlQuery query;
    quint64 execution = 0;
    bool handedOut = false; ///< handed out since the connection's last finishActive()
};

/// The prepared statement for `statement` on `db`, prepared now if needed. When preparing
/// fails, `error` receives the driver's text and nullptr is returned (nothing is cached).
std::shared_ptr<Entry> prepared(const QSqlDatabase &db, const QString &statement, QString *error);
/// Forgets a statement whose execution failed (e.g. its connection was closed and reopened).
void discard(const QSqlDatabase &db, const QString &statement);
/// Finishes every query of `db` still reading rows, so COMMIT / RELEASE are not refused. Only
/// the statements handed out since its last call can be reading: only those are looked at.
void finishActive(const QSqlDatabase &db);
/// How many statements `db` keeps prepared (at most a bounded number; the least recently used
/// one goes first).
std::size_t size(const QSqlDatabase &db);
/// The bound of size(), so that code building statement text dynamically (filters, IN lists)
/// cannot grow it without limit. Multi-row statements differ by their row count: the webhook
/// writer alone uses about five per group size it sees, several hundred with 128 connections,
/// and the least recently used go first (clearing the whole table when it filled up prepared
/// the hot statements again and again: writer CPU per turn doubled).
inline constexpr std::size_t kMaxStatements = 512;
/// Drops every statement of the connection; call before closing or removing it.
void drop(const QString &connectionName);

} // namespace statementcache
} // namespace callwatch::store
