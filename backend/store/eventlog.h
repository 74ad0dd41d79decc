// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/eventrecord.h"
#include "core/result.h"

#include <QDateTime>
#include <QList>
#include <QSqlDatabase>

namespace callwatch::store {

/**
 * @brief The append-only `events` table: what live clients are told, in id order, so a client
 * that reconnects can ask for everything after the last id it saw.
 *
 * On PostgreSQL ids can commit out of order (see the migration); readers must allow for it.
 */
class EventLog
{
public:
    explicit EventLog(QSqlDatabase db);

    /// Stores the event (payload as JSON text); returns its id. Runs in the caller's transaction.
    Result<qint64> append(const EventRecord &event);
    /// append() for many events, in input order (ids ascend in that order), few statements.
    Result<> appendAll(const QList<EventRecord> &events);
    /// appendAll() with each payload already serialized (`payloads[i]` is events[i]'s JSON
    /// text; events[i].payload is not read).
    Result<> appendSerialized(const QList<EventRecord> &events, const QList<QByteArray> &payloads);
    /// How readAfter() hands over each payload.
    enum class Payload {
        Parsed, ///< as a QJsonObject in `payload`
        Text,   ///< as the stored JSON text in `payloadJson`: what live delivery sends on
    };
    /// Events with id > afterId, ordered by id, at most `limit` (1..1000).
    Result<QList<EventRecord>> readAfter(qint64 afterId, int limit, Payload form = Payload::Parsed);
    /// Ids only of readAfter(afterId, limit): cheap to ask again and again.
    Result<QList<qint64>> idsAfter(qint64 afterId, int limit);
    /// The highest id, 0 when empty.
    Result<qint64> lastId();
    /**
     * Where the live feed starts: the newest id, or, when retention has emptied the table, the
     * last id handed out (SQLite's AUTOINCREMENT counter; PostgreSQL's identity sequence), so
     * the next event does not look like it follows missing ones. SQLite also counts ids of
     * rows gone since; PostgreSQL does not while rows exist, as ids above the newest may still
     * be in flight in another session and must be waited for, not skipped.
     */
    Result<qint64> liveStartId();
    /// The lowest id still stored, 0 when empty.
    Result<qint64> oldestId();
    /**
     * Deletes the oldest events, at most `limit`, in id order and only while they were
     * created before `olderThan`; returns how many. Only ever a prefix of the ids: a resuming
     * client is told it fell behind retention (ids below oldestId()), never handed a stream
     * with a hole in it, even if creation times are not quite in id order (instances' clocks).
     */
    Result<int> pruneOldest(const QDateTime &olderThan, int limit);

private:
    QSqlDatabase m_db;
};

} // namespace callwatch::store
