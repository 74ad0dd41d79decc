// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/walsyncer.h"

#include "store/logging.h"

#include <QElapsedTimer>
#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <pthread.h>
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
            if (m_waiting.empty() && m_stopping)
                return;
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

bool WalSyncer::flush() const
{
    // Opened per flush: a few microseconds, and never a stale descriptor if SQLite ever
    // removes and recreates the file.
    const QByteArray path = QFile::encodeName(m_walPath);
    const int fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        qCWarning(lcStore) << "cannot open the WAL to flush it:" << std::strerror(errno);
        return false;
    }
    const bool flushed = ::fdatasync(fd) == 0;
    if (!flushed)
        qCWarning(lcStore) << "fdatasync of the WAL failed:" << std::strerror(errno);
    ::close(fd);
    return flushed;
}

} // namespace callwatch::store
