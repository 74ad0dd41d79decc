// SPDX-License-Identifier: GPL-3.0-or-later
// CallRepository, batched live turns: the webhook writer's hot path in a handful of statements.
#include "store/callrepository.h"

#include "store/callevents.h"
#include "store/callrows.h"
#include "store/sql.h"
#include "store/transaction.h"

#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace callwatch::store {

namespace {

using TurnIdentity = std::pair<qint64, QString>; // (call id, turn key)

QList<qint64> distinctCallIds(const QList<LiveTurnAppend> &turns)
{
    QList<qint64> ids;
    for (const LiveTurnAppend &t : turns)
        ids << t.call.id;
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

} // namespace

Result<QHash<QString, CallRecord>>
CallRepository::findIdentitiesByCallSids(const QStringList &callSids)
{
    QHash<QString, CallRecord> found;
    for (qsizetype from = 0; from < callSids.size(); from += sql::kRowsPerStatement) {
        const qsizetype count = std::min(sql::kRowsPerStatement, callSids.size() - from);
        QVariantList values;
        for (qsizetype i = from; i < from + count; ++i)
            values << callSids.at(i);
        // Every group of live turns asks this: read the rows straight from the statement, and
        // not the turn counter (reserveSequenceNumbers() takes it under its own lock).
        auto read = sql::forEachRow(
            m_db, u"find_call_identities_by_sid"_s,
            u"SELECT id, call_sid, conversation_id, status FROM calls WHERE call_sid IN ("_s +
                sql::placeholders(count) + u')',
            values, [&found](const sql::RowView &row) {
                CallRecord call;
                call.id = row.integer(0);
                call.callSid = row.text(1);
                call.conversationId = row.text(2);
                call.status = row.text(3);
                found.insert(call.callSid, call);
            });
        if (!read)
            return read.error();
    }
    return found;
}

Result<QSet<std::pair<qint64, QString>>>
CallRepository::storedLiveTurnKeys(const QList<LiveTurnAppend> &turns)
{
    // A superset query (calls × keys), filtered here: one statement instead of one per turn.
    QSet<TurnIdentity> stored;
    const QList<qint64> callIds = distinctCallIds(turns);
    QStringList keys;
    for (const LiveTurnAppend &t : turns)
        keys << t.turn.turnKey;
    keys.removeDuplicates();
    for (qsizetype from = 0; from < keys.size(); from += sql::kRowsPerStatement) {
        const qsizetype count = std::min(sql::kRowsPerStatement, keys.size() - from);
        QVariantList values{QString::fromLatin1(TurnSource::Live)};
        for (qint64 id : callIds)
            values << id;
        for (qsizetype i = from; i < from + count; ++i)
            values << keys.at(i);
        auto query =
            sql::exec(m_db, u"find_stored_turn_keys"_s,
                      u"SELECT call_id, turn_key FROM call_transcriptions WHERE source = ? "
                      "AND call_id IN ("_s +
                          sql::placeholders(callIds.size()) + u") AND turn_key IN ("_s +
                          sql::placeholders(count) + u')',
                      values);
        if (!query)
            return query.error();
        while (query->next())
            stored.insert({query->value(0).toLongLong(), query->value(1).toString()});
        query->finish();
    }
    return stored;
}

Result<QHash<qint64, qint64>>
CallRepository::reserveSequenceNumbers(const QHash<qint64, int> &counts)
{
    // Returns each call's first new number. The calls are checked (and on PostgreSQL locked) in
    // id order first, so two instances batching the same calls queue up instead of
    // deadlocking; the counters live in the narrow call_sequences table (hundreds per page).
    QList<qint64> ids = counts.keys();
    std::sort(ids.begin(), ids.end());
    // SQLite: BEGIN IMMEDIATE already holds the database's write lock, and the calls were just
    // read in this transaction (a missing one fails the upsert's foreign key).
    if (m_dialect == Dialect::Postgresql) {
        if (auto locked = lockCalls(ids); !locked)
            return locked.error();
    }
    QVariantList values;
    values.reserve(ids.size() * 2);
    for (qint64 id : std::as_const(ids))
        values << id << counts.value(id);
    QHash<qint64, qint64> first;
    auto reserved =
        sql::forEachRow(m_db, u"reserve_sequence_numbers"_s,
                        u"INSERT INTO call_sequences (call_id, last_sequence_number) VALUES "_s +
                            sql::valueRows(ids.size(), 2) + sequenceUpsert() +
                            u" RETURNING call_id, last_sequence_number"_s,
                        values, [&](const sql::RowView &row) {
                            const qint64 id = row.integer(0);
                            first.insert(id, row.integer(1) - counts.value(id) + 1);
                        });
    if (!reserved)
        return reserved.error();
    if (first.size() != ids.size())
        return Error{u"database_error"_s, u"A sequence number was not reserved."_s};
    return first;
}

Result<> CallRepository::lockCalls(const QList<qint64> &sortedIds)
{
    QVariantList values;
    for (qint64 id : sortedIds)
        values << id;
    auto locked = sql::exec(m_db, u"lock_calls"_s,
                            u"SELECT id FROM calls WHERE id IN ("_s +
                                sql::placeholders(sortedIds.size()) + u") ORDER BY id FOR UPDATE"_s,
                            values);
    if (!locked)
        return locked.error();
    qsizetype found = 0;
    while (locked->next())
        ++found;
    locked->finish();
    if (found != sortedIds.size())
        return Error{u"call_not_found"_s, u"A call of the batch no longer exists."_s};
    return {};
}

QString CallRepository::sequenceUpsert()
{
    // Same text in both dialects: the row of a call's first turn is created, later ones add.
    return u" ON CONFLICT (call_id) DO UPDATE SET last_sequence_number = "
           "call_sequences.last_sequence_number + excluded.last_sequence_number"_s;
}

Result<QList<std::optional<TranscriptTurn>>>
CallRepository::appendLiveTurns(const QList<LiveTurnAppend> &turns)
{
    for (const LiveTurnAppend &t : turns) {
        if (auto valid = validateTurn(t.turn); !valid)
            return valid.error();
        if (t.turn.source != QLatin1StringView(TurnSource::Live))
            return Error{u"invalid_turn"_s, u"appendLiveTurns() takes live turns only."_s};
    }
    if (turns.isEmpty())
        return QList<std::optional<TranscriptTurn>>();
    // Optimistic first: a redelivered turn is rare, so looking every key up before inserting
    // cost more than it saved. When the insert finds a stored key, that attempt is rolled back
    // (its numbers are given back) and the batch runs again with the lookup.
    auto optimistic = appendLiveTurnsOnce(turns, StoredKeys::Assume);
    if (!optimistic)
        return optimistic.error();
    if (optimistic->has_value())
        return std::move(optimistic.value()).value();
    auto checked = appendLiveTurnsOnce(turns, StoredKeys::Look);
    if (!checked)
        return checked.error();
    if (!checked->has_value())
        return Error{u"database_error"_s, u"A turn key was stored during the batch."_s};
    return std::move(checked.value()).value();
}

Result<std::optional<QList<std::optional<TranscriptTurn>>>>
CallRepository::appendLiveTurnsOnce(const QList<LiveTurnAppend> &turns, StoredKeys stored)
{
    using Outcome = std::optional<QList<std::optional<TranscriptTurn>>>;
    QList<std::optional<TranscriptTurn>> out(turns.size());
    Transaction tx(m_db);
    if (auto begun = tx.status(); !begun)
        return begun.error();
    QSet<TurnIdentity> taken;
    if (stored == StoredKeys::Look) {
        auto keys = storedLiveTurnKeys(turns);
        if (!keys)
            return keys.error();
        taken = std::move(keys.value());
    }

    QHash<qint64, int> counts;
    QList<bool> isNew(turns.size(), false);
    for (qsizetype i = 0; i < turns.size(); ++i) {
        const TurnIdentity identity{turns.at(i).call.id, turns.at(i).turn.turnKey};
        if (taken.contains(identity))
            continue; // stored before, or earlier in this batch
        taken.insert(identity);
        isNew[i] = true;
        ++counts[identity.first];
    }
    if (counts.isEmpty())
        return Outcome(out);
    auto next = reserveSequenceNumbers(counts);
    if (!next)
        return next.error();

    QList<TranscriptTurn> rows;
    QList<EventRecord> events;
    QList<QByteArray> payloads;
    const QDateTime now = sql::nowUtc();
    for (qsizetype i = 0; i < turns.size(); ++i) {
        if (!isNew.at(i))
            continue;
        const LiveTurnAppend &t = turns.at(i);
        const TranscriptTurn turn =
            callrows::turnRow(t.call.id, next.value()[t.call.id]++, t.turn, now);
        out[i] = turn;
        rows << turn;
        auto [event, payload] = callevents::transcriptionText(t.call, turn, t.turn.eventFields);
        events << std::move(event);
        payloads << std::move(payload);
    }
    auto inserted = insertTurns(rows, OnStoredKey::Skip);
    if (!inserted)
        return inserted.error();
    if (inserted.value() != rows.size())
        return Outcome(); // a key was stored before: tx rolls back, numbers and all
    if (auto logged = m_events.appendSerialized(events, payloads); !logged)
        return logged.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return Outcome(out);
}

Result<qsizetype> CallRepository::insertTurns(const QList<TranscriptTurn> &turns,
                                              OnStoredKey onStoredKey)
{
    constexpr int columns = 10;
    const QString onConflict = onStoredKey == OnStoredKey::Skip
                                   ? u" ON CONFLICT (call_id, source, turn_key) DO NOTHING"_s
                                   : QString();
    qsizetype written = 0;
    for (qsizetype from = 0; from < turns.size(); from += sql::kRowsPerStatement) {
        const qsizetype rows = std::min(sql::kRowsPerStatement, turns.size() - from);
        QVariantList values;
        values.reserve(rows * columns);
        for (qsizetype i = from; i < from + rows; ++i) {
            const TranscriptTurn &t = turns.at(i);
            values << t.callId << t.sequenceNumber << t.speaker << t.message
                   << sql::number(t.timeInCallSecs) << sql::timeText(t.receivedAt) << t.source
                   << t.turnKey << sql::json(t.toolCalls) << sql::json(t.toolResults);
        }
        auto inserted = sql::run(
            m_db, u"insert_turns"_s,
            u"INSERT INTO call_transcriptions (call_id, sequence_number, speaker, message, "
            "time_in_call_secs, received_at, source, turn_key, tool_calls, tool_results) VALUES "_s +
                sql::valueRows(rows, columns) + onConflict,
            values);
        if (!inserted)
            return inserted.error();
        written += inserted.value();
    }
    return written;
}

} // namespace callwatch::store
