// SPDX-License-Identifier: GPL-3.0-or-later
// A batch of 100 recipients through the launcher, the batch API of the sandbox, the reconciler
// and the webhooks: 100 calls with distinct call_sids, every one completed or failed.
#include "testbed.h"

#include "store/callrepository.h"
#include "store/database.h"

#include <QJsonArray>
#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch;
using namespace callwatch::elevenlabs;

class TestBatchCalls : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<test::Testbed> m_bed;

    Result<BatchLaunchResult> launch(const BatchLaunchRequest &request)
    {
        std::optional<Result<BatchLaunchResult>> outcome;
        m_bed->launcher().launchBatch(request, this,
                                      [&](const Result<BatchLaunchResult> &r) { outcome = r; });
        if (!QTest::qWaitFor([&] { return outcome.has_value(); }, 15000))
            return Error{u"test_timeout"_s, u"no answer"_s};
        return *outcome;
    }

    static BatchLaunchRequest request(int recipients)
    {
        BatchLaunchRequest request;
        request.callName = u"Weekly safety follow-ups"_s;
        for (int i = 0; i < recipients; ++i) {
            // A few drivers twice: their call_sids must still differ.
            const int driver = i % 97;
            request.recipients.append(BatchLaunchRecipient{u"+1312555%1"_s.arg(1000 + i),
                                                           u"drv_%1"_s.arg(driver),
                                                           QJsonObject{{u"recipient_index"_s, i}}});
        }
        return request;
    }

private Q_SLOTS:
    void cleanup() { m_bed.reset(); }

    void hundredRecipientsAllFinish()
    {
        test::TestbedOptions options = test::Testbed::fastOptions();
        options.sandbox.failureRate = 0.15;
        options.sandbox.batchConcurrency = 25;
        options.sandbox.ringMs = 300; // well above the 50 ms poll: ids are mapped before failures
        m_bed = std::make_unique<test::Testbed>();
        QVERIFY2(m_bed->start(options), qPrintable(m_bed->message()));

        auto batch = launch(request(100));
        QVERIFY2(batch.ok(), qPrintable(batch.error().message));
        QVERIFY(batch->failureReason.isEmpty());
        QVERIFY(batch->elevenLabsBatchId.startsWith(u"btcal_"_s));
        QCOMPARE(batch->calls.size(), 100);
        QSet<QString> sids;
        for (const store::CallRecord &call : batch->calls) {
            sids.insert(call.callSid);
            QCOMPARE(call.batchId, batch->batchId);
            QCOMPARE(call.status, u"initiating"_s);
        }
        QCOMPARE(sids.size(), 100);
        QVERIFY(m_bed->launcher().reconciler()->isTracking(batch->elevenLabsBatchId));

        // The submitted recipients are keyed by call_sid and carry it as a dynamic variable.
        const RecordedRequest submit = m_bed->sandbox().received().first();
        const QJsonArray recipients = submit.body.value("recipients"_L1).toArray();
        QCOMPARE(recipients.size(), 100);
        for (const QJsonValue &value : recipients) {
            const QJsonObject recipient = value.toObject();
            QVERIFY(sids.contains(recipient.value("id"_L1).toString()));
            QCOMPARE(recipient.value("conversation_initiation_client_data"_L1)
                         .toObject()
                         .value("dynamic_variables"_L1)
                         .toObject()
                         .value("call_sid"_L1)
                         .toString(),
                     recipient.value("id"_L1).toString());
        }

        const QString unfinished =
            u"SELECT COUNT(*) FROM calls WHERE status NOT IN ('completed', 'failed')"_s;
        QVERIFY2(QTest::qWaitFor([&] { return m_bed->count(unfinished) == 0; }, 90000),
                 qPrintable(u"%1 calls unfinished"_s.arg(m_bed->count(unfinished))));
        QVERIFY(m_bed->waitForSandboxIdle());
        QCOMPARE(m_bed->count(u"SELECT COUNT(*) FROM calls"_s), 100); // no stray rows
        QCOMPARE(m_bed->count(u"SELECT COUNT(DISTINCT conversation_id) FROM calls"_s), 100);
        const qint64 failed = m_bed->count(u"SELECT COUNT(*) FROM calls WHERE status = 'failed'"_s);
        QCOMPARE(failed, qint64(m_bed->sandbox().stats().initiationFailures));
        QVERIFY(failed > 0 && failed < 50); // about 15%
        QCOMPARE(m_bed->count(u"SELECT COUNT(*) FROM calls WHERE status = 'failed' AND "
                              u"failure_reason NOT IN ('busy', 'no-answer')"_s),
                 0);
        QVERIFY(QTest::qWaitFor([&] { return m_bed->launcher().reconciler()->trackedCount() == 0; },
                                10000));
    }

    void failedSubmitFailsEveryCall()
    {
        m_bed = std::make_unique<test::Testbed>();
        QVERIFY2(m_bed->start(), qPrintable(m_bed->message()));
        ClientOptions options = m_bed->client().options();
        options.apiKey = u"wrong-key"_s;
        ElevenLabsClient wrongKey(options);
        CallLauncher launcher(m_bed->database(), &wrongKey, m_bed->launcher().defaults());
        std::optional<Result<BatchLaunchResult>> outcome;
        launcher.launchBatch(request(3), this,
                             [&](const Result<BatchLaunchResult> &r) { outcome = r; });
        QVERIFY(QTest::qWaitFor([&] { return outcome.has_value(); }, 10000));
        QVERIFY(outcome->ok());
        QCOMPARE((*outcome)->status, u"failed"_s);
        QVERIFY((*outcome)->failureReason.startsWith(u"api_error: 401"_s));
        QCOMPARE(m_bed->count(u"SELECT COUNT(*) FROM calls WHERE status = 'failed'"_s), 3);
        for (const store::CallRecord &call : (*outcome)->calls)
            QCOMPARE(call.status, u"failed"_s);
    }

    void reconcilerMapsRecipientStatuses()
    {
        m_bed = std::make_unique<test::Testbed>();
        QVERIFY2(m_bed->start(), qPrintable(m_bed->message()));
        store::CallRepository calls(m_bed->database()->connection());
        QStringList sids;
        for (int i = 0; i < 4; ++i) {
            store::NewCall call;
            call.callSid = u"EL_map_%1"_s.arg(i);
            call.driverId = u"map"_s;
            QVERIFY(calls.createCall(call).ok());
            sids << call.callSid;
        }
        BatchJob job;
        job.id = u"btcal_manual"_s;
        job.status = u"in_progress"_s;
        job.recipients = {
            BatchRecipientStatus{sids[0], u"+1"_s, u"initiated"_s, u"conv_map_0"_s},
            BatchRecipientStatus{sids[1], u"+1"_s, u"cancelled"_s, QString()},
            BatchRecipientStatus{sids[2], u"+1"_s, u"voicemail"_s, u"conv_map_2"_s},
            BatchRecipientStatus{sids[3], u"+1"_s, u"pending"_s, QString()},
        };
        QCOMPARE(m_bed->launcher().reconciler()->apply(job), 4);
        QCOMPARE(m_bed->call(sids[0])->status, u"in_progress"_s);
        QCOMPARE(m_bed->call(sids[0])->conversationId, u"conv_map_0"_s);
        QCOMPARE(m_bed->call(sids[1])->status, u"failed"_s);
        QCOMPARE(m_bed->call(sids[1])->failureReason, u"batch_recipient_cancelled"_s);
        QCOMPARE(m_bed->call(sids[2])->status, u"initiating"_s); // the webhook completes it
        QCOMPARE(m_bed->call(sids[2])->conversationId, u"conv_map_2"_s);
        QCOMPARE(m_bed->call(sids[3])->status, u"initiating"_s);
        // The same snapshot again changes nothing.
        QCOMPARE(m_bed->launcher().reconciler()->apply(job), 0);
    }
};

QTEST_GUILESS_MAIN(TestBatchCalls)
#include "tst_batchcalls.moc"
