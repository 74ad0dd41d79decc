// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/walsyncer.h"

#include "store/logging.h"

#include <QElapsedTimer>
#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

namespace callwatch::store {

WalSyncer::WalSyncer(QString walPath) : m_walPath(std::move(walPath)) {}

WalSyncer::~WalSyncer()
{
    stop();
}

void WalSyncer::start()
{
    std::lock_guard lock(m_mutex);
    if (m_thread.joinable())
        return;
    m_stopping = false;
    m_thread = std::thread([this] { run(); });
}

void WalSyncer::stop()
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

void WalSyncer::whenDurable(std::function<void(bool)> then)
{
    {
        std::lock_guard lock(m_mutex);
        m_waiting.push_back(std::move(then));
    }
    m_wake.notify_one();
}

void WalSyncer::run()
{
    pthread_setname_np(pthread_self(), "wal-syncer"); // visible in top -H, perf, gdb
    for (;;) {
        std::deque<std::function<void(bool)>> batch;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_waiting.empty(); });
            if (m_waiting.empty() && m_stopping) {
                closeWal();
                return;
            }
            batch.swap(m_waiting);
        }
        // Everything in `batch` was committed before it was queued, so one flush covers it all.
        QElapsedTimer clock;
        clock.start();
        const bool durable = flush();
        m_syncNanos += quint64(clock.nsecsElapsed());
        ++m_syncs;
        for (auto &then : batch)
            then(durable);
    }
}

bool WalSyncer::flush()
{
    // One descriptor, kept: the kernel reports a failed writeback to every descriptor that was
    // open when it failed, but one opened afterwards is not told of an error another descriptor
    // (SQLite's own, syncing for a checkpoint) has already heard, and this thread would then
    // acknowledge frames that never reached the disk. Opened again only when the path names
    // another file (SQLite removed the WAL and made a new one); the old one holds nothing left
    // to flush, as SQLite removes it only after a complete checkpoint.
    const QByteArray path = QFile::encodeName(m_walPath);
    struct stat named
    {};
    const bool exists = ::stat(path.constData(), &named) == 0;
    if (m_fd >= 0 && (!exists || named.st_dev != m_dev || named.st_ino != m_ino)) {
        ::close(m_fd);
        m_fd = -1;
    }
    if (m_fd < 0) {
        m_fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC);
        struct stat opened
        {};
        if (m_fd < 0 || ::fstat(m_fd, &opened) != 0) {
            qCWarning(lcStore) << "cannot open the WAL to flush it:" << std::strerror(errno);
            closeWal();
            return false;
        }
        m_dev = opened.st_dev;
        m_ino = opened.st_ino;
        ++m_opens;
    }
    const bool flushed = ::fdatasync(m_fd) == 0;
    if (!flushed)
        qCWarning(lcStore) << "fdatasync of the WAL failed:" << std::strerror(errno);
    return flushed;
}

void WalSyncer::closeWal()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

} // namespace callwatch::store
