// SPDX-License-Identifier: GPL-3.0-or-later
// Webhook ingest benchmark: starts `callwatchd serve` on a fresh data directory, drives it over
// loopback with the closed-loop load generator, and checks afterwards that every request that
// got a 200 is in the database. Results are printed as one JSON object per scenario.
//
//   build/bench/bench_webhooks [--seconds 10] [--connections 32] [--database URL]
//                              [--only baseline|turns|postcall] [--postcall-kb 200]
//                              [--postcall-shape realistic|minimal] [--write-postcall FILE]
#include "loadgen.h"

#include "store/database.h"
#include "store/databaseurl.h"
#include "webhooks/samplepayloads.h"
#include "webhooks/signatureverifier.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>

#include <cstdio>
#include <functional>

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

/// Tells scripts sampling the server (bench/turns-cpu) when the clock starts: requests are
/// built and signed before it, which takes seconds on a slow machine.
void announce(const char *scenario, double seconds)
{
    std::fprintf(stderr, "running %s for %g s\n", scenario, seconds);
    std::fflush(stderr);
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

QJsonObject report(const QString &name, const bench::LoadResult &r, int connections,
                   const QJsonObject &extra = {})
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
    for (auto it = extra.begin(); it != extra.end(); ++it)
        json.insert(it.key(), it.value());
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

enum class PostCallShape { Realistic, Minimal };

const char *shapeName(PostCallShape shape)
{
    return shape == PostCallShape::Minimal ? "minimal" : "realistic";
}

/** The post-call body the scenario's requests are made from, and what its transcript holds. */
struct PostCallBody
{
    QByteArray json;
    qsizetype turns = 0;
    qsizetype transcriptBytes = 0; ///< the turns' compact JSON, without commas and brackets
};

QByteArray compactJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonValue jsonNull()
{
    return QJsonValue(QJsonValue::Null);
}

// Conversation turn metrics in the SDK's shape (ConversationTurnMetrics: named metrics plus the
// providers); latencies vary a little from turn to turn like real ones.
QJsonObject turnMetrics(qsizetype index)
{
    const double ttfb = 0.27 + 0.013 * double(index % 19);
    const auto metric = [](double seconds) { return QJsonObject{{u"elapsed_time"_s, seconds}}; };
    return QJsonObject{
        {u"metrics"_s, QJsonObject{{u"convai_llm_service_ttfb"_s, metric(ttfb)},
                                   {u"convai_llm_service_ttf_sentence"_s, metric(ttfb + 0.19)},
                                   {u"convai_tts_service_ttfb"_s, metric(0.11 + ttfb / 4)}}},
        {u"convai_asr_provider"_s, u"elevenlabs"_s},
        {u"convai_tts_model"_s, u"eleven_flash_v2"_s},
    };
}

// llm_usage.model_usage (LlmUsageOutput → LlmInputOutputTokensUsage): the prompt grows with the
// conversation, most of it read from the provider's cache.
QJsonObject llmUsage(qsizetype index)
{
    const auto tokens = [](qint64 count, double pricePerToken) {
        return QJsonObject{{u"tokens"_s, count}, {u"price"_s, double(count) * pricePerToken}};
    };
    const qint64 prompt = 1480 + 41 * qint64(index);
    const qint64 cached = prompt - 96 - 41;
    return QJsonObject{
        {u"model_usage"_s,
         QJsonObject{{u"gemini-2.0-flash-001"_s,
                      QJsonObject{{u"input"_s, tokens(prompt - cached, 1.0e-7)},
                                  {u"input_cache_read"_s, tokens(cached, 2.5e-8)},
                                  {u"input_cache_write"_s, tokens(0, 0)},
                                  {u"output_total"_s, tokens(38 + index % 23, 4.0e-7)}}}}},
    };
}

// Tool calls and results of one pass through the script get their own request ids, as each call
// to a tool does.
QJsonArray withRequestIds(const QJsonArray &items, qsizetype pass)
{
    QJsonArray out;
    for (const QJsonValue &item : items) {
        QJsonObject object = item.toObject();
        object.insert(u"request_id"_s, QString(object.value(u"request_id"_s).toString() % u'_' %
                                               QString::number(pass)));
        out.append(object);
    }
    return out;
}

// A tool-only agent turn (message null), like the fixture's record_acknowledgement: the agent
// writes down the driver's acknowledgement through a webhook tool.
samples::ScriptedTurn acknowledgementTurn(const samples::SampleCall &call, int timeInCall)
{
    const QString id = u"toolu_ack_"_s % call.driverId;
    const QJsonObject params{{u"driver_id"_s, call.driverId},
                             {u"acknowledged"_s, true},
                             {u"note"_s, u"Driver acknowledged and agreed to the policy."_s}};
    const QJsonObject toolCall{
        {u"type"_s, u"webhook"_s},
        {u"request_id"_s, id},
        {u"tool_name"_s, u"record_acknowledgement"_s},
        {u"params_as_json"_s, QString::fromUtf8(compactJson(params))},
        {u"tool_has_been_called"_s, true},
        {u"tool_details"_s,
         QJsonObject{{u"type"_s, u"webhook"_s},
                     {u"method"_s, u"POST"_s},
                     {u"url"_s, u"https://fleet.example.com/api/acknowledgements"_s},
                     {u"path_params_schema"_s, QJsonObject()},
                     {u"query_params_schema"_s, QJsonObject()},
                     {u"request_body_schema"_s, QJsonObject{{u"type"_s, u"object"_s}}},
                     {u"request_headers"_s, QJsonObject()},
                     {u"dynamic_variables"_s, QJsonObject()}}},
    };
    const QJsonObject toolResult{
        {u"type"_s, u"webhook"_s},
        {u"request_id"_s, id},
        {u"tool_name"_s, u"record_acknowledgement"_s},
        {u"result_value"_s, u"{\"status\":\"recorded\",\"acknowledgement_id\":\"ack_5531\"}"_s},
        {u"is_error"_s, false},
        {u"tool_has_been_called"_s, true},
        {u"tool_latency_secs"_s, 0.512},
        {u"error_type"_s, u""_s},
        {u"raw_error_message"_s, u""_s},
        {u"dynamic_variable_updates"_s, QJsonArray()},
    };
    return {u"agent"_s, QString(), timeInCall, QJsonArray{toolCall}, QJsonArray{toolResult}};
}

// One transcript turn with every field ElevenLabs sends (reference §2.2 and
// tests/data/post_call_transcription_long_with_tools.json): agent turns carry agent_metadata,
// conversation_turn_metrics and llm_usage, user turns have nulls there; every ninth agent turn
// was interrupted, so its message is what was spoken and original_message what was planned.
QJsonObject realisticTurn(const samples::ScriptedTurn &turn, qsizetype index, int timeInCall,
                          qsizetype pass, const samples::SampleCall &call)
{
    const bool agent = turn.role == u"agent"_s;
    const bool interrupted = agent && !turn.message.isEmpty() && index % 9 == 4;
    const QString spoken = interrupted
                               ? QString(turn.message.left(turn.message.size() * 3 / 5) % u"..."_s)
                               : turn.message;
    const QJsonObject agentMetadata{{u"agent_id"_s, call.agentId},
                                    {u"branch_id"_s, jsonNull()},
                                    {u"workflow_node_id"_s, jsonNull()},
                                    {u"version_id"_s, jsonNull()}};
    return QJsonObject{
        {u"role"_s, turn.role},
        {u"agent_metadata"_s, agent ? QJsonValue(agentMetadata) : jsonNull()},
        {u"message"_s, spoken.isEmpty() ? jsonNull() : QJsonValue(spoken)},
        {u"multivoice_message"_s, jsonNull()},
        {u"tool_calls"_s, withRequestIds(turn.toolCalls, pass)},
        {u"tool_results"_s, withRequestIds(turn.toolResults, pass)},
        {u"feedback"_s, jsonNull()},
        {u"llm_override"_s, jsonNull()},
        {u"time_in_call_secs"_s, timeInCall},
        {u"conversation_turn_metrics"_s, agent ? QJsonValue(turnMetrics(index)) : jsonNull()},
        {u"rag_retrieval_info"_s, jsonNull()},
        {u"llm_usage"_s, agent ? QJsonValue(llmUsage(index)) : jsonNull()},
        {u"interrupted"_s, interrupted},
        {u"original_message"_s, interrupted ? QJsonValue(turn.message) : jsonNull()},
        {u"source_medium"_s, u"audio"_s},
    };
}

/** What fillTranscript() put into a payload's transcript. */
struct TranscriptFill
{
    qsizetype turns = 0;
    qsizetype turnBytes = 0; ///< the turns' compact JSON, without commas and brackets
};

/**
 * Sets data.transcript of @p payload to the turns @p nextTurns gives (called with the number of
 * turns so far, it returns the next block) until the compact body reaches @p targetBytes.
 */
TranscriptFill fillTranscript(QJsonObject &payload, int targetBytes,
                              const std::function<QJsonArray(qsizetype)> &nextTurns)
{
    QJsonObject data = payload.value(u"data"_s).toObject();
    data.insert(u"transcript"_s, QJsonArray());
    payload.insert(u"data"_s, data);
    // Grown by each turn's own size instead of serialising the whole body per turn.
    qsizetype size = compactJson(payload).size();
    QJsonArray transcript;
    TranscriptFill fill;
    while (size < targetBytes) {
        const QJsonArray block = nextTurns(transcript.size());
        if (block.isEmpty())
            break;
        for (const QJsonValue &turn : block) {
            const qsizetype bytes = compactJson(turn.toObject()).size();
            size += bytes + (transcript.isEmpty() ? 0 : 1);
            fill.turnBytes += bytes;
            transcript.append(turn);
        }
    }
    fill.turns = transcript.size();
    data.insert(u"transcript"_s, transcript);
    payload.insert(u"data"_s, data);
    return fill;
}

/**
 * The post-call body for @p call, about @p targetBytes long. Minimal repeats the sample call's
 * short script whole (the bench's original payload: the most rows per KB). Realistic walks the
 * same script, plus a tool-only turn, with every per-turn field ElevenLabs sends, times running
 * on from pass to pass, until the size is reached.
 */
PostCallBody postCallBody(PostCallShape shape, const samples::SampleCall &call, int targetBytes)
{
    QJsonObject payload = samples::postCallTranscriptionJson(call);
    if (shape == PostCallShape::Minimal) {
        const QJsonArray sampleTurns =
            payload.value(u"data"_s).toObject().value(u"transcript"_s).toArray();
        const TranscriptFill fill =
            fillTranscript(payload, targetBytes, [&](qsizetype) { return sampleTurns; });
        return {compactJson(payload), fill.turns, fill.turnBytes};
    }

    QList<samples::ScriptedTurn> script = samples::violationScript(call.driverName, call.violation);
    const int scriptSecs = script.back().timeInCallSecs + 6;
    script.insert(script.size() - 5, acknowledgementTurn(call, script.at(8).timeInCallSecs + 2));
    const TranscriptFill fill = fillTranscript(payload, targetBytes, [&](qsizetype index) {
        const qsizetype pass = index / script.size();
        const samples::ScriptedTurn &turn = script.at(index % script.size());
        const int at = int(pass) * scriptSecs + turn.timeInCallSecs;
        return QJsonArray{realisticTurn(turn, index, at, pass, call)};
    });
    // The metadata's duration covers the whole (long) transcript.
    QJsonObject data = payload.value(u"data"_s).toObject();
    QJsonObject metadata = data.value(u"metadata"_s).toObject();
    const qsizetype passes = (fill.turns + script.size() - 1) / script.size();
    metadata.insert(u"call_duration_secs"_s, qint64(passes) * scriptSecs);
    data.insert(u"metadata"_s, metadata);
    payload.insert(u"data"_s, data);
    return {compactJson(payload), fill.turns, fill.turnBytes};
}

/** One latency (ms) per line, in completion order. */
void writeLatencies(const QString &path, const bench::LoadResult &result)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        std::fprintf(stderr, "cannot write %s\n", qPrintable(path));
        return;
    }
    QByteArray text;
    text.reserve(qsizetype(result.latenciesMs.size()) * 8);
    for (double ms : result.latenciesMs)
        text += QByteArray::number(ms, 'f', 3) + '\n';
    file.write(text);
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
    parser.addOption({u"postcall-shape"_s,
                      u"Post-call transcript turns: realistic (every field ElevenLabs sends, "
                      "about 700 bytes a turn) or minimal (the sample call's turns, more rows "
                      "per KB: the worst case)."_s,
                      u"SHAPE"_s, u"realistic"_s});
    parser.addOption({u"write-postcall"_s,
                      u"Write one post-call body (as --postcall-shape/--postcall-kb make it) to "
                      "FILE and exit, e.g. for bench/disk-floor --payload."_s,
                      u"FILE"_s});
    parser.addOption({u"only"_s,
                      u"Run one scenario: baseline, turns or postcall (e.g. to profile)."_s,
                      u"SCENARIO"_s});
    parser.addOption({u"latency-log"_s,
                      u"Write each answered turn's latency (ms), in the order the answers came, "
                      "to FILE: shows whether slow requests come alone or in stalls."_s,
                      u"FILE"_s});
    parser.process(app);
    if (const QString shape = parser.value(u"postcall-shape"_s);
        shape != u"realistic"_s && shape != u"minimal"_s) {
        std::fprintf(stderr, "--postcall-shape: realistic or minimal, not \"%s\"\n",
                     qPrintable(shape));
        return 2;
    }
    const QString only = parser.value(u"only"_s);
    const auto wanted = [&](const QString &scenario) { return only.isEmpty() || only == scenario; };
    const double seconds = parser.value(u"seconds"_s).toDouble();
    const int connections = parser.value(u"connections"_s).toInt();

    // The post-call body, built first so --write-postcall needs no server.
    const PostCallShape shape = parser.value(u"postcall-shape"_s) == u"minimal"_s
                                    ? PostCallShape::Minimal
                                    : PostCallShape::Realistic;
    const int targetBytes = parser.value(u"postcall-kb"_s).toInt() * 1024;
    const samples::SampleCall call =
        samples::sampleCall(1, QDateTime::currentSecsSinceEpoch() - 900);
    const PostCallBody templ = postCallBody(shape, call, targetBytes);
    if (parser.isSet(u"write-postcall"_s)) {
        QFile out(parser.value(u"write-postcall"_s));
        if (!out.open(QIODevice::WriteOnly) || out.write(templ.json) != templ.json.size()) {
            std::fprintf(stderr, "could not write %s\n", qPrintable(out.fileName()));
            return 1;
        }
        std::fprintf(stderr, "wrote %lld bytes, %lld turns (%s)\n", qlonglong(templ.json.size()),
                     qlonglong(templ.turns), shapeName(shape));
        return 0;
    }

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
        announce("baseline_healthz", seconds);
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
        announce("transcription_turns", seconds);
        turnResult = bench::runLoad(
            "127.0.0.1", port, connections, seconds,
            [&](quint64 n) { return turns.at(qsizetype(n)); }, maxTurns);
        report(u"transcription_turns"_s, turnResult, connections);
        if (parser.isSet(u"latency-log"_s))
            writeLatencies(parser.value(u"latency-log"_s), turnResult);
    }

    // Post-call webhooks of about --postcall-kb each, each for a new conversation.
    QList<QByteArray> postCalls;
    // Pre-built so signing costs nothing during the run; capped at about 2 GiB of payloads.
    const quint64 memoryCap = quint64(2) * 1024 * 1024 * 1024 / quint64(std::max(targetBytes, 1));
    const quint64 maxPostCalls =
        wanted(u"postcall"_s) ? std::min(quint64(seconds * 2500), memoryCap) : 0;
    for (quint64 n = 0; n < maxPostCalls; ++n) {
        QByteArray body = templ.json;
        body.replace(call.conversationId.toUtf8(), QByteArray("conv_pc_" + QByteArray::number(n)));
        body.replace(call.callSid.toUtf8(), QByteArray("EL_pc_" + QByteArray::number(n)));
        body.replace(samples::providerCallSid(call).toUtf8(),
                     QByteArray("CApc" + QByteArray::number(n).rightJustified(30, '0')));
        postCalls << signedPost("/webhooks/elevenlabs/post-call", PostCallSecret, body);
    }
    std::fprintf(stderr,
                 "post-call payload (%s): %lld bytes, %lld transcript turns (%lld bytes/turn)\n",
                 shapeName(shape), qlonglong(templ.json.size()), qlonglong(templ.turns),
                 qlonglong(templ.turns > 0 ? templ.transcriptBytes / templ.turns : 0));
    bench::LoadResult postCallResult;
    if (maxPostCalls > 0) {
        announce("post_call_200kb", seconds);
        postCallResult = bench::runLoad(
            "127.0.0.1", port, connections, seconds,
            [&](quint64 n) { return postCalls.at(qsizetype(n)); }, maxPostCalls);
        report(u"post_call_200kb"_s, postCallResult, connections,
               {{u"shape"_s, QString::fromLatin1(shapeName(shape))},
                {u"payload_bytes"_s, qint64(templ.json.size())},
                {u"turns"_s, qint64(templ.turns)}});
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
