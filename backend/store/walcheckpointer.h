// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSqlDatabase>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace callwatch::store {

class Database;

/**
 * @brief Runs most of SQLite's WAL checkpointing on a thread of its own.
 *
 * By default SQLite checkpoints inside the COMMIT that crosses 1000 WAL pages: the webhook
 * writer then copied pages into the database file and fsynced it while every request of its
 * group waited (a tenth of its time, and its worst latencies). Here a thread copies committed
 * pages back with PASSIVE checkpoints every 200 ms, which never block the writer.
 *
 * PASSIVE alone is not enough: under a steady stream of commits it never reaches the end of the
 * WAL, and SQLite only starts the WAL over once a checkpoint has, so the file grew without bound
 * (1.3 GB in 12 s of benchmark). So connections opened while this runs keep an automatic
 * checkpoint, at 8192 pages (32 MiB) instead of 1000: when the writer's commit crosses it, the
 * checkpoint inside that commit finds most pages already copied, finishes the tail, and the next
 * commit writes from the start of the file. Start this before the writer opens its connection.
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

private:
    void run(std::chrono::milliseconds interval);
    void checkpoint(QSqlDatabase &db);

    Database *m_database;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;
    int m_writerCheckpointPages = 8192;
};

} // namespace callwatch::store
