// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/ingestwriter.h"

#include "store/database.h"
#include "store/sqlitenative.h"
#include "store/transaction.h"
#include "store/walcheckpointer.h"
#include "store/walsyncer.h"
#include "store/walwritevfs.h"

#include "core/jsontext.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMetaObject>
#include <QSqlQuery>

#include <ctime>
#include <memory>
#include <optional>
#include <pthread.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcIngest, "callwatch.ingest")

namespace callwatch::webhooks {

namespace {

quint64 threadCpuNanos()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return quint64(now.tv_sec) * 1000000000ULL + quint64(now.tv_nsec);
}

} // namespace

QString WorkResult::outcome() const
{
    return stored ? stored->outcome : body.value("outcome"_L1).toString();
}

QJsonObject WorkResult::errorObject() const
{
    return body.value("error"_L1).toObject();
}

QByteArray WorkResult::json() const
{
    if (!stored)
        return QJsonDocument(body).toJson(QJsonDocument::Compact);
    // Keys in QJsonDocument's order (sorted), so both forms of an answer read the same.
    QByteArray text = "{";
    if (!stored->callSid.isEmpty())
        text += R"("call_sid":)" + jsontext::quoted(stored->callSid) + ',';
    text += R"("delivery_id":)" + QByteArray::number(stored->deliveryId) + R"(,"outcome":)" +
            jsontext::quoted(stored->outcome) + R"(,"status":"ok"})";
    return text;
}

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
    if (m_database->dialect() == store::Dialect::Sqlite && !m_database->url().isSqliteMemory()) {
        m_syncer = std::make_unique<store::WalSyncer>(m_database->url().sqlitePath() + u"-wal"_s);
        m_syncer->start();
    }
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
    if (m_syncer)
        m_syncer->stop(); // flushes and answers what the writer committed last
    const Stats s = stats();
    if (s.groups > 0) {
        qCInfo(lcIngest).nospace()
            << "writer: " << s.items << " deliveries in " << s.groups << " commits (mean group "
            << double(s.items) / double(s.groups) << "), "
            << double(s.workNanos) / 1000.0 / double(s.items) << " us of SQL per delivery, "
            << double(s.commitNanos) / 1e6 / double(s.groups) << " ms per begin+commit, "
            << double(s.cpuNanos) / 1000.0 / double(s.items) << " us of writer CPU per delivery, "
            << s.batchedItems << " batched, " << s.syncs << " WAL flushes of "
            << (s.syncs ? double(s.syncNanos) / 1e6 / double(s.syncs) : 0.0) << " ms";
    }
}

IngestWriter::Stats IngestWriter::stats() const
{
    return {m_groupsCommitted.load(),
            m_itemsProcessed.load(),
            m_workNanos.load(),
            m_commitNanos.load(),
            m_cpuNanos.load(),
            m_batchedItems.load(),
            m_syncer ? m_syncer->syncs() : 0,
            m_syncer ? m_syncer->syncNanos() : 0};
}

void IngestWriter::submit(Work work, QObject *context, Done done)
{
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(Item{std::move(work), QPointer<QObject>(context), std::move(done)});
    }
    m_wake.notify_one();
}

void IngestWriter::submitBatchable(BatchHandler *handler, std::any payload, Work work,
                                   QObject *context, Done done)
{
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(Item{std::move(work), QPointer<QObject>(context), std::move(done),
                               handler, std::move(payload)});
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
    pthread_setname_np(pthread_self(), "ingest-writer"); // visible in top -H, perf, gdb
    QSqlDatabase db = m_database->connection();
    std::optional<store::walwritevfs::WalWriteGathering> gathering;
    m_gathering = m_syncer && store::walwritevfs::install();
    if (m_gathering)
        gathering.emplace();
    prepareConnection(db);
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
        const quint64 cpuBefore = threadCpuNanos();
        processGroup(db, group);
        m_cpuNanos += threadCpuNanos() - cpuBefore;
    }
    db = QSqlDatabase();
    m_database->closeThreadConnection();
}

void IngestWriter::prepareConnection(QSqlDatabase &db)
{
    if (!m_syncer)
        return;
    // SQLite's own pool for small allocations, 20x its default: a group's multi-row statements
    // hold thousands of values at once, and past the pool each one is a malloc (measured: the
    // writer's CPU per turn 36.6 -> 34.4 us). 2.4 MB for the one writer connection.
    if (store::sqlitenative::connectionOf(db) && !store::sqlitenative::setLookaside(db, 1200, 2000))
        qCDebug(lcIngest) << "the writer connection keeps SQLite's default lookaside";
    // COMMIT only writes the WAL; the syncer flushes it before anyone is answered. With the
    // gathering VFS a commit's frames go out in one write, at the commit's own sync, which then
    // stops there (see walwritevfs.h); without it, synchronous=NORMAL skips that sync.
    // (Database::configure() sets checkpoint_fullfsync=ON on every SQLite connection.)
    QSqlQuery pragma(db);
    if (!pragma.exec(m_gathering ? u"PRAGMA synchronous=FULL"_s : u"PRAGMA synchronous=NORMAL"_s))
        qCWarning(lcIngest) << "could not set how the writer's commits reach the disk";
    if (m_checkpointer && !m_checkpointer->watch(db))
        qCWarning(lcIngest) << "the WAL checkpointer cannot watch the writer's commits";
}

void IngestWriter::processGroup(QSqlDatabase &db, std::deque<Item> &group)
{
    std::vector<WorkResult> results;
    results.reserve(group.size());
    QElapsedTimer clock;
    clock.start();
    auto transaction = std::make_unique<store::Transaction>(db);
    if (!transaction->isActive()) {
        // A connection the server dropped (restart, failover) stays broken until it is reopened:
        // ping() closes it when it is dead, connection() opens it again (same handle as `db`).
        transaction.reset();
        if (!m_database->ping()) {
            m_database->connection();
            prepareConnection(db);
        }
        transaction = std::make_unique<store::Transaction>(db);
    }
    if (!transaction->isActive()) {
        const WorkResult failure = databaseUnavailable(transaction->status().error().message);
        for (const Item &item : group)
            answer(item, failure);
        return;
    }
    quint64 commitNanos = quint64(clock.nsecsElapsed());
    clock.restart();
    for (size_t i = 0; i < group.size();)
        i = processRun(db, group, i, results);
    m_workNanos += quint64(clock.nsecsElapsed());
    m_itemsProcessed += group.size();
    clock.restart();
    if (auto committed = transaction->commit(); !committed) {
        const WorkResult failure = databaseUnavailable(committed.error().message);
        for (const Item &item : group)
            answer(item, failure);
        return;
    }
    m_commitNanos += commitNanos + quint64(clock.nsecsElapsed());
    ++m_groupsCommitted;
    acknowledge(std::move(group), std::move(results));
}

void IngestWriter::acknowledge(std::deque<Item> group, std::vector<WorkResult> results)
{
    if (!m_syncer) {
        Q_EMIT committed();
        answerAll(group, std::move(results));
        return;
    }
    auto pending = std::make_shared<std::pair<std::deque<Item>, std::vector<WorkResult>>>(
        std::move(group), std::move(results));
    m_syncer->whenDurable([this, pending](bool durable) {
        auto &[items, answers] = *pending;
        if (durable)
            Q_EMIT committed();
        // Not flushed: the data may still reach the disk, but it is not acknowledged; the
        // sender retries and the redelivery is recognised (dedup, turn keys).
        if (!durable) {
            const WorkResult unavailable = databaseUnavailable(u"the WAL could not be flushed"_s);
            answers.assign(items.size(), unavailable);
        }
        answerAll(items, std::move(answers));
    });
}

size_t IngestWriter::processRun(QSqlDatabase &db, std::deque<Item> &group, size_t from,
                                std::vector<WorkResult> &results)
{
    size_t end = from + 1;
    BatchHandler *handler = group[from].batch;
    while (handler && end < group.size() && group[end].batch == handler)
        ++end;
    // A lone batchable item takes the batch path too: the same outcome (the batch handler
    // promises it), in fewer statements than the item's own work.
    if (handler) {
        std::vector<const std::any *> payloads;
        payloads.reserve(end - from);
        for (size_t i = from; i < end; ++i)
            payloads.push_back(&group[i].payload);
        store::Transaction savepoint(db);
        auto batch = handler->runBatch(db, payloads);
        if (batch && batch->size() == payloads.size() && savepoint.commit()) {
            if (payloads.size() > 1)
                m_batchedItems += payloads.size(); // "batched": ran together with others
            std::move(batch->begin(), batch->end(), std::back_inserter(results));
            return end;
        }
        savepoint.rollback();
        qCDebug(lcIngest) << "batch of" << payloads.size() << "ran one by one:"
                          << (batch ? u"commit failed"_s : batch.error().message);
    }
    for (size_t i = from; i < end; ++i)
        results.push_back(runAlone(db, group[i]));
    return end;
}

WorkResult IngestWriter::runAlone(QSqlDatabase &db, Item &item)
{
    // Each item runs in its own savepoint: a failing one cannot undo the others.
    store::Transaction savepoint(db);
    WorkResult result = item.work(db);
    if (auto committed = savepoint.commit(); !committed)
        result = databaseUnavailable(committed.error().message);
    return result;
}

void IngestWriter::answerAll(std::deque<Item> &items, std::vector<WorkResult> results)
{
    for (size_t from = 0; from < items.size();) {
        size_t end = from + 1;
        while (end < items.size() && items[end].context == items[from].context)
            ++end;
        QPointer<QObject> context = items[from].context;
        if (end - from == 1 || !context) {
            for (size_t i = from; i < end; ++i)
                answer(items[i], results[i]);
            from = end;
            continue;
        }
        std::vector<std::pair<Done, WorkResult>> run;
        run.reserve(end - from);
        for (size_t i = from; i < end; ++i) {
            if (items[i].done)
                run.emplace_back(std::move(items[i].done), std::move(results[i]));
        }
        QMetaObject::invokeMethod(
            context.data(),
            [run = std::move(run)] {
                for (const auto &[done, result] : run)
                    done(result);
            },
            Qt::QueuedConnection);
        from = end;
    }
}

void IngestWriter::answer(const Item &item, const WorkResult &result)
{
    if (!item.context || !item.done)
        return;
    QMetaObject::invokeMethod(
        item.context.data(), [done = item.done, result] { done(result); }, Qt::QueuedConnection);
}

} // namespace callwatch::webhooks
