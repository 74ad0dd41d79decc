// SPDX-License-Identifier: GPL-3.0-or-later
// The webhook path end to end: a real server::Backend on 127.0.0.1, signed deliveries over HTTP,
// and the database read back through the store on the test thread, on SQLite and PostgreSQL.
#include "../http/rawclient.h"
#include "../store/testdatabase.h"

#include "http/httpserver.h"
#include "server/backend.h"
#include "store/callrepository.h"
#include "store/deliveryrepository.h"
#include "store/eventlog.h"
#include "store/sql.h"
#include "webhooks/ingestwriter.h"
#include "webhooks/samplepayloads.h"
#include "webhooks/signatureverifier.h"
#include "webhooks/webhookservice.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <memory>
#include <optional>
#include <vector>

using namespace Qt::StringLiterals;
using namespace callwatch;
using store::test::TestDatabase;
namespace samples = callwatch::webhooks::samples;

namespace {

const QByteArray PostSecret = "wsec_ingest_post_call";
const QByteArray TurnSecret = "wsec_ingest_transcription";
const QByteArray PostCallPath = "/webhooks/elevenlabs/post-call";
const QByteArray TurnPath = "/webhooks/elevenlabs/transcription";
constexpr auto AgentId = "agent_4301k4x8q2zf5e7tmb6rj9nw3c";
constexpr auto LongConversation = "conv_4801k4x9a1b2c3d4e5f6g7h8j9";
constexpr auto LongCallSid = "cw_5f1c9e2a7b3d4e6f8a0b1c2d";
constexpr auto LongProviderId = "CA7d2f41c0b9e35a86f1d0c4b2e9a7f315";

QByteArray fixture(const QString &name)
{
    QFile file(QStringLiteral(CALLWATCH_TEST_DATA_DIR) + u'/' + name);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QJsonObject fixtureData(const QString &name)
{
    return QJsonDocument::fromJson(fixture(name)).object().value(u"data"_s).toObject();
}

QByteArray sign(const QByteArray &body, const QByteArray &secret = PostSecret, qint64 age = 0)
{
    return webhooks::SignatureVerifier::sign(secret, QDateTime::currentSecsSinceEpoch() - age,
                                             body);
}

/** One POST over a fresh connection; status 0 when no answer came. */
Reply post(quint16 port, const QByteArray &path, const QByteArray &body,
           const QByteArray &signature)
{
    RawClient client(port);
    if (!client.waitConnected())
        return {};
    QByteArray head = "POST " + path +
                      " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      "Content-Length: " +
                      QByteArray::number(body.size()) + "\r\nConnection: close\r\n";
    if (!signature.isNull())
        head += "ElevenLabs-Signature: " + signature + "\r\n";
    client.send(head + "\r\n" + body);
    return client.reply(60000).value_or(Reply{});
}

QJsonObject json(const Reply &reply)
{
    return QJsonDocument::fromJson(reply.body).object();
}

qint64 count(QSqlDatabase db, const QString &statement)
{
    QSqlQuery query(db);
    if (!query.exec(statement) || !query.next())
        return -1;
    return query.value(0).toLongLong();
}

/** A running Backend over a fresh database (made by TestDatabase, migrated by the Backend). */
struct Harness
{
    TestDatabase db;
    QTemporaryDir dataDir;
    std::unique_ptr<server::Backend> backend; // declared last: destroyed before the database

    Result<> start(const QMap<QString, QString> &overrides = {})
    {
        auto config = server::Config::load({}, QProcessEnvironment(), {});
        if (!config)
            return config.error();
        config->set(u"data-dir"_s, dataDir.path());
        config->set(u"listen"_s, u"127.0.0.1:0"_s);
        config->set(u"database"_s, db.url().toString());
        config->set(u"jwt-secret"_s, u"ingest-test-jwt-secret-0123456789abcdef"_s);
        config->set(u"webhook-secret"_s, QString::fromLatin1(PostSecret));
        config->set(u"transcription-secret"_s, QString::fromLatin1(TurnSecret));
        for (auto it = overrides.cbegin(); it != overrides.cend(); ++it)
            config->set(it.key(), it.value());
        backend = std::make_unique<server::Backend>(std::move(config).value());
        return backend->start();
    }
    quint16 port() const { return backend->port(); }
    QSqlDatabase sql() { return db.connection(); }

    Reply postCall(const QByteArray &body) { return post(port(), PostCallPath, body, sign(body)); }
    Reply turn(const QByteArray &body)
    {
        return post(port(), TurnPath, body, sign(body, TurnSecret));
    }
    std::optional<store::CallRecord> call(const QString &conversationId)
    {
        auto found = store::CallRepository(sql()).findByConversationId(conversationId);
        return found ? found.value() : std::nullopt;
    }
    QList<EventRecord> events(qint64 callId = 0)
    {
        QList<EventRecord> out;
        auto all = store::EventLog(sql()).readAfter(0, 1000);
        if (!all)
            return out;
        for (const EventRecord &event : all.value())
            if (callId == 0 || event.callId == callId)
                out.append(event);
        return out;
    }
    /** The newest delivery, with its body. */
    store::DeliveryRecord lastDelivery()
    {
        store::DeliveryRepository deliveries(sql());
        auto newest = deliveries.list(1);
        if (!newest || newest->isEmpty())
            return {};
        auto full = deliveries.get(newest->first().id);
        return full && full.value() ? *full.value() : store::DeliveryRecord{};
    }
};

void addDialectRows(const QList<QByteArray> &cases)
{
    QTest::addColumn<QString>("dialect");
    QTest::addColumn<QString>("name");
    for (const char *dialect : {"sqlite", "postgresql"})
        for (const QByteArray &name : cases)
            QTest::addRow("%s/%s", dialect, name.constData())
                << QString::fromLatin1(dialect) << QString::fromLatin1(name);
}

// Opens the row's database and starts a Backend on it (skips PostgreSQL rows without a server).
#define CW_START(harness, ...)                                                                     \
    do {                                                                                           \
        QFETCH(QString, dialect);                                                                  \
        const auto status_ = (harness).db.create(dialect);                                         \
        if (status_ == TestDatabase::Status::Skip)                                                 \
            QSKIP(qPrintable((harness).db.message()));                                             \
        if (status_ == TestDatabase::Status::Fail)                                                 \
            QFAIL(qPrintable((harness).db.message()));                                             \
        auto started_ = (harness).start(__VA_ARGS__);                                              \
        QVERIFY2(started_, qPrintable(started_.error().message));                                  \
    } while (false)

/** What a fixture must leave in `calls`; JSON fields come from the fixture file itself. */
struct ExpectedCall
{
    QString fixture;
    QString conversationId;
    QString callSid; ///< "EL_" alone: a generated sid
    QString providerCallId;
    QString driverId;
    QString toNumber;
    QString direction;
    QString status;
    QString failureReason;
    QString callSuccessful;
    QString terminationReason;
    QString batchId;
    std::optional<qint64> duration;
    std::optional<double> cost;
    qint64 startedAt = 0; ///< unix seconds; 0: not set
    qint64 endedAt = 0;
    int turns = 0;
    QString firstStatus; ///< status of the call_status event written when the call was created
};

ExpectedCall expectedFor(const QString &name)
{
    static const QList<ExpectedCall> table = {
        {.fixture = u"post_call_transcription_long_with_tools.json"_s,
         .conversationId = QLatin1StringView(LongConversation),
         .callSid = QLatin1StringView(LongCallSid),
         .providerCallId = QLatin1StringView(LongProviderId),
         .driverId = u"drv_1042"_s,
         .toNumber = u"+17735550198"_s,
         .direction = u"outbound"_s,
         .status = u"completed"_s,
         .callSuccessful = u"success"_s,
         .terminationReason = u"end_call tool was called."_s,
         .batchId = u"btcal_01jm2qz8w4e6r7t9y1u3i5o7p9"_s,
         .duration = 236,
         .cost = 1184.0,
         .startedAt = 1739537011,
         .endedAt = 1739537011 + 236,
         .turns = 33,
         .firstStatus = u"in_progress"_s},
        {.fixture = u"post_call_transcription_nulls.json"_s,
         .conversationId = u"conv_9201k4xb7mz3c1q8p5w0d6tr2e"_s,
         .callSid = u"EL_"_s,
         .status = u"failed"_s,
         .duration = 12,
         .startedAt = 1739541090,
         .endedAt = 1739541090 + 12,
         .turns = 2,
         .firstStatus = u"in_progress"_s},
        {.fixture = u"post_call_transcription_1mb.json"_s,
         .conversationId = u"conv_1m01k4xf8ts2q6w9e3r5y7u1io"_s,
         .callSid = u"cw_1m0000000000000000000042"_s,
         .providerCallId = u"sip_c0a801fe-5b7e-4d8a-9e1f-2a3b4c5d6e7f"_s,
         .driverId = u"1077"_s,
         .toNumber = u"+12195550164"_s,
         .direction = u"inbound"_s,
         .status = u"completed"_s,
         .callSuccessful = u"unknown"_s,
         .terminationReason = u"Call ended by remote party"_s,
         .duration = 2560,
         .cost = 15530.5,
         .startedAt = 1739546980,
         .endedAt = 1739546980 + 2560,
         .turns = 1280,
         .firstStatus = u"in_progress"_s},
        {.fixture = u"call_initiation_failure_twilio.json"_s,
         .conversationId = u"conv_2101k4xc0hq7v3n9b5m1r8t6ws"_s,
         .callSid = u"cw_a83d0f6e2c914b7d85e1f0a2"_s,
         .providerCallId = u"CAe41b7c09d2a85f36b1c0e9d4a7f2b853"_s,
         .toNumber = u"+16305550173"_s,
         .direction = u"outbound"_s,
         .status = u"failed"_s,
         .failureReason = u"no-answer"_s,
         .endedAt = 1739538412,
         .firstStatus = u"initiating"_s},
        {.fixture = u"call_initiation_failure_sip.json"_s,
         .conversationId = u"conv_6601k4xd3kw9p2f7c4z8n1b5qy"_s,
         .callSid = u"EL_"_s,
         .providerCallId = u"SCL_7Qm2xK9vT4pW"_s,
         .toNumber = u"+14145550126"_s,
         .direction = u"outbound"_s,
         .status = u"failed"_s,
         .failureReason = u"busy"_s,
         .endedAt = 1739539020,
         .firstStatus = u"initiating"_s},
    };
    for (const ExpectedCall &expected : table)
        if (expected.fixture == name)
            return expected;
    return {};
}

QDateTime fromUnix(qint64 secs)
{
    return secs ? QDateTime::fromSecsSinceEpoch(secs, Qt::UTC) : QDateTime();
}

/** Every column of the call against the expectation and the fixture's own JSON. */
void checkCall(const store::CallRecord &call, const ExpectedCall &e)
{
    const QJsonObject data = fixtureData(e.fixture);
    const bool failure = e.fixture.startsWith(u"call_initiation_failure"_s);
    QCOMPARE(call.conversationId, e.conversationId);
    if (e.callSid == u"EL_"_s)
        QVERIFY2(call.callSid.startsWith(u"EL_"_s), qPrintable(call.callSid));
    else
        QCOMPARE(call.callSid, e.callSid);
    QCOMPARE(call.providerCallId, e.providerCallId);
    QCOMPARE(call.agentId, QLatin1StringView(AgentId));
    QCOMPARE(call.driverId, e.driverId);
    QCOMPARE(call.toNumber, e.toNumber);
    QCOMPARE(call.direction, e.direction);
    QCOMPARE(call.status, e.status);
    QCOMPARE(call.failureReason, e.failureReason);
    QCOMPARE(call.callSuccessful, e.callSuccessful);
    QCOMPARE(call.terminationReason, e.terminationReason);
    QCOMPARE(call.batchId, e.batchId);
    QCOMPARE(call.callDurationSeconds, e.duration);
    QCOMPARE(call.cost, e.cost);
    QCOMPARE(call.startedAt, fromUnix(e.startedAt));
    QCOMPARE(call.endedAt, fromUnix(e.endedAt));
    QCOMPARE(call.lastSequenceNumber, qint64(e.turns));
    QVERIFY(call.createdAt.isValid());
    if (failure) {
        const QJsonObject provider = data.value(u"metadata"_s).toObject();
        QCOMPARE(call.metadata, (QJsonObject{{u"initiation_failure"_s,
                                              QJsonObject{{u"type"_s, provider[u"type"_s]},
                                                          {u"body"_s, provider[u"body"_s]}}}}));
        QVERIFY(call.analysis.isEmpty());
        QVERIFY(call.transcriptSummary.isEmpty());
        return;
    }
    const QJsonObject analysis = data.value(u"analysis"_s).toObject();
    QCOMPARE(call.analysis, analysis);
    QCOMPARE(call.analysis.value(u"evaluation_criteria_results"_s),
             analysis.value(u"evaluation_criteria_results"_s));
    QCOMPARE(call.analysis.value(u"data_collection_results"_s),
             analysis.value(u"data_collection_results"_s));
    QCOMPARE(call.transcriptSummary, analysis.value(u"transcript_summary"_s).toString());
    QCOMPARE(call.metadata, data.value(u"metadata"_s).toObject());
}

/** The stored post-call turns against the fixture's transcript, tool calls with their turn. */
void checkTranscript(const QList<store::TranscriptTurn> &turns, const QJsonArray &expected,
                     qint64 firstSequence = 1)
{
    QCOMPARE(turns.size(), expected.size());
    for (qsizetype i = 0; i < turns.size(); ++i) {
        const store::TranscriptTurn &turn = turns.at(i);
        const QJsonObject e = expected.at(i).toObject();
        const QJsonValue time = e.value(u"time_in_call_secs"_s);
        QCOMPARE(turn.sequenceNumber, firstSequence + i);
        QCOMPARE(turn.source, u"post_call"_s);
        QCOMPARE(turn.turnKey, u"pc:"_s + QString::number(i));
        QCOMPARE(turn.speaker, e.value(u"role"_s).toString());
        QCOMPARE(turn.message, e.value(u"message"_s).toString());
        QCOMPARE(turn.timeInCallSecs,
                 time.isDouble() ? std::optional<double>(time.toDouble()) : std::nullopt);
        QCOMPARE(turn.toolCalls, e.value(u"tool_calls"_s).toArray());
        QCOMPARE(turn.toolResults, e.value(u"tool_results"_s).toArray());
    }
}

} // namespace

class TestWebhookIngest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QLoggingCategory::setFilterRules(u"callwatch.*.info=false"_s); }

    void fixtureIsStored_data()
    {
        addDialectRows({"post_call_transcription_long_with_tools.json",
                        "post_call_transcription_nulls.json", "post_call_transcription_1mb.json",
                        "call_initiation_failure_twilio.json", "call_initiation_failure_sip.json"});
    }
    void fixtureIsStored()
    {
        Harness h;
        CW_START(h);
        QFETCH(QString, name);
        const QByteArray body = fixture(name);
        QVERIFY(!body.isEmpty());
        if (name.contains(u"1mb"_s))
            QVERIFY(body.size() >= 1000 * 1000);

        const Reply reply = h.postCall(body);
        QCOMPARE(reply.status, 200);
        QVERIFY2(reply.body.size() < 300, reply.body.constData()); // small: never echoes the body
        const QJsonObject answer = json(reply);
        QCOMPARE(answer[u"status"_s].toString(), u"ok"_s);
        QCOMPARE(answer[u"outcome"_s].toString(), u"processed"_s);

        const ExpectedCall expected = expectedFor(name);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM calls"_s), 1);
        const auto call = h.call(expected.conversationId);
        QVERIFY(call);
        QCOMPARE(answer[u"call_sid"_s].toString(), call->callSid);
        checkCall(*call, expected);
        if (QTest::currentTestFailed())
            return;

        auto stored = store::CallRepository(h.sql()).getCallWithTranscript(call->callSid);
        QVERIFY(stored && stored.value());
        if (expected.turns > 0)
            checkTranscript(stored.value()->turns,
                            fixtureData(name).value(u"transcript"_s).toArray());
        else
            QVERIFY(stored.value()->turns.isEmpty());
        if (QTest::currentTestFailed())
            return;

        // Events in the same transaction: creation, the final status, then the results.
        const QList<EventRecord> events = h.events(call->id);
        QCOMPARE(events.size(), 3);
        QCOMPARE(events[0].type, u"call_status"_s);
        QCOMPARE(events[0].payload[u"status"_s].toString(), expected.firstStatus);
        QCOMPARE(events[1].type, u"call_status"_s);
        QCOMPARE(events[1].payload[u"status"_s].toString(), expected.status);
        QCOMPARE(events[2].type, u"call_completed"_s);
        const QJsonObject completed = events[2].payload;
        QCOMPARE(completed[u"call_sid"_s].toString(), call->callSid);
        QCOMPARE(completed[u"conversation_id"_s].toString(), expected.conversationId);
        QCOMPARE(completed[u"status"_s].toString(), expected.status);
        QCOMPARE(completed[u"analysis"_s].toObject(), call->analysis);
        QCOMPARE(completed[u"cost"_s].isNull(), !expected.cost.has_value());
        if (expected.cost)
            QCOMPARE(completed[u"cost"_s].toDouble(), *expected.cost);

        // The inbox row: the whole body, verified and processed.
        const store::DeliveryRecord delivery = h.lastDelivery();
        QCOMPARE(delivery.id, answer[u"delivery_id"_s].toInteger());
        QCOMPARE(delivery.route, u"post-call"_s);
        QCOMPARE(delivery.eventType, QJsonDocument::fromJson(body).object()[u"type"_s].toString());
        QCOMPARE(delivery.verification, u"valid"_s);
        QCOMPARE(delivery.outcome, u"processed"_s);
        QCOMPARE(delivery.httpStatus, 200);
        QCOMPARE(delivery.callSid, call->callSid);
        QCOMPARE(delivery.conversationId, expected.conversationId);
        QVERIFY(!delivery.dedupKey.isEmpty());
        QCOMPARE(delivery.bodySize, qint64(body.size()));
        QCOMPARE(delivery.body, body);
        QCOMPARE(delivery.bodySha256,
                 QString::fromLatin1(
                     QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex()));
    }

    // post_call_audio: the decoded MP3 on disk equals the original bytes, recorded on the call.
    void audioIsDecodedToDisk_data() { addDialectRows({"after_transcript", "audio_first"}); }
    void audioIsDecodedToDisk()
    {
        Harness h;
        CW_START(h);
        QFETCH(QString, name);
        const QByteArray transcript = fixture(u"post_call_transcription_long_with_tools.json"_s);
        const QByteArray audio = fixture(u"post_call_audio_small.json"_s);
        const QByteArray mp3 = QByteArray::fromBase64(fixtureData(u"post_call_audio_small.json"_s)
                                                          .value(u"full_audio"_s)
                                                          .toString()
                                                          .toLatin1());
        QCOMPARE(mp3.size(), 61);
        const bool audioFirst = name == u"audio_first"_s;
        if (!audioFirst)
            QCOMPARE(h.postCall(transcript).status, 200);
        const Reply reply = h.postCall(audio);
        QCOMPARE(reply.status, 200);
        QCOMPARE(json(reply)[u"outcome"_s].toString(), u"processed"_s);
        const store::DeliveryRecord delivery = h.lastDelivery();
        QCOMPARE(delivery.eventType, u"post_call_audio"_s);
        QCOMPARE(delivery.outcome, u"processed"_s);
        QVERIFY(delivery.body.isEmpty()); // the decoded file is what is kept
        QCOMPARE(delivery.bodySha256,
                 QString::fromLatin1(
                     QCryptographicHash::hash(audio, QCryptographicHash::Sha256).toHex()));
        if (audioFirst)
            QCOMPARE(h.postCall(transcript).status, 200);

        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM calls"_s), 1);
        const auto call = h.call(QLatin1StringView(LongConversation));
        QVERIFY(call);
        QCOMPARE(call->status, u"completed"_s);
        QCOMPARE(call->lastSequenceNumber, 33);
        const QString path =
            QDir(h.dataDir.path()).filePath(u"audio/"_s + QLatin1StringView(LongConversation)) +
            u".mp3"_s;
        QCOMPARE(call->audioPath, path);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), mp3);
        if (audioFirst) {
            // The call the audio created knew nothing but the conversation id; the transcript
            // that completes it carries the driver, the number and the direction.
            QCOMPARE(call->driverId, u"drv_1042"_s);
            QCOMPARE(call->toNumber, u"+17735550198"_s);
            QCOMPARE(call->direction, u"outbound"_s);
        }
    }

    // An audio body above the spool threshold goes to disk first and is decoded off the thread.
    void spooledAudioIsDecodedToDisk_data() { addDialectRows({"5MB"}); }
    void spooledAudioIsDecodedToDisk()
    {
        Harness h;
        CW_START(h);
        samples::SampleCall call = samples::sampleCall(7, QDateTime::currentSecsSinceEpoch() - 900);
        const QByteArray mp3 = samples::silentMp3(12000);
        const QByteArray body = samples::postCallAudio(call, mp3);
        QVERIFY(body.size() > 4 * 1024 * 1024);
        QCOMPARE(h.postCall(body).status, 200);
        const auto stored = h.call(call.conversationId);
        QVERIFY(stored);
        QFile file(stored->audioPath);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.size(), mp3.size());
        QVERIFY(file.readAll() == mp3);
        QTRY_VERIFY(QDir(h.dataDir.filePath(u"spool"_s))
                        .entryList(QDir::Files | QDir::NoDotAndDotDot)
                        .isEmpty());
    }

    // Which call a post-call completes: conversation id, else our call_sid, else the provider's
    // call id, else a new one.
    void matchingOrder_data()
    {
        addDialectRows({"by_conversation_id", "by_call_sid", "by_provider_call_id", "new_call",
                        "conversation_beats_call_sid", "call_sid_beats_provider"});
    }
    void matchingOrder()
    {
        Harness h;
        CW_START(h);
        QFETCH(QString, name);
        auto make = [](const QString &sid, const QString &conversation, const QString &provider) {
            store::NewCall call;
            call.callSid = sid;
            call.conversationId = conversation;
            call.providerCallId = provider;
            call.driverId = u"drv_pre"_s;
            call.direction = u"outbound"_s;
            return call;
        };
        const QString conv = QLatin1StringView(LongConversation);
        const QString sid = QLatin1StringView(LongCallSid);
        const QString provider = QLatin1StringView(LongProviderId);
        QList<store::NewCall> existing;
        QString expectedSid;
        if (name == u"by_conversation_id"_s) {
            existing = {make(u"cw_pre_conv"_s, conv, u"CA_other"_s)};
            expectedSid = u"cw_pre_conv"_s;
        } else if (name == u"by_call_sid"_s) {
            existing = {make(sid, {}, {})};
            expectedSid = sid;
        } else if (name == u"by_provider_call_id"_s) {
            existing = {make(u"cw_pre_provider"_s, {}, provider)};
            expectedSid = u"cw_pre_provider"_s;
        } else if (name == u"new_call"_s) {
            existing = {make(u"cw_unrelated"_s, u"conv_unrelated"_s, u"CA_unrelated"_s)};
            expectedSid = sid;
        } else if (name == u"conversation_beats_call_sid"_s) {
            existing = {make(u"cw_pre_conv"_s, conv, {}), make(sid, {}, {})};
            expectedSid = u"cw_pre_conv"_s;
        } else {
            existing = {make(sid, {}, {}), make(u"cw_pre_provider"_s, {}, provider)};
            expectedSid = sid;
        }
        store::CallRepository calls(h.sql());
        for (const store::NewCall &call : std::as_const(existing))
            QVERIFY(calls.createCall(call));

        const Reply reply = h.postCall(fixture(u"post_call_transcription_long_with_tools.json"_s));
        QCOMPARE(reply.status, 200);
        QCOMPARE(json(reply)[u"call_sid"_s].toString(), expectedSid);
        const qint64 expectedCalls = existing.size() + (name == u"new_call"_s ? 1 : 0);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM calls"_s), expectedCalls);
        const auto completed = calls.findByCallSid(expectedSid);
        QVERIFY(completed && completed.value());
        QCOMPARE(completed.value()->status, u"completed"_s);
        QCOMPARE(completed.value()->conversationId, conv);
        QCOMPARE(completed.value()->lastSequenceNumber, 33);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM calls WHERE status = 'completed'"_s), 1);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM call_transcriptions"_s), 33);
    }

    // Live turns for a call that has no conversation id yet; numbering without gaps.
    void liveTurnsBeforeConversationId_data() { addDialectRows({"turns"}); }
    void liveTurnsBeforeConversationId()
    {
        Harness h;
        CW_START(h);
        store::CallRepository calls(h.sql());
        store::NewCall launched;
        launched.callSid = u"cw_live_before_conv"_s;
        launched.direction = u"outbound"_s;
        QVERIFY(calls.createCall(launched));

        const QList<QByteArray> turns = {
            samples::transcriptionTurn(launched.callSid, u"agent"_s, u"Hello, Dana?"_s, 0.5,
                                       u"t1"_s),
            samples::transcriptionTurn(launched.callSid, u"driver"_s, u"Yes."_s, 2, u"t2"_s),
            samples::transcriptionTurn(launched.callSid, u"agent"_s, u"About Tuesday."_s, 4.25, {}),
        };
        for (const QByteArray &turn : turns) {
            const Reply reply = h.turn(turn);
            QCOMPARE(reply.status, 200);
            QCOMPARE(json(reply)[u"outcome"_s].toString(), u"processed"_s);
        }
        QCOMPARE(h.turn(turns[1]).status, 200); // a duplicate uses no number
        QCOMPARE(
            h.turn(samples::transcriptionTurn(launched.callSid, u"user"_s, u"Sure."_s, 6, u"t4"_s))
                .status,
            200);
        // A tool-only turn: ElevenLabs sends message null, stored as "".
        QCOMPARE(h.turn(R"({"call_sid":"cw_live_before_conv","speaker":"agent","message":null,)"
                        R"("time_in_call_secs":7,"turn_id":"t5"})")
                     .status,
                 200);

        auto call = calls.findByCallSid(launched.callSid);
        QVERIFY(call && call.value());
        QVERIFY(call.value()->conversationId.isEmpty());
        QCOMPARE(call.value()->status, u"in_progress"_s);
        QCOMPARE(call.value()->lastSequenceNumber, 5);
        auto stored = calls.getCallWithTranscript(launched.callSid);
        QVERIFY(stored && stored.value());
        const QList<store::TranscriptTurn> &rows = stored.value()->turns;
        QCOMPARE(rows.size(), 5);
        const QStringList speakers{u"agent"_s, u"user"_s, u"agent"_s, u"user"_s, u"agent"_s};
        const QStringList messages{u"Hello, Dana?"_s, u"Yes."_s, u"About Tuesday."_s, u"Sure."_s,
                                   QString()};
        const QList<double> times{0.5, 2, 4.25, 6, 7};
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(rows[i].sequenceNumber, i + 1);
            QCOMPARE(rows[i].source, u"live"_s);
            QCOMPARE(rows[i].speaker, speakers[i]);
            QCOMPARE(rows[i].message, messages[i]);
            QCOMPARE(rows[i].timeInCallSecs, times[i]);
        }
        QCOMPARE(rows[0].turnKey, u"id:t1"_s);
        QVERIFY(rows[2].turnKey.startsWith(u"h:"_s));

        // The fixture turn (speaker "driver", time as a string, numeric turn id).
        store::NewCall known;
        known.callSid = QLatin1StringView(LongCallSid);
        QVERIFY(calls.createCall(known));
        QCOMPARE(h.turn(fixture(u"transcription_turn.json"_s)).status, 200);
        auto fixtureCall = calls.getCallWithTranscript(known.callSid);
        QVERIFY(fixtureCall && fixtureCall.value());
        QCOMPARE(fixtureCall.value()->turns.size(), 1);
        const store::TranscriptTurn &turn = fixtureCall.value()->turns.first();
        QCOMPARE(turn.speaker, u"user"_s);
        QCOMPARE(turn.message,
                 u"The receiver in Joliet held me at the dock for almost three hours."_s);
        QCOMPARE(turn.timeInCallSecs, 51.25);
        QCOMPARE(turn.turnKey, u"id:17"_s);
        QCOMPARE(turn.sequenceNumber, 1);

        // The post-call then completes the same call (matched by call_sid) and names it.
        QCOMPARE(h.postCall(fixture(u"post_call_transcription_long_with_tools.json"_s)).status,
                 200);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM calls"_s), 2);
        auto completed = calls.findByCallSid(known.callSid);
        QVERIFY(completed && completed.value());
        QCOMPARE(completed.value()->conversationId, QLatin1StringView(LongConversation));
        QCOMPARE(completed.value()->lastSequenceNumber, 34); // 1 live + 33 post-call
        auto transcript = calls.getCallWithTranscript(known.callSid);
        QVERIFY(transcript && transcript.value());
        checkTranscript(transcript.value()->turns,
                        fixtureData(u"post_call_transcription_long_with_tools.json"_s)
                            .value(u"transcript"_s)
                            .toArray(),
                        2);
    }

    // A batch recipient's failure can arrive before the reconciler mapped its conversation id:
    // the failure carries no dynamic variables, so the pending call to that number is failed
    // (no stray second call); a number with no pending call still creates one.
    void initiationFailureFindsPendingCall_data() { addDialectRows({"pending", "none_pending"}); }
    void initiationFailureFindsPendingCall()
    {
        Harness h;
        CW_START(h);
        QFETCH(QString, name);
        store::CallRepository calls(h.sql());
        store::NewCall pending;
        pending.callSid = u"cw_batch_7"_s;
        pending.toNumber = name == u"pending"_s ? u"+14145550126"_s : u"+19995550000"_s;
        pending.direction = u"outbound"_s;
        pending.batchId = u"cwb_1"_s;
        QVERIFY(calls.createCall(pending));
        QCOMPARE(h.postCall(fixture(u"call_initiation_failure_sip.json"_s)).status, 200);
        const auto failed = calls.findByConversationId(u"conv_6601k4xd3kw9p2f7c4z8n1b5qy"_s);
        QVERIFY(failed.ok() && failed->has_value());
        QCOMPARE(failed->value().status, u"failed"_s);
        if (name == u"pending"_s) {
            QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM calls"_s), 1);
            QCOMPARE(failed->value().callSid, u"cw_batch_7"_s);
            QCOMPARE(failed->value().failureReason, u"busy"_s);
        } else {
            QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM calls"_s), 2);
            QCOMPARE(calls.findByCallSid(u"cw_batch_7"_s).value()->status, u"initiating"_s);
        }
    }

    void unknownCallSidIsNotFound_data() { addDialectRows({"unknown"}); }
    void unknownCallSidIsNotFound()
    {
        Harness h;
        CW_START(h);
        const Reply reply =
            h.turn(samples::transcriptionTurn(u"cw_nobody"_s, u"agent"_s, u"Hi"_s, 1, u"x"_s));
        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.header("content-type"), QByteArrayLiteral("application/json"));
        QCOMPARE(reply.errorCode(), u"call_not_found"_s);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM calls"_s), 0);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM events"_s), 0);
        const store::DeliveryRecord delivery = h.lastDelivery();
        QCOMPARE(delivery.route, u"transcription"_s);
        QCOMPARE(delivery.outcome, u"not_found"_s);
        QCOMPARE(delivery.httpStatus, 404);
        QCOMPARE(delivery.callSid, u"cw_nobody"_s);
        QCOMPARE(delivery.verification, u"valid"_s);
    }

    // A redelivered post-call changes nothing: no second call, turns or events.
    void redeliveredPostCallChangesNothing_data() { addDialectRows({"redelivery"}); }
    void redeliveredPostCallChangesNothing()
    {
        Harness h;
        CW_START(h);
        const QByteArray body = fixture(u"post_call_transcription_long_with_tools.json"_s);
        QCOMPARE(h.postCall(body).status, 200);
        const qint64 events = count(h.sql(), u"SELECT COUNT(*) FROM events"_s);
        QCOMPARE(events, 3);
        const Reply again = h.postCall(body); // signed anew, as a retry is
        QCOMPARE(again.status, 200);
        QCOMPARE(json(again)[u"outcome"_s].toString(), u"duplicate"_s);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM events"_s), events);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM calls"_s), 1);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM call_transcriptions"_s), 33);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM webhook_deliveries"_s), 2);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM webhook_dedup"_s), 1);
        QCOMPARE(h.lastDelivery().outcome, u"duplicate"_s);
    }

    void sameTurnTwice_data() { addDialectRows({"with_turn_id", "without_turn_id"}); }
    void sameTurnTwice()
    {
        Harness h;
        CW_START(h);
        QFETCH(QString, name);
        store::NewCall launched;
        launched.callSid = u"cw_twice"_s;
        QVERIFY(store::CallRepository(h.sql()).createCall(launched));
        const QByteArray body =
            samples::transcriptionTurn(launched.callSid, u"user"_s, u"Same words."_s, 9.5,
                                       name == u"with_turn_id"_s ? u"turn-9"_s : QString());
        QCOMPARE(h.turn(body).status, 200);
        const qint64 events = count(h.sql(), u"SELECT COUNT(*) FROM events"_s);
        const Reply again = h.turn(body);
        QCOMPARE(again.status, 200);
        QCOMPARE(json(again)[u"outcome"_s].toString(), u"duplicate"_s);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM call_transcriptions"_s), 1);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM events WHERE type = 'transcription'"_s), 1);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM events"_s), events);
        QCOMPARE(count(h.sql(), u"SELECT MAX(last_sequence_number) FROM call_sequences"_s), 1);
    }

    // Ten identical deliveries at once on ten connections: one set of rows, all answered 200.
    void concurrentDuplicates_data() { addDialectRows({"10x"}); }
    void concurrentDuplicates()
    {
        Harness h;
        CW_START(h);
        const QByteArray body = fixture(u"post_call_transcription_long_with_tools.json"_s);
        const QByteArray request =
            "POST " + PostCallPath +
            " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + QByteArray::number(body.size()) +
            "\r\nElevenLabs-Signature: " + sign(body) + "\r\n\r\n" + body;
        std::vector<std::unique_ptr<RawClient>> clients;
        for (int i = 0; i < 10; ++i)
            clients.push_back(std::make_unique<RawClient>(h.port()));
        for (auto &client : clients)
            QVERIFY(client->waitConnected());
        for (auto &client : clients)
            client->send(request);
        QMap<QString, int> outcomes;
        for (auto &client : clients) {
            const auto reply = client->reply(60000);
            QVERIFY(reply);
            QCOMPARE(reply->status, 200);
            ++outcomes[json(*reply)[u"outcome"_s].toString()];
        }
        QCOMPARE(outcomes.value(u"processed"_s), 1);
        QCOMPARE(outcomes.value(u"duplicate"_s), 9);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM calls"_s), 1);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM call_transcriptions"_s), 33);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM events WHERE type = 'call_completed'"_s), 1);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM events"_s), 3);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM webhook_deliveries"_s), 10);
    }

    // The inspector's Replay: a turn that arrived before its call is reprocessed once the call
    // exists, through the same processor.
    void replayOfNotFoundTurn_data() { addDialectRows({"replay"}); }
    void replayOfNotFoundTurn()
    {
        Harness h;
        CW_START(h);
        const QByteArray body =
            samples::transcriptionTurn(u"cw_later"_s, u"agent"_s, u"Early turn"_s, 1, u"e1"_s);
        QCOMPARE(h.turn(body).status, 404);
        const qint64 deliveryId = h.lastDelivery().id;
        store::NewCall later;
        later.callSid = u"cw_later"_s;
        QVERIFY(store::CallRepository(h.sql()).createCall(later));

        auto token = h.backend->mintToken(u"tst"_s, {u"calls:write"_s}, 600);
        QVERIFY(token);
        RawClient client(h.port());
        QVERIFY(client.waitConnected());
        client.send("POST /api/deliveries/" + QByteArray::number(deliveryId) +
                    "/replay HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                    token.value() + "\r\nContent-Length: 0\r\n\r\n");
        const auto reply = client.reply(30000);
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        QCOMPARE(json(*reply)[u"outcome"_s].toString(), u"processed"_s);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM call_transcriptions"_s), 1);
    }

    // Refused signatures: 401 JSON, recorded with their verification code, nothing applied.
    void signatureRefused_data()
    {
        addDialectRows({"missing_header", "wrong_secret", "tampered_body", "expired",
                        "turn_wrong_secret", "malformed", "from_future"});
    }
    void signatureRefused()
    {
        Harness h;
        CW_START(h);
        QFETCH(QString, name);
        const bool turnRoute = name.startsWith(u"turn_"_s);
        QByteArray body =
            turnRoute ? samples::transcriptionTurn(u"cw_sig"_s, u"agent"_s, u"Hi"_s, 1, u"s1"_s)
                      : fixture(u"post_call_transcription_long_with_tools.json"_s);
        const QByteArray secret = turnRoute ? TurnSecret : PostSecret;
        QByteArray header = sign(body, secret);
        QString code = u"invalid_signature"_s;
        if (name == u"missing_header"_s) {
            header = QByteArray();
            code = u"missing_signature"_s;
        } else if (name.endsWith(u"wrong_secret"_s)) {
            header = sign(body, "wsec_someone_else");
        } else if (name == u"tampered_body"_s) {
            body.replace("\"cost\": 1184", "\"cost\": 1");
            QVERIFY(body != fixture(u"post_call_transcription_long_with_tools.json"_s));
        } else if (name == u"expired"_s) {
            header = sign(body, secret, webhooks::SignatureVerifier::MaxAgeSecs + 60);
            code = u"expired"_s;
        } else if (name == u"malformed"_s) {
            header = "t=1739537000,v0=NOT-HEX";
            code = u"malformed_signature"_s;
        } else if (name == u"from_future"_s) {
            header = sign(body, secret, -webhooks::SignatureVerifier::MaxFutureSkewSecs - 120);
            code = u"from_future"_s;
        }
        const Reply reply = post(h.port(), turnRoute ? TurnPath : PostCallPath, body, header);
        QCOMPARE(reply.status, 401);
        QCOMPARE(reply.header("content-type"), QByteArrayLiteral("application/json"));
        QCOMPARE(reply.errorCode(), code);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM calls"_s), 0);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM events"_s), 0);
        const store::DeliveryRecord delivery = h.lastDelivery();
        QCOMPARE(delivery.route, turnRoute ? u"transcription"_s : u"post-call"_s);
        QCOMPARE(delivery.verification, code);
        QCOMPARE(delivery.outcome, u"rejected"_s);
        QCOMPARE(delivery.httpStatus, 401);
        QCOMPARE(delivery.errorCode, code);
        QCOMPARE(delivery.body, body);
    }

    // No secret configured: our misconfiguration, answered 503 so ElevenLabs retries; recorded.
    void noSecretIsRefused_data() { addDialectRows({"no_secret"}); }
    void noSecretIsRefused()
    {
        Harness h;
        CW_START(h, {{u"webhook-secret"_s, QString()}});
        const QByteArray body = fixture(u"post_call_transcription_long_with_tools.json"_s);
        const Reply reply = h.postCall(body);
        QCOMPARE(reply.status, 503);
        QCOMPARE(reply.errorCode(), u"no_secret"_s);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM calls"_s), 0);
        const store::DeliveryRecord delivery = h.lastDelivery();
        QCOMPARE(delivery.verification, u"no_secret"_s);
        QCOMPARE(delivery.outcome, u"rejected"_s);
        QCOMPARE(delivery.httpStatus, 503);
    }

    // During a rotation both secrets are accepted, any other is not.
    void secretRotation_data() { addDialectRows({"old_and_new"}); }
    void secretRotation()
    {
        Harness h;
        CW_START(h, {{u"webhook-secret"_s, u"wsec_rotation_old, wsec_rotation_new"_s}});
        const qint64 start = QDateTime::currentSecsSinceEpoch() - 3600;
        const QByteArray first = samples::postCallTranscription(samples::sampleCall(1, start));
        const QByteArray second = samples::postCallTranscription(samples::sampleCall(2, start));
        const QByteArray third = samples::postCallTranscription(samples::sampleCall(3, start));
        QCOMPARE(post(h.port(), PostCallPath, first, sign(first, "wsec_rotation_old")).status, 200);
        QCOMPARE(post(h.port(), PostCallPath, second, sign(second, "wsec_rotation_new")).status,
                 200);
        QCOMPARE(post(h.port(), PostCallPath, third, sign(third, PostSecret)).status, 401);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM calls"_s), 2);
    }

    // A fixed (secret, t, body, HMAC) computed outside this code base with
    //   printf '%s' "$t.$body" | openssl dgst -sha256 -hmac "$secret"
    // posted to a WebhookService whose clock the test sets.
    void fixedTriple_data()
    {
        QTest::addColumn<qint64>("age");
        QTest::addColumn<int>("status");
        QTest::newRow("at t") << qint64(0) << 200;
        QTest::newRow("30 min later") << qint64(1800) << 200;
        QTest::newRow("30 min 1 s later") << qint64(1801) << 401;
    }
    void fixedTriple()
    {
        QFETCH(qint64, age);
        QFETCH(int, status);
        const QByteArray secret = "wsec_fixed_triple_2025";
        const qint64 t = 1739537000;
        const QByteArray body =
            R"({"type":"post_call_transcription","event_timestamp":1739537000,"data":{)"
            R"("conversation_id":"conv_fixed_triple","agent_id":"agent_fixed","status":"done",)"
            R"("transcript":[{"role":"agent","message":"Fixed.","time_in_call_secs":0}],)"
            R"("metadata":{"start_time_unix_secs":1739536900,"call_duration_secs":100},)"
            R"("conversation_initiation_client_data":{"dynamic_variables":{)"
            R"("call_sid":"cw_fixed_triple"}}}})";
        const QByteArray header =
            "t=1739537000,v0=a4eb7d06cf4602fffe344c27c6f2e238fa0791281ba82bd6829d38559bf7dbad";
        QCOMPARE(webhooks::SignatureVerifier::sign(secret, t, body), header);

        TestDatabase db;
        QCOMPARE(db.createMigrated(u"sqlite"_s), TestDatabase::Status::Ready);
        QTemporaryDir audio;
        webhooks::IngestWriter writer(&db.database());
        writer.start();
        webhooks::WebhookService::Options options;
        options.postCallSecrets = {secret};
        options.audioDirectory = audio.path();
        options.clock = [t, age] { return t + age; };
        webhooks::WebhookService service(&writer, options);
        http::HttpServer server;
        server.routeAsync(
            "POST", QString::fromLatin1(PostCallPath),
            [&service](const http::HttpRequest &request, http::HttpResponder responder) {
                service.handlePostCall(request, std::move(responder));
            },
            webhooks::WebhookService::postCallRouteOptions());
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));

        const Reply reply = post(server.port(), PostCallPath, body, header);
        QCOMPARE(reply.status, status);
        auto call = store::CallRepository(db.connection()).findByCallSid(u"cw_fixed_triple"_s);
        QVERIFY(call);
        QCOMPARE(call.value().has_value(), status == 200);
        if (status != 200)
            QCOMPARE(reply.errorCode(), u"expired"_s);
        else
            QCOMPARE(call.value()->conversationId, u"conv_fixed_triple"_s);
    }

    // Deliveries that are authentic but unusable: 400 naming the problem, recorded; unknown
    // types are accepted and ignored.
    void badPayloads_data()
    {
        addDialectRows(
            {"invalid_json", "missing_conversation_id", "unknown_type", "turn_missing_call_sid"});
    }
    void badPayloads()
    {
        Harness h;
        CW_START(h);
        QFETCH(QString, name);
        QByteArray body;
        int status = 400;
        QString code;
        QString named;
        QString outcome = u"rejected"_s;
        if (name == u"invalid_json"_s) {
            body = R"({"type":"post_call_transcription","data":{)";
            code = u"invalid_json"_s;
        } else if (name == u"missing_conversation_id"_s) {
            body = R"({"type":"post_call_transcription","event_timestamp":1739537000,)"
                   R"("data":{"agent_id":"agent_x","transcript":[]}})";
            code = u"missing_field"_s;
            named = u"data.conversation_id"_s;
        } else if (name == u"unknown_type"_s) {
            body = R"({"type":"voice_removal_notice","event_timestamp":1739537000,"data":{}})";
            status = 200;
            outcome = u"ignored"_s;
        } else {
            body = R"({"speaker":"agent","message":"hi"})";
            code = u"missing_field"_s;
            named = u"call_sid"_s;
        }
        const bool turnRoute = name.startsWith(u"turn_"_s);
        const Reply reply = turnRoute ? h.turn(body) : h.postCall(body);
        QCOMPARE(reply.status, status);
        QCOMPARE(reply.header("content-type"), QByteArrayLiteral("application/json"));
        if (status == 200) {
            QCOMPARE(json(reply)[u"outcome"_s].toString(), outcome);
        } else {
            QCOMPARE(reply.errorCode(), code);
            const QString message = json(reply)[u"error"_s].toObject()[u"message"_s].toString();
            QVERIFY2(!message.isEmpty() && message.contains(named), qPrintable(message));
        }
        const store::DeliveryRecord delivery = h.lastDelivery();
        QCOMPARE(delivery.verification, u"valid"_s);
        QCOMPARE(delivery.outcome, outcome);
        QCOMPARE(delivery.httpStatus, status);
        QCOMPARE(delivery.body, body);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM calls"_s), 0);
    }

    // The database refuses the write: 503 (ElevenLabs retries), nothing half-stored, the
    // delivery kept as failed; once the database is back the retry succeeds.
    void databaseRefusesWrite_data() { addDialectRows({"table_gone"}); }
    void databaseRefusesWrite()
    {
        Harness h;
        CW_START(h);
        const QByteArray body = fixture(u"post_call_transcription_long_with_tools.json"_s);
        QSqlQuery ddl(h.sql());
        QVERIFY(ddl.exec(u"ALTER TABLE calls RENAME TO calls_away"_s));
        const Reply refused = h.postCall(body);
        QCOMPARE(refused.status, 503);
        QCOMPARE(refused.errorCode(), u"database_unavailable"_s);
        QVERIFY(ddl.exec(u"ALTER TABLE calls_away RENAME TO calls"_s));

        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM calls"_s), 0);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM call_transcriptions"_s), 0);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM events"_s), 0);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM webhook_dedup"_s), 0);
        const store::DeliveryRecord failed = h.lastDelivery();
        QCOMPARE(failed.outcome, u"failed"_s);
        QCOMPARE(failed.httpStatus, 503);

        const Reply retried = h.postCall(body);
        QCOMPARE(retried.status, 200);
        QCOMPARE(json(retried)[u"outcome"_s].toString(), u"processed"_s);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM call_transcriptions"_s), 33);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM events"_s), 3);
    }

    // PostgreSQL drops the writer's connection (restart, failover): the writer reconnects before
    // the next group instead of answering 503 for ever.
    void writerReconnects()
    {
        Harness h;
        const auto status = h.db.create(u"postgresql"_s);
        if (status == TestDatabase::Status::Skip)
            QSKIP(qPrintable(h.db.message()));
        QCOMPARE(status, TestDatabase::Status::Ready);
        auto started = h.start();
        QVERIFY2(started, qPrintable(started.error().message));
        const QByteArray first = samples::postCallTranscription(
            samples::sampleCall(11, QDateTime::currentSecsSinceEpoch() - 900));
        QCOMPARE(h.postCall(first).status, 200); // the writer's connection is open now

        QSqlQuery kill(h.sql());
        QVERIFY(kill.exec(u"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()"_s));
        const QByteArray second = samples::postCallTranscription(
            samples::sampleCall(12, QDateTime::currentSecsSinceEpoch() - 900));
        const Reply afterDrop = h.postCall(second);
        QVERIFY2(afterDrop.status == 200, afterDrop.body.constData());
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM calls"_s), 2);
        const QByteArray third = samples::postCallTranscription(
            samples::sampleCall(13, QDateTime::currentSecsSinceEpoch() - 900));
        QCOMPARE(h.postCall(third).status, 200);
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM calls"_s), 3);
    }
};

QTEST_GUILESS_MAIN(TestWebhookIngest)
#include "tst_webhookingest.moc"
