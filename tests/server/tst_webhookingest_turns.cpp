// SPDX-License-Identifier: GPL-3.0-or-later
// The live transcription webhook end to end: turns numbered without gaps before and after the
// post-call, unknown calls answered 404 and replayed later, a turn delivered twice stored once.
// A real server::Backend on 127.0.0.1, on SQLite and PostgreSQL (CALLWATCH_TEST_POSTGRES_URL).
#include "servertestharness.h"

#include "webhooks/samplepayloads.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch;
using namespace callwatch::server::test;
namespace samples = callwatch::webhooks::samples;

class TestWebhookIngestTurns : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QLoggingCategory::setFilterRules(u"callwatch.*.info=false"_s); }

    // Live turns for a call that has no conversation id yet; numbering without gaps.
    void liveTurnsBeforeConversationId_data() { addDialectRows({"turns"}); }
    void liveTurnsBeforeConversationId()
    {
        BackendHarness h;
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

    void unknownCallSidIsNotFound_data() { addDialectRows({"unknown"}); }
    void unknownCallSidIsNotFound()
    {
        BackendHarness h;
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

    void sameTurnTwice_data() { addDialectRows({"with_turn_id", "without_turn_id"}); }
    void sameTurnTwice()
    {
        BackendHarness h;
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

    // The inspector's Replay: a turn that arrived before its call is reprocessed once the call
    // exists, through the same processor.
    void replayOfNotFoundTurn_data() { addDialectRows({"replay"}); }
    void replayOfNotFoundTurn()
    {
        BackendHarness h;
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
};

QTEST_GUILESS_MAIN(TestWebhookIngestTurns)
#include "tst_webhookingest_turns.moc"
