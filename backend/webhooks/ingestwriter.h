// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QSqlDatabase>

#include <any>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace callwatch::store {
class Database;
class WalCheckpointer;
class WalSyncer;
} // namespace callwatch::store

namespace callwatch::webhooks {

/** @brief What one unit of work decided: the HTTP answer to give once its group has committed. */
struct WorkResult
{
    /**
     * The commonest answer, a stored delivery's 200, as plain values: the writer builds no JSON
     * tree for it, and its text is written by hand where it is sent (json()).
     */
    struct Stored
    {
        QString outcome; ///< "processed", "duplicate", "ignored"
        qint64 deliveryId = 0;
        QString callSid; ///< empty: not part of the answer
    };

    int httpStatus = 200;
    QJsonObject body;             ///< every other answer: errors, replays
    std::optional<Stored> stored; ///< set: the answer is {"status":"ok","outcome":…} from it

    QString outcome() const;         ///< the stored outcome, or the body's "outcome"
    QJsonObject errorObject() const; ///< the body's {"code", "message"}; empty when none
    QByteArray json() const;         ///< the answer's JSON text, compact
};

/**
 * @brief Work that can run together with the like items queued next to it, in a few statements
 * instead of several per item (live turns: the hottest path).
 */
class BatchHandler
{
public:
    virtual ~BatchHandler() = default;
    /**
     * Runs on the writer thread inside one savepoint, `payloads` in queue order; one result per
     * payload. An error rolls the savepoint back and the writer runs each item's own Work
     * instead, so a batch never decides less carefully than the items alone would.
     */
    virtual Result<std::vector<WorkResult>>
    runBatch(QSqlDatabase &db, const std::vector<const std::any *> &payloads) = 0;
};

/**
 * @brief Group commit: one writer thread, one transaction for everything that queued meanwhile.
 *
 * Submitters (the HTTP thread) hand in work; the writer takes every queued item, runs each in its
 * own savepoint inside ONE transaction, commits once, and only then calls each item's callback on
 * the submitter's thread. So a 200 always means "committed", and under load a single fsync covers
 * many requests. When BEGIN or COMMIT fails every item of the group is answered 503, so the sender
 * retries; nothing was acknowledged that is not on disk.
 */
class IngestWriter : public QObject
{
    Q_OBJECT
public:
    /** Runs on the writer thread inside a savepoint; a non-2xx/4xx status does not roll back. */
    using Work = std::function<WorkResult(QSqlDatabase &db)>;
    using Done = std::function<void(const WorkResult &)>;

    explicit IngestWriter(store::Database *database, QObject *parent = nullptr);
    ~IngestWriter() override;

    /** SQLite: the checkpointer that takes over the writer connection's automatic checkpoint
     * (WalCheckpointer::watch()). Set before start(); it must outlive the writer. */
    void setWalCheckpointer(store::WalCheckpointer *checkpointer) { m_checkpointer = checkpointer; }
    void start();
    /** Finishes everything already queued, then stops the thread. */
    void stop();

    /** Thread-safe. `done` runs on `context`'s thread, and not at all if context is gone. */
    void submit(Work work, QObject *context, Done done);
    /** submit() for work `handler` can batch with its neighbours; `work` is the one-by-one way. */
    void submitBatchable(BatchHandler *handler, std::any payload, Work work, QObject *context,
                         Done done);

    qsizetype queued() const;
    quint64 groupsCommitted() const { return m_groupsCommitted.load(); }

    /** Where the writer's time went, for benchmarks and the shutdown log line. */
    struct Stats
    {
        quint64 groups = 0;
        quint64 items = 0;
        quint64 workNanos = 0;    ///< running the items (SQL inside savepoints)
        quint64 commitNanos = 0;  ///< BEGIN + COMMIT, including the fsync
        quint64 cpuNanos = 0;     ///< CPU time of the writer thread (the rest is waiting)
        quint64 batchedItems = 0; ///< items that ran as part of a batch
        quint64 syncs = 0;        ///< WAL flushes by the syncer (SQLite files)
        quint64 syncNanos = 0;
    };
    Stats stats() const;
    int maxGroupSize() const { return m_maxGroupSize; }
    void setMaxGroupSize(int size) { m_maxGroupSize = size; }

Q_SIGNALS:
    /** Emitted (from the writer thread) after every successful commit. */
    void committed();

private:
    struct Item
    {
        Work work;
        QPointer<QObject> context;
        Done done;
        BatchHandler *batch = nullptr;
        std::any payload;
    };

    void run();
    /// The writer connection's own settings (who flushes the WAL, the checkpointer's hook);
    /// again whenever the connection is reopened.
    void prepareConnection(QSqlDatabase &db);
    void processGroup(QSqlDatabase &db, std::deque<Item> &group);
    /** Runs group[from..] one by one or as a batch; returns the index after what it ran. */
    size_t processRun(QSqlDatabase &db, std::deque<Item> &group, size_t from,
                      std::vector<WorkResult> &results);
    static WorkResult runAlone(QSqlDatabase &db, Item &item);
    /** Answers a committed group: now (PostgreSQL) or once the WAL is flushed (SQLite). */
    void acknowledge(std::deque<Item> group, std::vector<WorkResult> results);
    static void answer(const Item &item, const WorkResult &result);
    /// answer() for a whole group: one posted event per run of items with the same context
    /// (one wake-up of the HTTP thread instead of one per request), same order.
    static void answerAll(std::deque<Item> &items, std::vector<WorkResult> results);

    store::Database *m_database;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Item> m_queue;
    bool m_stopping = false;
    std::thread m_thread;
    std::unique_ptr<store::WalSyncer> m_syncer; ///< SQLite files: commits are flushed off-thread
    store::WalCheckpointer *m_checkpointer = nullptr;
    bool m_gathering = false; ///< writer thread: its WAL writes go through walwritevfs
    std::atomic<quint64> m_groupsCommitted{0};
    std::atomic<quint64> m_itemsProcessed{0};
    std::atomic<quint64> m_workNanos{0};
    std::atomic<quint64> m_commitNanos{0};
    std::atomic<quint64> m_cpuNanos{0};
    std::atomic<quint64> m_batchedItems{0};
    int m_maxGroupSize = 1024;
};

/** 503 body used when the database cannot take the write. */
WorkResult databaseUnavailable(const QString &detail);

} // namespace callwatch::webhooks
