// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

struct sqlite3_file;

/**
 * @brief A thin SQLite VFS over the default one that writes a commit's WAL frames with one
 * `pwrite` instead of two per page, on the threads that ask for it (the webhook writer).
 *
 * SQLite writes each WAL frame as a 24-byte header and then the page: about 60 `pwrite` calls
 * for a commit of ten live turns, a fifth of the writer's CPU and all of it on the path every
 * request waits for. On a thread that holds a WalWriteGathering, writes to a WAL file that
 * continue where the previous one ended are gathered in memory and written together when SQLite
 * syncs the WAL at the end of the commit (synchronous=FULL), before the commit becomes visible
 * to other connections. Any other use of that WAL file (a read, a write elsewhere, its size, a
 * truncation, closing it, the end of the write transaction) writes the gathered bytes first. A
 * failing write is reported by that sync, so the commit fails and rolls back as it would have
 * without gathering; one that fails where SQLite cannot be told (the shm barrier, an unlock:
 * only when a connection of such a thread runs below synchronous=FULL) makes every later read,
 * write and sync of that file fail, until the connection is reopened.
 *
 * On such a thread the commit's own sync (SQLite's flag SQLITE_SYNC_NORMAL there) stops at
 * writing the frames: the flush to disk is left to the caller (store::WalSyncer), which answers
 * nobody before it. Checkpoint syncs carry SQLITE_SYNC_FULL (PRAGMA checkpoint_fullfsync) and
 * always reach the disk. Every other thread and file goes straight to the default VFS.
 */
namespace callwatch::store::walwritevfs {

/// Makes the VFS SQLite's default (once per process); false if SQLite refused it.
bool install();

/// Turns gathering on for the calling thread while it lives. The thread's connections must run
/// with synchronous=FULL and checkpoint_fullfsync=ON, and the caller must flush the WAL to disk
/// before telling anyone a commit is durable.
class WalWriteGathering
{
public:
    WalWriteGathering();
    ~WalWriteGathering();
    WalWriteGathering(const WalWriteGathering &) = delete;
    WalWriteGathering &operator=(const WalWriteGathering &) = delete;
};

/// Starts writing a main database file's dirty pages to disk (sync_file_range), without
/// waiting for them and without flushing the device's cache: they then trickle out in the
/// background instead of all at the next real sync. Nothing is durable because of it. For a
/// file opened through this VFS whose descriptor is known; false otherwise (nothing happened).
bool startWriteback(sqlite3_file *file);

/// Process-wide counters, for tests and benchmarks.
struct Stats
{
    quint64 gatheredWrites = 0; ///< WAL writes kept in memory instead of written at once
    quint64 flushes = 0;        ///< writes of gathered bytes
    quint64 skippedSyncs = 0;   ///< commit syncs left to the caller
};
Stats stats();

} // namespace callwatch::store::walwritevfs
