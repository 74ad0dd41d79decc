// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/callrecord.h"
#include "store/deliveryrepository.h"
#include "webhooks/audiopayloadscanner.h"
#include "webhooks/callinitiationfailure.h"
#include "webhooks/ingestwriter.h"
#include "webhooks/postcalltranscription.h"
#include "webhooks/transcriptionturn.h"

#include <QSqlDatabase>

#include <variant>

namespace callwatch::webhooks {

/** A post-call body whose type we record but do not process (or audio, handled elsewhere). */
struct UnhandledPayload
{
    QString type;
};

/** A verified, parsed live turn on its way to the writer (the batchable kind of delivery). */
struct TurnDelivery
{
    store::DeliveryRecord delivery;
    TranscriptionTurn turn;
    /// WebhookProcessor::preparedLiveTurn(turn), built on the HTTP thread so the writer does
    /// not hash the key or serialize the event fields; left empty, the writer builds it.
    store::NewTurn live;
};

/** What one delivery body says, parsed once, whichever route or Replay it came through. */
using ParsedDelivery =
    std::variant<PostCallTranscription, CallInitiationFailure, TranscriptionTurn, UnhandledPayload>;

/**
 * Parses a body of `route` ("transcription" or "post-call"). Errors name the field (400).
 * Sets `delivery.eventType` and `delivery.conversationId` / `callSid` where the body has them.
 */
Result<ParsedDelivery> parseDelivery(const QByteArray &body, store::DeliveryRecord &delivery);

/**
 * @brief What a verified, parsed delivery changes in the store: one method per kind.
 *
 * Runs on the writer thread inside the group transaction. Every method first records the
 * delivery in the inbox, then applies the change in a savepoint of its own, then records the
 * outcome; so a delivery whose processing fails is still in the inbox, with the reason.
 * The same code serves webhooks, Replay of a stored delivery and the backfill of missed ones.
 */
class WebhookProcessor
{
public:
    explicit WebhookProcessor(QSqlDatabase db);

    /** A delivery refused before processing (bad signature, bad JSON): inbox only. */
    WorkResult reject(store::DeliveryRecord delivery, int httpStatus, const Error &error);
    /** A valid delivery of a type we do not handle: recorded, answered 200. */
    WorkResult ignore(store::DeliveryRecord delivery);

    WorkResult applyPostCall(store::DeliveryRecord delivery, const PostCallTranscription &payload);
    WorkResult applyInitiationFailure(store::DeliveryRecord delivery,
                                      const CallInitiationFailure &payload);
    WorkResult applyAudio(store::DeliveryRecord delivery, const AudioPayloadInfo &payload,
                          const QString &audioPath);
    WorkResult applyTurn(store::DeliveryRecord delivery, const TranscriptionTurn &turn);
    /**
     * applyTurn() for many turns in a few statements (same outcomes, same rows and events). An
     * error means nothing was decided: the caller rolls back and applies them one by one.
     */
    Result<std::vector<WorkResult>> applyTurns(const std::vector<const TurnDelivery *> &turns);
    /**
     * The stored form of a live turn (turn key, text) with its event fields serialized
     * (store::NewTurn::eventFields): everything that needs no database, for the HTTP thread.
     */
    static store::NewTurn preparedLiveTurn(const TranscriptionTurn &turn);
    /** Dispatches a parsed body to the apply method of its kind (unhandled types: ignore). */
    WorkResult apply(store::DeliveryRecord delivery, const ParsedDelivery &payload);

    /**
     * Reprocesses a stored delivery as a new delivery of the same route (verification
     * "replayed": its timestamp has usually expired, and the caller holds calls:write).
     * Idempotency still holds: replaying a processed delivery answers "duplicate".
     */
    WorkResult replay(qint64 deliveryId);

private:
    /** The outcome of the change itself, before it is written back to the inbox row. */
    struct Applied
    {
        QString outcome; ///< processed, duplicate, not_found, failed
        int httpStatus = 200;
        Error error;
        QString callSid;
        QString conversationId;
    };
    using Change = std::function<Result<Applied>()>;

    WorkResult run(store::DeliveryRecord delivery, const QString &dedupKey, const Change &change);
    static store::DeliveryRecord withOutcome(store::DeliveryRecord delivery,
                                             const Applied &applied);
    static QString conversationIdOf(const TranscriptionTurn &turn);
    static Applied callNotFound(const TranscriptionTurn &turn);
    static store::NewTurn liveTurn(const TranscriptionTurn &turn);
    Result<> markStarted(const store::CallRecord &call);
    Result<std::vector<std::optional<store::CallRecord>>>
    resolveTurnCalls(const std::vector<const TurnDelivery *> &turns);
    static WorkResult answer(qint64 deliveryId, const Applied &applied);
    enum class PendingByNumber { No, Yes };
    Result<store::CallRecord> findOrCreateCall(const store::NewCall &wanted,
                                               const QString &ourCallSid,
                                               PendingByNumber pending = PendingByNumber::No);
    Result<Applied> postCall(const PostCallTranscription &payload);
    Result<Applied> initiationFailure(const CallInitiationFailure &payload);
    Result<Applied> audio(const AudioPayloadInfo &payload, const QString &audioPath);
    Result<Applied> turn(const TranscriptionTurn &turn);

    QSqlDatabase m_db;
};

/** Runs queued live turns as one batch (WebhookProcessor::applyTurns). */
class LiveTurnBatch : public BatchHandler
{
public:
    Result<std::vector<WorkResult>>
    runBatch(QSqlDatabase &db, const std::vector<const std::any *> &payloads) override;
};

} // namespace callwatch::webhooks
