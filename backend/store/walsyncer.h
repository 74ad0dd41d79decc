// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include <sys/types.h>

namespace callwatch::store {

/**
 * @brief Makes SQLite commits durable off the committing thread: one fdatasync of the WAL file
 * covers every commit made before it, and only then are the waiting callbacks run.
 *
 * With `synchronous=FULL` SQLite fsyncs the WAL inside COMMIT, so the webhook writer sat idle
 * for the disk's flush latency (3–4 ms on the shared test VM) before it could start the next
 * group. The writer's COMMIT now only writes its frames (walwritevfs stops the commit's own sync
 * there; without that VFS the writer runs `synchronous=NORMAL`); this thread then flushes the
 * file and the writer answers the group's requests afterwards, so a 200 still means "on disk"
 * while the writer already works on the next group.
 *
 * Why that is as safe as FULL: fdatasync flushes every page of the WAL written before it,
 * including the commit frame and, after a WAL restart, the new header. SQLite only restarts
 * (overwrites) the WAL after a checkpoint has copied every frame into the database file and
 * synced it, so frames not flushed here are never lost to a restart either.
 */
class WalSyncer
{
public:
    explicit WalSyncer(QString walPath);
    ~WalSyncer();
    WalSyncer(const WalSyncer &) = delete;
    WalSyncer &operator=(const WalSyncer &) = delete;

    void start();
    /** Flushes and runs everything still waiting, then stops the thread. */
    void stop();

    /**
     * Runs `then(true)` on the syncer thread once all that was committed before this call is on
     * disk; `then(false)` if the flush failed (the caller must not acknowledge the data).
     */
    void whenDurable(std::function<void(bool durable)> then);

    quint64 syncs() const { return m_syncs.load(); }
    quint64 syncNanos() const { return m_syncNanos.load(); }
    /** How many times the WAL file was opened: once, unless it was replaced (see flush()). */
    quint64 opens() const { return m_opens.load(); }

private:
    void run();
    bool flush();
    void closeWal();

    QString m_walPath;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::function<void(bool)>> m_waiting;
    bool m_stopping = false;
    std::thread m_thread;
    std::atomic<quint64> m_syncs{0};
    std::atomic<quint64> m_syncNanos{0};
    std::atomic<quint64> m_opens{0};
    // The syncer thread's descriptor of the WAL, and the file it is.
    int m_fd = -1;
    dev_t m_dev = 0;
    ino_t m_ino = 0;
};

} // namespace callwatch::store
