// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/payloads.h"
#include "webhooks/samplepayloads.h"
#include "webhooks/signatureverifier.h"

#include <QBuffer>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch::webhooks;

class TestSamplePayloads : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void postCallTranscriptionParses_data();
    void postCallTranscriptionParses();
    void violationScript_data();
    void violationScript();
    void callInitiationFailure_data();
    void callInitiationFailure();
    void postCallAudioScans();
    void transcriptionTurn_data();
    void transcriptionTurn();
    void deterministicAndSignable();
};

void TestSamplePayloads::postCallTranscriptionParses_data()
{
    QTest::addColumn<int>("index");
    for (int i = 0; i < 6; ++i)
        QTest::addRow("call %d", i) << i;
}

void TestSamplePayloads::postCallTranscriptionParses()
{
    QFETCH(int, index);
    const samples::SampleCall call = samples::sampleCall(index, 1739537000 + index * 600);

    const auto envelope = WebhookEnvelope::parse(samples::postCallTranscription(call));
    QVERIFY2(envelope.ok(), qPrintable(envelope.error().message));
    QCOMPARE(envelope->type, u"post_call_transcription"_s);
    QCOMPARE(envelope->eventTimestamp,
             call.startUnix + call.durationSecs + samples::TranscriptionDelaySecs);
    const auto parsed = PostCallTranscription::fromEnvelope(envelope.value());
    QVERIFY2(parsed.ok(), qPrintable(parsed.error().message));

    QCOMPARE(parsed->conversationId, call.conversationId);
    QCOMPARE(parsed->agentId, call.agentId);
    QCOMPARE(parsed->callSid, call.callSid);
    QCOMPARE(parsed->driverId, call.driverId);
    QCOMPARE(parsed->status, u"done"_s);
    QCOMPARE(parsed->externalNumber, call.toNumber);
    QCOMPARE(parsed->agentNumber, QLatin1StringView(samples::AgentNumber));
    QCOMPARE(parsed->phoneCallType, u"twilio"_s);
    QCOMPARE(parsed->direction, u"outbound"_s);
    QCOMPARE(parsed->providerCallId, samples::providerCallSid(call));
    QVERIFY(parsed->providerCallId.startsWith("CA"_L1));
    QCOMPARE(parsed->providerCallId.size(), 34);
    QCOMPARE(parsed->startTimeUnixSecs, std::optional<qint64>(call.startUnix));
    QCOMPARE(parsed->callDurationSecs, std::optional<int>(call.durationSecs));
    QCOMPARE(parsed->cost, std::optional<double>(call.cost));
    QCOMPARE(parsed->callSuccessful, call.successful ? u"success"_s : u"failure"_s);
    QVERIFY(parsed->transcriptSummary.contains(call.driverName));
    QVERIFY(parsed->analysis.value("evaluation_criteria_results"_L1).isObject());
    QVERIFY(parsed->analysis.value("data_collection_results"_L1).isObject());
    QCOMPARE(parsed->dynamicVariables.value("driver_id"_L1).toString(), call.driverId);

    QCOMPARE(parsed->transcript.size(), 14);
    double previous = -1;
    int toolTurns = 0;
    for (const PostCallTurn &turn : parsed->transcript) {
        QVERIFY(turn.role == "agent"_L1 || turn.role == "user"_L1);
        QVERIFY(!turn.message.isEmpty());
        QVERIFY(turn.timeInCallSecs.has_value());
        QVERIFY(*turn.timeInCallSecs >= previous);
        QVERIFY(*turn.timeInCallSecs <= call.durationSecs);
        previous = *turn.timeInCallSecs;
        if (!turn.toolCalls.isEmpty())
            ++toolTurns;
    }
    QCOMPARE(toolTurns, 1);
}

void TestSamplePayloads::violationScript_data()
{
    QTest::addColumn<QString>("violation");
    QTest::addColumn<QString>("violationType");
    QTest::addColumn<QString>("phrase"); ///< something only this kind of script says

    QTest::newRow("speeding") << u"a speeding event: 78 mph in a 65 mph zone"_s << u"speeding"_s
                              << u"cruise control"_s;
    QTest::newRow("hours of service")
        << u"an hours-of-service violation"_s << u"hours_of_service"_s << u"dispatch"_s;
    QTest::newRow("harsh braking")
        << u"three harsh braking events"_s << u"harsh_braking"_s << u"following distance"_s;
}

void TestSamplePayloads::violationScript()
{
    QFETCH(QString, violation);
    QFETCH(QString, violationType);
    QFETCH(QString, phrase);

    const QList<samples::ScriptedTurn> script =
        samples::violationScript(u"Rosa Delgado"_s, violation);
    QVERIFY(script.size() >= 8 && script.size() <= 14);
    QCOMPARE(script.front().role, u"agent"_s);
    QVERIFY(script.front().message.contains("Rosa Delgado"_L1));

    int toolTurns = 0;
    bool saidPhrase = false;
    bool namedViolation = false;
    for (const samples::ScriptedTurn &turn : script) {
        saidPhrase = saidPhrase || turn.message.contains(phrase);
        namedViolation = namedViolation || turn.message.contains(violation);
        if (turn.toolCalls.isEmpty() && turn.toolResults.isEmpty())
            continue;
        ++toolTurns;
        QCOMPARE(turn.role, u"agent"_s);
        QCOMPARE(turn.toolCalls.size(), 1);
        QCOMPARE(turn.toolResults.size(), 1);
        const QJsonObject call = turn.toolCalls.first().toObject();
        const QJsonObject result = turn.toolResults.first().toObject();
        QCOMPARE(call.value("request_id"_L1), result.value("request_id"_L1));
        QCOMPARE(call.value("tool_name"_L1).toString(), u"get_violation_details"_s);
        const QJsonObject params =
            QJsonDocument::fromJson(call.value("params_as_json"_L1).toString().toUtf8()).object();
        QCOMPARE(params.value("violation_type"_L1).toString(), violationType);
        const QJsonObject value =
            QJsonDocument::fromJson(result.value("result_value"_L1).toString().toUtf8()).object();
        QCOMPARE(value.value("violation_type"_L1).toString(), violationType);
        QCOMPARE(result.value("is_error"_L1).toBool(true), false);
    }
    QCOMPARE(toolTurns, 1);
    QVERIFY(saidPhrase);
    QVERIFY(namedViolation);
}

void TestSamplePayloads::callInitiationFailure_data()
{
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QString>("provider");
    for (const char *provider : {"twilio", "sip"}) {
        for (const char *reason : {"busy", "no-answer", "unknown"})
            QTest::addRow("%s %s", provider, reason)
                << QString::fromLatin1(reason) << QString::fromLatin1(provider);
    }
}

void TestSamplePayloads::callInitiationFailure()
{
    QFETCH(QString, reason);
    QFETCH(QString, provider);
    const samples::SampleCall call = samples::sampleCall(7, 1739537000);

    const auto envelope =
        WebhookEnvelope::parse(samples::callInitiationFailure(call, reason, provider));
    QVERIFY2(envelope.ok(), qPrintable(envelope.error().message));
    QCOMPARE(envelope->eventTimestamp, call.startUnix + samples::FailureDelaySecs);
    const auto failure = CallInitiationFailure::fromEnvelope(envelope.value());
    QVERIFY2(failure.ok(), qPrintable(failure.error().message));
    QCOMPARE(failure->conversationId, call.conversationId);
    QCOMPARE(failure->agentId, call.agentId);
    QCOMPARE(failure->failureReason, reason);
    QCOMPARE(failure->providerType, provider);
    QCOMPARE(failure->toNumber, call.toNumber);
    QCOMPARE(failure->fromNumber, QLatin1StringView(samples::AgentNumber));
    if (provider == "twilio"_L1) {
        QCOMPARE(failure->providerCallId, samples::providerCallSid(call));
        QCOMPARE(failure->providerBody.value("CallStatus"_L1).toString(),
                 reason == "unknown"_L1 ? u"failed"_s : reason);
    } else {
        QVERIFY(failure->providerCallId.startsWith("SCL_"_L1));
        QVERIFY(failure->providerBody.value("sip_status_code"_L1).isDouble());
    }
}

void TestSamplePayloads::postCallAudioScans()
{
    const samples::SampleCall call = samples::sampleCall(2, 1739537000);
    const QByteArray mp3 = samples::silentMp3(40);
    QCOMPARE(mp3.size(), 40 * 417);
    QCOMPARE(mp3.left(4), QByteArray("\xff\xfb\x90\x64"));
    QCOMPARE(mp3.mid(417, 4), QByteArray("\xff\xfb\x90\x64"));

    QBuffer in;
    in.setData(samples::postCallAudio(call, mp3));
    in.open(QIODevice::ReadOnly);
    QBuffer out;
    out.open(QIODevice::WriteOnly);
    const auto info = AudioPayloadScanner().scan(in, out);
    QVERIFY2(info.ok(), qPrintable(info.error().message));
    QCOMPARE(info->type, u"post_call_audio"_s);
    QCOMPARE(info->conversationId, call.conversationId);
    QCOMPARE(info->agentId, call.agentId);
    QCOMPARE(info->eventTimestamp, call.startUnix + call.durationSecs + samples::AudioDelaySecs);
    QCOMPARE(out.data(), mp3);

    // The hand-built body is valid JSON for any parser, too.
    const auto envelope = WebhookEnvelope::parse(in.data());
    QVERIFY2(envelope.ok(), qPrintable(envelope.error().message));
    QCOMPARE(QByteArray::fromBase64(envelope->data.value("full_audio"_L1).toString().toLatin1()),
             mp3);
}

void TestSamplePayloads::transcriptionTurn_data()
{
    QTest::addColumn<QString>("speaker");
    QTest::addColumn<QString>("normalised");
    QTest::addColumn<QString>("turnId");
    QTest::addColumn<QString>("keyPrefix");
    QTest::newRow("agent with id") << u"agent"_s << u"agent"_s << u"t-3"_s << u"id:t-3"_s;
    QTest::newRow("driver without id") << u"driver"_s << u"user"_s << QString() << u"h:"_s;
}

void TestSamplePayloads::transcriptionTurn()
{
    QFETCH(QString, speaker);
    QFETCH(QString, normalised);
    QFETCH(QString, turnId);
    QFETCH(QString, keyPrefix);

    const QByteArray body = samples::transcriptionTurn(
        u"cw_1"_s, speaker, u"I'm parked at the truck stop."_s, 19.5, turnId);
    const auto turn = TranscriptionTurn::parse(body);
    QVERIFY2(turn.ok(), qPrintable(turn.error().message));
    QCOMPARE(turn->callSid, u"cw_1"_s);
    QCOMPARE(turn->speaker, normalised);
    QCOMPARE(turn->message, u"I'm parked at the truck stop."_s);
    QCOMPARE(turn->timeInCallSecs, std::optional<double>(19.5));
    QCOMPARE(turn->turnId, turnId);
    QVERIFY(turn->turnKey().startsWith(keyPrefix));
}

void TestSamplePayloads::deterministicAndSignable()
{
    const samples::SampleCall a = samples::sampleCall(4, 1739537000);
    const samples::SampleCall b = samples::sampleCall(4, 1739537000);
    QCOMPARE(samples::postCallTranscription(a), samples::postCallTranscription(b));
    QVERIFY(samples::sampleCall(5, 1739537000).conversationId != a.conversationId);
    QVERIFY(samples::sampleCall(5, 1739537000).callSid != a.callSid);

    const QByteArray body = samples::postCallTranscription(a);
    const QByteArray header = SignatureVerifier::sign("wsec_sandbox", 1739537400, body);
    QVERIFY(SignatureVerifier({"wsec_sandbox"}).verify(header, body, 1739537400).ok());
}

QTEST_GUILESS_MAIN(TestSamplePayloads)
#include "tst_samplepayloads.moc"
