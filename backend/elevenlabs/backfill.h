// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "elevenlabs/elevenlabstypes.h"

#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <memory>

namespace callwatch::store {
class Database;
}

namespace callwatch::elevenlabs {

class ElevenLabsClient;

/** @brief What one backfill run did. */
struct BackfillReport
{
    int checked = 0;         ///< conversations looked at (stuck calls + listed conversations)
    int filled = 0;          ///< known calls completed from the API
    int alreadyComplete = 0; ///< nothing to do: the call was complete, or the data a duplicate
    int newCalls = 0;        ///< conversations no call knew, stored as new calls
    int notReady = 0;        ///< conversations not done yet (tried again next run)
    int errors = 0;
    QStringList errorMessages; ///< at most 20, for the CLI

    QJsonObject toJson() const;
};

/** @brief Which calls and conversations a backfill looks at. */
struct BackfillOptions
{
    QString agentId;              ///< whose conversations are listed; empty: all the key can see
    int minAgeMinutes = 10;       ///< stuck calls younger than this are left to their webhook
    qint64 sinceSecs = 24 * 3600; ///< how far back the conversation list goes
    int maxPages = 100;           ///< of the list (100 conversations each)
};

/**
 * @brief Recovers post-call data whose webhook never arrived (ElevenLabs sends it once unless
 * retries are enabled, notes §7).
 *
 * (1) Calls still initiating/in_progress with a conversation id, older than minAgeMinutes: GET
 * the conversation; when it is done or failed, store it. (2) The agent's conversations since
 * sinceSecs that no call knows: GET and store them too (a call created before a crash is found
 * through dynamic_variables.call_sid). Storing goes through WebhookProcessor::applyPostCall, the
 * webhook's own code: an inbox row (route "backfill"), the same dedup key with
 * event_timestamp = start_time_unix_secs + call_duration_secs, which is stable, so running the
 * backfill twice stores nothing the second time. Writes use the calling thread's connection.
 */
class Backfill : public QObject
{
    Q_OBJECT
public:
    using Done = std::function<void(const BackfillReport &)>;

    Backfill(store::Database *database, ElevenLabsClient *client, BackfillOptions options,
             QObject *parent = nullptr);
    ~Backfill() override;

    /** One run; false (and @p done never called) when a run is already going on. */
    bool run(QObject *context, Done done);
    bool isRunning() const { return m_run != nullptr; }
    /** Runs every @p intervalMs (the first run after one interval). */
    void start(int intervalMs);
    void stop();

    const BackfillOptions &options() const { return m_options; }

Q_SIGNALS:
    void finished(const BackfillReport &report);
    void callsChanged();

private:
    struct Run;
    void collectStuckCalls();
    void checkNextStuck();
    void listPage(const QString &cursor, int page);
    void checkNextListed();
    void store(const Conversation &conversation, bool knownCall);
    void fail(const QString &message);
    void finish();

    store::Database *m_database;
    ElevenLabsClient *m_client;
    BackfillOptions m_options;
    QTimer m_timer;
    std::unique_ptr<Run> m_run;
};

} // namespace callwatch::elevenlabs
