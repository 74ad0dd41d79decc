// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/statementcache.h"

#include <QHash>
#include <QMutex>
#include <QSqlError>

#include <unordered_map>

namespace callwatch::store::statementcache {

namespace {

// Bounded so that code building statement text dynamically (filters, IN lists) cannot grow it
// without limit; the hot webhook statements are far fewer than this.
constexpr size_t kMaxStatementsPerConnection = 256;

using Statements = std::unordered_map<QString, std::shared_ptr<Entry>>;

struct Cache
{
    QMutex mutex;
    QHash<QString, std::shared_ptr<Statements>> byConnection;
};

Cache &cache()
{
    static Cache instance;
    return instance;
}

// Each connection's table is used by its own thread only; the shared_ptr keeps it alive for
// that thread even if drop() runs concurrently from the Database's destructor.
std::shared_ptr<Statements> statementsOf(const QSqlDatabase &db)
{
    Cache &c = cache();
    QMutexLocker locker(&c.mutex);
    std::shared_ptr<Statements> &statements = c.byConnection[db.connectionName()];
    if (!statements)
        statements = std::make_shared<Statements>();
    return statements;
}

} // namespace

std::shared_ptr<Entry> prepared(const QSqlDatabase &db, const QString &statement, QString *error)
{
    const std::shared_ptr<Statements> statements = statementsOf(db);
    if (auto it = statements->find(statement); it != statements->end()) {
        if (it->second->query.isActive())
            it->second->query.finish();
        ++it->second->execution;
        return it->second;
    }
    auto entry = std::make_shared<Entry>(Entry{QSqlQuery(db), 1});
    entry->query.setForwardOnly(true);
    if (!entry->query.prepare(statement)) {
        *error = entry->query.lastError().text();
        return nullptr;
    }
    if (statements->size() >= kMaxStatementsPerConnection)
        statements->clear();
    statements->emplace(statement, entry);
    return entry;
}

void discard(const QSqlDatabase &db, const QString &statement)
{
    statementsOf(db)->erase(statement);
}

void finishActive(const QSqlDatabase &db)
{
    const std::shared_ptr<Statements> statements = statementsOf(db);
    for (auto &[text, entry] : *statements) {
        if (entry->query.isActive())
            entry->query.finish();
    }
}

void drop(const QString &connectionName)
{
    std::shared_ptr<Statements> statements;
    {
        Cache &c = cache();
        QMutexLocker locker(&c.mutex);
        statements = c.byConnection.take(connectionName);
    }
    // Destroyed here, outside the lock: finalizing statements needs the connection still open.
}

} // namespace callwatch::store::statementcache
