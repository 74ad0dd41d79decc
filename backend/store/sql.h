// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariant>

#include <optional>

/**
 * @brief Short helpers so repository code stays short, plus the one place where values are
 * converted to and from their column form (timestamps, JSON, NULL).
 *
 * Errors name the statement and carry the driver's text; bound values are never part of them.
 */
namespace callwatch::store::sql {

/// Prepares, binds (positional `?`) and executes. Rows, if any, are read from the returned query;
/// finish() it (or let it go) before committing: an open SQLite statement blocks COMMIT. Read all
/// the rows you need before running the next statement on the connection: QPSQL fetches
/// forward-only results row by row and cuts them short when another statement starts.
Result<QSqlQuery> exec(const QSqlDatabase &db, const QString &name, const QString &statement,
                       const QVariantList &values = {});
/// exec() for statements read to the end here: returns the number of affected rows.
Result<int> run(const QSqlDatabase &db, const QString &name, const QString &statement,
                const QVariantList &values = {});
/// The first column of the first row, or nullopt when there is no row.
Result<std::optional<QVariant>> scalar(const QSqlDatabase &db, const QString &name,
                                       const QString &statement, const QVariantList &values = {});

/// UTC, millisecond ISO-8601 with `Z`: sorts as text in SQLite, parses as TIMESTAMPTZ in
/// PostgreSQL.
QString timeText(const QDateTime &time);
QVariant time(const QDateTime &time); ///< NULL for an invalid time
QDateTime toTime(const QVariant &value);
QDateTime nowUtc(); ///< millisecond precision, as stored

QVariant text(const QString &value);     ///< NULL for an empty string
QVariant json(const QJsonObject &value); ///< NULL for an empty object
QVariant json(const QJsonArray &value);  ///< NULL for an empty array
QJsonObject toJsonObject(const QVariant &value);
QJsonArray toJsonArray(const QVariant &value);
QVariant number(const std::optional<qint64> &value);
QVariant number(const std::optional<double> &value);
std::optional<qint64> toOptionalInt(const QVariant &value);
std::optional<double> toOptionalDouble(const QVariant &value);

} // namespace callwatch::store::sql
