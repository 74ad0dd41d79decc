// SPDX-License-Identifier: GPL-3.0-or-later
// What the webhook path refuses: bad, expired or missing signatures, a missing secret, a rotated
// secret, a fixed HMAC computed outside this code base, and authentic but unusable payloads.
// A real server::Backend on 127.0.0.1, on SQLite and PostgreSQL (CALLWATCH_TEST_POSTGRES_URL).
#include "servertestharness.h"

#include "http/httpserver.h"
#include "webhooks/ingestwriter.h"
#include "webhooks/samplepayloads.h"
#include "webhooks/signatureverifier.h"
#include "webhooks/webhookservice.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QLoggingCategory>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace Qt::StringLiterals;
using namespace callwatch;
using namespace callwatch::server::test;
namespace samples = callwatch::webhooks::samples;

namespace {

/// A WebhookService on its own writer and a bare HttpServer (not a Backend), for tests that
/// set its options (clock, queue bounds) or hold its writer back.
struct ServiceOnPort
{
    TestDatabase db;
    QTemporaryDir audio;
    std::unique_ptr<webhooks::IngestWriter> writer;
    std::unique_ptr<webhooks::WebhookService> service;
    http::HttpServer server;

    /// Starts the writer too unless `holdWriter`; false when the database or port failed.
    bool start(webhooks::WebhookService::Options options, bool holdWriter = false)
    {
        if (db.createMigrated(u"sqlite"_s) != TestDatabase::Status::Ready)
            return false;
        writer = std::make_unique<webhooks::IngestWriter>(&db.database());
        if (!holdWriter)
            writer->start();
        options.audioDirectory = audio.path();
        service = std::make_unique<webhooks::WebhookService>(writer.get(), options);
        webhooks::WebhookService *target = service.get();
        server.routeAsync(
            "POST", QString::fromLatin1(PostCallPath),
            [target](const http::HttpRequest &request, http::HttpResponder responder) {
                target->handlePostCall(request, std::move(responder));
            },
            service->postCallRoute());
        return server.listen(QHostAddress::LocalHost, 0);
    }
};

} // namespace

class TestWebhookIngestRejections : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QLoggingCategory::setFilterRules(u"callwatch.*.info=false"_s); }

    // Refused by the HTTP layer before the body was read (too large, broken framing): still
    // answered with a JSON error, and still a delivery in the inbox, with its headers.
    void refusedBeforeReadIsRecorded_data()
    {
        addDialectRows({"post_call_over_64MiB", "turn_over_256KiB", "turn_broken_chunks"});
    }
    void refusedBeforeReadIsRecorded()
    {
        BackendHarness h;
        CW_START(h);
        QFETCH(QString, name);
        const bool turnRoute = name.startsWith(u"turn_"_s);
        QByteArray head = "POST /webhooks/elevenlabs/"_ba +
                          (turnRoute ? "transcription" : "post-call") +
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                          "ElevenLabs-Signature: t=1700000000,v0=00\r\n";
        QByteArray rest;
        int status = 413;
        QString code = u"payload_too_large"_s;
        if (name == u"post_call_over_64MiB"_s) {
            head += "Content-Length: 70000000\r\n";
        } else if (name == u"turn_over_256KiB"_s) {
            head += "Content-Length: 300000\r\n";
        } else {
            head += "Transfer-Encoding: chunked\r\n";
            rest = "5\r\n{\"a\":\r\nzz\r\n";
            status = 400;
            code = QString();
        }
        RawClient client(h.port());
        QVERIFY(client.waitConnected());
        client.send(head + "\r\n" + rest);
        const auto reply = client.reply(10000);
        QVERIFY(reply);
        QCOMPARE(reply->status, status);
        const QString answered = reply->errorCode();
        QVERIFY(!answered.isEmpty());
        if (!code.isEmpty())
            QCOMPARE(answered, code);

        // Recorded after the answer went out: wait for the writer.
        QTRY_COMPARE(count(h.sql(), u"SELECT COUNT(*) FROM webhook_deliveries"_s), 1);
        const store::DeliveryRecord delivery = h.lastDelivery();
        QCOMPARE(delivery.route, turnRoute ? u"transcription"_s : u"post-call"_s);
        QCOMPARE(delivery.eventType, turnRoute ? u"transcription_turn"_s : QString());
        QCOMPARE(delivery.outcome, u"rejected"_s);
        QCOMPARE(delivery.httpStatus, status);
        QCOMPARE(delivery.errorCode, answered);
        QCOMPARE(delivery.verification, u"not_checked"_s);
        QCOMPARE(delivery.signatureHeader, u"t=1700000000,v0=00"_s);
        QVERIFY(delivery.body.isEmpty());
        if (status == 413) {
            const qint64 announced = name == u"post_call_over_64MiB"_s ? 70000000 : 300000;
            QCOMPARE(delivery.headers.value(u"content-length"_s).toString(),
                     QString::number(announced));
            QCOMPARE(delivery.bodySize, announced); // what was sent, not the 0 bytes read
        }
        QCOMPARE(count(h.sql(), u"SELECT COUNT(*) FROM calls"_s), 0);
    }

    // Refused signatures: 401 JSON, recorded with their verification code, nothing applied.
    void signatureRefused_data()
    {
        addDialectRows({"missing_header", "wrong_secret", "tampered_body", "expired",
                        "turn_wrong_secret", "malformed", "from_future"});
    }
    void signatureRefused()
    {
        BackendHarness h;
        CW_START(h);
        QFETCH(QString, name);
        const bool turnRoute = name.startsWith(u"turn_"_s);
        QByteArray body =
            turnRoute ? samples::transcriptionTurn(u"cw_sig"_s, u"agent"_s, u"Hi"_s, 1, u"s1"_s)
                      : fixture(u"post_call_transcription_long_with_tools.json"_s);
        const QByteArray secret = turnRoute ? TurnSecret : PostCallSecret;
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
        BackendHarness h;
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
        BackendHarness h;
        CW_START(h, {{u"webhook-secret"_s, u"wsec_rotation_old, wsec_rotation_new"_s}});
        const qint64 start = QDateTime::currentSecsSinceEpoch() - 3600;
        const QByteArray first = samples::postCallTranscription(samples::sampleCall(1, start));
        const QByteArray second = samples::postCallTranscription(samples::sampleCall(2, start));
        const QByteArray third = samples::postCallTranscription(samples::sampleCall(3, start));
        QCOMPARE(post(h.port(), PostCallPath, first, sign(first, "wsec_rotation_old")).status, 200);
        QCOMPARE(post(h.port(), PostCallPath, second, sign(second, "wsec_rotation_new")).status,
                 200);
        QCOMPARE(post(h.port(), PostCallPath, third, sign(third, PostCallSecret)).status, 401);
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

        ServiceOnPort onPort;
        webhooks::WebhookService::Options options;
        options.postCallSecrets = {secret};
        options.clock = [t, age] { return t + age; };
        QVERIFY(onPort.start(options));

        const Reply reply = post(onPort.server.port(), PostCallPath, body, header);
        QCOMPARE(reply.status, status);
        auto call =
            store::CallRepository(onPort.db.connection()).findByCallSid(u"cw_fixed_triple"_s);
        QVERIFY(call);
        QCOMPARE(call.value().has_value(), status == 200);
        if (status != 200)
            QCOMPARE(reply.errorCode(), u"expired"_s);
        else
            QCOMPARE(call.value()->conversationId, u"conv_fixed_triple"_s);
    }

    // Large audio is verified on a worker, maybe long after it arrived (other audio ahead of
    // it): the signature's age counts from arrival. Here the worker's clock call takes 4 s
    // (the backlog) and the signature had 2 s left when the request came in.
    void queuedAudioIsCheckedAtArrival()
    {
        const QByteArray secret = "wsec_queued_audio";
        const qint64 arrival = QDateTime::currentSecsSinceEpoch();
        const qint64 signedAt = arrival - webhooks::SignatureVerifier::MaxAgeSecs + 2;
        samples::SampleCall call = samples::sampleCall(3, signedAt);
        const QByteArray body = samples::postCallAudio(call, samples::silentMp3(12000));
        QVERIFY(body.size() > 4 * 1024 * 1024); // spooled, so decoded on the worker
        const QByteArray header = webhooks::SignatureVerifier::sign(secret, signedAt, body);

        ServiceOnPort onPort;
        webhooks::WebhookService::Options options;
        options.postCallSecrets = {secret};
        QThread *httpThread = QThread::currentThread();
        options.clock = [httpThread] {
            if (QThread::currentThread() != httpThread)
                QThread::sleep(4); // the worker reaches this delivery 4 s after it arrived
            return QDateTime::currentSecsSinceEpoch();
        };
        QVERIFY(onPort.start(options));

        const Reply reply = post(onPort.server.port(), PostCallPath, body, header);

        QCOMPARE(reply.status, 200);
        QVERIFY(QFile::exists(QDir(onPort.audio.path()).filePath(call.conversationId + u".mp3"_s)));
    }

    // Bodies waiting for the writer are bounded: past the limit a delivery gets 503
    // server_busy at once (ElevenLabs retries) and is recorded without its body; once the
    // writer has caught up the same delivery is taken again. Spooled audio waiting for its
    // decoder likewise.
    void busyWhenTheQueueIsFull()
    {
        const QByteArray secret = "wsec_busy";
        ServiceOnPort onPort;
        webhooks::WebhookService::Options options;
        options.postCallSecrets = {secret};
        const QByteArray first = fixture(u"post_call_transcription_long_with_tools.json"_s);
        options.maxQueuedBodyBytes = first.size() + 1000; // room for one of them
        options.maxQueuedAudio = 0;
        QVERIFY(onPort.start(options, true)); // the writer held back: nothing is written yet
        const auto send = [&](RawClient &client, const QByteArray &body) {
            QVERIFY(client.waitConnected());
            client.send("POST "_ba + PostCallPath +
                        " HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
                        "Content-Length: " +
                        QByteArray::number(body.size()) + "\r\nElevenLabs-Signature: " +
                        webhooks::SignatureVerifier::sign(
                            secret, QDateTime::currentSecsSinceEpoch(), body) +
                        "\r\n\r\n" + body);
        };

        RawClient queued(onPort.server.port());
        send(queued, first); // waits for the writer
        RawClient refused(onPort.server.port());
        send(refused, first);
        const auto busy = refused.reply(10000);
        QVERIFY(busy);
        QCOMPARE(busy->status, 503);
        QCOMPARE(busy->errorCode(), u"server_busy"_s);
        RawClient audioClient(onPort.server.port());
        send(audioClient,
             samples::postCallAudio(samples::sampleCall(4, QDateTime::currentSecsSinceEpoch()),
                                    samples::silentMp3(12000)));
        const auto audioBusy = audioClient.reply(10000);
        QVERIFY(audioBusy);
        QCOMPARE(audioBusy->status, 503);
        QCOMPARE(audioBusy->errorCode(), u"server_busy"_s);

        onPort.writer->start();
        const auto stored = queued.reply(10000);
        QVERIFY(stored);
        QCOMPARE(stored->status, 200);
        RawClient again(onPort.server.port());
        send(again, first);
        const auto retried = again.reply(10000);
        QVERIFY(retried);
        QCOMPARE(retried->status, 200); // a duplicate of the first: taken, not refused
        onPort.writer->stop();

        QSqlQuery rows(onPort.db.connection());
        QVERIFY(rows.exec(u"SELECT outcome, http_status, error_code, body IS NULL "
                          "FROM webhook_deliveries ORDER BY id"_s));
        QStringList seen;
        while (rows.next())
            seen << rows.value(0).toString() + u' ' + rows.value(1).toString() + u' ' +
                        rows.value(2).toString() + u' ' + rows.value(3).toString();
        seen.sort();
        QCOMPARE(seen,
                 (QStringList{u"duplicate 200  0"_s, u"processed 200  0"_s,
                              u"rejected 503 server_busy 1"_s, u"rejected 503 server_busy 1"_s}));
    }

    // While the writer is behind (queue over half full), a delivery with a bad signature is
    // recorded without its body (size and hash kept), so unsigned junk cannot crowd genuine
    // deliveries out; with room, its body is kept for the inspector.
    void unsignedBodiesShedWhileBehind()
    {
        ServiceOnPort onPort;
        webhooks::WebhookService::Options options;
        options.postCallSecrets = {"wsec_shed"};
        const QByteArray body = fixture(u"post_call_transcription_long_with_tools.json"_s);
        options.maxQueuedBodyBytes = body.size() * 3; // half: one and a half bodies
        QVERIFY(onPort.start(options, true));
        const auto sendUnsigned = [&](RawClient &client) {
            QVERIFY(client.waitConnected());
            client.send("POST "_ba + PostCallPath + " HTTP/1.1\r\nHost: h\r\nContent-Length: " +
                        QByteArray::number(body.size()) +
                        "\r\nElevenLabs-Signature: t=1,v0=00\r\n\r\n" + body);
        };
        RawClient first(onPort.server.port());
        sendUnsigned(first); // queue empty: kept whole
        QTRY_VERIFY(onPort.writer->queued() == 1);
        RawClient second(onPort.server.port());
        sendUnsigned(second); // 2 bodies would pass half the bound: shed
        QTRY_VERIFY(onPort.writer->queued() == 2);
        onPort.writer->start();
        QVERIFY(first.reply(10000));
        QVERIFY(second.reply(10000));
        onPort.writer->stop();

        QSqlQuery rows(onPort.db.connection());
        QVERIFY(rows.exec(u"SELECT length(body), body_size, body_sha256 IS NOT NULL "
                          "FROM webhook_deliveries ORDER BY id"_s));
        QVERIFY(rows.next());
        QCOMPARE(rows.value(0).toLongLong(), body.size());
        QVERIFY(rows.next());
        QVERIFY(rows.value(0).isNull());
        QCOMPARE(rows.value(1).toLongLong(), body.size());
        QVERIFY(rows.value(2).toBool());
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
        BackendHarness h;
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
};

QTEST_GUILESS_MAIN(TestWebhookIngestRejections)
#include "tst_webhookingest_rejections.moc"
