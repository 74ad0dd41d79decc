// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/statementcache.h"

#include <QHash>
#include <QMutex>
#include <QSqlError>

#include <list>
#include <unordered_map>

namespace callwatch::store::statementcache {

namespace {

// Bounded so that code building statement text dynamically (filters, IN lists) cannot grow it
// without limit. Multi-row statements differ by their row count, so the webhook writer alone
// uses about five per group size it sees: with 128 connections that is several hundred, and
// the least recently used are the ones to let go (clearing the whole table when it filled up,
// as before, prepared the hot statements again and again: writer CPU per turn doubled).
constexpr size_t kMaxStatementsPerConnection = kMaxStatements;

/// A connection's statements, least recently used first out.
struct Statements
{
    using Recency = std::list<QString>; ///< most recently used first
    struct Slot
    {
        std::shared_ptr<Entry> entry;
        Recency::iterator position;
    };
    Recency recency;
    std::unordered_map<QString, Slot> byText;
};

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
    if (auto it = statements->byText.find(statement); it != statements->byText.end()) {
        Statements::Slot &slot = it->second;
        statements->recency.splice(statements->recency.begin(), statements->recency, slot.position);
        if (slot.entry->query.isActive())
            slot.entry->query.finish();
        ++slot.entry->execution;
        return slot.entry;
    }
    auto entry = std::make_shared<Entry>(Entry{QSqlQuery(db), 1});
    entry->query.setForwardOnly(true);
    if (!entry->query.prepare(statement)) {
        *error = entry->query.lastError().text();
        return nullptr;
    }
    if (statements->byText.size() >= kMaxStatementsPerConnection) {
        statements->byText.erase(statements->recency.back());
        statements->recency.pop_back();
    }
    statements->recency.push_front(statement);
    statements->byText.emplace(statement, Statements::Slot{entry, statements->recency.begin()});
    return entry;
}

void discard(const QSqlDatabase &db, const QString &statement)
{
    const std::shared_ptr<Statements> statements = statementsOf(db);
    if (auto it = statements->byText.find(statement); it != statements->byText.end()) {
        statements->recency.erase(it->second.position);
        statements->byText.erase(it);
    }
}

void finishActive(const QSqlDatabase &db)
{
    const std::shared_ptr<Statements> statements = statementsOf(db);
    for (auto &[text, slot] : statements->byText) {
        if (slot.entry->query.isActive())
            slot.entry->query.finish();
    }
}

std::size_t size(const QSqlDatabase &db)
{
    return statementsOf(db)->byText.size();
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
