// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace callwatch::store {

class Database;

/**
 * @brief Runs SQLite's WAL checkpoints on a thread of its own.
 *
 * By default SQLite checkpoints inside the COMMIT that crosses 1000 WAL pages: the webhook
 * writer then copied pages into the database file and fsynced it while every request of its
 * group waited (a tenth of its time, and its worst latencies). Here the writer's connection
 * only appends to the WAL; this thread copies committed pages back with PASSIVE checkpoints,
 * which never block the writer, and SQLite restarts the WAL from its beginning once a
 * checkpoint has caught up. Start it before the connections whose checkpoints it takes over are
 * opened (Database::setAutoCheckpoint(false)).
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

private:
    void run(std::chrono::milliseconds interval);

    Database *m_database;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace callwatch::store
