// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/sqlitenative.h"

#include <QDateTime>
#include <QSqlDriver>
#include <QSqlResult>

#include <sqlite3.h>

#include <cstring>
#include <deque>

using namespace Qt::StringLiterals;

namespace callwatch::store::sqlitenative {

namespace {

sqlite3_stmt *statementOf(const QSqlQuery &query)
{
    const QSqlResult *result = query.result();
    if (!result || !query.driver() || query.driver()->dbmsType() != QSqlDriver::SQLite)
        return nullptr;
    const QVariant handle = result->handle();
    if (!handle.isValid() || std::strcmp(handle.typeName(), "sqlite3_stmt*") != 0)
        return nullptr;
    return *static_cast<sqlite3_stmt *const *>(handle.constData());
}

// QSqlResultPrivate::isVariantNull(): a null QString / QByteArray / date is SQL NULL too.
bool isNull(const QVariant &value)
{
    if (value.isNull())
        return true;
    switch (value.typeId()) {
    case QMetaType::QString:
        return static_cast<const QString *>(value.constData())->isNull();
    case QMetaType::QByteArray:
        return static_cast<const QByteArray *>(value.constData())->isNull();
    case QMetaType::QDateTime:
        return !value.toDateTime().isValid();
    default:
        return false;
    }
}

// The conversions of QSQLiteResult::exec() (Qt 6.4), so a value is stored with the same type
// whichever path wrote it.
int bind(sqlite3_stmt *stmt, int column, const QVariant &value, std::deque<QByteArray> &utf8)
{
    if (isNull(value))
        return sqlite3_bind_null(stmt, column);
    switch (value.typeId()) {
    case QMetaType::QByteArray: {
        const auto *bytes = static_cast<const QByteArray *>(value.constData());
        return sqlite3_bind_blob(stmt, column, bytes->constData(), int(bytes->size()),
                                 SQLITE_STATIC);
    }
    case QMetaType::Int:
    case QMetaType::Bool:
        return sqlite3_bind_int(stmt, column, value.toInt());
    case QMetaType::Double:
        return sqlite3_bind_double(stmt, column, value.toDouble());
    case QMetaType::UInt:
    case QMetaType::LongLong:
        return sqlite3_bind_int64(stmt, column, value.toLongLong());
    case QMetaType::QDateTime: {
        const QString text = value.toDateTime().toString(Qt::ISODateWithMs);
        return sqlite3_bind_text16(stmt, column, text.constData(), int(text.size() * 2),
                                   SQLITE_TRANSIENT);
    }
    case QMetaType::QString: {
        // UTF-8, the database's encoding: bound as UTF-16, SQLite converted every value with its
        // own byte loop and a copy (4-5 % of the webhook writer). `utf8` outlives the step.
        utf8.push_back(static_cast<const QString *>(value.constData())->toUtf8());
        const QByteArray &bytes = utf8.back();
        return sqlite3_bind_text(stmt, column, bytes.constData(), int(bytes.size()), SQLITE_STATIC);
    }
    default: {
        const QString text = value.toString();
        return sqlite3_bind_text16(stmt, column, text.constData(), int(text.size() * 2),
                                   SQLITE_TRANSIENT);
    }
    }
}

RunResult failed(sqlite3_stmt *stmt, const QString &message, bool wasInTransaction)
{
    RunResult result;
    result.status = RunResult::Status::Failed;
    result.error = message;
    result.transactionLost = wasInTransaction && sqlite3_get_autocommit(sqlite3_db_handle(stmt));
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return result;
}

} // namespace

RunResult run(const QSqlQuery &prepared, const QVariantList &values, const RowCallback &onRow,
              qsizetype *rowsSeen)
{
    sqlite3_stmt *stmt = statementOf(prepared);
    if (!stmt)
        return {};
    sqlite3 *db = sqlite3_db_handle(stmt);
    sqlite3_reset(stmt); // a previous QtSql run may have left it on a row
    const bool wasInTransaction = !sqlite3_get_autocommit(db);
    if (sqlite3_bind_parameter_count(stmt) != values.size())
        return failed(stmt, u"Parameter count mismatch"_s, wasInTransaction);
    std::deque<QByteArray> utf8; // text values as bound; a deque never moves its elements
    for (qsizetype i = 0; i < values.size(); ++i) {
        if (bind(stmt, int(i + 1), values.at(i), utf8) != SQLITE_OK)
            return failed(stmt, QString::fromUtf8(sqlite3_errmsg(db)), wasInTransaction);
    }
    int rc = sqlite3_step(stmt);
    while (rc == SQLITE_ROW) {
        if (onRow) {
            onRow(stmt);
            if (rowsSeen)
                ++*rowsSeen;
        }
        rc = sqlite3_step(stmt);
    }
    if (rc != SQLITE_DONE)
        return failed(stmt, QString::fromUtf8(sqlite3_errmsg(db)), wasInTransaction);
    RunResult result;
    result.status = RunResult::Status::Done;
    result.changes = sqlite3_changes(db);
    result.lastInsertId = sqlite3_last_insert_rowid(db);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt); // the bound text points into `values` and `utf8`
    return result;
}

sqlite3 *connectionOf(const QSqlDatabase &db)
{
    if (!db.driver() || db.driver()->dbmsType() != QSqlDriver::SQLite)
        return nullptr;
    const QVariant handle = db.driver()->handle();
    if (!handle.isValid() || std::strcmp(handle.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(handle.constData());
}

bool inTransaction(const QSqlDatabase &db)
{
    sqlite3 *connection = connectionOf(db);
    return connection && !sqlite3_get_autocommit(connection);
}

bool setLookaside(const QSqlDatabase &db, int slotBytes, int slots)
{
    sqlite3 *connection = connectionOf(db);
    return connection && sqlite3_db_config(connection, SQLITE_DBCONFIG_LOOKASIDE, nullptr,
                                           slotBytes, slots) == SQLITE_OK;
}

} // namespace callwatch::store::sqlitenative
