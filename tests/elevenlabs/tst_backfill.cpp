// SPDX-License-Identifier: GPL-3.0-or-later
// The backfill: the sandbox drops post-call webhooks, the backfill fetches the conversations
// from the API and stores them through the webhook's code path; a second run changes nothing.
#include "testbed.h"

#include "elevenlabs/sandboxconversation.h"
#include "store/callrepository.h"
#include "store/database.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch;
using namespace callwatch::elevenlabs;

class TestBackfill : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<test::Testbed> m_bed;

    static BackfillOptions options(int minAgeMinutes = 0)
    {
        BackfillOptions options;
        options.agentId = QString::fromLatin1(test::AgentId);
        options.minAgeMinutes = minAgeMinutes;
        return options;
    }

    qint64 events() { return m_bed->count(u"SELECT COUNT(*) FROM events"_s); }

    /** Launches a call whose post-call webhook the sandbox drops; waits until it has ended. */
    store::CallRecord launchDropped(const QString &driverId)
    {
        m_bed->sandbox().dropNextPostCalls(1);
        auto call = m_bed->launch(test::Testbed::request(driverId));
        if (!call)
            return {};
        (void)QTest::qWaitFor(
            [&] {
                const auto *conversation = m_bed->sandbox().conversation(call->conversationId);
                return conversation && conversation->status() == u"done"_s;
            },
            20000);
        (void)m_bed->waitForSandboxIdle();
        return call.value();
    }

private Q_SLOTS:
    void init()
    {
        m_bed = std::make_unique<test::Testbed>();
        QVERIFY2(m_bed->start(), qPrintable(m_bed->message()));
    }
    void cleanup() { m_bed.reset(); }

    void droppedWebhookIsFilledOnce()
    {
        const store::CallRecord call = launchDropped(u"drv_7007"_s);
        QVERIFY(!call.callSid.isEmpty());
        QCOMPARE(m_bed->sandbox().stats().postCallsDropped, 1);
        QCOMPARE(m_bed->call(call.callSid)->status, u"in_progress"_s); // turns, no completion

        // Too young for the default age limit: left to its webhook.
        auto young = m_bed->backfill(options(10));
        QVERIFY(young);
        QCOMPARE(young->filled, 0);
        QCOMPARE(young->notReady, 1);
        QCOMPARE(m_bed->call(call.callSid)->status, u"in_progress"_s);

        auto first = m_bed->backfill(options());
        QVERIFY(first);
        QCOMPARE(first->errors, 0);
        QCOMPARE(first->filled, 1);
        QCOMPARE(first->newCalls, 0);
        const auto filled = m_bed->call(call.callSid);
        QCOMPARE(filled->status, u"completed"_s);
        QVERIFY(!filled->transcriptSummary.isEmpty());
        QVERIFY(filled->callDurationSeconds.has_value());
        QCOMPARE(m_bed->count(u"SELECT COUNT(*) FROM webhook_deliveries WHERE route = 'backfill' "
                              u"AND outcome = 'processed'"_s),
                 1);
        QVERIFY(m_bed->count(u"SELECT COUNT(*) FROM call_transcriptions WHERE source = "
                             u"'post_call'"_s) > 0);

        const qint64 eventsBefore = events();
        const qint64 deliveriesBefore = m_bed->count(u"SELECT COUNT(*) FROM webhook_deliveries"_s);
        auto second = m_bed->backfill(options());
        QVERIFY(second);
        QCOMPARE(second->filled, 0);
        QCOMPARE(second->newCalls, 0);
        QCOMPARE(second->alreadyComplete, 1);
        QCOMPARE(events(), eventsBefore);
        QCOMPARE(m_bed->count(u"SELECT COUNT(*) FROM webhook_deliveries"_s), deliveriesBefore);
        QCOMPARE(m_bed->count(u"SELECT COUNT(*) FROM calls"_s), 1);
    }

    void sameConversationAgainIsADuplicate()
    {
        const store::CallRecord call = launchDropped(u"drv_7100"_s);
        QCOMPARE(m_bed->backfill(options())->filled, 1);
        // Make the call look stuck again: the next run fetches the same conversation, and its
        // event_timestamp (start + duration) gives the same dedup key, so nothing is stored.
        store::CallRepository calls(m_bed->database()->connection());
        QVERIFY(calls.changeStatus(call.id, u"in_progress"_s).ok());
        const qint64 eventsBefore = events();
        auto again = m_bed->backfill(options());
        QVERIFY(again);
        QCOMPARE(again->filled, 0);
        QCOMPARE(again->alreadyComplete, 1);
        QCOMPARE(events(), eventsBefore);
        QCOMPARE(m_bed->count(u"SELECT COUNT(*) FROM webhook_deliveries WHERE route = 'backfill' "
                              u"AND outcome = 'duplicate'"_s),
                 1);
    }

    void unknownConversationBecomesANewCall()
    {
        // A conversation Callwatch never heard of: dialled elsewhere, its webhook lost.
        m_bed->sandbox().dropNextPostCalls(1);
        OutboundCallRequest request;
        request.agentId = QString::fromLatin1(test::AgentId);
        request.agentPhoneNumberId = QString::fromLatin1(test::PhoneNumberId);
        request.toNumber = u"+13125550777"_s;
        std::optional<ApiResult<OutboundCallResponse>> answer;
        m_bed->client().startOutboundCall(Provider::Twilio, request, this,
                                          [&](const auto &r) { answer = r; });
        QVERIFY(QTest::qWaitFor([&] { return answer.has_value(); }, 5000));
        QVERIFY(answer->ok());
        QVERIFY(m_bed->waitForSandboxIdle());
        QCOMPARE(m_bed->count(u"SELECT COUNT(*) FROM calls"_s), 0); // its turns found no call

        auto report = m_bed->backfill(options());
        QVERIFY(report);
        QCOMPARE(report->newCalls, 1);
        QCOMPARE(report->filled, 0);
        QCOMPARE(m_bed->count(u"SELECT COUNT(*) FROM calls WHERE status = 'completed' AND "
                              u"conversation_id = '%1'"_s.arg((*answer)->conversationId)),
                 1);
        auto again = m_bed->backfill(options());
        QCOMPARE(again->newCalls, 0);
        QCOMPARE(again->alreadyComplete, 1);
    }

    void crashedCallIsFoundThroughItsCallSid()
    {
        // The row exists, the API answered, the answer was never stored, the webhook was lost.
        m_bed->sandbox().dropNextPostCalls(1);
        CallLauncher &launcher = m_bed->launcher();
        auto resolved = test::Testbed::request(u"drv_8008"_s).resolved(launcher.defaults());
        auto call = launcher.prepare(resolved.value());
        QVERIFY(call.ok());
        std::optional<ApiResult<OutboundCallResponse>> answer;
        m_bed->client().startOutboundCall(
            Provider::Twilio, CallLauncher::outboundRequest(call.value(), resolved.value()), this,
            [&](const auto &r) { answer = r; });
        QVERIFY(QTest::qWaitFor([&] { return answer.has_value(); }, 5000));
        QVERIFY(m_bed->waitForSandboxIdle());
        QVERIFY(m_bed->call(call->callSid)->conversationId.isEmpty());

        auto report = m_bed->backfill(options());
        QVERIFY(report);
        QCOMPARE(report->filled, 1);
        QCOMPARE(report->newCalls, 0);
        const auto done = m_bed->call(call->callSid);
        QCOMPARE(done->status, u"completed"_s);
        QCOMPARE(done->conversationId, (*answer)->conversationId);
        QCOMPARE(m_bed->count(u"SELECT COUNT(*) FROM calls"_s), 1);
    }
};

QTEST_GUILESS_MAIN(TestBackfill)
#include "tst_backfill.moc"
