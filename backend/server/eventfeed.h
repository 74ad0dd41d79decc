// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/eventrecord.h"
#include "core/result.h"

#include <QObject>
#include <QTimer>

#include <functional>

namespace callwatch::store {
class Database;
}

namespace callwatch::server {

/**
 * @brief Moves committed `events` rows to the live hub.
 *
 * Woken after each commit (and by a slow poll, so writes from another instance on the same
 * PostgreSQL are seen too), it reads every row after the last one it delivered and hands them
 * over in id order. Live delivery and resume read the same table, so they never disagree.
 * It may be moved to another thread after start() (its poll timer moves with it); then call
 * pump() only in that thread.
 */
class EventFeed : public QObject
{
    Q_OBJECT
public:
    using Sink = std::function<void(const QList<EventRecord> &)>;

    EventFeed(store::Database *database, Sink sink, QObject *parent = nullptr);

    /** Starts after the newest stored event: history is for resume, not for live delivery. */
    Result<> start(int pollIntervalMs = 1000);
    /** Reads and delivers everything committed since the last call. */
    void pump();
    /** Coalesces wake-ups: the commits of the next 2 ms cause one read. */
    void requestPump();
    qint64 lastDeliveredId() const { return m_lastId; }

private:
    store::Database *m_database;
    Sink m_sink;
    QTimer m_poll;
    qint64 m_lastId = 0;
    bool m_pending = false;
};

} // namespace callwatch::server
