// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/ingestwriter.h"

#include "store/database.h"
#include "store/transaction.h"

#include <QLoggingCategory>
#include <QMetaObject>
#include <QSqlQuery>

#include <memory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcIngest, "callwatch.ingest")

namespace callwatch::webhooks {

WorkResult databaseUnavailable(const QString &detail)
{
    qCWarning(lcIngest) << "database write failed:" << detail;
    return {503,
            QJsonObject{{u"error"_s, QJsonObject{{u"code"_s, u"database_unavailable"_s},
                                                 {u"message"_s, u"The database could not store the "
                                                                u"delivery; retry later"_s}}}}};
}

IngestWriter::IngestWriter(store::Database *database, QObject *parent)
    : QObject(parent), m_database(database)
{}

IngestWriter::~IngestWriter()
{
    stop();
}

void IngestWriter::start()
{
    std::lock_guard lock(m_mutex);
    if (m_thread.joinable())
        return;
    m_stopping = false;
    m_thread = std::thread([this] { run(); });
}

void IngestWriter::stop()
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_thread.joinable())
            return;
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

void IngestWriter::submit(Work work, QObject *context, Done done)
{
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(Item{std::move(work), QPointer<QObject>(context), std::move(done)});
    }
    m_wake.notify_one();
}

qsizetype IngestWriter::queued() const
{
    std::lock_guard lock(m_mutex);
    return qsizetype(m_queue.size());
}

void IngestWriter::run()
{
    QSqlDatabase db = m_database->connection();
    for (;;) {
        std::deque<Item> group;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
            if (m_queue.empty() && m_stopping)
                break;
            const size_t take = std::min(m_queue.size(), size_t(m_maxGroupSize));
            std::move(m_queue.begin(), m_queue.begin() + qsizetype(take),
                      std::back_inserter(group));
            m_queue.erase(m_queue.begin(), m_queue.begin() + qsizetype(take));
        }
        processGroup(db, group);
    }
    db = QSqlDatabase();
    m_database->closeThreadConnection();
}

void IngestWriter::processGroup(QSqlDatabase &db, std::deque<Item> &group)
{
    std::vector<WorkResult> results;
    results.reserve(group.size());
    auto transaction = std::make_unique<store::Transaction>(db);
    if (!transaction->isActive()) {
        // A connection the server dropped (restart, failover) stays broken until it is reopened:
        // ping() closes it when it is dead, connection() opens it again (same handle as `db`).
        transaction.reset();
        if (!m_database->ping())
            m_database->connection();
        transaction = std::make_unique<store::Transaction>(db);
    }
    if (!transaction->isActive()) {
        const WorkResult failure = databaseUnavailable(transaction->status().error().message);
        for (const Item &item : group)
            answer(item, failure);
        return;
    }
    for (Item &item : group) {
        // Each item runs in its own savepoint: a failing one cannot undo the others.
        store::Transaction savepoint(db);
        WorkResult result = item.work(db);
        if (auto committed = savepoint.commit(); !committed)
            result = databaseUnavailable(committed.error().message);
        results.push_back(std::move(result));
    }
    if (auto committed = transaction->commit(); !committed) {
        const WorkResult failure = databaseUnavailable(committed.error().message);
        for (const Item &item : group)
            answer(item, failure);
        return;
    }
    ++m_groupsCommitted;
    Q_EMIT committed();
    for (size_t i = 0; i < group.size(); ++i)
        answer(group[i], results[i]);
}

void IngestWriter::answer(const Item &item, const WorkResult &result)
{
    if (!item.context || !item.done)
        return;
    QMetaObject::invokeMethod(
        item.context.data(), [done = item.done, result] { done(result); }, Qt::QueuedConnection);
}

} // namespace callwatch::webhooks
