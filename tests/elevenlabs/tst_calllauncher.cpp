// SPDX-License-Identifier: GPL-3.0-or-later
// The call_sid workflow end to end: the launcher, the real client and the sandbox over HTTP, the
// backend's real webhook path and a real SQLite store.
#include "testbed.h"

#include "elevenlabs/sandboxconversation.h"
#include "store/callrepository.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch;
using namespace callwatch::elevenlabs;

class TestCallLauncher : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<test::Testbed> m_bed;

    bool startBed(test::TestbedOptions options = test::Testbed::fastOptions())
    {
        m_bed = std::make_unique<test::Testbed>();
        return m_bed->start(options);
    }

    qint64 callRows() { return m_bed->count(u"SELECT COUNT(*) FROM calls"_s); }

    /** POST to the backend's REST API; returns (status, body). */
    QPair<int, QJsonObject> post(const QString &path, const QByteArray &body,
                                 const QByteArray &token)
    {
        QNetworkAccessManager network;
        QNetworkRequest request(
            QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_bed->backendPort()).arg(path)));
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json"_ba);
        if (!token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + token);
        QNetworkReply *reply = network.post(request, body);
        (void)QTest::qWaitFor([&] { return reply->isFinished(); }, 20000);
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QJsonObject json = QJsonDocument::fromJson(reply->readAll()).object();
        delete reply;
        return {status, json};
    }

private Q_SLOTS:
    void cleanup() { m_bed.reset(); }

    void successfulCallIsCompletedThroughTheWebhook()
    {
        QVERIFY2(startBed(), qPrintable(m_bed->message()));
        auto call = m_bed->launch(test::Testbed::request(u"drv_1001"_s));
        QVERIFY2(call.ok(), qPrintable(call.error().message));
        QVERIFY(QRegularExpression(u"^EL_drv_1001_\\d{13}$"_s).match(call->callSid).hasMatch());
        QCOMPARE(call->status, u"in_progress"_s);
        QVERIFY(call->conversationId.startsWith(u"conv_"_s));
        QVERIFY(call->providerCallId.startsWith(u"CA"_s));
        QCOMPARE(call->providerCallId,
                 m_bed->sandbox().conversation(call->conversationId)->setup().providerCallId);

        // The row was committed as `initiating` before the API was asked.
        // (its first event: initiating, no conversation id yet).
        QCOMPARE(m_bed->count(u"SELECT COUNT(*) FROM events WHERE id = (SELECT MIN(id) FROM "
                              u"events) AND type = 'call_status' AND json_extract(payload, "
                              u"'$.status') = 'initiating' AND json_extract(payload, "
                              u"'$.conversation_id') IS NULL"_s),
                 1);
        // The API got call_sid and driver_id as dynamic variables.
        const RecordedRequest sent = m_bed->sandbox().received().first();
        const QJsonObject variables = sent.body.value("conversation_initiation_client_data"_L1)
                                          .toObject()
                                          .value("dynamic_variables"_L1)
                                          .toObject();
        QCOMPARE(variables.value("call_sid"_L1).toString(), call->callSid);
        QCOMPARE(variables.value("driver_id"_L1).toString(), u"drv_1001"_s);

        QVERIFY(m_bed->waitForStatus(call->callSid, {u"completed"_s}));
        const auto done = m_bed->call(call->callSid);
        QVERIFY(!done->transcriptSummary.isEmpty());
        QVERIFY(done->callDurationSeconds.has_value());
        QVERIFY(done->cost.has_value());
        QCOMPARE(done->conversationId, call->conversationId);
        QVERIFY(m_bed->count(u"SELECT COUNT(*) FROM call_transcriptions WHERE source = 'live'"_s) >
                10);
        QCOMPARE(callRows(), 1);
    }

    void apiFailuresFailTheCall_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("httpStatus");
        QTest::addColumn<int>("count");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<int>("requests");
        QTest::newRow("HTTP 500, retried, still failing")
            << int(OutboundFault::Kind::HttpError) << 500 << 3 << u"api_error: 500 boom"_s << 3;
        QTest::newRow("HTTP 422") << int(OutboundFault::Kind::HttpError) << 422 << 1
                                  << u"api_error: 422 boom"_s << 1;
        QTest::newRow("timeout") << int(OutboundFault::Kind::Timeout) << 0 << 1 << u"timeout"_s
                                 << 1;
        QTest::newRow("success false")
            << int(OutboundFault::Kind::Rejected) << 200 << 1 << u"boom"_s << 1;
    }
    void apiFailuresFailTheCall()
    {
        QFETCH(int, kind);
        QFETCH(int, httpStatus);
        QFETCH(int, count);
        QFETCH(QString, reason);
        QFETCH(int, requests);
        test::TestbedOptions options = test::Testbed::fastOptions();
        options.clientTimeoutMs = 300;
        QVERIFY2(startBed(options), qPrintable(m_bed->message()));
        OutboundFault fault;
        fault.kind = OutboundFault::Kind(kind);
        fault.httpStatus = httpStatus;
        fault.count = count;
        fault.message = u"boom"_s;
        m_bed->sandbox().injectOutboundFault(fault);

        auto call = m_bed->launch(test::Testbed::request(u"drv_2002"_s));
        QVERIFY2(call.ok(), qPrintable(call.error().message));
        QCOMPARE(call->status, u"failed"_s);
        QCOMPARE(call->failureReason, reason);
        QVERIFY(call->conversationId.isEmpty());
        QVERIFY(call->endedAt.isValid());
        QCOMPARE(m_bed->sandbox().received().size(), requests);
        const auto stored = m_bed->call(call->callSid);
        QCOMPARE(stored->status, u"failed"_s);
        QCOMPARE(stored->failureReason, reason);
    }

    void crashAfterDialStillFindsTheCall()
    {
        QVERIFY2(startBed(), qPrintable(m_bed->message()));
        CallLauncher &launcher = m_bed->launcher();
        auto resolved = test::Testbed::request(u"drv_3003"_s).resolved(launcher.defaults());
        QVERIFY(resolved.ok());
        auto call = launcher.prepare(resolved.value());
        QVERIFY(call.ok());
        // Dial, then "die": the answer (conversation id) is never stored.
        std::optional<ApiResult<OutboundCallResponse>> answer;
        m_bed->client().startOutboundCall(
            Provider::Twilio, CallLauncher::outboundRequest(call.value(), resolved.value()), this,
            [&](const auto &r) { answer = r; });
        QVERIFY(QTest::qWaitFor([&] { return answer.has_value(); }, 5000));
        QVERIFY(answer->ok());
        QVERIFY(m_bed->call(call->callSid)->conversationId.isEmpty());

        // The webhooks carry call_sid back: the same row is completed, no stray call appears.
        QVERIFY(m_bed->waitForStatus(call->callSid, {u"completed"_s}));
        const auto done = m_bed->call(call->callSid);
        QCOMPARE(done->conversationId, (*answer)->conversationId);
        QCOMPARE(done->providerCallId, (*answer)->providerCallId);
        QCOMPARE(callRows(), 1);
    }

    void lateApiAnswerDoesNotMoveTheCallBack()
    {
        QVERIFY2(startBed(), qPrintable(m_bed->message()));
        CallLauncher &launcher = m_bed->launcher();
        auto resolved = test::Testbed::request(u"drv_4004"_s).resolved(launcher.defaults());
        auto call = launcher.prepare(resolved.value());
        QVERIFY(call.ok());
        std::optional<ApiResult<OutboundCallResponse>> answer;
        m_bed->client().startOutboundCall(
            Provider::Twilio, CallLauncher::outboundRequest(call.value(), resolved.value()), this,
            [&](const auto &r) { answer = r; });
        QVERIFY(m_bed->waitForStatus(call->callSid, {u"completed"_s}));
        // Steps 4 and 5 arriving after the webhook keep the completed call as it is.
        auto late = launcher.recordOutcome(call->id, answer.value());
        QVERIFY(late.ok());
        QCOMPARE(late->status, u"completed"_s);
        auto failed = launcher.recordOutcome(
            call->id, ElevenLabsError(ElevenLabsError::Kind::Timeout, 0, u"late"_s));
        QVERIFY(failed.ok());
        QCOMPARE(failed->status, u"completed"_s);
        QVERIFY(failed->failureReason.isEmpty());
    }

    void initiationFailureFailsTheCall()
    {
        test::TestbedOptions options = test::Testbed::fastOptions();
        options.sandbox.failureRate = 1.0;
        QVERIFY2(startBed(options), qPrintable(m_bed->message()));
        auto call = m_bed->launch(test::Testbed::request(u"drv_5005"_s));
        QVERIFY(call.ok());
        QCOMPARE(call->status, u"in_progress"_s); // the API accepted the dial
        QVERIFY(m_bed->waitForStatus(call->callSid, {u"failed"_s}));
        const auto failed = m_bed->call(call->callSid);
        QVERIFY2(failed->failureReason == u"busy"_s || failed->failureReason == u"no-answer"_s,
                 qPrintable(failed->failureReason));
        QCOMPARE(callRows(), 1);
    }

    void restRoute()
    {
        QVERIFY2(startBed(), qPrintable(m_bed->message()));
        const QByteArray write = m_bed->token({u"calls:write"_s});
        const QByteArray read = m_bed->token({u"calls:read"_s});
        const QByteArray valid = R"({"to_number":"+13125550199","driver_id":"drv_6006"})";

        QCOMPARE(post(u"/api/calls"_s, valid, {}).first, 401);
        QCOMPARE(post(u"/api/calls"_s, valid, read).first, 403);
        const auto missing = post(u"/api/calls"_s, "{}", write);
        QCOMPARE(missing.first, 400);
        QCOMPARE(missing.second.value("error"_L1).toObject().value("message"_L1).toString(),
                 u"Missing required fields: to_number, driver_id"_s);
        const auto badProvider = post(
            u"/api/calls"_s,
            R"({"to_number":"+13125550199","driver_id":"d","provider":"carrier-pigeon"})", write);
        QCOMPARE(badProvider.first, 400);
        QVERIFY(badProvider.second.value("error"_L1)
                    .toObject()
                    .value("message"_L1)
                    .toString()
                    .startsWith(u"provider"_s));
        QCOMPARE(post(u"/api/calls"_s, "not json", write).first, 400);
        QCOMPARE(callRows(), 0);

        const auto created = post(u"/api/calls"_s, valid, write);
        QCOMPARE(created.first, 201);
        const QJsonObject call = created.second.value("call"_L1).toObject();
        QCOMPARE(call.value("status"_L1).toString(), u"in_progress"_s);
        QVERIFY(call.value("conversation_id"_L1).toString().startsWith(u"conv_"_s));
        QVERIFY(call.value("call_sid"_L1).toString().startsWith(u"EL_drv_6006_"_s));

        m_bed->sandbox().injectOutboundFault(
            OutboundFault{OutboundFault::Kind::HttpError, 500, u"down"_s, 3});
        const auto failed = post(u"/api/calls"_s, valid, write);
        QCOMPARE(failed.first, 201);
        QCOMPARE(failed.second.value("call"_L1).toObject().value("status"_L1).toString(),
                 u"failed"_s);
        QCOMPARE(failed.second.value("call"_L1).toObject().value("failure_reason"_L1).toString(),
                 u"api_error: 500 down"_s);
    }
};

QTEST_GUILESS_MAIN(TestCallLauncher)
#include "tst_calllauncher.moc"
