// SPDX-License-Identifier: GPL-3.0-or-later
// The REST client against the sandbox over HTTP: the JSON it sends (exact field names), what it
// makes of the answers, retries, timeouts and the sandbox's API-like errors.
#include "testbed.h"

#include "elevenlabs/elevenlabswire.h"
#include "elevenlabs/sandboxconversation.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch;
using namespace callwatch::elevenlabs;

namespace {

QSet<QString> keysOf(const QJsonObject &object)
{
    const QStringList keys = object.keys();
    return QSet<QString>(keys.begin(), keys.end());
}

template<typename T>
std::optional<ApiResult<T>> wait(std::optional<ApiResult<T>> &slot, int timeoutMs = 10000)
{
    (void)QTest::qWaitFor([&] { return slot.has_value(); }, timeoutMs);
    return slot;
}

OutboundCallRequest outbound()
{
    OutboundCallRequest request;
    request.agentId = QString::fromLatin1(test::AgentId);
    request.agentPhoneNumberId = QString::fromLatin1(test::PhoneNumberId);
    request.toNumber = u"+13125550111"_s;
    request.dynamicVariables =
        QJsonObject{{u"call_sid"_s, u"EL_drv_1_1"_s}, {u"driver_id"_s, u"drv_1"_s}};
    return request;
}

QList<RecordedRequest> requestsTo(const SandboxServer &sandbox, const QString &pathPart)
{
    QList<RecordedRequest> out;
    for (const RecordedRequest &request : sandbox.received()) {
        if (request.path.contains(pathPart))
            out.append(request);
    }
    return out;
}

} // namespace

class TestElevenLabsClient : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<test::Testbed> m_bed;

    ApiResult<OutboundCallResponse> dial(Provider provider = Provider::Twilio)
    {
        std::optional<ApiResult<OutboundCallResponse>> result;
        m_bed->client().startOutboundCall(provider, outbound(), this,
                                          [&](const auto &r) { result = r; });
        auto got = wait(result);
        if (!got)
            return ElevenLabsError(ElevenLabsError::Kind::Network, 0, u"test: no answer"_s);
        return *got;
    }

private Q_SLOTS:
    void init()
    {
        m_bed = std::make_unique<test::Testbed>();
        test::TestbedOptions options = test::Testbed::fastOptions();
        options.clientTimeoutMs = 400;
        options.sandbox.ringMs = 60'000; // no webhooks during these tests
        QVERIFY2(m_bed->start(options), qPrintable(m_bed->message()));
    }
    void cleanup() { m_bed.reset(); }

    void outboundCallSendsDocumentedFields_data()
    {
        QTest::addColumn<Provider>("provider");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("providerIdField");
        QTest::newRow("twilio") << Provider::Twilio << u"/v1/convai/twilio/outbound-call"_s
                                << u"callSid"_s;
        QTest::newRow("sip") << Provider::Sip << u"/v1/convai/sip-trunk/outbound-call"_s
                             << u"sip_call_id"_s;
    }
    void outboundCallSendsDocumentedFields()
    {
        QFETCH(Provider, provider);
        QFETCH(QString, path);
        QFETCH(QString, providerIdField);
        const auto result = dial(provider);
        QVERIFY2(result.ok(), qPrintable(result.error().callFailureReason()));

        const auto requests = requestsTo(m_bed->sandbox(), u"outbound-call"_s);
        QCOMPARE(requests.size(), 1);
        const RecordedRequest &sent = requests.first();
        QCOMPARE(sent.method, QByteArray("POST"));
        QCOMPARE(sent.path, path);
        QVERIFY(sent.hadApiKey);
        QCOMPARE(keysOf(sent.body),
                 (QSet<QString>{u"agent_id"_s, u"agent_phone_number_id"_s, u"to_number"_s,
                                u"conversation_initiation_client_data"_s}));
        const QJsonObject clientData =
            sent.body.value("conversation_initiation_client_data"_L1).toObject();
        QCOMPARE(keysOf(clientData), QSet<QString>{u"dynamic_variables"_s});
        QCOMPARE(clientData.value("dynamic_variables"_L1).toObject(), outbound().dynamicVariables);
        QCOMPARE(sent.body.value("to_number"_L1).toString(), u"+13125550111"_s);
        QCOMPARE(sent.status, 200);

        // The answer's provider id comes from the provider's own field name.
        const auto *conversation = m_bed->sandbox().conversation(result->conversationId);
        QVERIFY(conversation);
        QCOMPARE(result->providerCallId, conversation->setup().providerCallId);
        QVERIFY(!result->providerCallId.isEmpty());
        QCOMPARE(wire::parseOutboundCallResponse(QJsonObject{{u"success"_s, true},
                                                             {u"conversation_id"_s, u"conv_x"_s},
                                                             {providerIdField, u"P1"_s}},
                                                 provider)
                     ->providerCallId,
                 u"P1"_s);
    }

    void batchSubmitSendsDocumentedFields()
    {
        BatchSubmitRequest request;
        request.callName = u"Morning safety calls"_s;
        request.agentId = QString::fromLatin1(test::AgentId);
        request.agentPhoneNumberId = QString::fromLatin1(test::PhoneNumberId);
        request.recipients = {BatchRecipient{u"EL_a_1"_s, u"+13125550001"_s,
                                             QJsonObject{{u"call_sid"_s, u"EL_a_1"_s}}},
                              BatchRecipient{u"EL_b_2"_s, u"+13125550002"_s,
                                             QJsonObject{{u"call_sid"_s, u"EL_b_2"_s}}}};
        std::optional<ApiResult<BatchJob>> submitted;
        m_bed->client().submitBatch(request, this, [&](const auto &r) { submitted = r; });
        QVERIFY(wait(submitted));
        QVERIFY(submitted->ok());
        QVERIFY((*submitted)->id.startsWith(u"btcal_"_s));

        const auto requests = requestsTo(m_bed->sandbox(), u"batch-calling/submit"_s);
        QCOMPARE(requests.size(), 1);
        const QJsonObject body = requests.first().body;
        QCOMPARE(keysOf(body),
                 (QSet<QString>{u"call_name"_s, u"agent_id"_s, u"agent_phone_number_id"_s,
                                u"scheduled_time_unix"_s, u"recipients"_s}));
        QVERIFY(body.value("scheduled_time_unix"_L1).isNull());
        const QJsonArray recipients = body.value("recipients"_L1).toArray();
        QCOMPARE(recipients.size(), 2);
        const QJsonObject first = recipients.first().toObject();
        QCOMPARE(keysOf(first), (QSet<QString>{u"id"_s, u"phone_number"_s,
                                               u"conversation_initiation_client_data"_s}));
        QCOMPARE(first.value("id"_L1).toString(), u"EL_a_1"_s);

        // GET reports every recipient by the id we chose.
        QTest::qWait(50);
        std::optional<ApiResult<BatchJob>> polled;
        m_bed->client().getBatch((*submitted)->id, this, [&](const auto &r) { polled = r; });
        QVERIFY(wait(polled));
        QVERIFY(polled->ok());
        QCOMPARE((*polled)->recipients.size(), 2);
        QCOMPARE((*polled)->recipients.first().id, u"EL_a_1"_s);
        QVERIFY(!(*polled)->recipients.first().conversationId.isEmpty());
    }

    void failuresAreRetriedOrNot_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("httpStatus");
        QTest::addColumn<int>("faultCount");
        QTest::addColumn<bool>("succeeds");
        QTest::addColumn<int>("expectedRequests");
        QTest::addColumn<QString>("errorKind");
        const int http = int(OutboundFault::Kind::HttpError);
        QTest::newRow("500 once: retried, then ok") << http << 500 << 1 << true << 2 << QString();
        QTest::newRow("503 always: 3 attempts") << http << 503 << 5 << false << 3 << u"http"_s;
        QTest::newRow("429 twice: retried twice") << http << 429 << 2 << true << 3 << QString();
        QTest::newRow("400: not retried") << http << 400 << 1 << false << 1 << u"http"_s;
        QTest::newRow("422: not retried") << http << 422 << 1 << false << 1 << u"http"_s;
        QTest::newRow("success false: not retried")
            << int(OutboundFault::Kind::Rejected) << 200 << 1 << false << 1 << u"rejected"_s;
        QTest::newRow("timeout of a POST: not retried")
            << int(OutboundFault::Kind::Timeout) << 0 << 1 << false << 1 << u"timeout"_s;
    }
    void failuresAreRetriedOrNot()
    {
        QFETCH(int, kind);
        QFETCH(int, httpStatus);
        QFETCH(int, faultCount);
        QFETCH(bool, succeeds);
        QFETCH(int, expectedRequests);
        QFETCH(QString, errorKind);
        OutboundFault fault;
        fault.kind = OutboundFault::Kind(kind);
        fault.httpStatus = httpStatus;
        fault.count = faultCount;
        fault.message = u"sandbox says no"_s;
        m_bed->sandbox().injectOutboundFault(fault);

        const auto result = dial();
        QCOMPARE(result.ok(), succeeds);
        if (!succeeds) {
            QCOMPARE(result.error().kindName(), errorKind);
            QCOMPARE(result.error().attempts, expectedRequests);
            if (errorKind == u"http"_s) {
                QCOMPARE(result.error().httpStatus, httpStatus);
                QCOMPARE(result.error().callFailureReason(),
                         u"api_error: %1 sandbox says no"_s.arg(httpStatus));
            }
            if (errorKind == u"rejected"_s)
                QCOMPARE(result.error().callFailureReason(), u"sandbox says no"_s);
            if (errorKind == u"timeout"_s)
                QCOMPARE(result.error().callFailureReason(), u"timeout"_s);
        }
        QCOMPARE(requestsTo(m_bed->sandbox(), u"outbound-call"_s).size(), expectedRequests);
    }

    void missingKeyIs401()
    {
        ClientOptions options = m_bed->client().options();
        options.apiKey.clear();
        ElevenLabsClient keyless(options);
        std::optional<ApiResult<OutboundCallResponse>> result;
        keyless.startOutboundCall(Provider::Twilio, outbound(), this,
                                  [&](const auto &r) { result = r; });
        QVERIFY(wait(result));
        QVERIFY(!result->ok());
        QCOMPARE(result->error().httpStatus, 401);
        QVERIFY(result->error().message.contains(u"xi-api-key"_s));
        QCOMPARE(m_bed->sandbox().received().size(), 1); // 401 is not retried
        QVERIFY(!m_bed->sandbox().received().first().hadApiKey);
    }

    void sandboxValidatesLikeTheApi_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("firstLocation");
        QTest::newRow("no agent_id")
            << QByteArray(R"({"agent_phone_number_id":"p","to_number":"+13125550111"})")
            << u"body.agent_id"_s;
        QTest::newRow("to_number is a number")
            << QByteArray(R"({"agent_id":"a","agent_phone_number_id":"p","to_number":13125550111})")
            << u"body.to_number"_s;
        QTest::newRow("dynamic variable is an object")
            << QByteArray(
                   R"({"agent_id":"a","agent_phone_number_id":"p","to_number":"+1312555",)"
                   R"("conversation_initiation_client_data":{"dynamic_variables":{"x":{}}}})")
            << u"body.conversation_initiation_client_data.dynamic_variables.x"_s;
        QTest::newRow("not JSON") << QByteArray("{") << u"body"_s;
    }
    void sandboxValidatesLikeTheApi()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, firstLocation);
        QNetworkAccessManager network;
        QNetworkRequest request(
            m_bed->sandbox().baseUrl().resolved(QUrl(u"/v1/convai/twilio/outbound-call"_s)));
        request.setRawHeader("xi-api-key", test::ApiKey);
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json"_ba);
        QNetworkReply *reply = network.post(request, body);
        QVERIFY(QTest::qWaitFor([&] { return reply->isFinished(); }, 5000));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 422);
        const QByteArray answer = reply->readAll();
        const QJsonArray detail =
            QJsonDocument::fromJson(answer).object().value("detail"_L1).toArray();
        QVERIFY(!detail.isEmpty());
        QStringList location;
        for (const QJsonValue &part : detail.first().toObject().value("loc"_L1).toArray())
            location.append(part.toString());
        QCOMPARE(location.join(u'.'), firstLocation);
        QVERIFY(wire::errorDetail(answer).startsWith(firstLocation + u": "_s));
        delete reply;
    }

    void conversationsAreListedWithCursors()
    {
        QStringList dialled;
        for (int i = 0; i < 5; ++i) {
            const auto result = dial();
            QVERIFY(result.ok());
            dialled.append(result->conversationId);
        }
        QSet<QString> listed;
        QString cursor;
        int pages = 0;
        for (;;) {
            ConversationQuery query;
            query.agentId = QString::fromLatin1(test::AgentId);
            query.pageSize = 2;
            query.cursor = cursor;
            std::optional<ApiResult<ConversationPage>> page;
            m_bed->client().listConversations(query, this, [&](const auto &r) { page = r; });
            QVERIFY(wait(page));
            QVERIFY(page->ok());
            ++pages;
            for (const ConversationSummary &summary : (*page)->conversations)
                listed.insert(summary.conversationId);
            if (!(*page)->hasMore)
                break;
            cursor = (*page)->nextCursor;
            QVERIFY(pages < 10);
        }
        QCOMPARE(pages, 3);
        QCOMPARE(listed, QSet<QString>(dialled.begin(), dialled.end()));
        // The query carries the documented parameter names.
        const auto lists = requestsTo(m_bed->sandbox(), u"/v1/convai/conversations"_s);
        QVERIFY(lists.last().query.contains(u"agent_id="_s));
        QVERIFY(lists.last().query.contains(u"page_size=2"_s));
        QVERIFY(lists.last().query.contains(u"cursor="_s));

        std::optional<ApiResult<Conversation>> one;
        m_bed->client().getConversation(dialled.first(), this, [&](const auto &r) { one = r; });
        QVERIFY(wait(one));
        QVERIFY(one->ok());
        QCOMPARE((*one)->conversationId, dialled.first());
        QCOMPARE((*one)->status, u"initiated"_s);

        std::optional<ApiResult<Conversation>> missing;
        m_bed->client().getConversation(u"conv_nope"_s, this, [&](const auto &r) { missing = r; });
        QVERIFY(wait(missing));
        QCOMPARE(missing->error().httpStatus, 404);
        QCOMPARE(missing->error().attempts, 1);
    }

    void contextGoneMeansNoCallback()
    {
        bool called = false;
        auto *context = new QObject;
        m_bed->client().startOutboundCall(Provider::Twilio, outbound(), context,
                                          [&](const auto &) { called = true; });
        delete context;
        (void)QTest::qWaitFor([&] { return m_bed->client().pendingRequests() == 0; }, 5000);
        QCOMPARE(m_bed->client().pendingRequests(), 0);
        QVERIFY(!called);
    }
};

QTEST_GUILESS_MAIN(TestElevenLabsClient)
#include "tst_elevenlabsclient.moc"
