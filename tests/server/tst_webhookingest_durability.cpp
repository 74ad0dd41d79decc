// SPDX-License-Identifier: GPL-3.0-or-later
// Redeliveries and database failures on the webhook path: duplicates (one after the other or all
// at once) change nothing, a refused write stores nothing and succeeds on retry, and the writer
// survives PostgreSQL dropping its connection.
// A real server::Backend on 127.0.0.1, on SQLite and PostgreSQL (CALLWATCH_TEST_POSTGRES_URL).
#include "servertestharness.h"

#include "webhooks/samplepayloads.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QMap>
#include <QSqlQuery>
#include <QTest>

#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace callwatch;
using namespace callwatch::server::test;
namespace samples = callwatch::webhooks::samples;

class TestWebhookIngestDurability : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QLoggingCategory::setFilterRules(u"callwatch.*.info=false"_s); }

    // A redelivered post-call changes nothing: no second call, turns or events.
    void redeliveredPostCallChangesNothing_data() { addDialectRows({"redelivery"}); }
    void redeliveredPostCallChangesNothing()
    {
        BackendHarness h;
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

    // Ten identical deliveries at once on ten connections: one set of rows, all answered 200.
    void concurrentDuplicates_data() { addDialectRows({"10x"}); }
    void concurrentDuplicates()
    {
        BackendHarness h;
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

    // The database refuses the write: 503 (ElevenLabs retries), nothing half-stored, the
    // delivery kept as failed; once the database is back the retry succeeds.
    void databaseRefusesWrite_data() { addDialectRows({"table_gone"}); }
    void databaseRefusesWrite()
    {
        BackendHarness h;
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
        BackendHarness h;
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

QTEST_GUILESS_MAIN(TestWebhookIngestDurability)
#include "tst_webhookingest_durability.moc"
