// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/backend.h"

#include "elevenlabs/calllauncher.h"
#include "elevenlabs/elevenlabsclient.h"
#include "http/httpserver.h"
#include "live/jwtminter.h"
#include "live/jwtverifier.h"
#include "live/livehub.h"
#include "live/livehubthread.h"
#include "server/apiroutes.h"
#include "server/callroutes.h"
#include "server/eventfeed.h"
#include "server/jwtsetup.h"
#include "server/retentionjob.h"
#include "store/database.h"
#include "store/databaseurl.h"
#include "store/eventlog.h"
#include "store/migrator.h"
#include "store/walcheckpointer.h"
#include "webhooks/ingestwriter.h"
#include "webhooks/webhookservice.h"

#include <QDateTime>
#include <QDir>
#include <QLoggingCategory>
#include <QThread>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcServer, "callwatch.server")

namespace callwatch::server {

Backend::Backend(Config config, QObject *parent) : QObject(parent), m_config(std::move(config)) {}

Backend::~Backend()
{
    // Order matters: nothing may submit work or publish once the writer and hub are gone.
    m_http.reset();
    m_launcher.reset();
    m_elevenLabs.reset();
    inFeedThread([this] { m_eventFeed.reset(); }); // before the hub's thread stops
    m_liveHub.reset();
    if (m_writer)
        m_writer->stop();
    // After the writer has stopped: it may still be answering a chunk of the retention job,
    // and deleting the object discards an answer already posted to it.
    m_retention.clear();
    m_webhooks.reset();
    m_eventFeed.reset();
    m_writer.reset();
    m_checkpointer.reset();
    m_database.reset();
}

Result<> Backend::openDatabase()
{
    if (!QDir().mkpath(m_config.dataDir()))
        return Error{u"data_dir_unwritable"_s,
                     u"Cannot create the data directory %1"_s.arg(m_config.dataDir())};
    auto url = store::DatabaseUrl::parse(m_config.databaseUrl());
    if (!url)
        return url.error();
    auto database = store::Database::open(url.value());
    if (!database)
        return database.error();
    m_database = std::move(database).value();
    QSqlDatabase db = m_database->connection();
    store::Migrator migrator(db);
    auto applied = migrator.apply();
    if (!applied)
        return applied.error();
    qCInfo(lcServer).noquote() << "database" << url->redacted() << "ready";
    return {};
}

Result<> Backend::setUpAuth()
{
    auto jwtConfig = jwtConfigFor(m_config);
    if (!jwtConfig)
        return jwtConfig.error();
    if (auto valid = live::JwtVerifier::validateConfig(jwtConfig.value()); !valid)
        return valid.error();
    m_jwtVerifier = std::make_unique<live::JwtVerifier>(jwtConfig.value());
    return {};
}

Result<> Backend::start()
{
    if (auto opened = openDatabase(); !opened)
        return opened;
    if (auto auth = setUpAuth(); !auth)
        return auth;

    if (m_database->dialect() == store::Dialect::Sqlite && !m_database->url().isSqliteMemory()) {
        // Before the writer opens its connection: it then only appends to the WAL.
        m_checkpointer = std::make_unique<store::WalCheckpointer>(m_database.get());
        m_checkpointer->start();
    }
    m_writer = std::make_unique<webhooks::IngestWriter>(m_database.get());
    m_writer->setWalCheckpointer(m_checkpointer.get());
    webhooks::WebhookService::Options options;
    options.postCallSecrets = m_config.webhookSecrets();
    options.transcriptionSecrets = m_config.transcriptionSecrets();
    options.audioDirectory = QDir(m_config.dataDir()).filePath(u"audio"_s);
    m_webhooks = std::make_unique<webhooks::WebhookService>(m_writer.get(), options);
    if (options.postCallSecrets.isEmpty())
        qCWarning(lcServer) << "no webhook secret configured (CALLWATCH_WEBHOOK_SECRET): "
                               "post-call deliveries are refused until one is set";

    store::Database *database = m_database.get();
    live::ReplayFunction replay = [this, database](qint64 afterId,
                                                   int limit) -> Result<live::ReplayBatch> {
        store::EventLog log(database->connection());
        auto events = log.readAfter(afterId, limit, store::EventLog::Payload::Text);
        if (!events)
            return events.error();
        // No further than the feed has delivered: past an id it still waits for (see
        // EventFeed), the session would skip that id when the feed sends it later.
        if (m_eventFeed)
            m_eventFeed->keepDelivered(events.value());
        auto oldest = log.oldestId();
        if (!oldest)
            return oldest.error();
        return live::ReplayBatch{events.value(), oldest.value(), 0};
    };
    // The hub runs in a thread of its own so fan-out never delays the HTTP thread (webhooks).
    m_liveHub =
        std::make_unique<live::LiveHubThread>(*m_jwtVerifier, replay, live::LiveHubOptions{});
    m_eventFeed = std::make_unique<EventFeed>(
        m_database.get(),
        [hub = m_liveHub.get()](const QList<EventRecord> &events) { hub->publish(events); });
    // SQLite ids have no holes to wait for (see EventFeed): a missing one is never in flight.
    if (m_database->dialect() == store::Dialect::Sqlite)
        m_eventFeed->setGapWait(std::chrono::milliseconds(0));
    if (auto fed = m_eventFeed->start(); !fed)
        return fed;
    // Reading back committed events is live-side work: in the hub's thread it adds nothing to
    // the HTTP thread, which every webhook's answer waits for (9 % of it under the turn bench).
    m_eventFeed->moveToThread(m_liveHub->thread());
    QMetaObject::invokeMethod(m_eventFeed.get(), &EventFeed::listenForOtherWriters,
                              Qt::QueuedConnection);
    connect(m_writer.get(), &webhooks::IngestWriter::committed, m_eventFeed.get(),
            &EventFeed::localCommit, Qt::QueuedConnection);
    m_writer->start();
    if (auto started = startRetention(); !started)
        return started;

    m_http = std::make_unique<http::HttpServer>(http::HttpLimits{});
    m_http->setSpoolDirectory(QDir(m_config.dataDir()).filePath(u"spool"_s));
    registerRoutes();
    auto listen = m_config.listenAddress();
    if (!m_http->listen(listen->first, listen->second))
        return Error{u"listen_failed"_s,
                     u"Cannot listen on %1:%2: %3"_s.arg(listen->first.toString())
                         .arg(listen->second)
                         .arg(m_http->errorString())};
    qCInfo(lcServer).noquote() << "listening on" << baseUrl().toString();
    return {};
}

void Backend::registerRoutes()
{
    ApiContext context;
    context.database = m_database.get();
    context.jwt = m_jwtVerifier.get();
    context.webhooks = m_webhooks.get();
    context.clock = [] { return QDateTime::currentSecsSinceEpoch(); };
    server::registerRoutes(*m_http, context);

    // Outbound calls: the row is committed before ElevenLabs (or the sandbox) is asked.
    m_elevenLabs =
        std::make_unique<elevenlabs::ElevenLabsClient>(elevenLabsClientOptions(m_config));
    m_launcher = std::make_unique<elevenlabs::CallLauncher>(m_database.get(), m_elevenLabs.get(),
                                                            launchDefaults(m_config));
    // Calls are written on the HTTP thread: wake the live feed instead of waiting for its poll.
    connect(m_launcher.get(), &elevenlabs::CallLauncher::callsChanged, m_eventFeed.get(),
            &EventFeed::localCommit);
    CallRoutesContext calls;
    calls.database = m_database.get();
    calls.jwt = m_jwtVerifier.get();
    calls.launcher = m_launcher.get();
    calls.clock = context.clock;
    registerCallRoutes(*m_http, calls);
    live::LiveHubThread *hub = m_liveHub.get();
    m_http->setUpgradeHandler(
        u"/ws/calls/transcriptions"_s,
        [hub](QTcpSocket *socket, const http::HttpRequest &) { hub->handleUpgrade(socket); });
}

live::LiveHub *Backend::liveHub() const
{
    return m_liveHub ? m_liveHub->hub() : nullptr;
}

Result<> Backend::startRetention()
{
    auto eventDays = m_config.eventRetentionDays();
    if (!eventDays)
        return eventDays.error();
    auto bodyDays = m_config.inboxBodyRetentionDays();
    if (!bodyDays)
        return bodyDays.error();
    if (eventDays.value() > 0)
        m_retention.push_back(std::make_unique<RetentionJob>(
            m_writer.get(), u"live events"_s, std::chrono::hours(24 * eventDays.value()),
            liveEventsStep()));
    else
        qCInfo(lcServer) << "live events are kept forever (event-retention-days=0)";
    if (bodyDays.value() > 0) {
        m_retention.push_back(std::make_unique<RetentionJob>(
            m_writer.get(), u"inbox bodies"_s, std::chrono::hours(24 * bodyDays.value()),
            inboxBodiesStep()));
        // Walking rows is cheap (ids, times and body lengths from the row headers); the byte
        // budget bounds what a step writes. After a restart the walk starts at the first id.
        m_retention.back()->setStepSize(2000);
    }
    for (const auto &job : m_retention)
        job->start();
    return {};
}

void Backend::stop()
{
    if (m_stopping)
        return;
    m_stopping = true;
    qCInfo(lcServer) << "stopping: no new connections, finishing in-flight requests";
    if (!m_http)
        return finishStop();
    m_http->stopListening();
    if (m_http->inFlightRequests() == 0)
        return finishStop();
    connect(m_http.get(), &http::HttpServer::idle, this, &Backend::finishStop,
            Qt::SingleShotConnection);
}

void Backend::finishStop()
{
    if (m_writer)
        m_writer->stop(); // commits whatever is queued
    m_retention.clear();  // after the writer: see ~Backend()
    if (m_checkpointer)
        m_checkpointer->stop();
    inFeedThread([this] { m_eventFeed->pump(); }); // delivers what the writer committed last
    qCInfo(lcServer) << "stopped";
    Q_EMIT stopped();
}

void Backend::inFeedThread(const std::function<void()> &work)
{
    // The feed lives in the hub's thread once started (see start()), else in ours.
    if (!m_eventFeed)
        return;
    if (m_eventFeed->thread() == QThread::currentThread())
        work();
    else
        QMetaObject::invokeMethod(m_eventFeed.get(), work, Qt::BlockingQueuedConnection);
}

void Backend::setLiveGapWait(std::chrono::milliseconds wait)
{
    inFeedThread([this, wait] { m_eventFeed->setGapWait(wait); });
}

void Backend::setAudioFileSync(webhooks::durablefile::SyncFunction sync)
{
    m_webhooks->setFileSync(std::move(sync));
}

quint16 Backend::port() const
{
    return m_http ? m_http->port() : 0;
}

QUrl Backend::baseUrl() const
{
    auto listen = m_config.listenAddress();
    QString host = listen ? listen->first.toString() : u"127.0.0.1"_s;
    if (host == u"0.0.0.0"_s || host == u"::"_s)
        host = u"127.0.0.1"_s;
    QUrl url;
    url.setScheme(u"http"_s);
    url.setHost(host);
    url.setPort(port());
    return url;
}

QStringList Backend::webhookUrls() const
{
    const QString base = baseUrl().toString();
    return {base + u"/webhooks/elevenlabs/post-call"_s,
            base + u"/webhooks/elevenlabs/transcription"_s};
}

Result<QByteArray> Backend::mintToken(const QString &subject, const QStringList &scopes,
                                      qint64 ttlSecs) const
{
    auto jwtConfig = jwtConfigFor(m_config);
    if (!jwtConfig)
        return jwtConfig.error();
    return live::JwtMinter::mint(jwtConfig.value(), subject, scopes, ttlSecs,
                                 QDateTime::currentSecsSinceEpoch());
}

} // namespace callwatch::server
