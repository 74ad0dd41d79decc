// SPDX-License-Identifier: GPL-3.0-or-later
// The post-call webhook end to end: fixtures stored column by column with their transcript,
// events and inbox row, audio decoded to disk, and which call a post-call completes.
// A real server::Backend on 127.0.0.1, on SQLite and PostgreSQL (CALLWATCH_TEST_POSTGRES_URL).
#include "servertestharness.h"

#include "webhooks/durablefile.h"
#include "webhooks/samplepayloads.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTest>

#include <cerrno>
#include <optional>

using namespace Qt::StringLiterals;
using namespace callwatch;
using namespace callwatch::server::test;
namespace samples = callwatch::webhooks::samples;

namespace {

constexpr auto AgentId = "agent_4301k4x8q2zf5e7tmb6rj9nw3c";

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

} // namespace

class TestWebhookIngestPostCall : public QObject
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
        BackendHarness h;
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
        BackendHarness h;
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

    // The decoded file is on disk before its 200: a disk that cannot flush it gets 503 (the
    // sender retries), and no call points at a file that a power cut could take away.
    void audioNotAcknowledgedUntilOnDisk_data() { addDialectRows({"refused_then_retried"}); }
    void audioNotAcknowledgedUntilOnDisk()
    {
        BackendHarness h;
        CW_START(h);
        QCOMPARE(h.postCall(fixture(u"post_call_transcription_long_with_tools.json"_s)).status,
                 200);
        int refused = 0;
        h.backend->setAudioFileSync([&refused](int, bool) {
            ++refused;
            errno = EIO;
            return false;
        });
        const QByteArray audio = fixture(u"post_call_audio_small.json"_s);
        const Reply failed = h.postCall(audio);
        QCOMPARE(failed.status, 503);
        QCOMPARE(json(failed)[u"error"_s][u"code"_s].toString(), u"io_error"_s);
        QCOMPARE(refused, 1);
        QVERIFY(h.call(QLatin1StringView(LongConversation))->audioPath.isEmpty());
        const QDir audioDir(h.dataDir.filePath(u"audio"_s));
        QCOMPARE(audioDir.entryList(QDir::Files), QStringList()); // no .mp3, no .part left
        QCOMPARE(h.lastDelivery().httpStatus, 503);

        int synced = 0;
        h.backend->setAudioFileSync([&synced](int fd, bool isDirectory) {
            ++synced;
            return webhooks::durablefile::syncToDisk(fd, isDirectory);
        });
        const Reply retried = h.postCall(audio);
        QCOMPARE(retried.status, 200);
        QCOMPARE(synced, 2); // the file, then its directory entry
        const QString path = audioDir.filePath(QLatin1StringView(LongConversation) + u".mp3"_s);
        QCOMPARE(h.call(QLatin1StringView(LongConversation))->audioPath, path);
        QCOMPARE(audioDir.entryList(QDir::Files), QStringList{QFileInfo(path).fileName()});
    }

    // An audio body above the spool threshold goes to disk first and is decoded off the thread.
    void spooledAudioIsDecodedToDisk_data() { addDialectRows({"5MB"}); }
    void spooledAudioIsDecodedToDisk()
    {
        BackendHarness h;
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

    // A body large enough to be spooled goes through the audio scanner; one of another type
    // that carries data.full_audio is still handled as its own type, not stored as audio.
    void spooledTranscriptionIsNotTakenForAudio_data() { addDialectRows({"5MB"}); }
    void spooledTranscriptionIsNotTakenForAudio()
    {
        BackendHarness h;
        CW_START(h);
        QJsonObject root =
            QJsonDocument::fromJson(fixture(u"post_call_transcription_long_with_tools.json"_s))
                .object();
        QJsonObject data = root.value(u"data"_s).toObject();
        data.insert(u"full_audio"_s, QString::fromLatin1(samples::silentMp3(12000).toBase64()));
        root.insert(u"data"_s, data);
        const QByteArray body = QJsonDocument(root).toJson(QJsonDocument::Compact);
        QVERIFY(body.size() > 4 * 1024 * 1024);

        const Reply reply = h.postCall(body);

        QCOMPARE(reply.status, 200);
        QCOMPARE(json(reply)[u"outcome"_s].toString(), u"processed"_s);
        const auto call = h.call(QLatin1StringView(LongConversation));
        QVERIFY(call);
        QCOMPARE(call->status, u"completed"_s);
        QCOMPARE(call->lastSequenceNumber, 33); // the transcript was stored
        QVERIFY(call->audioPath.isEmpty());
        QCOMPARE(h.lastDelivery().eventType, u"post_call_transcription"_s);
        QCOMPARE(QDir(h.dataDir.filePath(u"audio"_s)).entryList(QDir::Files), QStringList());
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
        BackendHarness h;
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

    // A batch recipient's failure can arrive before the reconciler mapped its conversation id:
    // the failure carries no dynamic variables, so the pending call to that number is failed
    // (no stray second call); a number with no pending call still creates one.
    void initiationFailureFindsPendingCall_data() { addDialectRows({"pending", "none_pending"}); }
    void initiationFailureFindsPendingCall()
    {
        BackendHarness h;
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
};

QTEST_GUILESS_MAIN(TestWebhookIngestPostCall)
#include "tst_webhookingest_postcall.moc"
