// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/transaction.h"

#include "store/database.h"
#include "store/logging.h"
#include "store/statementcache.h"

#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace callwatch::store {

namespace {

constexpr auto kDepthProperty = "_callwatch_tx_depth";
constexpr auto kFailedProperty = "_callwatch_tx_failed"; // bit N set: a statement failed at level N
constexpr int kMaxTrackedLevel = 63;

quint64 levelBit(int level)
{
    return quint64(1) << std::min(level, kMaxTrackedLevel);
}

// Bits of `level` and every deeper level.
quint64 levelsFrom(int level)
{
    return ~(levelBit(level) - 1);
}

quint64 failedLevels(const QSqlDatabase &db)
{
    return db.driver() ? db.driver()->property(kFailedProperty).toULongLong() : 0;
}

void setFailedLevels(const QSqlDatabase &db, quint64 bits)
{
    if (db.driver())
        db.driver()->setProperty(kFailedProperty, bits);
}

void setDepth(const QSqlDatabase &db, int depth)
{
    if (db.driver())
        db.driver()->setProperty(kDepthProperty, depth);
}

Result<> execControl(const QSqlDatabase &db, const QString &statement)
{
    if (Database::dialectOf(db) == Dialect::Sqlite) {
        // Every transaction runs these: prepare them once per connection. A query still reading
        // rows would make SQLite refuse COMMIT or RELEASE (sql.h: read before you commit).
        if (!statement.startsWith(u"SAVEPOINT") && !statement.startsWith(u"BEGIN"))
            statementcache::finishActive(db);
        QString driverMessage;
        auto entry = statementcache::prepared(db, statement, &driverMessage);
        if (entry && entry->query.exec())
            return {};
        if (entry)
            driverMessage = entry->query.lastError().text();
        statementcache::discard(db, statement);
        return Error{u"database_error"_s, statement + u" failed: " + driverMessage};
    }
    QSqlQuery query(db);
    if (query.exec(statement))
        return {};
    return Error{u"database_error"_s, statement + u" failed: " + query.lastError().text()};
}

QString savepointName(int level)
{
    return u"sp_"_s + QString::number(level);
}

} // namespace

Transaction::Transaction(QSqlDatabase db) : m_db(std::move(db)), m_level(depth(m_db) + 1)
{
    QString statement;
    if (m_level > 1)
        statement = u"SAVEPOINT "_s + savepointName(m_level);
    else if (Database::dialectOf(m_db) == Dialect::Sqlite)
        statement = u"BEGIN IMMEDIATE"_s;
    else
        statement = u"BEGIN"_s;
    auto begun = execControl(m_db, statement);
    if (!begun) {
        m_error = begun.error();
        qCWarning(lcStore).noquote() << m_error.message;
        return;
    }
    m_active = true;
    setDepth(m_db, m_level);
    if (m_level == 1)
        setFailedLevels(m_db, 0);
}

Transaction::~Transaction()
{
    if (m_active)
        rollback();
}

Result<> Transaction::status() const
{
    if (!m_active && !m_error.code.isEmpty())
        return m_error;
    return {};
}

Result<> Transaction::commit()
{
    if (!m_active) {
        if (!m_error.code.isEmpty())
            return m_error;
        return Error{u"transaction_inactive"_s, u"The transaction was already finished."_s};
    }
    if (depth(m_db) != m_level) {
        return Error{u"transaction_nesting"_s,
                     u"An inner transaction is still open; finish it before this one."_s};
    }
    if (failedLevels(m_db) & levelsFrom(m_level)) {
        rollback();
        return Error{u"transaction_aborted"_s,
                     u"A statement failed inside the transaction, so it was rolled back."_s};
    }
    const QString statement =
        m_level > 1 ? u"RELEASE SAVEPOINT "_s + savepointName(m_level) : u"COMMIT"_s;
    auto committed = execControl(m_db, statement);
    if (!committed) {
        rollback();
        return committed.error();
    }
    m_active = false;
    setDepth(m_db, m_level - 1);
    return {};
}

void Transaction::rollback()
{
    if (!m_active)
        return;
    m_active = false;
    Result<> undone;
    if (m_level > 1) {
        undone = execControl(m_db, u"ROLLBACK TO SAVEPOINT "_s + savepointName(m_level));
        if (undone)
            undone = execControl(m_db, u"RELEASE SAVEPOINT "_s + savepointName(m_level));
    } else {
        undone = execControl(m_db, u"ROLLBACK"_s);
    }
    if (!undone)
        qCWarning(lcStore).noquote() << undone.error().message;
    setDepth(m_db, m_level - 1);
    setFailedLevels(m_db, failedLevels(m_db) & ~levelsFrom(m_level));
}

int Transaction::depth(const QSqlDatabase &db)
{
    return db.driver() ? db.driver()->property(kDepthProperty).toInt() : 0;
}

void Transaction::markStatementFailed(const QSqlDatabase &db)
{
    const int level = depth(db);
    if (level > 0)
        setFailedLevels(db, failedLevels(db) | levelBit(level));
}

} // namespace callwatch::store
