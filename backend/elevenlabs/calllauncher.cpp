// SPDX-License-Identifier: GPL-3.0-or-later
#include "elevenlabs/calllauncher.h"

#include "elevenlabs/elevenlabsclient.h"
#include "elevenlabs/logging.h"
#include "store/callrepository.h"
#include "store/database.h"
#include "store/transaction.h"

#include <QDateTime>
#include <QPointer>

using namespace Qt::StringLiterals;

namespace callwatch::elevenlabs {

namespace {

constexpr int CallSidAttempts = 5;

bool isFinal(const QString &status)
{
    return status == QLatin1StringView(store::CallStatus::Completed) ||
           status == QLatin1StringView(store::CallStatus::Failed);
}

/** Our variables win over the caller's: they are how webhooks find the call again. */
QJsonObject ourVariables(QJsonObject variables, const store::CallRecord &call)
{
    variables.insert(u"call_sid"_s, call.callSid);
    variables.insert(u"driver_id"_s, call.driverId);
    return variables;
}

} // namespace

CallLauncher::CallLauncher(store::Database *database, ElevenLabsClient *client,
                           LaunchDefaults defaults, BatchReconciler::Options batchOptions,
                           QObject *parent)
    : QObject(parent), m_database(database), m_client(client), m_defaults(std::move(defaults)),
      m_reconciler(database, client, batchOptions)
{
    connect(&m_reconciler, &BatchReconciler::callsChanged, this, &CallLauncher::callsChanged);
}

Error CallLauncher::notConfigured() const
{
    return Error{u"elevenlabs_not_configured"_s,
                 u"No ElevenLabs API key is configured (CALLWATCH_ELEVENLABS_API_KEY)"_s};
}

QString CallLauncher::nextCallSid(const QString &driverId)
{
    // Monotonic milliseconds: two calls for one driver (a batch, a double click) never collide.
    m_lastSidMs = qMax(QDateTime::currentMSecsSinceEpoch(), m_lastSidMs + 1);
    return u"EL_%1_%2"_s.arg(driverId.isEmpty() ? u"unknown"_s : driverId).arg(m_lastSidMs);
}

Result<store::CallRecord> CallLauncher::createCall(store::NewCall call)
{
    store::CallRepository calls(m_database->connection());
    for (int attempt = 1;; ++attempt) {
        call.callSid = nextCallSid(call.driverId);
        auto created = calls.createCall(call);
        // Another process may have used the same millisecond for this driver.
        if (created || created.error().code != u"call_exists"_s || attempt == CallSidAttempts)
            return created;
    }
}

Result<store::CallRecord> CallLauncher::prepare(const CallLaunchRequest &resolved)
{
    store::NewCall call;
    call.agentId = resolved.agentId;
    call.driverId = resolved.driverId;
    call.toNumber = resolved.toNumber;
    call.direction = u"outbound"_s;
    call.status = QString::fromLatin1(store::CallStatus::Initiating);
    auto created = createCall(call); // commits: CallRepository runs its own transaction
    if (created)
        Q_EMIT callsChanged();
    return created;
}

OutboundCallRequest CallLauncher::outboundRequest(const store::CallRecord &call,
                                                  const CallLaunchRequest &resolved)
{
    OutboundCallRequest request;
    request.agentId = resolved.agentId;
    request.agentPhoneNumberId = resolved.agentPhoneNumberId;
    request.toNumber = resolved.toNumber;
    request.dynamicVariables = ourVariables(resolved.dynamicVariables, call);
    return request;
}

void CallLauncher::launch(const CallLaunchRequest &request, QObject *context, CallDone done)
{
    auto resolved = request.resolved(m_defaults);
    if (!resolved)
        return done(resolved.error());
    if (!m_client->isConfigured())
        return done(notConfigured());
    auto call = prepare(resolved.value());
    if (!call)
        return done(call.error());
    const qint64 callId = call->id;
    const QString callSid = call->callSid;
    qCInfo(lcElevenLabs).noquote() << "call" << callSid << "initiating";
    // The outcome is stored even when the requester has gone: the context only guards `done`.
    QPointer<QObject> guard(context);
    m_client->startOutboundCall(
        resolved->provider.value_or(m_defaults.provider),
        outboundRequest(call.value(), resolved.value()), this,
        [this, callId, guard, done](const ApiResult<OutboundCallResponse> &outcome) {
            auto stored = recordOutcome(callId, outcome);
            if (guard && done)
                done(stored);
        });
}

Result<store::CallRecord>
CallLauncher::recordOutcome(qint64 callId, const ApiResult<OutboundCallResponse> &outcome)
{
    store::CallRepository calls(m_database->connection());
    // One transaction (BEGIN IMMEDIATE on SQLite): the webhook writer cannot slip in between
    // reading the status and changing it.
    store::Transaction transaction(m_database->connection());
    auto found = calls.findById(callId);
    if (!found)
        return found.error();
    if (!found.value())
        return Error{u"call_not_found"_s, u"There is no call with id %1."_s.arg(callId)};
    store::CallRecord call = *found.value();
    if (outcome) {
        auto set = calls.setConversation(call.id, outcome->conversationId, outcome->providerCallId);
        if (!set)
            return set.error();
        call = set.value();
        if (call.status == QLatin1StringView(store::CallStatus::Initiating)) {
            auto started =
                calls.changeStatus(call.id, QString::fromLatin1(store::CallStatus::InProgress));
            if (!started)
                return started.error();
            call = started.value();
        }
    } else if (call.status == QLatin1StringView(store::CallStatus::Initiating)) {
        auto failed = calls.changeStatus(call.id, QString::fromLatin1(store::CallStatus::Failed),
                                         outcome.error().callFailureReason());
        if (!failed)
            return failed.error();
        call = failed.value();
    } else if (!isFinal(call.status)) {
        // Turns already arrived, so the call is connected whatever our request said.
        qCWarning(lcElevenLabs).noquote()
            << "call" << call.callSid
            << "is live although the API said:" << outcome.error().callFailureReason();
    }
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    qCInfo(lcElevenLabs).noquote() << "call" << call.callSid << call.status
                                   << (outcome ? call.conversationId : call.failureReason);
    Q_EMIT callsChanged();
    return call;
}

Result<BatchLaunchResult> CallLauncher::prepareBatch(const BatchLaunchRequest &resolved,
                                                     BatchSubmitRequest *submit)
{
    BatchLaunchResult result;
    result.batchId = u"cwb_%1"_s.arg(QDateTime::currentMSecsSinceEpoch());
    submit->callName = resolved.callName;
    submit->agentId = resolved.agentId;
    submit->agentPhoneNumberId = resolved.agentPhoneNumberId;
    // All rows or none: a half-created batch would never be submitted.
    store::Transaction transaction(m_database->connection());
    for (const BatchLaunchRecipient &recipient : resolved.recipients) {
        store::NewCall call;
        call.agentId = resolved.agentId;
        call.driverId = recipient.driverId;
        call.toNumber = recipient.toNumber;
        call.direction = u"outbound"_s;
        call.batchId = result.batchId;
        auto created = createCall(call);
        if (!created)
            return created.error();
        QJsonObject variables = resolved.dynamicVariables;
        for (auto it = recipient.dynamicVariables.begin(); it != recipient.dynamicVariables.end();
             ++it)
            variables.insert(it.key(), it.value());
        variables.insert(u"callwatch_batch_id"_s, result.batchId);
        submit->recipients.append(BatchRecipient{created->callSid, recipient.toNumber,
                                                 ourVariables(variables, created.value())});
        result.calls.append(created.value());
    }
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    Q_EMIT callsChanged();
    return result;
}

void CallLauncher::launchBatch(const BatchLaunchRequest &request, QObject *context, BatchDone done)
{
    auto resolved = request.resolved(m_defaults);
    if (!resolved)
        return done(resolved.error());
    if (!m_client->isConfigured())
        return done(notConfigured());
    BatchSubmitRequest submit;
    auto prepared = prepareBatch(resolved.value(), &submit);
    if (!prepared)
        return done(prepared.error());
    qCInfo(lcElevenLabs).noquote()
        << "batch" << prepared->batchId << "with" << prepared->calls.size() << "calls initiating";
    QPointer<QObject> guard(context);
    m_client->submitBatch(
        submit, this,
        [this, result = prepared.value(), guard, done](const ApiResult<BatchJob> &job) mutable {
            if (job) {
                result.elevenLabsBatchId = job->id;
                result.status = job->status;
                m_reconciler.track(job->id);
                qCInfo(lcElevenLabs).noquote()
                    << "batch" << result.batchId << "submitted as" << job->id;
            } else {
                failBatch(result, job.error().callFailureReason());
            }
            if (guard && done)
                done(result);
        });
}

void CallLauncher::failBatch(BatchLaunchResult &result, const QString &reason)
{
    result.status = u"failed"_s;
    result.failureReason = reason;
    store::CallRepository calls(m_database->connection());
    store::Transaction transaction(m_database->connection());
    for (store::CallRecord &call : result.calls) {
        if (call.status != QLatin1StringView(store::CallStatus::Initiating))
            continue;
        auto failed =
            calls.changeStatus(call.id, QString::fromLatin1(store::CallStatus::Failed), reason);
        if (failed)
            call = failed.value();
    }
    if (auto committed = transaction.commit(); !committed)
        qCWarning(lcElevenLabs).noquote()
            << "batch" << result.batchId << "failure not stored:" << committed.error().message;
    qCWarning(lcElevenLabs).noquote() << "batch" << result.batchId << "failed:" << reason;
    Q_EMIT callsChanged();
}

} // namespace callwatch::elevenlabs
