// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/statementcache.h"

#include <QHash>
#include <QMutex>
#include <QSqlError>

#include <list>
#include <unordered_map>
#include <vector>

namespace callwatch::store::statementcache {

namespace {

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
    /// What prepared() handed out since the last finishActive(): the only statements that can
    /// still be reading rows. Checking these instead of the whole table (hundreds of entries)
    /// at every COMMIT and RELEASE was 5 % of the webhook writer.
    std::vector<std::shared_ptr<Entry>> handedOut;

    void markHandedOut(const std::shared_ptr<Entry> &entry)
    {
        if (entry->handedOut)
            return;
        entry->handedOut = true;
        handedOut.push_back(entry);
    }

    /// Forgets `text`'s statement (no longer cached, no longer looked at by finishActive()).
    void remove(std::unordered_map<QString, Slot>::iterator it)
    {
        const std::shared_ptr<Entry> &entry = it->second.entry;
        if (entry->handedOut) {
            entry->handedOut = false;
            std::erase(handedOut, entry);
        }
        recency.erase(it->second.position);
        byText.erase(it);
    }
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
        statements->markHandedOut(slot.entry);
        return slot.entry;
    }
    auto entry = std::make_shared<Entry>(Entry{QSqlQuery(db), 1, false});
    entry->query.setForwardOnly(true);
    if (!entry->query.prepare(statement)) {
        *error = entry->query.lastError().text();
        return nullptr;
    }
    if (statements->byText.size() >= kMaxStatements)
        statements->remove(statements->byText.find(statements->recency.back()));
    statements->recency.push_front(statement);
    statements->byText.emplace(statement, Statements::Slot{entry, statements->recency.begin()});
    statements->markHandedOut(entry);
    return entry;
}

void discard(const QSqlDatabase &db, const QString &statement)
{
    const std::shared_ptr<Statements> statements = statementsOf(db);
    if (auto it = statements->byText.find(statement); it != statements->byText.end())
        statements->remove(it);
}

void finishActive(const QSqlDatabase &db)
{
    const std::shared_ptr<Statements> statements = statementsOf(db);
    for (const std::shared_ptr<Entry> &entry : statements->handedOut) {
        entry->handedOut = false;
        if (entry->query.isActive())
            entry->query.finish();
    }
    statements->handedOut.clear();
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
