// SPDX-License-Identifier: GPL-3.0-or-later
#include "elevenlabs/batchreconciler.h"

#include "elevenlabs/elevenlabsclient.h"
#include "elevenlabs/logging.h"
#include "store/callrepository.h"
#include "store/database.h"
#include "store/transaction.h"

using namespace Qt::StringLiterals;

namespace callwatch::elevenlabs {

namespace {

bool isFinal(const QString &status)
{
    return status == QLatin1StringView(store::CallStatus::Completed) ||
           status == QLatin1StringView(store::CallStatus::Failed);
}

} // namespace

BatchReconciler::BatchReconciler(store::Database *database, ElevenLabsClient *client,
                                 Options options, QObject *parent)
    : QObject(parent), m_database(database), m_client(client), m_options(options)
{
    m_timer.setInterval(m_options.pollIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &BatchReconciler::poll);
}

void BatchReconciler::track(const QString &batchId)
{
    if (batchId.isEmpty() || m_batches.contains(batchId))
        return;
    Tracked tracked;
    tracked.since = QDateTime::currentDateTimeUtc();
    m_batches.insert(batchId, tracked);
    if (!m_timer.isActive())
        m_timer.start();
}

void BatchReconciler::stopTracking(const QString &batchId, const QString &status)
{
    if (!m_batches.remove(batchId))
        return;
    qCInfo(lcElevenLabs).noquote() << "batch" << batchId << "no longer followed:" << status;
    if (m_batches.isEmpty())
        m_timer.stop();
    Q_EMIT batchFinished(batchId, status);
}

void BatchReconciler::poll()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QStringList ids = m_batches.keys();
    for (const QString &batchId : ids) {
        Tracked &tracked = m_batches[batchId];
        if (tracked.inFlight)
            continue;
        if (tracked.since.secsTo(now) > m_options.maxTrackingSecs) {
            stopTracking(batchId, u"tracking_expired"_s);
            continue;
        }
        tracked.inFlight = true;
        m_client->getBatch(batchId, this, [this, batchId](const ApiResult<BatchJob> &job) {
            auto it = m_batches.find(batchId);
            if (it == m_batches.end())
                return;
            it->inFlight = false;
            if (!job) {
                const bool gone = job.error().httpStatus == 404;
                if (gone || ++it->consecutiveErrors >= m_options.maxConsecutiveErrors)
                    stopTracking(batchId, u"poll_failed: "_s + job.error().callFailureReason());
                return;
            }
            it->consecutiveErrors = 0;
            apply(job.value());
            if (job->isFinished())
                stopTracking(batchId, job->status);
        });
    }
}

int BatchReconciler::apply(const BatchJob &job)
{
    auto it = m_batches.find(job.id);
    Tracked scratch;
    Tracked &tracked = it != m_batches.end() ? *it : scratch;
    int changed = 0;
    {
        // One transaction per snapshot: a hundred recipients cost one commit, not a hundred.
        store::Transaction transaction(m_database->connection());
        for (const BatchRecipientStatus &recipient : job.recipients) {
            if (!recipient.id.isEmpty() && !tracked.settled.contains(recipient.id))
                changed += applyRecipient(recipient, tracked);
        }
        if (auto committed = transaction.commit(); !committed) {
            qCWarning(lcElevenLabs).noquote()
                << "batch" << job.id << "could not be stored:" << committed.error().message;
            tracked.settled.clear(); // try again with the next snapshot
            return 0;
        }
    }
    if (changed > 0)
        Q_EMIT callsChanged();
    return changed;
}

int BatchReconciler::applyRecipient(const BatchRecipientStatus &recipient, Tracked &tracked)
{
    store::CallRepository calls(m_database->connection());
    auto found = calls.findByCallSid(recipient.id);
    if (!found || !found.value()) {
        if (found)
            tracked.settled.insert(recipient.id); // not one of ours: nothing to map, ever
        return 0;
    }
    store::CallRecord call = *found.value();
    int changed = 0;
    if (call.conversationId.isEmpty() && !recipient.conversationId.isEmpty()) {
        auto set = calls.setConversation(call.id, recipient.conversationId, {});
        if (!set) {
            qCWarning(lcElevenLabs).noquote()
                << "call" << call.callSid << "conversation not stored:" << set.error().message;
            tracked.settled.insert(recipient.id);
            return 0;
        }
        call = set.value();
        ++changed;
    }
    const QString &status = recipient.status;
    const bool live =
        status == u"dispatched"_s || status == u"initiated"_s || status == u"in_progress"_s;
    const bool failed = status == u"failed"_s || status == u"cancelled"_s;
    if (live && call.status == QLatin1StringView(store::CallStatus::Initiating)) {
        if (calls.changeStatus(call.id, QString::fromLatin1(store::CallStatus::InProgress)))
            ++changed;
    } else if (failed && !isFinal(call.status)) {
        const QString reason = u"batch_recipient_"_s + status;
        if (calls.changeStatus(call.id, QString::fromLatin1(store::CallStatus::Failed), reason))
            ++changed;
    }
    // Completed/voicemail recipients are settled once their conversation id is stored.
    const bool ended = status == u"completed"_s || status == u"voicemail"_s;
    if (failed || (ended && !call.conversationId.isEmpty()))
        tracked.settled.insert(recipient.id);
    return changed;
}

} // namespace callwatch::elevenlabs
