// SPDX-License-Identifier: GPL-3.0-or-later
#include "testbed.h"

#include "http/httpserver.h"
#include "live/jwtminter.h"
#include "server/callroutes.h"
#include "store/callrepository.h"
#include "store/database.h"
#include "store/databaseurl.h"
#include "store/migrator.h"
#include "webhooks/ingestwriter.h"
#include "webhooks/webhookservice.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;

namespace callwatch::elevenlabs::test {

namespace {

const QByteArray PostCallSecret = "wsec_elevenlabs_test_post_call";
const QByteArray TurnSecret = "wsec_elevenlabs_test_turns";
const QByteArray JwtSecret = "an-hs256-test-secret-of-more-than-32-bytes";

live::JwtConfig jwtConfig()
{
    live::JwtConfig config;
    config.secretOrPublicKey = JwtSecret;
    return config;
}

} // namespace

TestbedOptions Testbed::fastOptions()
{
    TestbedOptions options;
    options.sandbox.turnIntervalMinMs = 10;
    options.sandbox.turnIntervalMaxMs = 30;
    options.sandbox.ringMs = 150;
    options.sandbox.failureRate = 0;
    options.sandbox.seed = 42;
    return options;
}

Testbed::Testbed() = default;

Testbed::~Testbed()
{
    // Nothing may reach the writer after it stopped: sandbox and HTTP first.
    m_launcher.reset();
    m_client.reset();
    m_sandbox.reset();
    m_http.reset();
    if (m_writer)
        m_writer->stop();
    m_webhooks.reset();
    m_writer.reset();
    m_database.reset();
}

bool Testbed::start(TestbedOptions options)
{
    auto url = store::DatabaseUrl::parse(u"sqlite://"_s + m_dir.filePath(u"callwatch.db"_s));
    if (!url)
        return m_message = url.error().message, false;
    auto database = store::Database::open(url.value());
    if (!database)
        return m_message = database.error().message, false;
    m_database = std::move(database).value();
    if (auto applied = store::Migrator(m_database->connection()).apply(); !applied)
        return m_message = applied.error().message, false;

    m_writer = std::make_unique<webhooks::IngestWriter>(m_database.get());
    webhooks::WebhookService::Options hooks;
    hooks.postCallSecrets = {PostCallSecret};
    hooks.transcriptionSecrets = {TurnSecret};
    hooks.audioDirectory = m_dir.filePath(u"audio"_s);
    m_webhooks = std::make_unique<webhooks::WebhookService>(m_writer.get(), hooks);
    m_writer->start();
    m_jwt = std::make_unique<live::JwtVerifier>(jwtConfig());

    // The backend's webhook routes exactly as server::registerRoutes declares them.
    m_http = std::make_unique<http::HttpServer>();
    webhooks::WebhookService *service = m_webhooks.get();
    m_http->routeAsync(
        "POST", u"/webhooks/elevenlabs/post-call"_s,
        [service](const http::HttpRequest &request, http::HttpResponder r) {
            service->handlePostCall(request, std::move(r));
        },
        service->postCallRoute());
    m_http->routeAsync(
        "POST", u"/webhooks/elevenlabs/transcription"_s,
        [service](const http::HttpRequest &request, http::HttpResponder r) {
            service->handleTranscription(request, std::move(r));
        },
        service->transcriptionRoute());
    if (!m_http->listen(QHostAddress::LocalHost, 0))
        return m_message = m_http->errorString(), false;

    options.sandbox.backendUrl = QUrl(u"http://127.0.0.1:%1"_s.arg(m_http->port()));
    options.sandbox.webhookSecret = PostCallSecret;
    options.sandbox.transcriptionSecret = TurnSecret;
    options.sandbox.apiKey = QString::fromLatin1(ApiKey);
    m_sandbox = std::make_unique<SandboxServer>(options.sandbox);
    if (!m_sandbox->listen(QHostAddress::LocalHost, 0))
        return m_message = m_sandbox->errorString(), false;

    ClientOptions client;
    client.apiKey = QString::fromLatin1(ApiKey);
    client.baseUrl = m_sandbox->baseUrl();
    client.timeoutMs = options.clientTimeoutMs;
    client.retry.baseDelayMs = 10;
    m_client = std::make_unique<ElevenLabsClient>(client);
    LaunchDefaults defaults{QString::fromLatin1(AgentId), QString::fromLatin1(PhoneNumberId),
                            Provider::Twilio};
    BatchReconciler::Options batch;
    batch.pollIntervalMs = options.batchPollIntervalMs;
    m_launcher = std::make_unique<CallLauncher>(m_database.get(), m_client.get(), defaults, batch);

    server::CallRoutesContext routes;
    routes.database = m_database.get();
    routes.jwt = m_jwt.get();
    routes.launcher = m_launcher.get();
    routes.clock = [] { return QDateTime::currentSecsSinceEpoch(); };
    server::registerCallRoutes(*m_http, routes);
    return true;
}

quint16 Testbed::backendPort() const
{
    return m_http->port();
}

QByteArray Testbed::token(const QStringList &scopes) const
{
    auto token = live::JwtMinter::mint(jwtConfig(), u"test"_s, scopes, 600,
                                       QDateTime::currentSecsSinceEpoch());
    return token ? token.value() : QByteArray();
}

CallLaunchRequest Testbed::request(const QString &driverId, const QString &toNumber)
{
    CallLaunchRequest request;
    request.driverId = driverId;
    request.toNumber = toNumber;
    return request;
}

Result<store::CallRecord> Testbed::launch(const CallLaunchRequest &request, int timeoutMs)
{
    std::optional<Result<store::CallRecord>> outcome;
    QObject context;
    m_launcher->launch(request, &context,
                       [&outcome](const Result<store::CallRecord> &call) { outcome = call; });
    if (!QTest::qWaitFor([&] { return outcome.has_value(); }, timeoutMs))
        return Error{u"test_timeout"_s, u"the launcher did not answer"_s};
    return *outcome;
}

std::optional<BackfillReport> Testbed::backfill(BackfillOptions options, int timeoutMs)
{
    Backfill backfill(m_database.get(), m_client.get(), options);
    std::optional<BackfillReport> report;
    QObject context;
    if (!backfill.run(&context, [&report](const BackfillReport &done) { report = done; }))
        return std::nullopt;
    (void)QTest::qWaitFor([&] { return report.has_value(); }, timeoutMs);
    return report;
}

std::optional<store::CallRecord> Testbed::call(const QString &callSid)
{
    auto found = store::CallRepository(m_database->connection()).findByCallSid(callSid);
    if (!found || !found.value())
        return std::nullopt;
    return *found.value();
}

bool Testbed::waitForStatus(const QString &callSid, const QStringList &statuses, int timeoutMs)
{
    return QTest::qWaitFor(
        [&] {
            const auto found = call(callSid);
            return found && statuses.contains(found->status);
        },
        timeoutMs);
}

bool Testbed::waitForSandboxIdle(int timeoutMs)
{
    return QTest::qWaitFor([&] { return m_sandbox->activeConversations() == 0; }, timeoutMs);
}

qint64 Testbed::count(const QString &sql)
{
    QSqlQuery query(m_database->connection());
    if (!query.exec(sql) || !query.next())
        return -1;
    return query.value(0).toLongLong();
}

} // namespace callwatch::elevenlabs::test
