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
        auto query =
            sql::exec(m_db, u"find_call_identities_by_sid"_s,
                      u"SELECT "_s + callrows::identityColumns() +
                          u" FROM calls WHERE call_sid IN ("_s + sql::placeholders(count) + u')',
                      values);
        if (!query)
            return query.error();
        while (query->next()) {
            CallRecord call = callrows::identityFromRow(query.value());
            found.insert(call.callSid, call);
        }
        query->finish();
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
    // Returns each call's first new number. The row locks (PostgreSQL) are taken in id order so
    // two instances batching the same calls queue up instead of deadlocking.
    QList<qint64> ids = counts.keys();
    std::sort(ids.begin(), ids.end());
    QHash<qint64, qint64> first;
    QVariantList values;
    QString cases;
    for (qint64 id : std::as_const(ids)) {
        cases += u" WHEN ? THEN ?"_s;
        values << id << counts.value(id);
    }
    values << sql::timeText(sql::nowUtc());
    for (qint64 id : std::as_const(ids))
        values << id;
    if (m_dialect == Dialect::Postgresql) {
        QVariantList lockValues;
        for (qint64 id : std::as_const(ids))
            lockValues << id;
        auto locked = sql::run(m_db, u"lock_calls"_s,
                               u"SELECT id FROM calls WHERE id IN ("_s +
                                   sql::placeholders(ids.size()) + u") ORDER BY id FOR UPDATE"_s,
                               lockValues);
        if (!locked)
            return locked.error();
    }
    auto query =
        sql::exec(m_db, u"reserve_sequence_numbers"_s,
                  u"UPDATE calls SET last_sequence_number = last_sequence_number + CASE id"_s +
                      cases + u" END, updated_at = ? WHERE id IN ("_s +
                      sql::placeholders(ids.size()) + u") RETURNING id, last_sequence_number"_s,
                  values);
    if (!query)
        return query.error();
    while (query->next()) {
        const qint64 id = query->value(0).toLongLong();
        first.insert(id, query->value(1).toLongLong() - counts.value(id) + 1);
    }
    query->finish();
    if (first.size() != ids.size())
        return Error{u"call_not_found"_s, u"A call of the batch no longer exists."_s};
    return first;
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
    QList<std::optional<TranscriptTurn>> out(turns.size());
    if (turns.isEmpty())
        return out;
    Transaction tx(m_db);
    if (auto begun = tx.status(); !begun)
        return begun.error();
    auto taken = storedLiveTurnKeys(turns);
    if (!taken)
        return taken.error();

    QHash<qint64, int> counts;
    QList<bool> isNew(turns.size(), false);
    for (qsizetype i = 0; i < turns.size(); ++i) {
        const TurnIdentity identity{turns.at(i).call.id, turns.at(i).turn.turnKey};
        if (taken->contains(identity))
            continue; // stored before, or earlier in this batch
        taken->insert(identity);
        isNew[i] = true;
        ++counts[identity.first];
    }
    if (counts.isEmpty())
        return out;
    auto next = reserveSequenceNumbers(counts);
    if (!next)
        return next.error();

    QList<TranscriptTurn> stored;
    QList<EventRecord> events;
    const QDateTime now = sql::nowUtc();
    for (qsizetype i = 0; i < turns.size(); ++i) {
        if (!isNew.at(i))
            continue;
        const LiveTurnAppend &t = turns.at(i);
        const TranscriptTurn turn =
            callrows::turnRow(t.call.id, next.value()[t.call.id]++, t.turn, now);
        out[i] = turn;
        stored << turn;
        events << callevents::transcription(t.call, turn);
    }
    if (auto inserted = insertTurns(stored); !inserted)
        return inserted.error();
    if (auto logged = m_events.appendAll(events); !logged)
        return logged.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return out;
}

Result<> CallRepository::insertTurns(const QList<TranscriptTurn> &turns)
{
    constexpr int columns = 10;
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
                sql::valueRows(rows, columns),
            values);
        if (!inserted)
            return inserted.error();
    }
    return {};
}

} // namespace callwatch::store
