// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSqlDatabase>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

struct sqlite3;

namespace callwatch::store {

class Database;

/**
 * @brief Runs most of SQLite's WAL checkpointing on a thread of its own.
 *
 * By default SQLite checkpoints inside the COMMIT that crosses 1000 WAL pages: the webhook
 * writer then copied pages into the database file and fsynced it while every request of its
 * group waited (a tenth of its time, and its worst latencies). Here a thread copies committed
 * pages back with PASSIVE checkpoints, which never block the writer, and starts the database
 * file's writeback after each one that copied pages (walwritevfs::startWriteback(): no device
 * flush; SQLite's complete checkpoints sync): every 200 ms, and each time the writer's log grows
 * by another 32nd of the writer's limit (watch(), passDue()).
 *
 * PASSIVE alone is not enough: under a steady stream of commits it never reaches the end of the
 * WAL, and SQLite only starts the WAL over once a checkpoint has, so the file grew without bound
 * (1.3 GB in 12 s of benchmark). So the writer still checkpoints in the commit that crosses
 * 16384 pages (64 MiB; journal_size_limit is just above): that checkpoint finds the pages copied
 * and flushed but for the last stretch, and the next commit writes from the start of the file.
 * Other connections opened while this runs checkpoint at the same limit. Start this before the
 * writer opens its connection.
 */
class WalCheckpointer
{
public:
    explicit WalCheckpointer(Database *database);
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer &) = delete;
    WalCheckpointer &operator=(const WalCheckpointer &) = delete;

    void start(std::chrono::milliseconds interval = std::chrono::milliseconds(200));
    /** Runs a last checkpoint, then stops the thread. */
    void stop();

    /** The WAL length (pages) at which a writer's commit still checkpoints; see the class. */
    void setWriterCheckpointPages(int pages) { m_writerCheckpointPages = pages; }

    /**
     * Takes over the automatic checkpoint of the connection that writes most (call on its
     * thread): its commits wake this thread as the WAL grows (passDue()), and only at the
     * limit does that commit checkpoint itself, by then with a 32nd of it left to copy and
     * flush. Without it the writer's own checkpoint came every ~170 ms
     * under the webhook benchmark and held every waiting request for 3-4 ms (copy and database
     * fsync). False when `writer` is not a SQLite connection.
     */
    bool watch(QSqlDatabase &writer);

    /** Checkpoint passes run on this thread so far. */
    quint64 passes() const { return m_passes.load(); }

    /**
     * watch()'s schedule: whether the writer's log, now `frames` pages long, calls for a pass
     * (every 32nd of `limit`), given the step of the last one, which it updates.
     */
    static bool passDue(int frames, int limit, int &nudgedStep);

private:
    void run(std::chrono::milliseconds interval);
    void checkpoint(QSqlDatabase &db);
    static int startDatabaseWriteback(QSqlDatabase &db);
    void nudge();
    void setPassRunning(bool running);
    /// Waits until no pass of this thread runs; false on timeout.
    bool waitForPass(std::chrono::milliseconds timeout);
    static int afterCommit(void *self, sqlite3 *connection, const char *name, int frames);

    Database *m_database;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    bool m_nudged = false;
    bool m_passRunning = false;         ///< a pass holds SQLite's checkpoint lock
    std::condition_variable m_passDone; ///< m_passRunning went false
    std::atomic<quint64> m_passes{0};
    std::thread m_thread;
    int m_nudgedStep = 0; ///< writer thread only (watch(), afterCommit())
    int m_copied = 0;     ///< this thread only: frames copied as of the last pass
    int m_writerCheckpointPages = 16384;
};

} // namespace callwatch::store
