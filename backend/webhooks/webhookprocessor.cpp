// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/webhookprocessor.h"

#include "store/callevents.h"
#include "store/callrepository.h"
#include "store/transaction.h"
#include "webhooks/webhookenvelope.h"

#include <QDateTime>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace callwatch::webhooks {

namespace {

QJsonObject errorBody(const Error &error)
{
    return {{u"error"_s, QJsonObject{{u"code"_s, error.code}, {u"message"_s, error.message}}}};
}

bool isStorageFailure(const Error &error)
{
    return error.code == u"database_error"_s || error.code == u"database_unavailable"_s;
}

// call_transcriptions.message is NOT NULL, and QSQLITE binds a null QString as NULL: a turn
// without text (ElevenLabs sends message null for tool-only turns) must be stored as "".
QString turnText(const QString &message)
{
    return message.isNull() ? u""_s : message;
}

store::NewTurn postCallTurn(const PostCallTurn &turn, int index)
{
    store::NewTurn out;
    out.speaker = turn.role;
    out.message = turnText(turn.message);
    out.timeInCallSecs = turn.timeInCallSecs;
    out.source = QString::fromLatin1(store::TurnSource::PostCall);
    out.turnKey = u"pc:"_s + QString::number(index);
    out.toolCalls = turn.toolCalls;
    out.toolResults = turn.toolResults;
    return out;
}

QDateTime fromUnix(std::optional<qint64> secs)
{
    return secs ? QDateTime::fromSecsSinceEpoch(*secs, Qt::UTC) : QDateTime();
}

} // namespace

Result<ParsedDelivery> parseDelivery(const QByteArray &body, store::DeliveryRecord &delivery)
{
    if (delivery.route == u"transcription"_s) {
        auto turn = TranscriptionTurn::parse(body);
        if (!turn)
            return turn.error();
        delivery.callSid = turn->callSid;
        return ParsedDelivery(std::move(turn).value());
    }
    auto envelope = WebhookEnvelope::parse(body);
    if (!envelope)
        return envelope.error();
    delivery.eventType = envelope->type;
    if (envelope->type == WebhookType::PostCallTranscription) {
        auto payload = PostCallTranscription::fromEnvelope(envelope.value());
        if (!payload)
            return payload.error();
        delivery.conversationId = payload->conversationId;
        return ParsedDelivery(std::move(payload).value());
    }
    if (envelope->type == WebhookType::CallInitiationFailure) {
        auto payload = CallInitiationFailure::fromEnvelope(envelope.value());
        if (!payload)
            return payload.error();
        delivery.conversationId = payload->conversationId;
        return ParsedDelivery(std::move(payload).value());
    }
    return ParsedDelivery(UnhandledPayload{envelope->type});
}

WebhookProcessor::WebhookProcessor(QSqlDatabase db) : m_db(std::move(db)) {}

WorkResult WebhookProcessor::reject(store::DeliveryRecord delivery, int httpStatus,
                                    const Error &error)
{
    delivery.outcome = u"rejected"_s;
    delivery.httpStatus = httpStatus;
    delivery.errorCode = error.code;
    delivery.errorMessage = error.message;
    delivery.processedAt = QDateTime::currentDateTimeUtc();
    store::DeliveryRepository deliveries(m_db);
    if (auto recorded = deliveries.record(delivery); !recorded)
        return databaseUnavailable(recorded.error().message);
    return {httpStatus, errorBody(error)};
}

WorkResult WebhookProcessor::ignore(store::DeliveryRecord delivery)
{
    return run(std::move(delivery), {}, [] { return Result<Applied>(Applied{u"ignored"_s}); });
}

WorkResult WebhookProcessor::applyPostCall(store::DeliveryRecord delivery,
                                           const PostCallTranscription &payload)
{
    const QString key = webhookDedupKey(WebhookType::PostCallTranscription, payload.conversationId,
                                        payload.eventTimestamp);
    return run(std::move(delivery), key, [&] { return postCall(payload); });
}

WorkResult WebhookProcessor::applyInitiationFailure(store::DeliveryRecord delivery,
                                                    const CallInitiationFailure &payload)
{
    const QString key = webhookDedupKey(WebhookType::CallInitiationFailure, payload.conversationId,
                                        payload.eventTimestamp);
    return run(std::move(delivery), key, [&] { return initiationFailure(payload); });
}

WorkResult WebhookProcessor::applyAudio(store::DeliveryRecord delivery,
                                        const AudioPayloadInfo &payload, const QString &audioPath)
{
    const QString key =
        webhookDedupKey(WebhookType::PostCallAudio, payload.conversationId, payload.eventTimestamp);
    return run(std::move(delivery), key, [&] { return audio(payload, audioPath); });
}

WorkResult WebhookProcessor::applyTurn(store::DeliveryRecord delivery,
                                       const TranscriptionTurn &payload)
{
    // Turn idempotency lives in call_transcriptions (call, source, turn_key), not in the dedup
    // table: the key is only unique per call.
    return run(std::move(delivery), {}, [&] { return turn(payload); });
}

WorkResult WebhookProcessor::replay(qint64 deliveryId)
{
    auto stored = store::DeliveryRepository(m_db).get(deliveryId);
    if (!stored)
        return databaseUnavailable(stored.error().message);
    if (!stored.value())
        return {404,
                errorBody({u"delivery_not_found"_s, u"No delivery with id %1"_s.arg(deliveryId)})};
    const store::DeliveryRecord &original = *stored.value();
    if (original.body.isEmpty())
        return {
            409,
            errorBody({u"not_replayable"_s,
                       u"Delivery %1 has no stored body (audio bodies are not kept; old bodies go "
                       u"after inbox-body-retention-days)"_s.arg(deliveryId)})};
    store::DeliveryRecord delivery;
    delivery.receivedAt = QDateTime::currentDateTimeUtc();
    delivery.route = original.route;
    delivery.headers = original.headers;
    delivery.headers.insert(u"x-callwatch-replay-of"_s, QString::number(deliveryId));
    delivery.signatureHeader = original.signatureHeader;
    delivery.body = original.body;
    delivery.bodySize = original.bodySize;
    delivery.bodySha256 = original.bodySha256;
    delivery.verification = u"replayed"_s;
    auto payload = parseDelivery(original.body, delivery);
    return payload ? apply(delivery, payload.value()) : reject(delivery, 400, payload.error());
}

WorkResult WebhookProcessor::apply(store::DeliveryRecord delivery, const ParsedDelivery &payload)
{
    if (const auto *p = std::get_if<PostCallTranscription>(&payload))
        return applyPostCall(std::move(delivery), *p);
    if (const auto *p = std::get_if<CallInitiationFailure>(&payload))
        return applyInitiationFailure(std::move(delivery), *p);
    if (const auto *p = std::get_if<TranscriptionTurn>(&payload))
        return applyTurn(std::move(delivery), *p);
    return ignore(std::move(delivery));
}

WorkResult WebhookProcessor::run(store::DeliveryRecord delivery, const QString &dedupKey,
                                 const Change &change)
{
    store::DeliveryRepository deliveries(m_db);
    delivery.dedupKey = dedupKey;
    Applied applied;
    bool claimed = false;
    {
        // The change and its dedup claim commit or roll back together, so a delivery that
        // failed half-way can be retried by ElevenLabs or replayed from the inbox.
        store::Transaction transaction(m_db);
        auto claim =
            dedupKey.isEmpty() ? Result<bool>(true) : deliveries.claimDedupKey(dedupKey, 0);
        Result<Applied> result = !claim           ? Result<Applied>(claim.error())
                                 : !claim.value() ? Result<Applied>(Applied{u"duplicate"_s})
                                                  : change();
        if (result && transaction.commit()) {
            applied = result.value();
            claimed = !dedupKey.isEmpty() && claim && claim.value();
        } else {
            transaction.rollback();
            const Error error =
                result ? Error{u"database_error"_s, u"commit failed"_s} : result.error();
            applied = Applied{u"failed"_s, isStorageFailure(error) ? 503 : 422, error};
        }
    }
    // Recorded once, with its outcome, after the change: a post-call body is hundreds of KB,
    // and updating the row afterwards would write it all a second time.
    auto id = deliveries.record(withOutcome(std::move(delivery), applied));
    if (!id)
        return databaseUnavailable(id.error().message);
    if (claimed) {
        if (auto linked = deliveries.linkDedupKey(dedupKey, id.value()); !linked)
            return databaseUnavailable(linked.error().message);
    }
    return answer(id.value(), applied);
}

store::DeliveryRecord WebhookProcessor::withOutcome(store::DeliveryRecord delivery,
                                                    const Applied &applied)
{
    delivery.outcome = applied.outcome;
    delivery.httpStatus = applied.httpStatus;
    delivery.errorCode = applied.error.code;
    delivery.errorMessage = applied.error.message;
    if (!applied.callSid.isEmpty())
        delivery.callSid = applied.callSid;
    if (!applied.conversationId.isEmpty())
        delivery.conversationId = applied.conversationId;
    delivery.processedAt = QDateTime::currentDateTimeUtc();
    return delivery;
}

WorkResult WebhookProcessor::answer(qint64 deliveryId, const Applied &applied)
{
    if (applied.httpStatus == 503)
        return databaseUnavailable(applied.error.message);
    if (applied.httpStatus >= 400)
        return {applied.httpStatus, errorBody(applied.error)};
    WorkResult result;
    result.stored = WorkResult::Stored{applied.outcome, deliveryId, applied.callSid};
    return result;
}

Result<store::CallRecord> WebhookProcessor::findOrCreateCall(const store::NewCall &wanted,
                                                             const QString &ourCallSid,
                                                             PendingByNumber pending)
{
    store::CallRepository calls(m_db);
    // ElevenLabs' conversation id first; then our call_sid, carried back to us as a dynamic
    // variable (it survives a crash between dialing and storing the conversation id); then the
    // provider's call id; an unknown call (inbound, or started elsewhere) is created.
    std::optional<store::CallRecord> found;
    if (!wanted.conversationId.isEmpty()) {
        auto byConversation = calls.findByConversationId(wanted.conversationId);
        if (!byConversation)
            return byConversation.error();
        found = byConversation.value();
    }
    if (!found && !ourCallSid.isEmpty()) {
        auto bySid = calls.findByCallSid(ourCallSid);
        if (!bySid)
            return bySid.error();
        found = bySid.value();
    }
    if (!found && !wanted.providerCallId.isEmpty()) {
        auto byProvider = calls.findByProviderCallId(wanted.providerCallId);
        if (!byProvider)
            return byProvider.error();
        found = byProvider.value();
    }
    if (!found && pending == PendingByNumber::Yes && !wanted.toNumber.isEmpty()) {
        // An initiation failure carries no dynamic variables: for a batch recipient whose
        // conversation id is not mapped yet, the number is all that ties it to our call.
        auto byNumber = calls.findPendingOutboundByNumber(wanted.toNumber);
        if (!byNumber)
            return byNumber.error();
        found = byNumber.value();
    }
    if (!found) {
        store::NewCall call = wanted;
        call.callSid = ourCallSid;
        return calls.createCall(call);
    }
    if (found->conversationId.isEmpty() || found->providerCallId.isEmpty()) {
        auto updated =
            calls.setConversation(found->id, wanted.conversationId, wanted.providerCallId);
        if (!updated)
            return updated.error();
        found = updated.value();
    }
    // A call created from a bare delivery (audio before transcript) learns who it was with.
    const auto fills = [](const QString &have, const QString &offered) {
        return have.isEmpty() && !offered.isEmpty();
    };
    if (fills(found->agentId, wanted.agentId) || fills(found->driverId, wanted.driverId) ||
        fills(found->toNumber, wanted.toNumber) || fills(found->direction, wanted.direction) ||
        fills(found->batchId, wanted.batchId))
        return calls.fillMissingDetails(found->id, wanted);
    return *found;
}

Result<WebhookProcessor::Applied> WebhookProcessor::postCall(const PostCallTranscription &p)
{
    store::NewCall wanted;
    wanted.agentId = p.agentId;
    wanted.driverId = p.driverId;
    wanted.toNumber = p.externalNumber;
    wanted.direction = p.direction;
    wanted.status = QString::fromLatin1(store::CallStatus::InProgress);
    wanted.conversationId = p.conversationId;
    wanted.providerCallId = p.providerCallId;
    wanted.batchId = p.batchCallId;
    auto call = findOrCreateCall(wanted, p.callSid);
    if (!call)
        return call.error();

    store::CallRepository calls(m_db);
    QList<store::NewTurn> turns;
    turns.reserve(p.transcript.size());
    for (int i = 0; i < p.transcript.size(); ++i)
        turns.append(postCallTurn(p.transcript.at(i), i));
    if (auto stored = calls.replacePostCallTranscript(call->id, turns); !stored)
        return stored.error();

    store::CompletionData data;
    data.status =
        QString::fromLatin1(p.failed() ? store::CallStatus::Failed : store::CallStatus::Completed);
    data.transcriptSummary = p.transcriptSummary;
    if (p.callDurationSecs)
        data.callDurationSeconds = *p.callDurationSecs;
    data.cost = p.cost;
    data.callSuccessful = p.callSuccessful;
    data.analysis = p.analysis;
    data.metadata = p.metadata;
    data.terminationReason = p.terminationReason;
    data.startedAt = fromUnix(p.startTimeUnixSecs);
    if (p.startTimeUnixSecs && p.callDurationSecs)
        data.endedAt = fromUnix(*p.startTimeUnixSecs + *p.callDurationSecs);
    auto completed = calls.completeCall(call->id, data);
    if (!completed)
        return completed.error();
    return Applied{u"processed"_s, 200, {}, completed->callSid, completed->conversationId};
}

Result<WebhookProcessor::Applied>
WebhookProcessor::initiationFailure(const CallInitiationFailure &p)
{
    store::NewCall wanted;
    wanted.agentId = p.agentId;
    wanted.toNumber = p.toNumber;
    wanted.direction = u"outbound"_s;
    wanted.conversationId = p.conversationId;
    wanted.providerCallId = p.providerCallId;
    auto call = findOrCreateCall(wanted, p.callSid, PendingByNumber::Yes);
    if (!call)
        return call.error();
    // A call whose post-call transcript already arrived did connect: a failure report for it
    // is stale and must not wipe the completion data.
    if (call->status == QLatin1StringView(store::CallStatus::Completed))
        return Applied{u"ignored"_s, 200, {}, call->callSid, call->conversationId};
    store::CompletionData data;
    data.status = QString::fromLatin1(store::CallStatus::Failed);
    data.failureReason = p.failureReason;
    QJsonObject metadata = call->metadata;
    metadata.insert(u"initiation_failure"_s,
                    QJsonObject{{u"type"_s, p.providerType}, {u"body"_s, p.providerBody}});
    data.metadata = metadata;
    data.endedAt = QDateTime::fromSecsSinceEpoch(p.eventTimestamp, Qt::UTC);
    auto failed = store::CallRepository(m_db).completeCall(call->id, data);
    if (!failed)
        return failed.error();
    return Applied{u"processed"_s, 200, {}, failed->callSid, failed->conversationId};
}

Result<WebhookProcessor::Applied> WebhookProcessor::audio(const AudioPayloadInfo &p,
                                                          const QString &audioPath)
{
    store::NewCall wanted;
    wanted.agentId = p.agentId;
    wanted.status = QString::fromLatin1(store::CallStatus::InProgress);
    wanted.conversationId = p.conversationId;
    auto call = findOrCreateCall(wanted, {});
    if (!call)
        return call.error();
    if (auto stored = store::CallRepository(m_db).setAudioPath(call->id, audioPath); !stored)
        return stored.error();
    return Applied{u"processed"_s, 200, {}, call->callSid, call->conversationId};
}

Result<WebhookProcessor::Applied> WebhookProcessor::turn(const TranscriptionTurn &t)
{
    store::CallRepository calls(m_db);
    // The seeds' two-step lookup: our call_sid, then the conversation id (also accepted in the
    // call_sid field, where relays sometimes put it).
    auto call = calls.findIdentityByCallSid(t.callSid);
    const QString conversationId = conversationIdOf(t);
    if (call && !call.value() && !conversationId.isEmpty())
        call = calls.findIdentityByConversationId(conversationId);
    if (!call)
        return call.error();
    if (!call.value())
        return callNotFound(t);

    const store::CallRecord &record = *call.value();
    auto appended = calls.appendTurn(record.id, liveTurn(t));
    if (!appended)
        return appended.error();
    if (!appended.value())
        return Applied{u"duplicate"_s, 200, {}, record.callSid, record.conversationId};
    if (auto started = markStarted(record); !started)
        return started.error();
    return Applied{u"processed"_s, 200, {}, record.callSid, record.conversationId};
}

QString WebhookProcessor::conversationIdOf(const TranscriptionTurn &t)
{
    return !t.conversationId.isEmpty()        ? t.conversationId
           : t.callSid.startsWith(u"conv_"_s) ? t.callSid
                                              : QString();
}

WebhookProcessor::Applied WebhookProcessor::callNotFound(const TranscriptionTurn &t)
{
    return Applied{
        u"not_found"_s, 404,
        Error{u"call_not_found"_s,
              u"No call with call_sid \"%1\"; the delivery is kept in the inbox"_s.arg(t.callSid)},
        t.callSid, conversationIdOf(t)};
}

store::NewTurn WebhookProcessor::liveTurn(const TranscriptionTurn &t)
{
    store::NewTurn turn;
    turn.speaker = t.speaker;
    turn.message = turnText(t.message);
    turn.timeInCallSecs = t.timeInCallSecs;
    turn.turnKey = t.turnKey();
    turn.receivedAt = QDateTime::currentDateTimeUtc();
    return turn;
}

store::NewTurn WebhookProcessor::preparedLiveTurn(const TranscriptionTurn &t)
{
    store::NewTurn turn = liveTurn(t);
    turn.eventFields = store::callevents::transcriptionFields(turn);
    return turn;
}

Result<> WebhookProcessor::markStarted(const store::CallRecord &call)
{
    // A turn is the first sure sign that the call connected.
    if (call.status != QLatin1StringView(store::CallStatus::Initiating))
        return {};
    auto started = store::CallRepository(m_db).changeStatus(
        call.id, QString::fromLatin1(store::CallStatus::InProgress));
    if (!started)
        return started.error();
    return {};
}

} // namespace callwatch::webhooks
