// SPDX-License-Identifier: GPL-3.0-or-later
// CallRepository, transcript half: appending live turns and storing the post-call transcript.
#include "store/callrepository.h"

#include "store/callevents.h"
#include "store/callrows.h"
#include "store/sql.h"
#include "store/transaction.h"

#include <QSet>

using namespace Qt::StringLiterals;

namespace callwatch::store {

namespace {

// Whether the stored post-call turns are exactly `turns` (order and content).
bool sameTurns(const QList<TranscriptTurn> &stored, const QList<NewTurn> &turns)
{
    if (stored.size() != turns.size())
        return false;
    for (qsizetype i = 0; i < turns.size(); ++i) {
        const TranscriptTurn &a = stored.at(i);
        const NewTurn &b = turns.at(i);
        if (a.turnKey != b.turnKey || a.speaker != b.speaker || a.message != b.message ||
            a.timeInCallSecs != b.timeInCallSecs || a.toolCalls != b.toolCalls ||
            a.toolResults != b.toolResults)
            return false;
    }
    return true;
}

} // namespace

Result<> CallRepository::validateTurn(const NewTurn &turn)
{
    if (turn.speaker != u"agent" && turn.speaker != u"user")
        return Error{u"invalid_turn"_s,
                     u"Unknown speaker \"%1\" (agent or user)."_s.arg(turn.speaker)};
    if (turn.source != QLatin1StringView(TurnSource::Live) &&
        turn.source != QLatin1StringView(TurnSource::PostCall))
        return Error{u"invalid_turn"_s, u"Unknown turn source \"%1\"."_s.arg(turn.source)};
    if (turn.turnKey.isEmpty())
        return Error{u"invalid_turn"_s, u"A turn needs a turn key."_s};
    return {};
}

Result<std::optional<TranscriptTurn>> CallRepository::appendTurn(qint64 callId, const NewTurn &turn)
{
    if (auto valid = validateTurn(turn); !valid)
        return valid.error();
    Transaction tx(m_db);
    if (auto begun = tx.status(); !begun)
        return begun.error();
    // Locking the call first (PostgreSQL) makes appends for one call queue up across
    // connections and instances; a duplicate rolls back and gives the number back.
    auto query =
        sql::exec(m_db, u"lock_call_identity"_s,
                  u"SELECT "_s + callrows::identityColumns() + u" FROM calls WHERE id = ?"_s +
                      (m_dialect == Dialect::Postgresql ? u" FOR UPDATE"_s : QString()),
                  {callId});
    if (!query)
        return query.error();
    if (!query->next())
        return Error{u"call_not_found"_s, u"There is no call with id %1."_s.arg(callId)};
    CallRecord call = callrows::identityFromRow(query.value());
    query->finish();
    auto number = reserveNumbers(callId, 1);
    if (!number)
        return number.error();
    call.lastSequenceNumber = number.value();

    auto inserted = insertTurn(callId, call.lastSequenceNumber, turn, true);
    if (!inserted)
        return inserted.error();
    if (!inserted->has_value())
        return std::optional<TranscriptTurn>(); // duplicate: tx rolls back
    if (auto logged = appendEvent(callevents::transcription(call, inserted->value())); !logged)
        return logged.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return inserted;
}

Result<std::optional<TranscriptTurn>> CallRepository::insertTurn(qint64 callId,
                                                                 qint64 sequenceNumber,
                                                                 const NewTurn &turn,
                                                                 bool ignoreDuplicate)
{
    const QDateTime receivedAt = turn.receivedAt.isValid() ? turn.receivedAt : sql::nowUtc();
    const QString onConflict =
        ignoreDuplicate ? u" ON CONFLICT (call_id, source, turn_key) DO NOTHING"_s : QString();
    auto query =
        sql::exec(m_db, u"insert_turn"_s,
                  u"INSERT INTO call_transcriptions (call_id, sequence_number, speaker, message, "
                  "time_in_call_secs, received_at, source, turn_key, tool_calls, tool_results) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s +
                      onConflict + u" RETURNING "_s + callrows::turnColumns(),
                  {callId, sequenceNumber, turn.speaker, turn.message,
                   sql::number(turn.timeInCallSecs), sql::timeText(receivedAt), turn.source,
                   turn.turnKey, sql::json(turn.toolCalls), sql::json(turn.toolResults)});
    if (!query)
        return query.error();
    std::optional<TranscriptTurn> stored;
    if (query->next())
        stored = callrows::turnFromRow(query.value());
    query->finish();
    return stored;
}

Result<int> CallRepository::replacePostCallTranscript(qint64 callId, const QList<NewTurn> &turns)
{
    QList<NewTurn> postCall = turns;
    QSet<QString> keys;
    for (NewTurn &turn : postCall) {
        turn.source = QString::fromLatin1(TurnSource::PostCall);
        if (auto valid = validateTurn(turn); !valid)
            return valid.error();
        if (keys.contains(turn.turnKey))
            return Error{u"invalid_turn"_s,
                         u"Two post-call turns share the key \"%1\"."_s.arg(turn.turnKey)};
        keys.insert(turn.turnKey);
    }

    Transaction tx(m_db);
    if (auto begun = tx.status(); !begun)
        return begun.error();
    if (auto call = lockCall(callId); !call)
        return call.error();
    auto stored = turnsOf(callId, QString::fromLatin1(TurnSource::PostCall));
    if (!stored)
        return stored.error();
    if (sameTurns(stored.value(), postCall))
        return 0; // a repeated post-call webhook: nothing to do

    auto removed = sql::run(m_db, u"delete_post_call_turns"_s,
                            u"DELETE FROM call_transcriptions WHERE call_id = ? AND source = ?"_s,
                            {callId, QString::fromLatin1(TurnSource::PostCall)});
    if (!removed)
        return removed.error();
    // Reserve all numbers at once; post-call turns follow the live ones in the same sequence.
    qint64 first = 1;
    if (!postCall.isEmpty()) {
        auto last = reserveNumbers(callId, postCall.size());
        if (!last)
            return last.error();
        first = last.value() - postCall.size() + 1;
    }
    // One multi-row INSERT per chunk: a long call has hundreds of turns.
    QList<TranscriptTurn> rows;
    rows.reserve(postCall.size());
    const QDateTime now = sql::nowUtc();
    for (qsizetype i = 0; i < postCall.size(); ++i)
        rows << callrows::turnRow(callId, first + i, postCall.at(i), now);
    if (auto inserted = insertTurns(rows, OnStoredKey::Fail); !inserted)
        return inserted.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return int(postCall.size());
}

Result<qint64> CallRepository::reserveNumbers(qint64 callId, qint64 count)
{
    auto last = sql::scalar(m_db, u"reserve_call_sequence_numbers"_s,
                            u"INSERT INTO call_sequences (call_id, last_sequence_number) "
                            "VALUES (?, ?)"_s +
                                sequenceUpsert() + u" RETURNING last_sequence_number"_s,
                            {callId, count});
    if (!last)
        return last.error();
    if (!last->has_value())
        return Error{u"database_error"_s, u"No sequence number was reserved."_s};
    return last->value().toLongLong();
}

Result<QList<TranscriptTurn>> CallRepository::turnsOf(qint64 callId, const QString &source)
{
    auto query = sql::exec(m_db, u"read_turns"_s,
                           u"SELECT "_s + callrows::turnColumns() +
                               u" FROM call_transcriptions WHERE call_id = ? AND source = ? "
                               "ORDER BY sequence_number"_s,
                           {callId, source});
    if (!query)
        return query.error();
    QList<TranscriptTurn> turns;
    while (query->next())
        turns << callrows::turnFromRow(query.value());
    return turns;
}

Result<std::optional<CallWithTranscript>>
CallRepository::getCallWithTranscript(const QString &callSid)
{
    auto call = findByCallSid(callSid);
    if (!call)
        return call.error();
    if (!call->has_value())
        return std::optional<CallWithTranscript>();
    CallWithTranscript result{call->value(), {}};
    auto turns = turnsOf(result.call.id, QString::fromLatin1(TurnSource::PostCall));
    if (!turns)
        return turns.error();
    if (turns->isEmpty())
        turns = turnsOf(result.call.id, QString::fromLatin1(TurnSource::Live));
    if (!turns)
        return turns.error();
    result.turns = turns.value();
    return std::optional<CallWithTranscript>(std::move(result));
}

} // namespace callwatch::store
