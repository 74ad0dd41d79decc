// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/eventrecord.h"
#include "core/result.h"

#include <QElapsedTimer>
#include <QObject>
#include <QSqlDatabase>
#include <QTimer>

#include <atomic>
#include <chrono>
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
 *
 * Ids are taken when a row is inserted, not when it commits. On PostgreSQL two transactions
 * (the webhook writer and the HTTP thread's call writes, or two instances) can commit out of
 * id order: 101 becomes visible while 100 is still uncommitted. Reading past 100 would lose it
 * for good, as the feed never looks behind its last id. So a missing id holds back everything
 * after it until it appears or `gapWait` has passed (then it is taken to be rolled back: a
 * PostgreSQL sequence never gives an id back). On SQLite ids are never missing: one write
 * transaction at a time, and AUTOINCREMENT's counter rolls back with the rows.
 */
class EventFeed : public QObject
{
    Q_OBJECT
public:
    using Sink = std::function<void(const QList<EventRecord> &)>;

    EventFeed(store::Database *database, Sink sink, QObject *parent = nullptr);

    /** How long a missing id may hold back the events after it (see the class comment). */
    static constexpr std::chrono::milliseconds DefaultGapWait{1000};

    /** Starts after the newest stored event: history is for resume, not for live delivery. */
    Result<> start(int pollIntervalMs = 1000);
    void setGapWait(std::chrono::milliseconds wait) { m_gapWait = wait; }
    /**
     * PostgreSQL: also wakes on the notification the `events` table's trigger sends at every
     * commit (migration 0006), so events another instance writes go out at once, not at the
     * next poll. Call in the feed's thread (the notification arrives on that thread's
     * connection). A connection opened again later subscribes again at the next pump().
     */
    void listenForOtherWriters();
    /** The PostgreSQL channel of listenForOtherWriters(). */
    static constexpr auto NotifyChannel = "callwatch_events";
    /** Reads and delivers everything committed since the last call. */
    void pump();
    /** Coalesces wake-ups: the commits of the next 2 ms cause one read. */
    void requestPump();
    /**
     * The newest id handed to the sink; thread-safe. Resume reads no further than this, so
     * what it sends and what the feed sends next never skip an id between them.
     */
    qint64 lastDeliveredId() const { return m_lastId.load(); }
    /** Drops the events resume must not send yet (after lastDeliveredId()); thread-safe. */
    void keepDelivered(QList<EventRecord> &events) const;
    /** Missing ids the feed waited for in vain and went past (rolled back, or very late). */
    quint64 gapsSkipped() const { return m_gapsSkipped; }

private:
    /** How many of `page`'s rows may go out now: up to the first missing id still awaited. */
    qsizetype deliverable(const QList<EventRecord> &page);
    void onNotification(const QString &channel);
    /** Subscribes this thread's connection to NotifyChannel, unless it already is. */
    void subscribe(QSqlDatabase &db);

    store::Database *m_database;
    Sink m_sink;
    QTimer m_poll;
    QTimer m_gapRecheck; ///< while an id is missing: read again soon
    std::atomic<qint64> m_lastId{0};
    bool m_pending = false;
    bool m_listening = false; ///< listenForOtherWriters() was called
    std::chrono::milliseconds m_gapWait = DefaultGapWait;
    qint64 m_awaitedId = 0; ///< the missing id waited for; 0: none
    QElapsedTimer m_awaitedSince;
    quint64 m_gapsSkipped = 0;
};

} // namespace callwatch::server
