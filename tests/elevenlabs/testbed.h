// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "elevenlabs/backfill.h"
#include "elevenlabs/calllauncher.h"
#include "elevenlabs/elevenlabsclient.h"
#include "elevenlabs/sandboxserver.h"
#include "live/jwtverifier.h"
#include "store/callrecord.h"

#include <QTemporaryDir>

#include <memory>
#include <optional>

namespace callwatch::store {
class Database;
}
namespace callwatch::http {
class HttpServer;
}
namespace callwatch::webhooks {
class IngestWriter;
class WebhookService;
} // namespace callwatch::webhooks

namespace callwatch::elevenlabs::test {

inline constexpr auto AgentId = "agent_test_fleet_safety";
inline constexpr auto PhoneNumberId = "phnum_test_0001";
inline constexpr auto ApiKey = "xi-test-key";

/** @brief What a test wants different from the defaults of the testbed. */
struct TestbedOptions
{
    SandboxOptions sandbox; ///< backendUrl and secrets are filled in by the testbed
    int clientTimeoutMs = 3000;
    int batchPollIntervalMs = 50;
};

/**
 * @brief The whole loop on 127.0.0.1, in process: a temporary SQLite store, the backend's real
 * webhook path (WebhookService → IngestWriter → WebhookProcessor) and call routes on our HTTP
 * server, the real ElevenLabsClient and CallLauncher, and the sandbox playing ElevenLabs.
 */
class Testbed
{
public:
    static TestbedOptions fastOptions();

    Testbed();
    ~Testbed();

    /** False (with message()) when something could not start. */
    bool start(TestbedOptions options = fastOptions());
    QString message() const { return m_message; }

    store::Database *database() { return m_database.get(); }
    SandboxServer &sandbox() { return *m_sandbox; }
    ElevenLabsClient &client() { return *m_client; }
    CallLauncher &launcher() { return *m_launcher; }
    quint16 backendPort() const;
    /** A token for the backend's REST routes. */
    QByteArray token(const QStringList &scopes) const;

    /** Launches and waits for the launcher's answer (steps 1–5). */
    Result<store::CallRecord> launch(const CallLaunchRequest &request, int timeoutMs = 15000);
    /** Runs a backfill and waits for its report. */
    std::optional<BackfillReport> backfill(BackfillOptions options, int timeoutMs = 15000);

    std::optional<store::CallRecord> call(const QString &callSid);
    /** Waits until the call has one of @p statuses. */
    bool waitForStatus(const QString &callSid, const QStringList &statuses, int timeoutMs = 20000);
    /** Waits until the sandbox has no conversation in progress and no webhook in flight. */
    bool waitForSandboxIdle(int timeoutMs = 30000);

    qint64 count(const QString &sql);

    static CallLaunchRequest request(const QString &driverId,
                                     const QString &toNumber = QStringLiteral("+13125550100"));

private:
    QTemporaryDir m_dir;
    QString m_message;
    std::unique_ptr<store::Database> m_database;
    std::unique_ptr<webhooks::IngestWriter> m_writer;
    std::unique_ptr<webhooks::WebhookService> m_webhooks;
    std::unique_ptr<live::JwtVerifier> m_jwt;
    std::unique_ptr<http::HttpServer> m_http;
    std::unique_ptr<SandboxServer> m_sandbox;
    std::unique_ptr<ElevenLabsClient> m_client;
    std::unique_ptr<CallLauncher> m_launcher;
};

} // namespace callwatch::elevenlabs::test
