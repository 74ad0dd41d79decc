// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/callrepository.h"

#include "store/callevents.h"
#include "store/callrows.h"
#include "store/database.h"
#include "store/sql.h"
#include "store/transaction.h"

using namespace Qt::StringLiterals;

namespace callwatch::store {

namespace {

constexpr int kGeneratedSidAttempts = 5;

bool isOneOf(const QString &value, std::initializer_list<const char *> allowed)
{
    for (const char *candidate : allowed) {
        if (value == QLatin1StringView(candidate))
            return true;
    }
    return false;
}

bool isStatus(const QString &status)
{
    return isOneOf(status, {CallStatus::Initiating, CallStatus::InProgress, CallStatus::Completed,
                            CallStatus::Failed});
}

bool isFinal(const QString &status)
{
    return isOneOf(status, {CallStatus::Completed, CallStatus::Failed});
}

Error invalidCall(const QString &message)
{
    return Error{u"invalid_call"_s, message};
}

Error unknownStatus(const QString &status)
{
    return invalidCall(u"Unknown call status \"%1\"."_s.arg(status));
}

QString generatedSid(const QString &driverId, qint64 unixMs)
{
    return u"EL_%1_%2"_s.arg(driverId.isEmpty() ? u"unknown"_s : driverId).arg(unixMs);
}

} // namespace

CallRepository::CallRepository(QSqlDatabase db)
    : m_db(std::move(db)), m_dialect(Database::dialectOf(m_db)), m_events(m_db)
{}

Result<> CallRepository::appendEvent(const EventRecord &event)
{
    auto id = m_events.append(event);
    if (!id)
        return id.error();
    return {};
}

Result<CallRecord> CallRepository::createCall(const NewCall &call)
{
    if (!isStatus(call.status))
        return unknownStatus(call.status);
    if (!call.direction.isEmpty() && !isOneOf(call.direction, {"outbound", "inbound"}))
        return invalidCall(u"Unknown call direction \"%1\"."_s.arg(call.direction));

    Transaction tx(m_db);
    if (auto begun = tx.status(); !begun)
        return begun.error();
    if (!call.conversationId.isEmpty()) {
        auto existing = findByConversationId(call.conversationId);
        if (!existing)
            return existing.error();
        if (existing->has_value())
            return Error{u"conversation_in_use"_s,
                         u"Another call already has this conversation id."_s};
    }
    const QDateTime now = sql::nowUtc();
    Result<CallRecord> created = Error{};
    if (!call.callSid.isEmpty()) {
        created = insertCall(call, call.callSid, now);
    } else {
        // Two calls for one driver in the same millisecond would collide: try the next ones.
        for (int attempt = 0; attempt < kGeneratedSidAttempts; ++attempt) {
            created = insertCall(
                call, generatedSid(call.driverId, now.toMSecsSinceEpoch() + attempt), now);
            if (created || created.error().code != u"call_exists")
                break;
        }
    }
    if (!created)
        return created.error();
    if (auto logged = appendEvent(callevents::status(created.value(), {}, now)); !logged)
        return logged.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return created;
}

Result<CallRecord> CallRepository::insertCall(const NewCall &call, const QString &callSid,
                                              const QDateTime &now)
{
    const QVariant startedAt = call.status == QLatin1StringView(CallStatus::InProgress)
                                   ? QVariant(sql::timeText(now))
                                   : QVariant();
    const QVariant endedAt = isFinal(call.status) ? QVariant(sql::timeText(now)) : QVariant();
    auto query = sql::exec(
        m_db, u"insert_call"_s,
        u"INSERT INTO calls (call_sid, conversation_id, provider_call_id, agent_id, driver_id, "
        "to_number, direction, status, created_at, started_at, ended_at, updated_at, batch_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_sid) DO NOTHING "
        "RETURNING "_s +
            callrows::callColumns(),
        {callSid, sql::text(call.conversationId), sql::text(call.providerCallId),
         sql::text(call.agentId), sql::text(call.driverId), sql::text(call.toNumber),
         sql::text(call.direction), call.status, sql::timeText(now), startedAt, endedAt,
         sql::timeText(now), sql::text(call.batchId)});
    if (!query)
        return query.error();
    if (!query->next())
        return Error{u"call_exists"_s, u"A call with call_sid %1 already exists."_s.arg(callSid)};
    CallRecord record = callrows::callFromRow(query.value());
    query->finish();
    return record;
}

Result<std::optional<CallRecord>> CallRepository::findOne(const QString &name, const QString &where,
                                                          const QVariant &value)
{
    auto query = sql::exec(m_db, name,
                           u"SELECT "_s + callrows::callColumns() + u" FROM calls WHERE "_s + where,
                           {value});
    if (!query)
        return query.error();
    std::optional<CallRecord> call;
    if (query->next())
        call = callrows::callFromRow(query.value());
    return call;
}

Result<std::optional<CallRecord>> CallRepository::findIdentityByCallSid(const QString &callSid)
{
    return findIdentity(u"find_call_identity_by_sid"_s, u"call_sid = ?"_s, callSid);
}

Result<std::optional<CallRecord>>
CallRepository::findIdentityByConversationId(const QString &conversationId)
{
    return findIdentity(u"find_call_identity_by_conversation"_s, u"conversation_id = ?"_s,
                        conversationId);
}

Result<std::optional<CallRecord>>
CallRepository::findIdentity(const QString &name, const QString &where, const QVariant &value)
{
    auto query = sql::exec(
        m_db, name, u"SELECT "_s + callrows::identityColumns() + u" FROM calls WHERE "_s + where,
        {value});
    if (!query)
        return query.error();
    std::optional<CallRecord> call;
    if (query->next())
        call = callrows::identityFromRow(query.value());
    query->finish();
    return call;
}

Result<std::optional<CallRecord>>
CallRepository::findPendingOutboundByNumber(const QString &toNumber)
{
    return findOne(u"find_pending_by_number"_s,
                   u"to_number = ? AND status = 'initiating' AND direction = 'outbound' AND "
                   "conversation_id IS NULL ORDER BY id DESC LIMIT 1"_s,
                   toNumber);
}

Result<std::optional<CallRecord>> CallRepository::findById(qint64 id)
{
    return findOne(u"find_call_by_id"_s, u"id = ?"_s, id);
}

Result<std::optional<CallRecord>> CallRepository::findByCallSid(const QString &callSid)
{
    return findOne(u"find_call_by_sid"_s, u"call_sid = ?"_s, callSid);
}

Result<std::optional<CallRecord>>
CallRepository::findByConversationId(const QString &conversationId)
{
    return findOne(u"find_call_by_conversation"_s, u"conversation_id = ?"_s, conversationId);
}

Result<std::optional<CallRecord>>
CallRepository::findByProviderCallId(const QString &providerCallId)
{
    return findOne(u"find_call_by_provider_id"_s,
                   u"provider_call_id = ? ORDER BY id DESC LIMIT 1"_s, providerCallId);
}

Result<CallRecord> CallRepository::lockCall(qint64 callId)
{
    // SQLite needs no row lock: BEGIN IMMEDIATE already holds the database's write lock.
    const QString lock = m_dialect == Dialect::Postgresql ? u" FOR UPDATE"_s : QString();
    auto call = findOne(u"lock_call"_s, u"id = ?"_s + lock, callId);
    if (!call)
        return call.error();
    if (!call->has_value())
        return Error{u"call_not_found"_s, u"There is no call with id %1."_s.arg(callId)};
    return std::move(call.value()).value();
}

Result<CallRecord> CallRepository::setConversation(qint64 callId, const QString &conversationId,
                                                   const QString &providerCallId)
{
    Transaction tx(m_db);
    if (auto begun = tx.status(); !begun)
        return begun.error();
    auto call = lockCall(callId);
    if (!call)
        return call.error();
    const bool newConversation = call->conversationId.isEmpty() && !conversationId.isEmpty();
    if (newConversation) {
        auto holder = findByConversationId(conversationId);
        if (!holder)
            return holder.error();
        if (holder->has_value())
            return Error{u"conversation_in_use"_s,
                         u"Another call already has this conversation id."_s};
    }
    const QDateTime now = sql::nowUtc();
    auto query = sql::exec(
        m_db, u"set_conversation"_s,
        u"UPDATE calls SET conversation_id = COALESCE(conversation_id, ?), "
        "provider_call_id = COALESCE(provider_call_id, ?), updated_at = ? "
        "WHERE id = ? RETURNING "_s +
            callrows::callColumns(),
        {sql::text(conversationId), sql::text(providerCallId), sql::timeText(now), callId});
    if (!query)
        return query.error();
    if (!query->next())
        return Error{u"call_not_found"_s, u"There is no call with id %1."_s.arg(callId)};
    const CallRecord updated = callrows::callFromRow(query.value());
    query->finish();
    if (newConversation) {
        if (auto logged = appendEvent(callevents::status(updated, updated.status, now)); !logged)
            return logged.error();
    }
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return updated;
}

Result<CallRecord> CallRepository::fillMissingDetails(qint64 callId, const NewCall &details)
{
    const bool knownDirection = isOneOf(details.direction, {"outbound", "inbound"});
    auto query = sql::exec(
        m_db, u"fill_call_details"_s,
        u"UPDATE calls SET agent_id = COALESCE(agent_id, ?), driver_id = COALESCE(driver_id, ?), "
        "to_number = COALESCE(to_number, ?), direction = COALESCE(direction, ?), "
        "batch_id = COALESCE(batch_id, ?), updated_at = ? WHERE id = ? RETURNING "_s +
            callrows::callColumns(),
        {sql::text(details.agentId), sql::text(details.driverId), sql::text(details.toNumber),
         knownDirection ? QVariant(details.direction) : QVariant(), sql::text(details.batchId),
         sql::timeText(sql::nowUtc()), callId});
    if (!query)
        return query.error();
    if (!query->next())
        return Error{u"call_not_found"_s, u"There is no call with id %1."_s.arg(callId)};
    const CallRecord updated = callrows::callFromRow(query.value());
    query->finish();
    return updated;
}

Result<CallRecord> CallRepository::changeStatus(qint64 callId, const QString &newStatus,
                                                const QString &failureReason)
{
    if (!isStatus(newStatus))
        return unknownStatus(newStatus);
    Transaction tx(m_db);
    if (auto begun = tx.status(); !begun)
        return begun.error();
    auto call = lockCall(callId);
    if (!call)
        return call.error();
    if (call->status == newStatus && call->failureReason == failureReason)
        return call; // nothing changes: no write, no event (the transaction just ends)

    const QDateTime now = sql::nowUtc();
    auto updated = writeStatus(call.value(), newStatus, failureReason, now);
    if (!updated)
        return updated.error();
    if (auto logged = appendEvent(callevents::status(updated.value(), call->status, now)); !logged)
        return logged.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return updated;
}

Result<CallRecord> CallRepository::writeStatus(const CallRecord &call, const QString &status,
                                               const QString &failureReason, const QDateTime &now)
{
    QDateTime startedAt = call.startedAt;
    if (status == QLatin1StringView(CallStatus::InProgress) && !startedAt.isValid())
        startedAt = now;
    QDateTime endedAt = call.endedAt;
    if (isFinal(status) && !endedAt.isValid())
        endedAt = now;
    auto query = sql::exec(m_db, u"change_call_status"_s,
                           u"UPDATE calls SET status = ?, failure_reason = ?, started_at = ?, "
                           "ended_at = ?, updated_at = ? WHERE id = ? RETURNING "_s +
                               callrows::callColumns(),
                           {status, sql::text(failureReason), sql::time(startedAt),
                            sql::time(endedAt), sql::timeText(now), call.id});
    if (!query)
        return query.error();
    if (!query->next())
        return Error{u"call_not_found"_s, u"There is no call with id %1."_s.arg(call.id)};
    CallRecord updated = callrows::callFromRow(query.value());
    query->finish();
    return updated;
}

Result<CallRecord> CallRepository::completeCall(qint64 callId, const CompletionData &data)
{
    if (!isFinal(data.status))
        return invalidCall(
            u"A call completes as completed or failed, not \"%1\"."_s.arg(data.status));
    if (!data.callSuccessful.isEmpty() &&
        !isOneOf(data.callSuccessful, {"success", "failure", "unknown"}))
        return invalidCall(u"Unknown call_successful value \"%1\"."_s.arg(data.callSuccessful));

    Transaction tx(m_db);
    if (auto begun = tx.status(); !begun)
        return begun.error();
    auto call = lockCall(callId);
    if (!call)
        return call.error();
    // A failed call keeps the reason it was given earlier unless the completion names one.
    const QString reason =
        data.failureReason.isEmpty() && data.status == QLatin1StringView(CallStatus::Failed)
            ? call->failureReason
            : data.failureReason;
    const QDateTime now = sql::nowUtc();
    auto updated = writeCompletion(call.value(), data, reason, now);
    if (!updated)
        return updated.error();
    if (call->status != updated->status || call->failureReason != updated->failureReason) {
        auto logged = appendEvent(callevents::status(updated.value(), call->status, now));
        if (!logged)
            return logged.error();
    }
    if (auto logged = appendEvent(callevents::completed(updated.value(), now)); !logged)
        return logged.error();
    if (auto committed = tx.commit(); !committed)
        return committed.error();
    return updated;
}

Result<CallRecord> CallRepository::writeCompletion(const CallRecord &call,
                                                   const CompletionData &data,
                                                   const QString &failureReason,
                                                   const QDateTime &now)
{
    const QDateTime startedAt = data.startedAt.isValid() ? data.startedAt : call.startedAt;
    QDateTime endedAt = data.endedAt.isValid() ? data.endedAt : call.endedAt;
    if (!endedAt.isValid())
        endedAt = now;
    auto query = sql::exec(
        m_db, u"complete_call"_s,
        u"UPDATE calls SET status = ?, failure_reason = ?, transcript_summary = ?, "
        "call_duration_seconds = ?, cost = ?, call_successful = ?, analysis = ?, metadata = ?, "
        "termination_reason = ?, started_at = ?, ended_at = ?, updated_at = ? WHERE id = ? "
        "RETURNING "_s +
            callrows::callColumns(),
        {data.status, sql::text(failureReason), sql::text(data.transcriptSummary),
         sql::number(data.callDurationSeconds), sql::number(data.cost),
         sql::text(data.callSuccessful), sql::json(data.analysis), sql::json(data.metadata),
         sql::text(data.terminationReason), sql::time(startedAt), sql::time(endedAt),
         sql::timeText(now), call.id});
    if (!query)
        return query.error();
    if (!query->next())
        return Error{u"call_not_found"_s, u"There is no call with id %1."_s.arg(call.id)};
    CallRecord updated = callrows::callFromRow(query.value());
    query->finish();
    return updated;
}

Result<> CallRepository::setAudioPath(qint64 callId, const QString &path)
{
    auto updated = sql::run(m_db, u"set_audio_path"_s,
                            u"UPDATE calls SET audio_path = ?, updated_at = ? WHERE id = ?"_s,
                            {sql::text(path), sql::timeText(sql::nowUtc()), callId});
    if (!updated)
        return updated.error();
    if (updated.value() == 0)
        return Error{u"call_not_found"_s, u"There is no call with id %1."_s.arg(callId)};
    return {};
}

namespace {

QString likePattern(const QString &search)
{
    QString escaped = search.toLower();
    escaped.replace(u'\\', u"\\\\"_s);
    escaped.replace(u'%', u"\\%"_s);
    escaped.replace(u'_', u"\\_"_s);
    return u'%' + escaped + u'%';
}

struct Where
{
    QStringList conditions;
    QVariantList values;
};

// The WHERE clause for everything in the filter but the limit.
Result<Where> whereFor(const CallFilter &filter)
{
    Where where;
    if (!filter.statuses.isEmpty()) {
        QStringList marks;
        for (const QString &status : filter.statuses) {
            if (!isStatus(status))
                return unknownStatus(status);
            marks << u"?"_s;
            where.values << status;
        }
        where.conditions << u"status IN ("_s + marks.join(u", ") + u')';
    }
    if (filter.from.isValid()) {
        where.conditions << u"created_at >= ?"_s;
        where.values << sql::timeText(filter.from);
    }
    if (filter.to.isValid()) {
        where.conditions << u"created_at < ?"_s;
        where.values << sql::timeText(filter.to);
    }
    if (!filter.driverId.isEmpty()) {
        where.conditions << u"driver_id = ?"_s;
        where.values << filter.driverId;
    }
    if (!filter.search.isEmpty()) {
        QStringList matches;
        for (const char *column : {"call_sid", "driver_id", "to_number", "conversation_id"}) {
            matches << u"LOWER(%1) LIKE ? ESCAPE '\\'"_s.arg(QLatin1StringView(column));
            where.values << likePattern(filter.search);
        }
        where.conditions << u'(' + matches.join(u" OR ") + u')';
    }
    if (!filter.after.isEmpty()) {
        auto cursor = callrows::decodeCursor(filter.after);
        if (!cursor)
            return cursor.error();
        where.conditions << u"(created_at < ? OR (created_at = ? AND id < ?))"_s;
        const QString time = sql::timeText(cursor->first);
        where.values << time << time << cursor->second;
    }
    return where;
}

} // namespace

Result<CallPage> CallRepository::listCalls(const CallFilter &filter)
{
    auto where = whereFor(filter);
    if (!where)
        return where.error();
    const int limit =
        filter.limit <= 0 ? CallFilter::DefaultLimit : std::min(filter.limit, CallFilter::MaxLimit);
    QVariantList values = where->values;
    values << limit + 1; // one more tells whether there is a next page
    QString statement = u"SELECT "_s + callrows::callColumns() + u" FROM calls"_s;
    if (!where->conditions.isEmpty())
        statement += u" WHERE "_s + where->conditions.join(u" AND ");
    statement += u" ORDER BY created_at DESC, id DESC LIMIT ?"_s;

    auto query = sql::exec(m_db, u"list_calls"_s, statement, values);
    if (!query)
        return query.error();
    CallPage page;
    while (query->next())
        page.calls << callrows::callFromRow(query.value());
    if (page.calls.size() > limit) {
        page.calls.removeLast();
        const CallRecord &last = page.calls.constLast();
        page.nextCursor = callrows::encodeCursor(last.createdAt, last.id);
    }
    return page;
}

} // namespace callwatch::store
