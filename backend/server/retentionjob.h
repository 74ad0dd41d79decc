// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QObject>
#include <QSqlDatabase>
#include <QTimer>

#include <chrono>
#include <functional>

namespace callwatch::webhooks {
class IngestWriter;
}

namespace callwatch::server {

/** What one step of a retention job did. */
struct RetentionStep
{
    int changed = 0;   ///< rows deleted or cleared
    qint64 lastId = 0; ///< the last id it walked; the next step starts after it (0: no cursor)
    bool more = false; ///< stopped at its limit with old rows left: run another step
};

/**
 * One step, on the writer thread, inside the writer's transaction: handles rows older than
 * `cutoff`, in id order after `afterId`, at most `limit`.
 */
using RetentionStepFunction = std::function<Result<RetentionStep>(
    QSqlDatabase &db, const QDateTime &cutoff, qint64 afterId, int limit)>;

/** Live events: deletes the oldest (EventLog::pruneOldest, a prefix of the ids). */
RetentionStepFunction liveEventsStep();
/** The webhook inbox: clears raw bodies (DeliveryRepository::dropBodies), rows stay. */
RetentionStepFunction inboxBodiesStep(qint64 maxBytesPerStep = 8 * 1024 * 1024);

/**
 * @brief Deletes (or clears) what is older than a retention period, in small steps through
 * the webhook writer.
 *
 * Two jobs use it: live events (`event-retention-days`, EventLog::pruneOldest) and the webhook
 * inbox's raw bodies (`inbox-body-retention-days`, DeliveryRepository::dropBodies). The
 * writer is the one thread that writes SQLite, and each step is a small piece of work between
 * webhook groups, so a backlog (a first run on a year of data) never holds the webhooks up for
 * long. A run starts at start-up and then every interval; a failed step ends the run.
 */
class RetentionJob : public QObject
{
    Q_OBJECT
public:
    using Clock = std::function<QDateTime()>;

    /** `what`: for the log, e.g. "events". */
    RetentionJob(webhooks::IngestWriter *writer, QString what, std::chrono::hours keep,
                 RetentionStepFunction step, QObject *parent = nullptr);

    /** A run now (after start-up) and then every `interval`. */
    void start(std::chrono::milliseconds interval = std::chrono::minutes(10));
    /** Starts a run unless one is going; finished() tells when it is done. */
    void runNow();

    void setStepSize(int rows) { m_stepSize = rows; }
    void setClock(Clock clock) { m_clock = std::move(clock); }
    quint64 changedTotal() const { return m_changedTotal; }

Q_SIGNALS:
    /** A run ended: `changed` rows, `ok` false if the database refused a step. */
    void finished(qint64 changed, bool ok);

private:
    void runStep(const QDateTime &cutoff);
    void endRun(bool ok, const QDateTime &cutoff);

    webhooks::IngestWriter *m_writer;
    QString m_what;
    std::chrono::hours m_keep;
    RetentionStepFunction m_step;
    QTimer m_timer;
    Clock m_clock;
    int m_stepSize = 500; ///< rows walked per step (inbox steps also stop at a byte budget)
    bool m_running = false;
    qint64 m_cursor = 0; ///< where the next step starts (jobs that walk ids)
    qint64 m_changedInRun = 0;
    quint64 m_changedTotal = 0;
};

} // namespace callwatch::server
