// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/eventretention.h"

#include "store/eventlog.h"
#include "webhooks/ingestwriter.h"

#include <QLoggingCategory>

#include <memory>

Q_LOGGING_CATEGORY(lcRetention, "callwatch.retention")

using namespace Qt::StringLiterals;

namespace callwatch::server {

EventRetention::EventRetention(webhooks::IngestWriter *writer, std::chrono::hours keep,
                               QObject *parent)
    : QObject(parent), m_writer(writer), m_keep(keep), m_timer(this),
      m_clock([] { return QDateTime::currentDateTimeUtc(); })
{
    connect(&m_timer, &QTimer::timeout, this, &EventRetention::runNow);
}

void EventRetention::start(std::chrono::milliseconds interval)
{
    m_timer.start(interval);
    QTimer::singleShot(0, this, &EventRetention::runNow);
}

void EventRetention::runNow()
{
    if (m_running)
        return;
    m_running = true;
    m_deletedInRun = 0;
    pruneChunk(
        m_clock().addSecs(-std::chrono::duration_cast<std::chrono::seconds>(m_keep).count()));
}

void EventRetention::pruneChunk(const QDateTime &cutoff)
{
    auto deleted = std::make_shared<Result<int>>(0);
    const int chunk = m_chunkSize;
    m_writer->submit(
        [deleted, cutoff, chunk](QSqlDatabase &db) {
            *deleted = store::EventLog(db).pruneOldest(cutoff, chunk);
            return webhooks::WorkResult{};
        },
        this,
        [this, deleted, cutoff, chunk](const webhooks::WorkResult &answer) {
            if (answer.httpStatus != 200 || !*deleted) {
                qCWarning(lcRetention).noquote()
                    << "could not delete old events:"
                    << (answer.httpStatus != 200
                            ? answer.errorObject().value(u"message"_s).toString()
                            : deleted->error().message);
                m_running = false;
                Q_EMIT finished(m_deletedInRun, false);
                return;
            }
            m_deletedInRun += deleted->value();
            m_deletedTotal += quint64(deleted->value());
            if (deleted->value() == chunk) { // more may be waiting: the next chunk, queued
                pruneChunk(cutoff);          // behind whatever webhooks came meanwhile
                return;
            }
            if (m_deletedInRun > 0)
                qCInfo(lcRetention) << "deleted" << m_deletedInRun << "events older than"
                                    << cutoff.toString(Qt::ISODate);
            m_running = false;
            Q_EMIT finished(m_deletedInRun, true);
        });
}

} // namespace callwatch::server
