// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"
#include "elevenlabs/batchreconciler.h"
#include "elevenlabs/elevenlabserror.h"
#include "elevenlabs/launchrequests.h"
#include "store/callrecord.h"

#include <QObject>

#include <functional>

namespace callwatch::store {
class Database;
}

namespace callwatch::elevenlabs {

class ElevenLabsClient;

/** @brief What starting a batch produced. */
struct BatchLaunchResult
{
    QString batchId;           ///< Callwatch's batch id, stored in every call's batch_id
    QString elevenLabsBatchId; ///< empty when the submit failed
    QString status;            ///< the API's batch status, or "failed"
    QString failureReason;     ///< set when the submit failed (every call is then failed)
    QList<store::CallRecord> calls;
};

/**
 * @brief Starts outbound calls so that no call is ever lost between Callwatch and ElevenLabs.
 *
 * The call_sid workflow: (1) generate call_sid EL_{driver_id}_{unix_ms}; (2) create the call as
 * `initiating` and COMMIT, before any request leaves; (3) call the API with call_sid and
 * driver_id as dynamic variables (so every webhook carries our id back, even if we crash before
 * step 4); (4) on success store conversation_id and the provider call id, status in_progress;
 * (5) on an API error, timeout or success:false, status failed with the reason.
 * Steps 4 and 5 never move a call backwards: when a webhook was faster (the call already
 * progressed or ended) only the missing ids are filled in.
 * Batches: one call per recipient (own call_sid, recipient id = call_sid), one submit, then the
 * BatchReconciler follows the batch. Writes use the calling thread's database connection.
 */
class CallLauncher : public QObject
{
    Q_OBJECT
public:
    using CallDone = std::function<void(const Result<store::CallRecord> &)>;
    using BatchDone = std::function<void(const Result<BatchLaunchResult> &)>;

    CallLauncher(store::Database *database, ElevenLabsClient *client, LaunchDefaults defaults,
                 BatchReconciler::Options batchOptions = {}, QObject *parent = nullptr);

    const LaunchDefaults &defaults() const { return m_defaults; }
    ElevenLabsClient *client() const { return m_client; }
    BatchReconciler *reconciler() { return &m_reconciler; }

    /**
     * Steps 1–5. @p done gets the call as stored after step 4 or 5 (check its status), or an
     * Error when validation or step 2 failed (`missing_fields`, `invalid_field`,
     * `elevenlabs_not_configured`, store errors) — then nothing was sent.
     */
    void launch(const CallLaunchRequest &request, QObject *context, CallDone done);
    void launchBatch(const BatchLaunchRequest &request, QObject *context, BatchDone done);

    // The steps, public so a test can stop between them (a crash after the API answered).
    /** Steps 1–2 for a resolved request: the committed `initiating` call. */
    Result<store::CallRecord> prepare(const CallLaunchRequest &resolved);
    /** Step 3's request body for @p call. */
    static OutboundCallRequest outboundRequest(const store::CallRecord &call,
                                               const CallLaunchRequest &resolved);
    /** Steps 4–5. */
    Result<store::CallRecord> recordOutcome(qint64 callId,
                                            const ApiResult<OutboundCallResponse> &outcome);

    /** EL_{driver}_{unix_ms}, never the same twice from one launcher. */
    QString nextCallSid(const QString &driverId);

Q_SIGNALS:
    /** Calls were written (for the live feed, which otherwise polls). */
    void callsChanged();

private:
    Result<store::CallRecord> createCall(store::NewCall call);
    Result<BatchLaunchResult> prepareBatch(const BatchLaunchRequest &resolved,
                                           BatchSubmitRequest *submit);
    void failBatch(BatchLaunchResult &result, const QString &reason);
    Error notConfigured() const;

    store::Database *m_database;
    ElevenLabsClient *m_client;
    LaunchDefaults m_defaults;
    BatchReconciler m_reconciler;
    qint64 m_lastSidMs = 0;
};

} // namespace callwatch::elevenlabs
