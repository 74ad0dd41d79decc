// SPDX-License-Identifier: GPL-3.0-or-later
// Fills a data directory with stored calls through the real webhook path, for the dashboard's
// time-to-first-frame measurement: starts `callwatchd serve` on the directory and posts signed
// ElevenLabs webhooks (post-call transcriptions, and initiation failures for one call in eight),
// spread over the last 30 days, then checks the calls table holds them.
//
//   build/bench/dashboard/bench_dashboard_seed --data-dir DIR [--calls 10000]
// The directory then works with `callwatch --data-dir DIR` (same SQLite file and token key).
#include "loadgen.h"
#include "store/database.h"
#include "store/databaseurl.h"
#include "webhooks/samplepayloads.h"
#include "webhooks/signatureverifier.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <cstdio>

using namespace Qt::StringLiterals;
using namespace callwatch;
namespace samples = callwatch::webhooks::samples;

namespace {

const QByteArray PostCallSecret = "wsec_dashboard_seed_post_call";
constexpr qint64 SpreadSecs = 30 * 24 * 3600;

int freePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost) ? probe.serverPort() : 0;
}

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

/** Call @p i of @p count: oldest first, the last ones today; one in eight not answered. */
QByteArray webhookFor(int i, int count, qint64 now)
{
    const qint64 start = now - SpreadSecs + SpreadSecs * i / count - 600;
    samples::SampleCall call = samples::sampleCall(i, start);
    call.callSid = u"CA_seed_%1"_s.arg(i, 6, 10, QChar(u'0'));
    call.conversationId = u"conv_seed_%1"_s.arg(i, 6, 10, QChar(u'0'));
    const QByteArray body =
        i % 8 == 7 ? samples::callInitiationFailure(call, i % 16 == 7 ? u"busy"_s : u"no-answer"_s,
                                                    u"twilio"_s)
                   : samples::postCallTranscription(call);
    const QByteArray signature = webhooks::SignatureVerifier::sign(PostCallSecret, now, body);
    return bench::buildPost("/webhooks/elevenlabs/post-call",
                            {"ElevenLabs-Signature: " + signature}, body);
}

qint64 countCalls(const QString &dataDir)
{
    auto url =
        store::DatabaseUrl::parse(u"sqlite://"_s + QDir(dataDir).filePath(u"callwatch.db"_s));
    if (!url)
        return -1;
    auto db = store::Database::open(url.value());
    if (!db)
        return -1;
    QSqlQuery query(db.value()->connection());
    if (!query.exec(u"SELECT COUNT(*) FROM calls"_s) || !query.next())
        return -1;
    return query.value(0).toLongLong();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({u"data-dir"_s, u"Data directory to fill (created)."_s, u"DIR"_s});
    parser.addOption({u"calls"_s, u"How many calls."_s, u"N"_s, u"10000"_s});
    parser.addOption({u"callwatchd"_s, u"Path to callwatchd."_s, u"PATH"_s,
                      QCoreApplication::applicationDirPath() + u"/../../backend/callwatchd"_s});
    parser.process(app);
    const QString dataDir = parser.value(u"data-dir"_s);
    const int count = parser.value(u"calls"_s).toInt();
    if (dataDir.isEmpty() || count <= 0 || !QDir().mkpath(dataDir)) {
        std::fprintf(stderr, "bench_dashboard_seed: --data-dir DIR and --calls N > 0 needed\n");
        return 2;
    }

    const int port = freePort();
    QProcess server;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"CALLWATCH_WEBHOOK_SECRET"_s, QString::fromLatin1(PostCallSecret));
    env.insert(u"CALLWATCH_TRANSCRIPTION_SECRET"_s, u"wsec_dashboard_seed_turns"_s);
    env.insert(u"QT_LOGGING_RULES"_s, u"callwatch.*.info=false"_s);
    server.setProcessEnvironment(env);
    server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    server.setStandardOutputFile(QProcess::nullDevice());
    server.start(
        parser.value(u"callwatchd"_s),
        {u"serve"_s, u"--listen"_s, u"127.0.0.1:%1"_s.arg(port), u"--data-dir"_s, dataDir});
    if (!server.waitForStarted() || !waitForPort(port)) {
        std::fprintf(stderr, "bench_dashboard_seed: could not start callwatchd\n");
        return 1;
    }

    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QElapsedTimer timer;
    timer.start();
    const bench::LoadResult result = bench::runLoad(
        "127.0.0.1", port, 4, 600, [&](quint64 n) { return webhookFor(int(n), count, now); },
        quint64(count));
    server.terminate();
    if (!server.waitForFinished(30000))
        server.kill();

    const qint64 stored = countCalls(dataDir);
    std::printf(
        "seeded %lld calls in %s (%llu ok, %llu refused, %llu connection errors) in %.1f s\n",
        static_cast<long long>(stored), qPrintable(dataDir),
        static_cast<unsigned long long>(result.ok), static_cast<unsigned long long>(result.failed),
        static_cast<unsigned long long>(result.connectionErrors), double(timer.elapsed()) / 1000.0);
    return stored >= count ? 0 : 1;
}
