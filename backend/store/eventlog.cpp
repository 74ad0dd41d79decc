// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/eventlog.h"
#include "store/database.h"

#include "store/sql.h"

#include <QJsonDocument>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace callwatch::store {

namespace {

constexpr int kMaxRead = 1000;

} // namespace

EventLog::EventLog(QSqlDatabase db) : m_db(std::move(db)) {}

Result<qint64> EventLog::append(const EventRecord &event)
{
    const QDateTime createdAt = event.createdAt.isValid() ? event.createdAt : sql::nowUtc();
    auto id =
        sql::scalar(m_db, u"append_event"_s,
                    u"INSERT INTO events (type, call_id, call_sid, conversation_id, payload, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id"_s,
                    {event.type, event.callId, event.callSid, sql::text(event.conversationId),
                     QString::fromUtf8(QJsonDocument(event.payload).toJson(QJsonDocument::Compact)),
                     sql::timeText(createdAt)});
    if (!id)
        return id.error();
    if (!id->has_value())
        return Error{u"database_error"_s, u"Statement append_event returned no id."_s};
    return id->value().toLongLong();
}

Result<> EventLog::appendAll(const QList<EventRecord> &events)
{
    QList<QByteArray> payloads;
    payloads.reserve(events.size());
    for (const EventRecord &event : events)
        payloads << QJsonDocument(event.payload).toJson(QJsonDocument::Compact);
    return appendSerialized(events, payloads);
}

Result<> EventLog::appendSerialized(const QList<EventRecord> &events,
                                    const QList<QByteArray> &payloads)
{
    if (payloads.size() != events.size())
        return Error{u"invalid_event"_s, u"One payload per event is needed."_s};
    for (qsizetype from = 0; from < events.size(); from += sql::kRowsPerStatement) {
        const qsizetype rows = std::min(sql::kRowsPerStatement, events.size() - from);
        QVariantList values;
        values.reserve(rows * 6);
        for (qsizetype i = from; i < from + rows; ++i) {
            const EventRecord &event = events.at(i);
            const QDateTime createdAt = event.createdAt.isValid() ? event.createdAt : sql::nowUtc();
            values << event.type << event.callId << event.callSid << sql::text(event.conversationId)
                   << QString::fromUtf8(payloads.at(i)) << sql::timeText(createdAt);
        }
        auto inserted = sql::run(m_db, u"append_events"_s,
                                 u"INSERT INTO events (type, call_id, call_sid, conversation_id, "
                                 "payload, created_at) VALUES "_s +
                                     sql::valueRows(rows, 6),
                                 values);
        if (!inserted)
            return inserted.error();
    }
    return {};
}

Result<QList<EventRecord>> EventLog::readAfter(qint64 afterId, int limit, Payload form)
{
    // Read for every commit while webhooks stream in (the live feed): rows come straight from
    // the statement, and a payload is parsed only for callers that want the object.
    QList<EventRecord> events;
    auto read =
        sql::forEachRow(m_db, u"read_events_after"_s,
                        u"SELECT id, type, call_id, call_sid, conversation_id, payload, "
                        "created_at FROM events WHERE id > ? ORDER BY id LIMIT ?"_s,
                        {afterId, std::clamp(limit, 1, kMaxRead)}, [&](const sql::RowView &row) {
                            EventRecord event;
                            event.id = row.integer(0);
                            event.type = row.text(1);
                            event.callId = row.integer(2);
                            event.callSid = row.text(3);
                            event.conversationId = row.text(4);
                            if (form == Payload::Text)
                                event.payloadJson = row.utf8(5);
                            else
                                event.payload = QJsonDocument::fromJson(row.utf8(5)).object();
                            event.createdAt = row.time(6);
                            events << event;
                        });
    if (!read)
        return read.error();
    return events;
}

Result<QList<qint64>> EventLog::idsAfter(qint64 afterId, int limit)
{
    QList<qint64> ids;
    auto read = sql::forEachRow(m_db, u"event_ids_after"_s,
                                u"SELECT id FROM events WHERE id > ? ORDER BY id LIMIT ?"_s,
                                {afterId, std::clamp(limit, 1, kMaxRead)},
                                [&](const sql::RowView &row) { ids << row.integer(0); });
    if (!read)
        return read.error();
    return ids;
}

Result<qint64> EventLog::liveStartId()
{
    if (store::Database::dialectOf(m_db) != Dialect::Postgresql) {
        auto id = sql::scalar(m_db, u"event_live_start"_s,
                              u"SELECT MAX(COALESCE((SELECT MAX(id) FROM events), 0), "
                              u"COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), "
                              u"0))"_s);
        if (!id)
            return id.error();
        return id->value_or(QVariant(0)).toLongLong();
    }
    auto newest = lastId();
    if (!newest || newest.value() > 0)
        return newest;
    // Empty: the identity sequence (NULL before its first value). Reading it needs a privilege
    // a schema owned by someone else may not grant; then the first event may wait once.
    auto sequence = sql::scalar(m_db, u"event_sequence_last"_s,
                                u"SELECT pg_sequence_last_value(pg_get_serial_sequence('events', "
                                u"'id')::regclass)"_s);
    if (!sequence)
        return qint64(0);
    return sequence->value_or(QVariant(0)).toLongLong();
}

Result<qint64> EventLog::lastId()
{
    auto id = sql::scalar(m_db, u"last_event_id"_s, u"SELECT COALESCE(MAX(id), 0) FROM events"_s);
    if (!id)
        return id.error();
    return id->value_or(QVariant(0)).toLongLong();
}

Result<qint64> EventLog::oldestId()
{
    auto id = sql::scalar(m_db, u"oldest_event_id"_s, u"SELECT COALESCE(MIN(id), 0) FROM events"_s);
    if (!id)
        return id.error();
    return id->value_or(QVariant(0)).toLongLong();
}

Result<int> EventLog::pruneOldest(const QDateTime &olderThan, int limit)
{
    // Reads the first ids (primary key order, cheap at any table size) and where the old ones
    // end, then deletes that range: the cut never passes a newer event.
    qint64 lastOld = 0;
    bool reachedNewer = false;
    auto read = sql::forEachRow(
        m_db, u"oldest_events"_s,
        u"SELECT id, CASE WHEN created_at < ? THEN 1 ELSE 0 END FROM events "
        u"ORDER BY id LIMIT ?"_s,
        {sql::timeText(olderThan), std::max(limit, 1)}, [&](const sql::RowView &row) {
            if (reachedNewer || row.integer(1) == 0)
                reachedNewer = true;
            else
                lastOld = row.integer(0);
        });
    if (!read)
        return read.error();
    if (lastOld == 0)
        return 0;
    return sql::run(m_db, u"prune_events"_s, u"DELETE FROM events WHERE id <= ?"_s, {lastOld});
}

} // namespace callwatch::store
