// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QSqlDatabase>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace callwatch::store {
class Database;
}

namespace callwatch::webhooks {

/** @brief What one unit of work decided: the HTTP answer to give once its group has committed. */
struct WorkResult
{
    int httpStatus = 200;
    QJsonObject body;
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

    void start();
    /** Finishes everything already queued, then stops the thread. */
    void stop();

    /** Thread-safe. `done` runs on `context`'s thread, and not at all if context is gone. */
    void submit(Work work, QObject *context, Done done);

    qsizetype queued() const;
    quint64 groupsCommitted() const { return m_groupsCommitted.load(); }
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
    };

    void run();
    void processGroup(QSqlDatabase &db, std::deque<Item> &group);
    static void answer(const Item &item, const WorkResult &result);

    store::Database *m_database;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Item> m_queue;
    bool m_stopping = false;
    std::thread m_thread;
    std::atomic<quint64> m_groupsCommitted{0};
    int m_maxGroupSize = 1024;
};

/** 503 body used when the database cannot take the write. */
WorkResult databaseUnavailable(const QString &detail);

} // namespace callwatch::webhooks
