// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <functional>

namespace callwatch::webhooks {
class IngestWriter;
}

namespace callwatch::server {

/**
 * @brief Deletes live events older than the retention period (`event-retention-days`).
 *
 * Events exist for the WebSocket's resume; the calls, turns and the webhook inbox they were
 * made from stay. Without this the `events` table grows by a row per turn for as long as the
 * server runs. A run deletes in chunks through the webhook writer, the one thread that writes
 * SQLite, each chunk a small piece of work between webhook groups, so a backlog (a first run
 * on a year of events) never holds the webhooks up for long. A client resuming from before
 * the oldest kept event is told it fell behind retention (`"recovered": false`, live protocol).
 */
class EventRetention : public QObject
{
    Q_OBJECT
public:
    using Clock = std::function<QDateTime()>;

    EventRetention(webhooks::IngestWriter *writer, std::chrono::hours keep,
                   QObject *parent = nullptr);

    /** A run now (after start-up) and then every `interval`. */
    void start(std::chrono::milliseconds interval = std::chrono::minutes(10));
    /** Starts a run unless one is going; finished() tells when it is done. */
    void runNow();

    void setChunkSize(int rows) { m_chunkSize = rows; }
    void setClock(Clock clock) { m_clock = std::move(clock); }
    quint64 deletedTotal() const { return m_deletedTotal; }

Q_SIGNALS:
    /** A run ended: `deleted` events, `ok` false if the database refused a chunk. */
    void finished(qint64 deleted, bool ok);

private:
    void pruneChunk(const QDateTime &cutoff);

    webhooks::IngestWriter *m_writer;
    std::chrono::hours m_keep;
    QTimer m_timer;
    Clock m_clock;
    int m_chunkSize = 500;
    bool m_running = false;
    qint64 m_deletedInRun = 0;
    quint64 m_deletedTotal = 0;
};

} // namespace callwatch::server
