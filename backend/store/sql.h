// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariant>

#include <functional>
#include <memory>
#include <optional>

struct sqlite3_stmt;

/**
 * @brief Short helpers so repository code stays short, plus the one place where values are
 * converted to and from their column form (timestamps, JSON, NULL).
 *
 * Errors name the statement and carry the driver's text; bound values are never part of them.
 */
namespace callwatch::store {
namespace statementcache {
struct Entry;
}
} // namespace callwatch::store

namespace callwatch::store::sql {

/**
 * @brief The rows of one executed statement (or, for writes, its affected-row count).
 *
 * Either a one-off query or a run of a cached prepared statement (SQLite). Letting it go
 * finishes the run, as destroying a QSqlQuery does; converts to `const QSqlQuery &` so the row
 * readers (`callFromRow(…)`) take it directly.
 */
class Rows
{
public:
    explicit Rows(QSqlQuery &&owned);
    Rows(std::shared_ptr<statementcache::Entry> cached, quint64 execution);
    Rows(Rows &&other) noexcept;
    Rows &operator=(Rows &&other) noexcept;
    Rows(const Rows &) = delete;
    Rows &operator=(const Rows &) = delete;
    ~Rows();

    bool next();
    QVariant value(int index) const;
    int numRowsAffected() const;
    void finish();
    const QSqlQuery &query() const;
    operator const QSqlQuery &() const { return query(); }

private:
    bool ownsRun() const;

    std::optional<QSqlQuery> m_owned;
    std::shared_ptr<statementcache::Entry> m_cached;
    quint64 m_execution = 0;
};

/// Prepares, binds (positional `?`) and executes. Rows, if any, are read from the returned query;
/// finish() it (or let it go) before committing: an open SQLite statement blocks COMMIT. Read all
/// the rows you need before running the next statement on the connection: QPSQL fetches
/// forward-only results row by row and cuts them short when another statement starts.
Result<Rows> exec(const QSqlDatabase &db, const QString &name, const QString &statement,
                  const QVariantList &values = {});
/// exec() for statements read to the end here: returns the number of affected rows.
Result<int> run(const QSqlDatabase &db, const QString &name, const QString &statement,
                const QVariantList &values = {});
/// What runWithLastId() returns.
struct RunResult
{
    int affected = 0;
    qint64 lastInsertId = 0; ///< SQLite's last_insert_rowid(); 0 on PostgreSQL
};
/// run() that also gives SQLite's last_insert_rowid(): a multi-row INSERT into an AUTOINCREMENT
/// table took the ids lastInsertId - affected + 1 … lastInsertId, in VALUES order.
Result<RunResult> runWithLastId(const QSqlDatabase &db, const QString &name,
                                const QString &statement, const QVariantList &values = {});
/// The first column of the first row, or nullopt when there is no row.
Result<std::optional<QVariant>> scalar(const QSqlDatabase &db, const QString &name,
                                       const QString &statement, const QVariantList &values = {});

/**
 * @brief One result row as forEachRow() hands it over: read straight from SQLite's statement
 * (no QVariant per value, no copy of the row set), or from the QSqlQuery on other drivers.
 * Valid only during the callback.
 */
class RowView
{
public:
    explicit RowView(sqlite3_stmt *row) : m_row(row) {}
    explicit RowView(const QSqlQuery &row) : m_query(&row) {}

    bool isNull(int column) const;
    qint64 integer(int column) const;  ///< 0 for NULL
    QString text(int column) const;    ///< a null QString for NULL
    QByteArray utf8(int column) const; ///< the text as UTF-8 bytes; null for NULL
    QDateTime time(int column) const;  ///< toTime() of the column

private:
    sqlite3_stmt *m_row = nullptr;
    const QSqlQuery *m_query = nullptr;
};

/// exec() for reads on a hot path: `onRow` sees each row in order while it is current.
Result<> forEachRow(const QSqlDatabase &db, const QString &name, const QString &statement,
                    const QVariantList &values, const std::function<void(const RowView &)> &onRow);

/// "(?, ?), (?, ?)" for a multi-row INSERT of `rows` rows of `columns` values.
QString valueRows(qsizetype rows, int columns);
/// "?, ?, ?" for an IN list of `count` values.
QString placeholders(qsizetype count);
/// Rows per multi-row statement: keeps the bound values well under every driver's limit.
constexpr qsizetype kRowsPerStatement = 200;

/// UTC, millisecond ISO-8601 with `Z`: sorts as text in SQLite, parses as TIMESTAMPTZ in
/// PostgreSQL.
QString timeText(const QDateTime &time);
QVariant time(const QDateTime &time); ///< NULL for an invalid time
QDateTime toTime(const QVariant &value);
QDateTime nowUtc(); ///< millisecond precision, as stored

QVariant text(const QString &value);     ///< NULL for an empty string
QVariant json(const QJsonObject &value); ///< NULL for an empty object
QVariant json(const QJsonArray &value);  ///< NULL for an empty array
/// json() for text already serialized in QJsonDocument's compact form; NULL when empty.
QVariant jsonFromText(const QByteArray &compact);
QJsonObject toJsonObject(const QVariant &value);
QJsonArray toJsonArray(const QVariant &value);
QVariant number(const std::optional<qint64> &value);
QVariant number(const std::optional<double> &value);
std::optional<qint64> toOptionalInt(const QVariant &value);
std::optional<double> toOptionalDouble(const QVariant &value);

} // namespace callwatch::store::sql
