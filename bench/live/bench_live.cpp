// SPDX-License-Identifier: GPL-3.0-or-later
// Live WebSocket fan-out benchmark (issue 6). Starts the real `callwatchd serve` on a fresh
// SQLite data directory and, on the same machine:
//  fanout: N clients (lean epoll WebSocket clients, one thread) subscribe to "all"; signed
//          transcription turns are POSTed at a fixed rate; every client must receive every
//          acknowledged turn once, in event_id order. Reports POST-to-receipt latency,
//          deliveries/s, losses, CPU and server RSS.
//  idle:   M authenticated, subscribed, idle connections; reports server RSS before and after.
// Prints Markdown tables (for docs/performance.md) and one JSON line per mode.
//
//   build/bench/live/bench_live [--mode both|fanout|idle] [--clients 1000] [--rate 100]
//                               [--seconds 20] [--idle-connections 10000]
#include "benchserver.h"
#include "deliveryrecorder.h"
#include "turnposter.h"
#include "wsclientpool.h"

#include "webhooks/samplepayloads.h"
#include "webhooks/signatureverifier.h"

#include "loadgen.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <thread>

using namespace Qt::StringLiterals;
using namespace callwatch;
using namespace callwatch::bench;
namespace samples = callwatch::webhooks::samples;

namespace {

struct Options
{
    QString callwatchd;
    QString databaseUrl;
    QString mode;
    int clients = 1000;
    double rate = 100;
    double seconds = 20;
    int calls = 20;
    int idleConnections = 10000;
    int posterConnections = 8;
    double idleHoldSecs = 3;
    int port = 0;
};

QByteArray signedTurn(const QString &sid, const QString &text, double timeInCall,
                      const QString &turnId)
{
    const QByteArray body = samples::transcriptionTurn(sid, u"user"_s, text, timeInCall, turnId);
    const QByteArray signature = webhooks::SignatureVerifier::sign(
        BenchServer::TurnSecret, QDateTime::currentSecsSinceEpoch(), body);
    return buildPost("/webhooks/elevenlabs/transcription", {"ElevenLabs-Signature: " + signature},
                     body);
}

QString callSid(int call)
{
    return u"EL_live_bench_%1"_s.arg(call);
}

/** Creates the calls through signed post-call webhooks (a turn for an unknown call is a 404). */
bool createCalls(const Options &options, int port)
{
    QList<QByteArray> requests;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    for (int i = 0; i < options.calls; ++i) {
        samples::SampleCall call = samples::sampleCall(i, now - 600);
        call.callSid = callSid(i);
        call.conversationId = u"conv_live_bench_%1"_s.arg(i);
        const QByteArray body = samples::postCallTranscription(call);
        const QByteArray signature =
            webhooks::SignatureVerifier::sign(BenchServer::PostCallSecret, now, body);
        requests << buildPost("/webhooks/elevenlabs/post-call",
                              {"ElevenLabs-Signature: " + signature}, body);
    }
    std::vector<std::atomic<std::int64_t>> sent(std::size_t(requests.size()));
    std::vector<std::atomic<int>> status(std::size_t(requests.size()));
    const PostResult result = TurnPoster("127.0.0.1", port, 1).run(requests, 200, sent, status);
    return result.ok == std::uint64_t(options.calls);
}

QList<QByteArray> benchTurns(const Options &options)
{
    const auto count = qsizetype(options.rate * options.seconds);
    QList<QByteArray> turns;
    turns.reserve(count);
    for (qsizetype n = 0; n < count; ++n)
        turns << signedTurn(callSid(int(n % options.calls)),
                            u"lb:%1: I was doing about seventy in the right lane."_s.arg(n),
                            double(n) / 10.0, u"live-bench-%1"_s.arg(n));
    return turns;
}

QByteArray wsTarget(const BenchServer &server)
{
    return "/ws/calls/transcriptions?token=" + server.mintToken(3600);
}

QString ms(double value)
{
    return u"%1 ms"_s.arg(value, 0, 'f', value < 10 ? 2 : 1);
}

QString mb(qint64 kb)
{
    return u"%1 MiB"_s.arg(double(kb) / 1024.0, 0, 'f', 1);
}

QString thousands(double value)
{
    return QLocale(QLocale::English).toString(qint64(qRound64(value)));
}

void printRow(const QString &name, const QString &value)
{
    std::printf("| %s | %s |\n", qPrintable(name), qPrintable(value));
}

void printJson(const QJsonObject &json)
{
    std::printf("%s\n", QJsonDocument(json).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
}

/** What the fan-out run measured, server and load generator side. */
struct FanoutRun
{
    int subscribed = 0;
    PostResult posts;
    std::uint64_t expected = 0;
    std::uint64_t lost = 0;
    std::uint64_t unacknowledgedDelivered = 0;
    double deliveriesPerSecond = 0;
    std::vector<double> latencies;
    double serverCpu = 0;
    double clientCpu = 0;
    double posterCpu = 0;
    double wallSeconds = 0;
    ProcessMemory rssBefore;
    qint64 rssPeakDuringKb = 0;
    ProcessMemory rssAfter;
    std::map<int, int> closeCodes;
    std::uint64_t duplicates = 0;
    std::uint64_t outOfOrder = 0;
    std::uint64_t otherMessages = 0;
    std::pair<double, double> clientMeanRange;
    std::pair<std::vector<double>, std::vector<double>> turnFirstLast;
};

void receiveUntilDone(WsClientPool &pool, DeliveryRecorder &recorder, const BenchServer &server,
                      const std::atomic<bool> &postingDone,
                      const std::vector<std::atomic<int>> &status, FanoutRun &run)
{
    const WsClientPool::TextHandler handler = [&recorder](int client, std::string_view text,
                                                          std::int64_t now) {
        recorder.onText(client, text, now);
    };
    std::int64_t nextSample = 0;
    std::int64_t drainDeadline = 0;
    for (;;) {
        pool.poll(20, handler);
        const std::int64_t now = WsClientPool::nowNs();
        if (now >= nextSample) {
            run.rssPeakDuringKb = std::max(run.rssPeakDuringKb, processMemory(server.pid()).rssKb);
            nextSample = now + 500'000'000;
        }
        if (!postingDone.load(std::memory_order_acquire))
            continue;
        if (drainDeadline == 0)
            drainDeadline = now + 10'000'000'000;
        std::uint64_t acknowledged = 0;
        for (const auto &code : status)
            acknowledged += code.load() >= 200 && code.load() < 300 ? 1 : 0;
        if (recorder.delivered >= acknowledged * std::uint64_t(pool.subscribedCount()) ||
            now >= drainDeadline)
            return;
    }
}

FanoutRun runFanout(const Options &options, BenchServer &server)
{
    FanoutRun run;
    const QList<QByteArray> turns = benchTurns(options);
    WsClientPool pool("127.0.0.1", server.port(), wsTarget(server).toStdString());
    run.subscribed = pool.openSubscribed(options.clients, 200, 120);
    std::fprintf(stderr, "fanout: %d of %d clients subscribed\n", run.subscribed, options.clients);
    QThread::msleep(500);
    run.rssBefore = processMemory(server.pid());

    std::vector<std::atomic<std::int64_t>> sent(std::size_t(turns.size()));
    std::vector<std::atomic<int>> status(std::size_t(turns.size()));
    DeliveryRecorder recorder(options.clients, std::size_t(turns.size()), sent);
    std::atomic<bool> postingDone{false};
    const double serverCpuStart = processCpuSeconds(server.pid());
    const double clientCpuStart = threadCpuSeconds();
    const std::int64_t wallStart = WsClientPool::nowNs();
    std::thread poster([&] {
        const double cpuStart = threadCpuSeconds();
        run.posts = TurnPoster("127.0.0.1", server.port(), options.posterConnections)
                        .run(turns, options.rate, sent, status);
        run.posterCpu = threadCpuSeconds() - cpuStart;
        postingDone.store(true, std::memory_order_release);
    });
    receiveUntilDone(pool, recorder, server, postingDone, status, run);
    poster.join();
    run.wallSeconds = double(WsClientPool::nowNs() - wallStart) / 1e9;
    run.clientCpu = threadCpuSeconds() - clientCpuStart;
    run.serverCpu = processCpuSeconds(server.pid()) - serverCpuStart;
    run.rssAfter = processMemory(server.pid());

    run.expected = run.posts.ok * std::uint64_t(options.clients);
    run.lost = recorder.lost(status, options.clients);
    run.unacknowledgedDelivered = recorder.unacknowledgedDelivered(status);
    const std::int64_t firstSent = sent.empty() ? 0 : sent.front().load();
    if (recorder.lastReceiptNs > firstSent)
        run.deliveriesPerSecond =
            double(recorder.delivered) / (double(recorder.lastReceiptNs - firstSent) / 1e9);
    std::sort(run.posts.ackMs.begin(), run.posts.ackMs.end());
    run.latencies = std::move(recorder.latenciesMs);
    std::sort(run.latencies.begin(), run.latencies.end());
    run.closeCodes = pool.closeCodes();
    run.duplicates = recorder.duplicates;
    run.outOfOrder = recorder.outOfOrder;
    run.otherMessages = recorder.otherMessages;
    run.clientMeanRange = recorder.clientMeanRangeMs();
    run.turnFirstLast = recorder.turnFirstLastMs();
    return run;
}

QString closeCodesText(const std::map<int, int> &codes)
{
    QStringList parts;
    for (const auto &[code, count] : codes)
        parts << u"%1×%2"_s.arg(count).arg(code);
    return parts.isEmpty() ? u"none"_s : parts.join(u", "_s);
}

void printFanout(const Options &options, const FanoutRun &run, double load)
{
    const std::uint64_t received = run.latencies.size();
    std::printf("\n### Fan-out: %d clients subscribed to all, %g turns/s for %g s\n\n",
                options.clients, options.rate, options.seconds);
    std::printf("| measure | value |\n|---|---|\n");
    printRow(u"clients subscribed"_s, u"%1 of %2"_s.arg(run.subscribed).arg(options.clients));
    printRow(
        u"turns posted / answered 200"_s,
        u"%1 / %2 (late sends: %3)"_s.arg(run.posts.sent).arg(run.posts.ok).arg(run.posts.late));
    printRow(u"deliveries expected / received"_s,
             u"%1 / %2"_s.arg(thousands(double(run.expected)), thousands(double(received))));
    printRow(u"lost / duplicated / out of order"_s,
             u"%1 / %2 / %3"_s.arg(run.lost).arg(run.duplicates).arg(run.outOfOrder));
    printRow(u"deliveries per second"_s, thousands(run.deliveriesPerSecond));
    printRow(u"latency POST → receipt p50 / p90 / p99 / max"_s,
             u"%1 / %2 / %3 / %4"_s.arg(
                 ms(percentile(run.latencies, 50)), ms(percentile(run.latencies, 90)),
                 ms(percentile(run.latencies, 99)), ms(percentile(run.latencies, 100))));
    printRow(u"mean latency of the fastest / slowest client"_s,
             u"%1 / %2"_s.arg(ms(run.clientMeanRange.first), ms(run.clientMeanRange.second)));
    printRow(u"per turn: first client p50 / p99, last client p50 / p99"_s,
             u"%1 / %2, %3 / %4"_s.arg(ms(percentile(run.turnFirstLast.first, 50)),
                                       ms(percentile(run.turnFirstLast.first, 99)),
                                       ms(percentile(run.turnFirstLast.second, 50)),
                                       ms(percentile(run.turnFirstLast.second, 99))));
    printRow(
        u"webhook response p50 / p99"_s,
        u"%1 / %2"_s.arg(ms(percentile(run.posts.ackMs, 50)), ms(percentile(run.posts.ackMs, 99))));
    printRow(u"server CPU (2 cores = 200 %)"_s,
             u"%1 %"_s.arg(100.0 * run.serverCpu / run.wallSeconds, 0, 'f', 0));
    printRow(u"load generator CPU: clients / poster"_s,
             u"%1 % / %2 %"_s.arg(100.0 * run.clientCpu / run.wallSeconds, 0, 'f', 0)
                 .arg(100.0 * run.posterCpu / run.wallSeconds, 0, 'f', 0));
    printRow(u"server RSS before / peak during / after"_s,
             u"%1 / %2 / %3"_s.arg(mb(run.rssBefore.rssKb), mb(run.rssPeakDuringKb),
                                   mb(run.rssAfter.rssKb)));
    printRow(u"clients closed by the server"_s, closeCodesText(run.closeCodes));
    printRow(u"load average (1 min) at start"_s, QString::number(load, 'f', 2));
    std::printf("\n");
    printJson({{u"mode"_s, u"fanout"_s},
               {u"clients"_s, run.subscribed},
               {u"turns_ok"_s, qint64(run.posts.ok)},
               {u"expected"_s, qint64(run.expected)},
               {u"received"_s, qint64(received)},
               {u"lost"_s, qint64(run.lost)},
               {u"duplicates"_s, qint64(run.duplicates)},
               {u"out_of_order"_s, qint64(run.outOfOrder)},
               {u"unacknowledged_delivered"_s, qint64(run.unacknowledgedDelivered)},
               {u"other_messages"_s, qint64(run.otherMessages)},
               {u"deliveries_per_second"_s, qRound64(run.deliveriesPerSecond)},
               {u"p50_ms"_s, percentile(run.latencies, 50)},
               {u"p90_ms"_s, percentile(run.latencies, 90)},
               {u"p99_ms"_s, percentile(run.latencies, 99)},
               {u"max_ms"_s, percentile(run.latencies, 100)},
               {u"server_cpu_percent"_s, 100.0 * run.serverCpu / run.wallSeconds},
               {u"server_rss_peak_kb"_s, run.rssPeakDuringKb}});
}

/** What the idle-connections run measured. */
struct IdleRun
{
    int subscribed = 0;
    double openSeconds = 0;
    ProcessMemory before;
    ProcessMemory connected; ///< right after the last subscribe
    ProcessMemory after;     ///< after the hold (longer than a ping interval: steady state)
    std::map<int, int> closeCodes;
    qint64 pings = 0;
};

IdleRun runIdle(const Options &options, BenchServer &server)
{
    IdleRun run;
    QThread::msleep(1000);
    run.before = processMemory(server.pid());
    WsClientPool pool("127.0.0.1", server.port(), wsTarget(server).toStdString());
    const std::int64_t start = WsClientPool::nowNs();
    run.subscribed = pool.openSubscribed(options.idleConnections, 200, 300);
    run.openSeconds = double(WsClientPool::nowNs() - start) / 1e9;
    run.connected = processMemory(server.pid());
    // Hold past the server's 30 s ping round (each client answers), so RSS is the steady state.
    const std::int64_t settle = WsClientPool::nowNs() + std::int64_t(options.idleHoldSecs * 1e9);
    const WsClientPool::TextHandler ignore = [](int, std::string_view, std::int64_t) {};
    while (WsClientPool::nowNs() < settle)
        pool.poll(100, ignore);
    run.after = processMemory(server.pid());
    run.closeCodes = pool.closeCodes();
    run.pings = pool.pingsAnswered();
    return run;
}

void printIdle(const Options &options, const IdleRun &run)
{
    const qint64 delta = run.after.rssKb - run.before.rssKb;
    std::printf("\n### Idle: %d authenticated connections subscribed to all\n\n",
                options.idleConnections);
    std::printf("| measure | value |\n|---|---|\n");
    printRow(u"connections subscribed"_s, u"%1 of %2 (in %3 s)"_s.arg(run.subscribed)
                                              .arg(options.idleConnections)
                                              .arg(run.openSeconds, 0, 'f', 1));
    printRow(u"server RSS before / connected / after %1 s idle / peak"_s.arg(options.idleHoldSecs),
             u"%1 / %2 / %3 / %4"_s.arg(mb(run.before.rssKb), mb(run.connected.rssKb),
                                        mb(run.after.rssKb), mb(run.after.hwmKb)));
    printRow(u"pings answered by the clients"_s, QString::number(run.pings));
    printRow(u"per connection"_s,
             u"%1 KB"_s.arg(run.subscribed ? double(delta) / run.subscribed : 0, 0, 'f', 1));
    printRow(u"failed or closed"_s, closeCodesText(run.closeCodes));
    std::printf("\n");
    printJson({{u"mode"_s, u"idle"_s},
               {u"connections"_s, run.subscribed},
               {u"rss_before_kb"_s, run.before.rssKb},
               {u"rss_connected_kb"_s, run.connected.rssKb},
               {u"rss_after_kb"_s, run.after.rssKb},
               {u"rss_peak_kb"_s, run.after.hwmKb},
               {u"kb_per_connection"_s, run.subscribed ? double(delta) / run.subscribed : 0}});
}

Options parseOptions(const QCoreApplication &app)
{
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({u"mode"_s, u"fanout, idle or both."_s, u"MODE"_s, u"both"_s});
    parser.addOption({u"clients"_s, u"Fan-out clients."_s, u"N"_s, u"1000"_s});
    parser.addOption({u"rate"_s, u"Turns per second."_s, u"R"_s, u"100"_s});
    parser.addOption({u"seconds"_s, u"Posting time."_s, u"S"_s, u"20"_s});
    parser.addOption({u"calls"_s, u"Calls the turns are spread over."_s, u"N"_s, u"20"_s});
    parser.addOption({u"idle-connections"_s, u"Idle-mode connections."_s, u"N"_s, u"10000"_s});
    parser.addOption({u"idle-hold"_s, u"Seconds to hold the idle connections before measuring."_s,
                      u"S"_s, u"40"_s});
    parser.addOption({u"database"_s, u"Database URL (default: SQLite in a temp dir)."_s, u"URL"_s});
    parser.addOption({u"callwatchd"_s, u"Path to callwatchd."_s, u"PATH"_s,
                      QCoreApplication::applicationDirPath() + u"/../../backend/callwatchd"_s});
    parser.process(app);
    Options options;
    options.callwatchd = parser.value(u"callwatchd"_s);
    options.databaseUrl = parser.value(u"database"_s);
    options.mode = parser.value(u"mode"_s);
    options.clients = parser.value(u"clients"_s).toInt();
    options.rate = parser.value(u"rate"_s).toDouble();
    options.seconds = parser.value(u"seconds"_s).toDouble();
    options.calls = qMax(1, parser.value(u"calls"_s).toInt());
    options.idleConnections = parser.value(u"idle-connections"_s).toInt();
    options.idleHoldSecs = parser.value(u"idle-hold"_s).toDouble();
    options.port = 19750 + int(QCoreApplication::applicationPid() % 1000);
    return options;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const Options options = parseOptions(app);
    const QString &mode = options.mode;
    const qint64 files = raiseFileLimit();
    std::fprintf(stderr, "open-file limit: %lld\n", qlonglong(files));
    bool ok = true;
    if (mode == u"fanout"_s || mode == u"both"_s) {
        const double load = loadAverage();
        BenchServer server;
        if (!server.start(options.callwatchd, options.databaseUrl, options.port) ||
            !createCalls(options, server.port())) {
            std::fprintf(stderr, "could not start callwatchd or create the calls\n");
            return 1;
        }
        const FanoutRun run = runFanout(options, server);
        printFanout(options, run, load);
        ok = ok && run.lost == 0 && run.duplicates == 0 && run.outOfOrder == 0 &&
             run.subscribed == options.clients;
    }
    if (mode == u"idle"_s || mode == u"both"_s) {
        BenchServer server;
        if (!server.start(options.callwatchd, options.databaseUrl, options.port + 1)) {
            std::fprintf(stderr, "could not start callwatchd\n");
            return 1;
        }
        const IdleRun run = runIdle(options, server);
        printIdle(options, run);
        ok = ok && run.subscribed == options.idleConnections;
    }
    return ok ? 0 : 1;
}
