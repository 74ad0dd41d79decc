// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "elevenlabs/elevenlabstypes.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

namespace callwatch::store {
class Database;
}

namespace callwatch::elevenlabs {

class ElevenLabsClient;

/**
 * @brief Follows submitted batches: polls GET /v1/convai/batch-calling/{id} and copies each
 * recipient's progress onto its call (recipient id = our call_sid).
 *
 * Mapping: dispatched/initiated/in_progress → in_progress (with the conversation id once known);
 * failed/cancelled → failed ("batch_recipient_failed" / "batch_recipient_cancelled");
 * completed/voicemail → only the conversation id (the post-call webhook completes the call).
 * A call that is already completed or failed never moves back. A batch is dropped once it is
 * completed, failed or cancelled (after applying that last snapshot), when the API answers 404,
 * after maxConsecutiveErrors failed polls, or after maxTrackingSecs.
 * State is in memory: after a restart the webhooks and the backfill finish the calls.
 */
class BatchReconciler : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int pollIntervalMs = 3000;
        int maxConsecutiveErrors = 20;
        qint64 maxTrackingSecs = 24 * 3600;
    };

    BatchReconciler(store::Database *database, ElevenLabsClient *client, Options options,
                    QObject *parent = nullptr);

    void track(const QString &batchId);
    bool isTracking(const QString &batchId) const { return m_batches.contains(batchId); }
    int trackedCount() const { return int(m_batches.size()); }

    /** Applies one snapshot to the calls; returns how many calls changed. Public for tests. */
    int apply(const BatchJob &job);

Q_SIGNALS:
    /** Calls were written (for the live feed). */
    void callsChanged();
    /** The batch is no longer followed; @p status is its last known status or the reason. */
    void batchFinished(const QString &batchId, const QString &status);

private:
    struct Tracked
    {
        bool inFlight = false;
        int consecutiveErrors = 0;
        QDateTime since;
        QSet<QString> settled; ///< recipient ids with nothing left to map
    };
    void poll();
    void stopTracking(const QString &batchId, const QString &status);
    int applyRecipient(const BatchRecipientStatus &recipient, Tracked &tracked);

    store::Database *m_database;
    ElevenLabsClient *m_client;
    Options m_options;
    QHash<QString, Tracked> m_batches;
    QTimer m_timer;
};

} // namespace callwatch::elevenlabs
