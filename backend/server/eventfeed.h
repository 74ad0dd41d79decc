// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/eventrecord.h"
#include "core/result.h"

#include <QElapsedTimer>
#include <QObject>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QTimer>

#include <atomic>
#include <chrono>
#include <functional>
#include <vector>

namespace callwatch::store {
class Database;
class EventLog;
} // namespace callwatch::store

namespace callwatch::server {

/**
 * @brief Moves committed `events` rows to the live hub.
 *
 * Woken after each local commit, by other instances (PostgreSQL, see listenForOtherWriters())
 * and by a slow poll, it reads every row after the last one it delivered and hands them over in
 * id order. Live delivery and resume read the same table, so they never disagree. It may be
 * moved to another thread after start() (its timers move with it); then call pump() only in
 * that thread.
 *
 * Ids are taken when a row is inserted, not when it commits. On PostgreSQL two transactions
 * (the webhook writer and the HTTP thread's call writes, or two instances) can commit out of
 * id order: 101 becomes visible while 100 is still uncommitted. Reading past 100 would lose it
 * for good, as the feed never looks behind its last id. So a missing id holds back everything
 * after it until it appears or `gapWait` has passed since the feed first saw a newer id
 * stored (then it is taken to be rolled back: a PostgreSQL sequence never gives an id back).
 * The clock is the newest stored id's, not the hole's, so holes that come to light together,
 * or that split as ids commit, cost one wait, however far apart they are. While waiting, the
 * feed reads ids only. On SQLite ids are never missing (one write
 * transaction at a time; AUTOINCREMENT's counter rolls back with the rows): gapWait 0 there.
 */
class EventFeed : public QObject
{
    Q_OBJECT
public:
    using Sink = std::function<void(const QList<EventRecord> &)>;

    EventFeed(store::Database *database, Sink sink, QObject *parent = nullptr);

    /** How long a missing id may hold back the events after it (see the class comment). */
    static constexpr std::chrono::milliseconds DefaultGapWait{1000};
    /** The PostgreSQL channel instances wake each other's feeds on. */
    static constexpr auto NotifyChannel = "callwatch_events";

    /** Starts after the newest stored event: history is for resume, not for live delivery. */
    Result<> start(int pollIntervalMs = 1000);
    void setGapWait(std::chrono::milliseconds wait) { m_gapWait = wait; }
    /**
     * PostgreSQL, several instances: LISTENs on NotifyChannel, so events another instance
     * commits go out at once, not at the next poll, and after local commits (localCommit())
     * NOTIFYs the others. The NOTIFY is its own small transaction on the feed's connection,
     * committed without waiting for the disk (the events are already durable): a NOTIFY takes
     * a cluster-wide lock through its commit, which inside the writer's transactions would
     * serialize every instance's commits and their flushes. Call in the feed's thread; a
     * connection opened again later subscribes again at the next pump().
     */
    void listenForOtherWriters();
    /** NOTIFYs every instance's feed on `db`'s PostgreSQL (see listenForOtherWriters());
     *  nothing on SQLite. For writers outside a server too (`callwatchd backfill`). */
    static void wakeOtherInstances(QSqlDatabase &db);
    /** Reads and delivers everything committed since the last call. */
    void pump();
    /** Coalesces wake-ups: the commits of the next 2 ms cause one read. */
    void requestPump();
    /** This instance committed: requestPump(), and tell the other instances (PostgreSQL). */
    void localCommit();
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
    /** The newest id seen at some read, and since when: ids below it that are missing have
     *  been missing at least that long. */
    struct Sighting
    {
        qint64 id = 0;
        QElapsedTimer since;
    };

    /** How many of `ids` (ascending, after the last delivered) may go out now. */
    qsizetype deliverable(const QList<qint64> &ids, store::EventLog &log);
    /** Records the newest stored id (at least `atLeast`) if it is newer than the last seen. */
    void noteNewest(store::EventLog &log, qint64 atLeast);
    /** How long ids up to `lastMissing` have had a newer one after them; 0 if not seen yet. */
    qint64 missingForMs(qint64 lastMissing) const;
    /** pump() while a gap is awaited: ids only until something can go out. False: stop. */
    bool pumpPastGap(store::EventLog &log);
    void deliver(QList<EventRecord> events);
    void onNotification(const QString &channel, QSqlDriver::NotificationSource source);
    /** Subscribes this thread's connection to NotifyChannel, unless it already is. */
    void subscribe(QSqlDatabase &db);

    store::Database *m_database;
    Sink m_sink;
    QTimer m_poll;
    QTimer m_gapRecheck; ///< while an id is missing: read again soon
    std::atomic<qint64> m_lastId{0};
    bool m_pending = false;
    bool m_listening = false;    ///< listenForOtherWriters() was called
    bool m_notifyOthers = false; ///< a local commit the other instances are not told of yet
    std::chrono::milliseconds m_gapWait = DefaultGapWait;
    bool m_awaiting = false;           ///< a missing id holds delivery back
    std::vector<Sighting> m_sightings; ///< ascending; only ids above m_lastId
    quint64 m_gapsSkipped = 0;
};

} // namespace callwatch::server
