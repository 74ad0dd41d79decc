// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/walcheckpointer.h"

#include "store/database.h"
#include "store/logging.h"
#include "store/sqlitenative.h"
#include "store/walwritevfs.h"

#include <sqlite3.h>

#include <algorithm>

#include <pthread.h>

using namespace Qt::StringLiterals;

namespace callwatch::store {

namespace {
constexpr int StepsPerLog = 32; ///< passDue()'s unit: a 32nd of the writer's limit
} // namespace

WalCheckpointer::WalCheckpointer(Database *database) : m_database(database) {}

WalCheckpointer::~WalCheckpointer()
{
    stop();
}

void WalCheckpointer::start(std::chrono::milliseconds interval)
{
    std::lock_guard lock(m_mutex);
    if (m_thread.joinable())
        return;
    m_stopping = false;
    m_database->setWalAutoCheckpointPages(m_writerCheckpointPages);
    m_thread = std::thread([this, interval] { run(interval); });
}

void WalCheckpointer::stop()
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_thread.joinable())
            return;
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
    m_database->setWalAutoCheckpointPages(Database::DefaultWalAutoCheckpointPages);
}

void WalCheckpointer::run(std::chrono::milliseconds interval)
{
    pthread_setname_np(pthread_self(), "wal-checkpoint"); // visible in top -H, perf, gdb
    QSqlDatabase db = m_database->connection();
    bool stopping = false;
    while (!stopping) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait_for(lock, interval, [this] { return m_stopping || m_nudged; });
            stopping = m_stopping;
            m_nudged = false;
        }
        checkpoint(db);
    }
    db = QSqlDatabase();
    m_database->closeThreadConnection();
}

void WalCheckpointer::checkpoint(QSqlDatabase &db)
{
    sqlite3 *connection = sqlitenative::connectionOf(db);
    int copied = 0; // frames of the current log now in the database file
    setPassRunning(true);
    const int rc = connection ? sqlite3_wal_checkpoint_v2(
                                    connection, "main", SQLITE_CHECKPOINT_PASSIVE, nullptr, &copied)
                              : SQLITE_MISUSE;
    setPassRunning(false);
    if (rc == SQLITE_BUSY)
        return; // another connection's checkpoint (the writer's, at its limit) is running
    if (rc != SQLITE_OK) {
        qCWarning(lcStore).noquote()
            << "WAL checkpoint failed:"
            << (connection ? QString::fromUtf8(sqlite3_errmsg(connection)) : u"no connection"_s);
        return;
    }
    ++m_passes;
    if (copied == m_copied)
        return; // nothing new reached the database file: nothing to flush (an idle dashboard)
    m_copied = copied;
    // A pass that cannot reach the end of the log (the writer commits meanwhile) copies pages
    // that only the next complete checkpoint, inside a writer's commit, syncs, while every
    // waiting request waits. Their writeback starts now, so that sync finds little left to
    // write; without a device flush here, which held up the WAL's flushes (p99 5.3 -> 4.0 ms
    // under the webhook benchmark, with passes every 32nd of the limit). Through this
    // connection's own file: a second descriptor of the database, once closed, would drop the
    // process's POSIX locks on it (SQLite's own files never close early).
    if (const int synced = startDatabaseWriteback(db); synced != SQLITE_OK)
        qCWarning(lcStore) << "could not flush the database file: SQLite error" << synced;
}

int WalCheckpointer::startDatabaseWriteback(QSqlDatabase &db)
{
    sqlite3 *connection = sqlitenative::connectionOf(db);
    sqlite3_file *file = nullptr;
    if (!connection ||
        sqlite3_file_control(connection, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK ||
        !file || !file->pMethods)
        return SQLITE_MISUSE;
    if (walwritevfs::startWriteback(file))
        return SQLITE_OK;
    return file->pMethods->xSync(file, SQLITE_SYNC_NORMAL); // not through our VFS: a real sync
}

void WalCheckpointer::setPassRunning(bool running)
{
    {
        std::lock_guard lock(m_mutex);
        m_passRunning = running;
    }
    if (!running)
        m_passDone.notify_all();
}

bool WalCheckpointer::waitForPass(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(m_mutex);
    return m_passDone.wait_for(lock, timeout, [this] { return !m_passRunning; });
}

void WalCheckpointer::nudge()
{
    {
        std::lock_guard lock(m_mutex);
        m_nudged = true;
    }
    m_wake.notify_one();
}

bool WalCheckpointer::watch(QSqlDatabase &writer)
{
    sqlite3 *connection = sqlitenative::connectionOf(writer);
    if (!connection)
        return false;
    m_nudgedStep = 0;
    // Replaces the connection's automatic checkpoint (SQLite implements it with this hook).
    sqlite3_wal_hook(connection, &WalCheckpointer::afterCommit, this);
    return true;
}

bool WalCheckpointer::passDue(int frames, int limit, int &nudgedStep)
{
    // A pass each time the log grows by another 32nd of the limit: the writer's own checkpoint,
    // which every waiting request waits for, then finds a 32nd at most to copy and sync. (Every
    // eighth, as before: its 2 ms stall every ~370 ms set the p99 under the webhook benchmark.)
    const int step = frames / std::max(limit / StepsPerLog, 1);
    if (step < nudgedStep)
        nudgedStep = 0; // the log started over
    if (step <= nudgedStep)
        return false;
    nudgedStep = step;
    return true;
}

int WalCheckpointer::afterCommit(void *self, sqlite3 *connection, const char *name, int frames)
{
    auto *checkpointer = static_cast<WalCheckpointer *>(self);
    const int limit = std::max(checkpointer->m_writerCheckpointPages, 8);
    if (frames >= limit) {
        // As SQLite's own automatic checkpoint does; the passes below left little to copy. If a
        // pass of this thread holds the checkpoint lock, wait for it once and try again: only
        // this complete checkpoint lets the log start over, and with passes every 32nd they
        // met often enough under load that the WAL grew far past the limit.
        auto passive = [&] {
            return sqlite3_wal_checkpoint_v2(connection, name, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                             nullptr);
        };
        if (passive() == SQLITE_BUSY && checkpointer->waitForPass(std::chrono::milliseconds(100)))
            passive();
        checkpointer->m_nudgedStep = 0;
        return SQLITE_OK;
    }
    if (passDue(frames, limit, checkpointer->m_nudgedStep))
        checkpointer->nudge();
    return SQLITE_OK;
}

} // namespace callwatch::store
