// SPDX-License-Identifier: GPL-3.0-or-later
// What the server tests share: a real server::Backend on a free loopback port over a fresh
// SQLite or PostgreSQL database, signed webhook deliveries over HTTP, and the rows read back.
#pragma once

#include "../http/rawclient.h"
#include "../store/testdatabase.h"

#include "core/eventrecord.h"
#include "core/result.h"
#include "server/backend.h"
#include "store/callrepository.h"
#include "store/deliveryrepository.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>
#include <optional>

namespace callwatch::server::test {

using store::test::TestDatabase;

inline const QByteArray PostCallPath = "/webhooks/elevenlabs/post-call";
inline const QByteArray TurnPath = "/webhooks/elevenlabs/transcription";
/// The secrets every test Backend is configured with (the JWT one long enough for HS256).
inline const QByteArray PostCallSecret = "wsec_server_test_post_call";
inline const QByteArray TurnSecret = "wsec_server_test_transcription";
inline const QByteArray JwtSecret = "server-test-jwt-secret-0123456789abcdef";
/// Identifiers in tests/data/post_call_transcription_long_with_tools.json.
constexpr auto LongConversation = "conv_4801k4x9a1b2c3d4e5f6g7h8j9";
constexpr auto LongCallSid = "cw_5f1c9e2a7b3d4e6f8a0b1c2d";
constexpr auto LongProviderId = "CA7d2f41c0b9e35a86f1d0c4b2e9a7f315";

/// A file of tests/data, empty when it cannot be read.
QByteArray fixture(const QString &name);
/// The `data` object of a webhook fixture.
QJsonObject fixtureData(const QString &name);

/// The ElevenLabs-Signature header for `body`, timestamped `age` seconds ago (negative: ahead).
QByteArray sign(const QByteArray &body, const QByteArray &secret = PostCallSecret, qint64 age = 0);

/// One JSON POST over a fresh connection, signed when `signature` is not null; status 0 when no
/// answer came.
Reply post(quint16 port, const QByteArray &path, const QByteArray &body,
           const QByteArray &signature);
/// One bodiless request over a fresh connection, with a bearer token when given; status 0 when
/// no answer came.
Reply request(quint16 port, const QByteArray &method, const QByteArray &target,
              const QByteArray &token = {});
QJsonObject json(const Reply &reply);

/// The first column of the first row of `statement`; -1 when it fails or returns nothing.
qint64 count(QSqlDatabase db, const QString &statement);

/**
 * A Backend listening on 127.0.0.1:0 with the test secrets and `overrides` on top. An empty
 * `database` is a first `serve`: the default SQLite file in `dataDir` and a generated JWT secret.
 */
std::unique_ptr<Backend> makeBackend(const QString &dataDir, const QString &database,
                                     const QMap<QString, QString> &overrides = {});
/// A token signed with the Backend's key; empty when minting failed.
QByteArray mintToken(const Backend &backend, const QStringList &scopes);

/// Adds the `dialect` and `name` columns: every case once on SQLite and once on PostgreSQL.
void addDialectRows(const QList<QByteArray> &cases);

/**
 * @brief A running Backend over a fresh database (made by TestDatabase, migrated by the
 * Backend), with helpers to post signed deliveries and read back what was stored.
 */
class BackendHarness
{
public:
    TestDatabase db;
    QTemporaryDir dataDir;
    std::unique_ptr<Backend> backend; // declared last: destroyed before the database

    /// Starts on `db`, which the caller has created.
    Result<> start(const QMap<QString, QString> &overrides = {});
    quint16 port() const { return backend->port(); }
    QSqlDatabase sql() { return db.connection(); }
    QByteArray token(const QStringList &scopes) const { return mintToken(*backend, scopes); }

    /// Signed with the configured secrets.
    Reply postCall(const QByteArray &body);
    Reply turn(const QByteArray &body);

    std::optional<store::CallRecord> call(const QString &conversationId);
    /// Every stored event with an id above `afterId` (at most 1000).
    QList<EventRecord> eventsAfter(qint64 afterId);
    /// Every stored event, or those of one call.
    QList<EventRecord> events(qint64 callId = 0);
    /// The newest delivery, with its body.
    store::DeliveryRecord lastDelivery();
};

/// The stored post-call turns against the fixture's transcript, tool calls with their turn.
void checkTranscript(const QList<store::TranscriptTurn> &turns, const QJsonArray &expected,
                     qint64 firstSequence = 1);

} // namespace callwatch::server::test

/// Fetches the `dialect` column, opens a fresh database into `harness` (skipping or failing the
/// test as the environment says) and starts its Backend with the optional overrides.
#define CW_START(harness, ...)                                                                     \
    do {                                                                                           \
        CW_OPEN_DB((harness).db, false);                                                           \
        auto started_ = (harness).start(__VA_ARGS__);                                              \
        QVERIFY2(started_, qPrintable(started_.error().message));                                  \
    } while (false)
