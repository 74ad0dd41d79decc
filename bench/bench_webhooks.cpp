// SPDX-License-Identifier: GPL-3.0-or-later
// Webhook ingest benchmark: starts `callwatchd serve` on a fresh data directory, drives it over
// loopback with the closed-loop load generator, and checks afterwards that every request that
// got a 200 is in the database. Results are printed as one JSON object per scenario.
//
//   build/bench/bench_webhooks [--seconds 10] [--connections 32] [--database URL]
#include "loadgen.h"

#include "store/database.h"
#include "store/databaseurl.h"
#include "webhooks/samplepayloads.h"
#include "webhooks/signatureverifier.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>

#include <cstdio>

using namespace Qt::StringLiterals;
using namespace callwatch;
namespace samples = callwatch::webhooks::samples;

namespace {

const QByteArray PostCallSecret = "wsec_bench_post_call_secret";
const QByteArray TurnSecret = "wsec_bench_turn_secret";

struct Server
{
    QProcess process;
    int port = 0;
};

bool waitForPort(int port)
{
    for (int i = 0; i < 200; ++i) {
        QTcpSocket probe;
        probe.connectToHost(u"127.0.0.1"_s, quint16(port));
        if (probe.waitForConnected(100))
            return true;
        QThread::msleep(50);
    }
    return false;
}

bool startServer(Server &server, const QString &callwatchd, const QString &dataDir,
                 const QString &databaseUrl, int port)
{
    server.port = port;
    QStringList args{u"serve"_s, u"--listen"_s, u"127.0.0.1:%1"_s.arg(port), u"--data-dir"_s,
                     dataDir};
    if (!databaseUrl.isEmpty())
        args << u"--database"_s << databaseUrl;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"CALLWATCH_WEBHOOK_SECRET"_s, QString::fromLatin1(PostCallSecret));
    env.insert(u"CALLWATCH_TRANSCRIPTION_SECRET"_s, QString::fromLatin1(TurnSecret));
    env.insert(u"QT_LOGGING_RULES"_s, u"callwatch.http.info=false"_s);
    server.process.setProcessEnvironment(env);
    server.process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    server.process.setStandardOutputFile(QProcess::nullDevice());
    server.process.start(callwatchd, args);
    return server.process.waitForStarted() && waitForPort(port);
}

void stopServer(Server &server)
{
    server.process.terminate();
    if (!server.process.waitForFinished(30000))
        server.process.kill();
}

QByteArray signedPost(const char *path, const QByteArray &secret, const QByteArray &body)
{
    const QByteArray signature =
        webhooks::SignatureVerifier::sign(secret, QDateTime::currentSecsSinceEpoch(), body);
    return bench::buildPost(path, {"ElevenLabs-Signature: " + signature}, body);
}

QJsonObject report(const QString &name, const bench::LoadResult &r, int connections)
{
    QJsonObject json{{u"scenario"_s, name},
                     {u"connections"_s, connections},
                     {u"seconds"_s, r.seconds},
                     {u"ok"_s, qint64(r.ok)},
                     {u"failed"_s, qint64(r.failed)},
                     {u"connection_errors"_s, qint64(r.connectionErrors)},
                     {u"requests_per_second"_s, qRound(r.requestsPerSecond())},
                     {u"p50_ms"_s, r.percentile(50)},
                     {u"p99_ms"_s, r.percentile(99)},
                     {u"max_ms"_s, r.percentile(100)}};
    std::printf("%s\n", QJsonDocument(json).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
    return json;
}

/** Creates `count` calls through the post-call webhook; returns their call_sids. */
QStringList createCalls(int port, int count)
{
    QStringList sids;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QList<QByteArray> requests;
    for (int i = 0; i < count; ++i) {
        samples::SampleCall call = samples::sampleCall(i, now - 600);
        call.callSid = u"EL_bench_%1"_s.arg(i);
        call.conversationId = u"conv_bench_%1"_s.arg(i);
        sids << call.callSid;
        requests << signedPost("/webhooks/elevenlabs/post-call", PostCallSecret,
                               samples::postCallTranscription(call));
    }
    bench::runLoad(
        "127.0.0.1", port, 4, 60, [&](quint64 n) { return requests.at(qsizetype(n)); },
        quint64(count));
    return sids;
}

qint64 countRows(const QString &databaseUrl, const QString &sql)
{
    auto url = store::DatabaseUrl::parse(databaseUrl);
    auto db = store::Database::open(url.value());
    if (!db)
        return -1;
    QSqlQuery query(db.value()->connection());
    if (!query.exec(sql) || !query.next())
        return -1;
    return query.value(0).toLongLong();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({u"seconds"_s, u"Duration of each run."_s, u"S"_s, u"10"_s});
    parser.addOption({u"connections"_s, u"Concurrent connections."_s, u"N"_s, u"32"_s});
    parser.addOption({u"database"_s, u"Database URL (default: SQLite in a temp dir)."_s, u"URL"_s});
    parser.addOption({u"callwatchd"_s, u"Path to callwatchd."_s, u"PATH"_s,
                      QCoreApplication::applicationDirPath() + u"/../backend/callwatchd"_s});
    parser.addOption({u"postcall-kb"_s, u"Size of the post-call payloads."_s, u"KB"_s, u"200"_s});
    parser.addOption({u"only"_s,
                      u"Run one scenario: baseline, turns or postcall (e.g. to profile)."_s,
                      u"SCENARIO"_s});
    parser.process(app);
    const QString only = parser.value(u"only"_s);
    const auto wanted = [&](const QString &scenario) { return only.isEmpty() || only == scenario; };
    const double seconds = parser.value(u"seconds"_s).toDouble();
    const int connections = parser.value(u"connections"_s).toInt();

    QTemporaryDir dataDir;
    const QString databaseUrl = parser.isSet(u"database"_s)
                                    ? parser.value(u"database"_s)
                                    : u"sqlite://"_s + dataDir.filePath(u"callwatch.db"_s);
    Server server;
    const int port = 18750 + int(QCoreApplication::applicationPid() % 1000);
    if (!startServer(server, parser.value(u"callwatchd"_s), dataDir.path(), databaseUrl, port)) {
        std::fprintf(stderr, "could not start callwatchd\n");
        return 1;
    }

    // Baseline in the same run: the same server answering GET /healthz (no signature, no JSON,
    // no database), so the webhook numbers can be read as a ratio of what the HTTP layer does.
    const QByteArray health = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    if (wanted(u"baseline"_s)) {
        const auto baseline = bench::runLoad("127.0.0.1", port, connections, seconds,
                                             [&](quint64) { return health; });
        report(u"baseline_healthz"_s, baseline, connections);
    }

    const QStringList sids = createCalls(port, connections);

    // Signed transcription turns, every one distinct (so every one is stored), pre-built so the
    // load generator spends its CPU on sockets, not on HMAC.
    const quint64 maxTurns = wanted(u"turns"_s) ? quint64(seconds * 60000) : 0;
    QList<QByteArray> turns;
    turns.reserve(qsizetype(maxTurns));
    for (quint64 n = 0; n < maxTurns; ++n) {
        const QString sid = sids.at(qsizetype(n % quint64(sids.size())));
        turns << signedPost("/webhooks/elevenlabs/transcription", TurnSecret,
                            samples::transcriptionTurn(
                                sid, n % 2 ? u"user"_s : u"agent"_s,
                                u"Turn %1: I was doing about seventy in the right lane."_s.arg(n),
                                double(n) / 10.0, u"bench-%1"_s.arg(n)));
    }
    bench::LoadResult turnResult;
    if (maxTurns > 0) {
        turnResult = bench::runLoad(
            "127.0.0.1", port, connections, seconds,
            [&](quint64 n) { return turns.at(qsizetype(n)); }, maxTurns);
        report(u"transcription_turns"_s, turnResult, connections);
    }

    // Post-call webhooks of about 200 KB each, each for a new conversation.
    const int targetBytes = parser.value(u"postcall-kb"_s).toInt() * 1024;
    QList<QByteArray> postCalls;
    // Pre-built so signing costs nothing during the run; capped at about 2 GiB of payloads.
    const quint64 memoryCap = quint64(2) * 1024 * 1024 * 1024 / quint64(std::max(targetBytes, 1));
    const quint64 maxPostCalls =
        wanted(u"postcall"_s) ? std::min(quint64(seconds * 2500), memoryCap) : 0;
    {
        samples::SampleCall call = samples::sampleCall(1, QDateTime::currentSecsSinceEpoch() - 900);
        QJsonObject payload = samples::postCallTranscriptionJson(call);
        QJsonObject data = payload.value(u"data"_s).toObject();
        QJsonArray transcript = data.value(u"transcript"_s).toArray();
        const QJsonArray script = transcript;
        while (QJsonDocument(payload).toJson(QJsonDocument::Compact).size() < targetBytes) {
            for (const QJsonValue &turn : script)
                transcript.append(turn);
            data.insert(u"transcript"_s, transcript);
            payload.insert(u"data"_s, data);
        }
        const QByteArray templ = QJsonDocument(payload).toJson(QJsonDocument::Compact);
        for (quint64 n = 0; n < maxPostCalls; ++n) {
            QByteArray body = templ;
            body.replace(call.conversationId.toUtf8(),
                         QByteArray("conv_pc_" + QByteArray::number(n)));
            body.replace(call.callSid.toUtf8(), QByteArray("EL_pc_" + QByteArray::number(n)));
            body.replace(samples::providerCallSid(call).toUtf8(),
                         QByteArray("CApc" + QByteArray::number(n).rightJustified(30, '0')));
            postCalls << signedPost("/webhooks/elevenlabs/post-call", PostCallSecret, body);
        }
        std::fprintf(stderr, "post-call payload: %lld bytes\n", qlonglong(templ.size()));
    }
    bench::LoadResult postCallResult;
    if (maxPostCalls > 0) {
        postCallResult = bench::runLoad(
            "127.0.0.1", port, connections, seconds,
            [&](quint64 n) { return postCalls.at(qsizetype(n)); }, maxPostCalls);
        report(u"post_call_200kb"_s, postCallResult, connections);
    }

    stopServer(server);

    // Durability check: every acknowledged turn and post-call is in the database.
    const qint64 storedTurns =
        countRows(databaseUrl, u"SELECT COUNT(*) FROM call_transcriptions WHERE source = 'live'"_s);
    const qint64 storedPostCalls = countRows(
        databaseUrl, u"SELECT COUNT(*) FROM calls WHERE conversation_id LIKE 'conv_pc_%'"_s);
    const bool durable =
        storedTurns == qint64(turnResult.ok) && storedPostCalls == qint64(postCallResult.ok);
    std::printf("{\"check\":\"durability\",\"acknowledged_turns\":%llu,\"stored_turns\":%lld,"
                "\"acknowledged_post_calls\":%llu,\"stored_post_calls\":%lld,\"ok\":%s}\n",
                qulonglong(turnResult.ok), qlonglong(storedTurns), qulonglong(postCallResult.ok),
                qlonglong(storedPostCalls), durable ? "true" : "false");
    return durable ? 0 : 1;
}
