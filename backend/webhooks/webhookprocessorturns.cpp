// SPDX-License-Identifier: GPL-3.0-or-later
// WebhookProcessor, batched live turns: the same outcomes as applyTurn(), in a few statements.
#include "webhooks/webhookprocessor.h"

#include "store/callrepository.h"

using namespace Qt::StringLiterals;

namespace callwatch::webhooks {

Result<std::vector<std::optional<store::CallRecord>>>
WebhookProcessor::resolveTurnCalls(const std::vector<const TurnDelivery *> &turns)
{
    store::CallRepository calls(m_db);
    QStringList sids;
    for (const TurnDelivery *t : turns)
        sids << t->turn.callSid;
    sids.removeDuplicates();
    auto bySid = calls.findIdentitiesByCallSids(sids);
    if (!bySid)
        return bySid.error();
    // The second step of the lookup (conversation id) is rare: one statement per miss.
    QHash<QString, std::optional<store::CallRecord>> byConversation;
    std::vector<std::optional<store::CallRecord>> resolved(turns.size());
    for (size_t i = 0; i < turns.size(); ++i) {
        const TranscriptionTurn &turn = turns[i]->turn;
        if (auto it = bySid->constFind(turn.callSid); it != bySid->constEnd()) {
            resolved[i] = it.value();
            continue;
        }
        const QString conversationId = conversationIdOf(turn);
        if (conversationId.isEmpty())
            continue;
        if (!byConversation.contains(conversationId)) {
            auto found = calls.findIdentityByConversationId(conversationId);
            if (!found)
                return found.error();
            byConversation.insert(conversationId, found.value());
        }
        resolved[i] = byConversation.value(conversationId);
    }
    return resolved;
}

Result<std::vector<WorkResult>>
WebhookProcessor::applyTurns(const std::vector<const TurnDelivery *> &turns)
{
    auto resolved = resolveTurnCalls(turns);
    if (!resolved)
        return resolved.error();
    QList<store::LiveTurnAppend> appends;
    for (size_t i = 0; i < turns.size(); ++i) {
        if (!resolved.value()[i])
            continue;
        // Built ahead on the HTTP thread when it could; received now, as applyTurn() has it.
        store::NewTurn live =
            turns[i]->live.turnKey.isEmpty() ? liveTurn(turns[i]->turn) : turns[i]->live;
        live.receivedAt = QDateTime::currentDateTimeUtc();
        appends << store::LiveTurnAppend{*resolved.value()[i], std::move(live)};
    }
    auto stored = store::CallRepository(m_db).appendLiveTurns(appends);
    if (!stored)
        return stored.error();

    QList<store::DeliveryRecord> deliveries;
    std::vector<Applied> outcomes;
    QSet<qint64> started;
    qsizetype next = 0; // index into appends / stored
    for (size_t i = 0; i < turns.size(); ++i) {
        const std::optional<store::CallRecord> &call = resolved.value()[i];
        Applied applied;
        if (!call) {
            applied = callNotFound(turns[i]->turn);
        } else if (!stored.value().at(next++)) {
            applied = Applied{u"duplicate"_s, 200, {}, call->callSid, call->conversationId};
        } else {
            if (!started.contains(call->id)) {
                started.insert(call->id);
                if (auto marked = markStarted(*call); !marked)
                    return marked.error();
            }
            applied = Applied{u"processed"_s, 200, {}, call->callSid, call->conversationId};
        }
        deliveries << withOutcome(turns[i]->delivery, applied);
        outcomes.push_back(applied);
    }
    auto ids = store::DeliveryRepository(m_db).recordAll(deliveries);
    if (!ids)
        return ids.error();
    std::vector<WorkResult> results;
    results.reserve(turns.size());
    for (size_t i = 0; i < turns.size(); ++i)
        results.push_back(answer(ids->at(qsizetype(i)), outcomes[i]));
    return results;
}

Result<std::vector<WorkResult>>
LiveTurnBatch::runBatch(QSqlDatabase &db, const std::vector<const std::any *> &payloads)
{
    std::vector<const TurnDelivery *> turns;
    turns.reserve(payloads.size());
    for (const std::any *payload : payloads) {
        const auto *turn = std::any_cast<TurnDelivery>(payload);
        if (!turn)
            return Error{u"internal_error"_s, u"A batched item is not a live turn."_s};
        turns.push_back(turn);
    }
    return WebhookProcessor(db).applyTurns(turns);
}

} // namespace callwatch::webhooks
