// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"
#include "server/config.h"
#include "webhooks/durablefile.h"

#include <QObject>
#include <QUrl>

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

namespace callwatch::store {
class Database;
class WalCheckpointer;
} // namespace callwatch::store
namespace callwatch::http {
class HttpServer;
}
namespace callwatch::live {
class LiveHub;
class LiveHubThread;
class JwtVerifier;
} // namespace callwatch::live
namespace callwatch::elevenlabs {
class ElevenLabsClient;
class CallLauncher;
} // namespace callwatch::elevenlabs
namespace callwatch::webhooks {
class IngestWriter;
class WebhookService;
} // namespace callwatch::webhooks

namespace callwatch::server {

class EventFeed;
class RetentionJob;

/**
 * @brief The whole backend in one object: database, migrations, the group-commit writer, the
 * HTTP front end with its routes, and the live hub. `callwatchd serve` and the dashboard's
 * in-process mode both build exactly this, so both behave the same.
 */
class Backend : public QObject
{
    Q_OBJECT
public:
    explicit Backend(Config config, QObject *parent = nullptr);
    ~Backend() override;

    /** Opens the database, migrates, starts the writer and listens. */
    Result<> start();
    /** Stops accepting, answers in-flight requests, commits, closes the database; then stopped().
     */
    void stop();

    quint16 port() const;
    QUrl baseUrl() const;
    /** The URLs a developer pastes into ElevenLabs and the relay. */
    QStringList webhookUrls() const;
    /** Mints a token with the configured key (the dashboard's in-process token). */
    Result<QByteArray> mintToken(const QString &subject, const QStringList &scopes,
                                 qint64 ttlSecs) const;

    const Config &config() const { return m_config; }
    store::Database *database() const { return m_database.get(); }
    /** Lives in its own thread: reach it with QMetaObject::invokeMethod. */
    live::LiveHub *liveHub() const;
    /** How long the live feed waits for an event id still in flight (EventFeed); after start(). */
    void setLiveGapWait(std::chrono::milliseconds wait);
    /** How decoded audio files are flushed to disk (tests: a disk that refuses); after start(),
     * before the first delivery. */
    void setAudioFileSync(webhooks::durablefile::SyncFunction sync);

Q_SIGNALS:
    void stopped();

private:
    Result<> openDatabase();
    /** The event-retention-days and inbox-body-retention-days jobs (none for 0). */
    Result<> startRetention();
    Result<> setUpAuth();
    void registerRoutes();
    void finishStop();
    /// Runs `work` where the event feed lives and waits for it; nothing without a feed.
    void inFeedThread(const std::function<void()> &work);

    Config m_config;
    std::unique_ptr<store::Database> m_database;
    std::unique_ptr<live::JwtVerifier> m_jwtVerifier;
    std::unique_ptr<store::WalCheckpointer> m_checkpointer; ///< SQLite only
    std::unique_ptr<webhooks::IngestWriter> m_writer;
    std::unique_ptr<webhooks::WebhookService> m_webhooks;
    std::unique_ptr<elevenlabs::ElevenLabsClient> m_elevenLabs;
    std::unique_ptr<elevenlabs::CallLauncher> m_launcher;
    std::unique_ptr<http::HttpServer> m_http;
    std::unique_ptr<live::LiveHubThread> m_liveHub;
    std::unique_ptr<EventFeed> m_eventFeed;
    std::vector<std::unique_ptr<RetentionJob>> m_retention; ///< events, inbox bodies
    bool m_stopping = false;
};

} // namespace callwatch::server
