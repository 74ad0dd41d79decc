// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/retentionjob.h"

#include "store/deliveryrepository.h"
#include "store/eventlog.h"
#include "webhooks/ingestwriter.h"

#include <QLoggingCategory>

#include <memory>

Q_LOGGING_CATEGORY(lcRetention, "callwatch.retention")

using namespace Qt::StringLiterals;

namespace callwatch::server {

RetentionStepFunction liveEventsStep()
{
    return
        [](QSqlDatabase &db, const QDateTime &cutoff, qint64, int limit) -> Result<RetentionStep> {
            auto deleted = store::EventLog(db).pruneOldest(cutoff, limit);
            if (!deleted)
                return deleted.error();
            return RetentionStep{deleted.value(), 0, deleted.value() == limit};
        };
}

RetentionStepFunction inboxBodiesStep(qint64 maxBytesPerStep)
{
    return [maxBytesPerStep](QSqlDatabase &db, const QDateTime &cutoff, qint64 afterId,
                             int limit) -> Result<RetentionStep> {
        auto dropped =
            store::DeliveryRepository(db).dropBodies(cutoff, afterId, limit, maxBytesPerStep);
        if (!dropped)
            return dropped.error();
        return RetentionStep{dropped->cleared, dropped->lastId, dropped->more};
    };
}

RetentionJob::RetentionJob(webhooks::IngestWriter *writer, QString what, std::chrono::hours keep,
                           RetentionStepFunction step, QObject *parent)
    : QObject(parent), m_writer(writer), m_what(std::move(what)), m_keep(keep),
      m_step(std::move(step)), m_timer(this),
      m_clock([] { return QDateTime::currentDateTimeUtc(); })
{
    connect(&m_timer, &QTimer::timeout, this, &RetentionJob::runNow);
}

void RetentionJob::start(std::chrono::milliseconds interval)
{
    m_timer.start(interval);
    QTimer::singleShot(0, this, &RetentionJob::runNow);
}

void RetentionJob::runNow()
{
    if (m_running)
        return;
    m_running = true;
    m_changedInRun = 0;
    runStep(m_clock().addSecs(-std::chrono::duration_cast<std::chrono::seconds>(m_keep).count()));
}

void RetentionJob::runStep(const QDateTime &cutoff)
{
    // "Not run" until the work runs: the writer answers 503 without running it when BEGIN
    // fails, and a failed COMMIT undoes what the step did.
    auto done = std::make_shared<Result<RetentionStep>>(Error{u"not_run"_s, u"not run"_s});
    m_writer->submit(
        [done, step = m_step, cutoff, after = m_cursor, limit = m_stepSize](QSqlDatabase &db) {
            *done = step(db, cutoff, after, limit);
            return webhooks::WorkResult{};
        },
        this,
        [this, done, cutoff](const webhooks::WorkResult &answer) {
            if (answer.httpStatus != 200 || !*done) {
                qCWarning(lcRetention).noquote()
                    << "could not apply the retention of" << m_what << ":"
                    << (answer.httpStatus != 200
                            ? answer.errorObject().value(u"message"_s).toString()
                            : done->error().message);
                endRun(false, cutoff);
                return;
            }
            const RetentionStep &step = done->value();
            m_changedInRun += step.changed;
            m_changedTotal += quint64(step.changed);
            if (step.lastId > m_cursor)
                m_cursor = step.lastId;
            if (step.more) { // the next step, queued behind whatever webhooks came meanwhile
                runStep(cutoff);
                return;
            }
            endRun(true, cutoff);
        });
}

void RetentionJob::endRun(bool ok, const QDateTime &cutoff)
{
    if (m_changedInRun > 0)
        qCInfo(lcRetention).noquote() << "retention of" << m_what << ":" << m_changedInRun
                                      << "rows older than" << cutoff.toString(Qt::ISODate);
    m_running = false;
    Q_EMIT finished(m_changedInRun, ok);
}

} // namespace callwatch::server
