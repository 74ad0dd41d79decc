// SPDX-License-Identifier: GPL-3.0-or-later
// The JSON Callwatch writes for ElevenLabs and reads back (notes §8), and error texts.
#include "elevenlabs/elevenlabserror.h"
#include "elevenlabs/elevenlabswire.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch::elevenlabs;

class TestElevenLabsWire : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void outboundCallResponse_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("provider");
        QTest::addColumn<bool>("parses");
        QTest::addColumn<bool>("success");
        QTest::addColumn<QString>("providerCallId");
        QTest::newRow("twilio camelCase callSid")
            << QByteArray(
                   R"({"success":true,"message":"ok","conversation_id":"conv_1","callSid":"CA1"})")
            << int(Provider::Twilio) << true << true << u"CA1"_s;
        QTest::newRow("twilio ignores snake call_sid")
            << QByteArray(R"({"success":true,"conversation_id":"conv_1","call_sid":"CA1"})")
            << int(Provider::Twilio) << true << true << QString();
        QTest::newRow("sip_call_id")
            << QByteArray(R"({"success":true,"conversation_id":"c","sip_call_id":"S1"})")
            << int(Provider::Sip) << true << true << u"S1"_s;
        QTest::newRow("success false, null ids")
            << QByteArray(
                   R"({"success":false,"message":"no","conversation_id":null,"callSid":null})")
            << int(Provider::Twilio) << true << false << QString();
        QTest::newRow("no success field") << QByteArray(R"({"conversation_id":"c"})")
                                          << int(Provider::Twilio) << false << false << QString();
        QTest::newRow("success without conversation")
            << QByteArray(R"({"success":true})") << int(Provider::Twilio) << false << false
            << QString();
    }
    void outboundCallResponse()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, provider);
        QFETCH(bool, parses);
        QFETCH(bool, success);
        QFETCH(QString, providerCallId);
        const auto parsed = wire::parseOutboundCallResponse(QJsonDocument::fromJson(body).object(),
                                                            Provider(provider));
        QCOMPARE(parsed.ok(), parses);
        if (!parses) {
            QCOMPARE(parsed.error().code, u"invalid_response"_s);
            return;
        }
        QCOMPARE(parsed->success, success);
        QCOMPARE(parsed->providerCallId, providerCallId);
    }

    void requestBodies()
    {
        OutboundCallRequest call{u"agent_1"_s, u"phnum_1"_s, u"+13125550100"_s,
                                 QJsonObject{{u"call_sid"_s, u"EL_d_1"_s}}};
        QCOMPARE(QJsonDocument(wire::outboundCallBody(call)).toJson(QJsonDocument::Compact),
                 QByteArray(R"({"agent_id":"agent_1","agent_phone_number_id":"phnum_1",)"
                            R"("conversation_initiation_client_data":{"dynamic_variables":)"
                            R"({"call_sid":"EL_d_1"}},"to_number":"+13125550100"})"));
        QCOMPARE(wire::outboundCallPath(Provider::Twilio), u"/v1/convai/twilio/outbound-call"_s);
        QCOMPARE(wire::outboundCallPath(Provider::Sip), u"/v1/convai/sip-trunk/outbound-call"_s);

        BatchSubmitRequest batch{u"name"_s,
                                 u"agent_1"_s,
                                 u"phnum_1"_s,
                                 {BatchRecipient{u"EL_d_1"_s, u"+13125550100"_s, {}}}};
        const QJsonObject body = wire::batchSubmitBody(batch);
        QVERIFY(body.contains(u"scheduled_time_unix"_s));
        QVERIFY(body.value("scheduled_time_unix"_L1).isNull());
        QCOMPARE(body.value("recipients"_L1).toArray().first().toObject().value("id"_L1).toString(),
                 u"EL_d_1"_s);
        QCOMPARE(wire::conversationPath(u"conv/../x"_s),
                 u"/v1/convai/conversations/conv%2F..%2Fx"_s);
    }

    void batchAndConversation()
    {
        const auto job = wire::parseBatchJob(
            QJsonDocument::fromJson(
                R"({"id":"btcal_1","status":"in_progress","total_calls_dispatched":2,)"
                R"("recipients":[{"id":"EL_a","status":"initiated","conversation_id":"conv_a"},)"
                R"({"id":"EL_b","status":"pending","conversation_id":null}]})")
                .object());
        QVERIFY(job.ok());
        QVERIFY(!job->isFinished());
        QCOMPARE(job->totalCallsDispatched, 2);
        QCOMPARE(job->recipients.size(), 2);
        QCOMPARE(job->recipients.at(0).conversationId, u"conv_a"_s);
        QVERIFY(job->recipients.at(1).conversationId.isEmpty());
        QVERIFY(!wire::parseBatchJob(QJsonObject{}).ok());

        const auto conversation = wire::parseConversation(
            QJsonDocument::fromJson(
                R"({"conversation_id":"conv_1","status":"done","metadata":)"
                R"({"start_time_unix_secs":1700000000,"call_duration_secs":95}})")
                .object());
        QVERIFY(conversation.ok());
        QVERIFY(conversation->isFinal());
        QCOMPARE(conversation->startTimeUnixSecs.value_or(0), 1700000000);
        QCOMPARE(conversation->callDurationSecs.value_or(0), 95);

        const auto page = wire::parseConversationPage(
            QJsonDocument::fromJson(
                R"({"conversations":[{"conversation_id":"c1","status":"done"}],)"
                R"("next_cursor":"abc","has_more":true})")
                .object());
        QVERIFY(page.ok());
        QVERIFY(page->hasMore);
        QCOMPARE(page->nextCursor, u"abc"_s);
        QVERIFY(!wire::parseConversationPage(QJsonObject{}).ok());
    }

    void listQueryKeepsCursorIntact()
    {
        ConversationQuery query;
        query.agentId = u"agent_1"_s;
        query.cursor = u"a+b/c=="_s;
        query.pageSize = 500;
        query.callStartAfterUnix = 1700000000;
        QUrl url(u"https://api.elevenlabs.io/v1/convai/conversations"_s);
        url.setQuery(wire::conversationListQuery(query));
        const QUrlQuery back(url);
        QCOMPARE(back.queryItemValue(u"cursor"_s, QUrl::FullyDecoded), u"a+b/c=="_s);
        QCOMPARE(back.queryItemValue(u"page_size"_s), u"100"_s);
        QCOMPARE(back.queryItemValue(u"call_start_after_unix"_s), u"1700000000"_s);
        QCOMPARE(back.queryItemValue(u"agent_id"_s), u"agent_1"_s);
    }

    void errorDetail_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("detail");
        QTest::newRow("string") << QByteArray(R"({"detail":"Not found"})") << u"Not found"_s;
        QTest::newRow("object") << QByteArray(R"({"detail":{"status":"x","message":"Bad key"}})")
                                << u"Bad key"_s;
        QTest::newRow("validation")
            << QByteArray(R"({"detail":[{"loc":["body","recipients",0,"phone_number"],)"
                          R"("msg":"field required","type":"value_error.missing"}]})")
            << u"body.recipients.0.phone_number: field required"_s;
        QTest::newRow("html") << QByteArray("<html>502</html>") << QString();
    }
    void errorDetail()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, detail);
        QCOMPARE(wire::errorDetail(body), detail);
    }

    void failureReasons()
    {
        using Kind = ElevenLabsError::Kind;
        QCOMPARE(ElevenLabsError(Kind::Http, 422, u"body.to_number: invalid"_s).callFailureReason(),
                 u"api_error: 422 body.to_number: invalid"_s);
        QCOMPARE(ElevenLabsError(Kind::Http, 503, {}).callFailureReason(), u"api_error: 503"_s);
        QCOMPARE(ElevenLabsError(Kind::Timeout, 0, u"x"_s).callFailureReason(), u"timeout"_s);
        QCOMPARE(ElevenLabsError(Kind::Rejected, 200, u"Line busy"_s).callFailureReason(),
                 u"Line busy"_s);
        QCOMPARE(ElevenLabsError(Kind::Network, 0, u"Connection refused"_s).callFailureReason(),
                 u"network_error: Connection refused"_s);
    }
};

QTEST_APPLESS_MAIN(TestElevenLabsWire)
#include "tst_elevenlabswire.moc"
