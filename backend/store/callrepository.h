// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/eventrecord.h"
#include "core/result.h"
#include "store/callrecord.h"
#include "store/databaseurl.h"
#include "store/eventlog.h"

#include <QHash>
#include <QSet>
#include <QSqlDatabase>

#include <optional>

namespace callwatch::store {

/**
 * @brief Calls and their transcripts. Every change is written together with its `events` row in
 * one transaction (a savepoint when the caller already has one open), so the live stream never
 * shows a change that was rolled back and never misses one that was committed.
 *
 * The store records what it is told: which status transitions make sense is the caller's call.
 * Errors: `call_not_found`, `call_exists`, `conversation_in_use`, `invalid_call`,
 * `invalid_turn`, `invalid_cursor`, `database_error`.
 */
/** One input of CallRepository::appendLiveTurns(): the call (identity fields suffice). */
struct LiveTurnAppend
{
    CallRecord call;
    NewTurn turn;
};

class CallRepository
{
public:
    explicit CallRepository(QSqlDatabase db);

    /// Event `call_status` (previous_status null). Duplicate call_sid → `call_exists`.
    Result<CallRecord> createCall(const NewCall &call);

    Result<std::optional<CallRecord>> findById(qint64 id);
    Result<std::optional<CallRecord>> findByCallSid(const QString &callSid);
    Result<std::optional<CallRecord>> findByConversationId(const QString &conversationId);
    /// Only the fields of callrows::identityColumns() are filled: what a live turn needs.
    Result<std::optional<CallRecord>> findIdentityByCallSid(const QString &callSid);
    Result<std::optional<CallRecord>> findIdentityByConversationId(const QString &conversationId);
    /// The newest outbound call to `toNumber` still initiating and without a conversation id: a
    /// batch recipient whose conversation id the reconciler has not mapped yet.
    Result<std::optional<CallRecord>> findPendingOutboundByNumber(const QString &toNumber);
    /// The newest call with this provider id (provider ids are not unique).
    Result<std::optional<CallRecord>> findByProviderCallId(const QString &providerCallId);

    /// Fills conversation_id / provider_call_id where still NULL (set values are kept). When the
    /// conversation id is newly set, a `call_status` event with the unchanged status tells the
    /// dashboard. Another call holding that conversation id → `conversation_in_use`.
    Result<CallRecord> setConversation(qint64 callId, const QString &conversationId,
                                       const QString &providerCallId);

    /// Fills agent_id, driver_id, to_number, direction and batch_id where still NULL from
    /// `details` (set values are kept; no event: the completion that follows carries them).
    /// Used when a call created from a bare delivery (audio first) learns who it was with.
    Result<CallRecord> fillMissingDetails(qint64 callId, const NewCall &details);

    /// Writes the status (started_at on in_progress, ended_at on completed/failed, when unset)
    /// and a `call_status` event; the same status and reason again writes nothing.
    Result<CallRecord> changeStatus(qint64 callId, const QString &newStatus,
                                    const QString &failureReason = {});

    /// Stores the post-call results: event `call_status` (only when the status changes) then
    /// `call_completed`.
    Result<CallRecord> completeCall(qint64 callId, const CompletionData &data);

    /// Appends a turn with the next sequence number and a `transcription` event; nullopt (and no
    /// row, no event, no number used) when (call, source, turn_key) is already stored.
    Result<std::optional<TranscriptTurn>> appendTurn(qint64 callId, const NewTurn &turn);

    /**
     * appendTurn() for many live turns at once, in a handful of statements instead of several per
     * turn (the webhook writer's hot path). Returns one entry per input, in order: nullopt for a
     * turn already stored or repeated earlier in `turns` (no row, no event, no number used);
     * otherwise the stored turn (its `id` is not read back). New turns get consecutive sequence
     * numbers per call in input order, and a `transcription` event each. Call status is not
     * touched. All or nothing: on error nothing is written.
     */
    Result<QList<std::optional<TranscriptTurn>>>
    appendLiveTurns(const QList<LiveTurnAppend> &turns);
    /// id, call_sid, conversation_id and status of the calls with these call_sids (not the turn
    /// counter: reserveSequenceNumbers() reads it under its lock).
    Result<QHash<QString, CallRecord>> findIdentitiesByCallSids(const QStringList &callSids);

    /// Makes these the call's `post_call` turns (live turns stay), without events. The same turns
    /// again change nothing; different ones replace the old post-call turns. Returns the number
    /// of turns written (0 when unchanged).
    Result<int> replacePostCallTranscript(qint64 callId, const QList<NewTurn> &turns);

    Result<> setAudioPath(qint64 callId, const QString &path);

    Result<CallPage> listCalls(const CallFilter &filter);
    /// Turns: the post-call transcript when there is one (it is authoritative), else the live
    /// turns; ordered by sequence_number.
    Result<std::optional<CallWithTranscript>> getCallWithTranscript(const QString &callSid);

private:
    Result<std::optional<CallRecord>> findIdentity(const QString &name, const QString &where,
                                                   const QVariant &value);
    Result<std::optional<CallRecord>> findOne(const QString &name, const QString &where,
                                              const QVariant &value);
    /// Reads the call, locked for this transaction on PostgreSQL; `call_not_found` if missing.
    Result<CallRecord> lockCall(qint64 callId);
    Result<CallRecord> insertCall(const NewCall &call, const QString &callSid,
                                  const QDateTime &now);
    Result<CallRecord> writeStatus(const CallRecord &call, const QString &status,
                                   const QString &failureReason, const QDateTime &now);
    Result<CallRecord> writeCompletion(const CallRecord &call, const CompletionData &data,
                                       const QString &failureReason, const QDateTime &now);
    Result<std::optional<TranscriptTurn>> insertTurn(qint64 callId, qint64 sequenceNumber,
                                                     const NewTurn &turn, bool ignoreDuplicate);
    Result<QList<TranscriptTurn>> turnsOf(qint64 callId, const QString &source);
    Result<> appendEvent(const EventRecord &event);
    Result<QSet<std::pair<qint64, QString>>> storedLiveTurnKeys(const QList<LiveTurnAppend> &turns);
    Result<QHash<qint64, qint64>> reserveSequenceNumbers(const QHash<qint64, int> &counts);
    /// PostgreSQL: checks that the calls exist (`call_not_found`) and locks their rows in this
    /// order (ids sorted ascending, so concurrent writers never deadlock).
    Result<> lockCalls(const QList<qint64> &sortedIds);
    /// Adds `count` numbers to the call's counter in call_sequences; returns the new last one.
    Result<qint64> reserveNumbers(qint64 callId, qint64 count);
    /// "ON CONFLICT … DO UPDATE" adding excluded.last_sequence_number to a call's counter.
    static QString sequenceUpsert();
    enum class OnStoredKey { Fail, Skip };
    /// Multi-row INSERTs; returns the number of rows written (Skip: stored keys are not).
    Result<qsizetype> insertTurns(const QList<TranscriptTurn> &turns, OnStoredKey onStoredKey);
    enum class StoredKeys { Assume, Look };
    /// One attempt of appendLiveTurns() in its own savepoint. Assume: no key is stored yet, and
    /// nullopt (everything rolled back) when one was. Look: reads the stored keys first.
    Result<std::optional<QList<std::optional<TranscriptTurn>>>>
    appendLiveTurnsOnce(const QList<LiveTurnAppend> &turns, StoredKeys stored);
    /// A known speaker and source and a turn key.
    static Result<> validateTurn(const NewTurn &turn);

    QSqlDatabase m_db;
    Dialect m_dialect;
    EventLog m_events;
};

} // namespace callwatch::store
