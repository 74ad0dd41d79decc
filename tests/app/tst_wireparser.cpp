// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/tokeninfo.h"
#include "app/wireparser.h"

#include <QFile>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch::app;

class TestWireParser : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void callDetailFromFixture()
    {
        QFile file(QStringLiteral(CALLWATCH_TEST_DATA_DIR "/call_detail_completed.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        auto detail = WireParser::callDetail(file.readAll());
        QVERIFY2(detail.ok(), qPrintable(detail.error().message));
        const CallRecord &call = detail->call;
        QCOMPARE(call.callSid, u"EL_1042_1760000000000"_s);
        QCOMPARE(call.driverId, u"DRV-1042"_s);
        QCOMPARE(call.status, u"completed"_s);
        QVERIFY(call.failureReason.isEmpty());
        QCOMPARE(call.createdAt, QDateTime(QDate(2025, 3, 4), QTime(9, 12, 3, 120), Qt::UTC));
        QCOMPARE(call.startedAt, QDateTime(QDate(2025, 3, 4), QTime(9, 12, 9), Qt::UTC));
        QCOMPARE(call.durationSeconds, std::optional<qint64>(192));
        QCOMPARE(call.cost, std::optional<double>(874));
        QCOMPARE(call.callSuccessful, u"success"_s);
        QVERIFY(call.hasAudio);
        QCOMPARE(call.analysis.evaluation.size(), 2);
        // QJsonObject iterates keys sorted.
        QCOMPARE(call.analysis.evaluation.at(0).id, u"commitment_obtained"_s);
        QCOMPARE(call.analysis.evaluation.at(0).result, u"failure"_s);
        QCOMPARE(call.analysis.dataCollection.size(), 4);

        QCOMPARE(detail->transcript.size(), 3);
        QCOMPARE(detail->transcript.at(1).speaker, u"user"_s);
        QCOMPARE(detail->transcript.at(1).source, u"post_call"_s);
        QCOMPARE(detail->transcript.at(2).message, QString());
        QCOMPARE(detail->transcript.at(2).toolNames, QStringList{u"lookup_violation"_s});
    }

    void dataCollectionValues_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("shown");
        QTest::addColumn<bool>("isNull");
        QTest::newRow("string") << QByteArray("\"speeding\"") << u"speeding"_s << false;
        QTest::newRow("integer") << QByteArray("9") << u"9"_s << false;
        QTest::newRow("fraction") << QByteArray("9.5") << u"9.5"_s << false;
        QTest::newRow("true") << QByteArray("true") << u"yes"_s << false;
        QTest::newRow("false") << QByteArray("false") << u"no"_s << false;
        QTest::newRow("null") << QByteArray("null") << QString() << true;
        QTest::newRow("object") << QByteArray("{\"a\":1}") << u"{\"a\":1}"_s << false;
        QTest::newRow("array") << QByteArray("[1,\"x\"]") << u"[1,\"x\"]"_s << false;
    }

    void dataCollectionValues()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, shown);
        QFETCH(bool, isNull);
        const QByteArray analysis =
            "{\"data_collection_results\":{\"x\":{\"data_collection_id\":\"x\",\"value\":" + json +
            "}}}";
        const CallAnalysis parsed =
            WireParser::analysis(QJsonDocument::fromJson(analysis).object());
        QCOMPARE(parsed.dataCollection.size(), 1);
        QCOMPARE(parsed.dataCollection.at(0).value, shown);
        QCOMPARE(parsed.dataCollection.at(0).isNull, isNull);
    }

    void times_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QDateTime>("expected");
        const QDateTime t(QDate(2025, 3, 4), QTime(9, 12, 3), Qt::UTC);
        QTest::newRow("iso Z") << QByteArray("\"2025-03-04T09:12:03Z\"") << t;
        QTest::newRow("iso ms") << QByteArray("\"2025-03-04T09:12:03.250Z\"") << t.addMSecs(250);
        QTest::newRow("iso offset") << QByteArray("\"2025-03-04T11:12:03+02:00\"") << t;
        QTest::newRow("unix seconds") << QByteArray::number(t.toSecsSinceEpoch()) << t;
        QTest::newRow("unix ms") << QByteArray::number(t.toMSecsSinceEpoch()) << t;
        QTest::newRow("null") << QByteArray("null") << QDateTime();
        QTest::newRow("garbage") << QByteArray("\"yesterday\"") << QDateTime();
    }

    void times()
    {
        QFETCH(QByteArray, json);
        QFETCH(QDateTime, expected);
        const QJsonValue value =
            QJsonDocument::fromJson("{\"t\":" + json + "}").object().value("t"_L1);
        QCOMPARE(WireParser::time(value), expected);
    }

    void liveMessages_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<int>("type");
        QTest::addColumn<qint64>("eventId");

        QTest::newRow("transcription")
            << QByteArray("{\"type\":\"transcription\",\"event_id\":7,\"call_sid\":\"C1\","
                          "\"conversation_id\":\"conv\",\"sequence_number\":3,\"speaker\":\"user\","
                          "\"message\":\"hi\",\"time_in_call_secs\":12.5,\"source\":\"live\","
                          "\"timestamp\":\"2025-03-04T09:12:03Z\"}")
            << true << int(LiveMessage::Type::Transcription) << qint64(7);
        QTest::newRow("call_status")
            << QByteArray("{\"type\":\"call_status\",\"event_id\":8,\"call_sid\":\"C1\",\"status\":"
                          "\"failed\",\"previous_status\":\"initiating\",\"failure_reason\":"
                          "\"busy\",\"driver_id\":\"D\",\"to_number\":\"+1\",\"timestamp\":\"2025-"
                          "03-04T09:12:03Z\"}")
            << true << int(LiveMessage::Type::CallStatus) << qint64(8);
        QTest::newRow("call_completed")
            << QByteArray("{\"type\":\"call_completed\",\"event_id\":9,\"call_sid\":\"C1\","
                          "\"status\":\"completed\",\"transcript_summary\":\"s\",\"call_duration_"
                          "seconds\":60,\"cost\":12,\"call_successful\":\"success\",\"analysis\":{}"
                          ",\"termination_reason\":\"\",\"timestamp\":\"2025-03-04T09:12:03Z\"}")
            << true << int(LiveMessage::Type::CallCompleted) << qint64(9);
        QTest::newRow("subscribed") << QByteArray("{\"type\":\"subscribed\",\"all\":true,"
                                                  "\"recovered\":false,\"last_event_id\":41}")
                                    << true << int(LiveMessage::Type::Subscribed) << qint64(0);
        QTest::newRow("pong") << QByteArray("{\"type\":\"pong\"}") << true
                              << int(LiveMessage::Type::Pong) << qint64(0);
        QTest::newRow("error") << QByteArray(
                                      "{\"type\":\"error\",\"code\":\"bad\",\"message\":\"m\"}")
                               << true << int(LiveMessage::Type::Error) << qint64(0);
        QTest::newRow("token_expiring")
            << QByteArray("{\"type\":\"token_expiring\",\"expires_at\":1760000000}") << true
            << int(LiveMessage::Type::TokenExpiring) << qint64(0);
        QTest::newRow("unknown type is tolerated") << QByteArray("{\"type\":\"hello\"}") << true
                                                   << int(LiveMessage::Type::Other) << qint64(0);
        QTest::newRow("event without event_id")
            << QByteArray("{\"type\":\"call_status\",\"call_sid\":\"C1\",\"status\":\"failed\"}")
            << false << 0 << qint64(0);
        QTest::newRow("event without call_sid")
            << QByteArray("{\"type\":\"call_status\",\"event_id\":3,\"status\":\"failed\"}")
            << false << 0 << qint64(0);
        QTest::newRow("turn without sequence_number")
            << QByteArray("{\"type\":\"transcription\",\"event_id\":3,\"call_sid\":\"C1\","
                          "\"message\":\"x\"}")
            << false << 0 << qint64(0);
        QTest::newRow("no type") << QByteArray("{\"event_id\":3}") << false << 0 << qint64(0);
        QTest::newRow("not json") << QByteArray("{oops") << false << 0 << qint64(0);
        QTest::newRow("array") << QByteArray("[]") << false << 0 << qint64(0);
    }

    void liveMessages()
    {
        QFETCH(QByteArray, json);
        QFETCH(bool, ok);
        QFETCH(int, type);
        QFETCH(qint64, eventId);
        auto message = WireParser::liveMessage(json);
        QCOMPARE(message.ok(), ok);
        if (!ok) {
            QVERIFY(!message.error().message.isEmpty());
            return;
        }
        QCOMPARE(int(message->type), type);
        QCOMPARE(message->eventId(), eventId);
    }

    void liveMessageFields()
    {
        auto turn = WireParser::liveMessage(
            "{\"type\":\"transcription\",\"event_id\":7,\"call_sid\":\"C1\",\"sequence_number\":3,"
            "\"speaker\":\"user\",\"message\":\"hi\",\"time_in_call_secs\":12.5,\"timestamp\":"
            "\"2025-03-04T09:12:03Z\"}");
        QVERIFY(turn.ok());
        QCOMPARE(turn->transcription.turn.sequenceNumber, 3);
        QCOMPARE(turn->transcription.turn.timeInCallSecs, 12.5);
        QCOMPARE(turn->transcription.turn.source, u"live"_s); // defaulted
        QVERIFY(turn->transcription.turn.receivedAt.isValid());

        auto subscribed = WireParser::liveMessage("{\"type\":\"subscribed\",\"last_event_id\":41}");
        QVERIFY(subscribed.ok());
        QVERIFY(!subscribed->recovered.has_value()); // first subscribe: no "recovered"
        QCOMPARE(subscribed->lastEventId, 41);

        auto completed =
            WireParser::liveMessage("{\"type\":\"call_completed\",\"event_id\":9,\"call_sid\":"
                                    "\"C1\",\"cost\":null,\"call_duration_seconds\":61}");
        QVERIFY(completed.ok());
        QCOMPARE(completed->callCompleted.status, u"completed"_s);
        QVERIFY(!completed->callCompleted.cost.has_value());
        QCOMPARE(completed->callCompleted.durationSeconds, std::optional<qint64>(61));
    }

    void pagesAndErrors()
    {
        auto page = WireParser::callPage(
            "{\"calls\":[{\"call_sid\":\"A\"},{\"call_sid\":\"B\"}],\"next_cursor\":\"c2\"}");
        QVERIFY(page.ok());
        QCOMPARE(page->calls.size(), 2);
        QCOMPARE(page->nextCursor, u"c2"_s);
        auto last = WireParser::callPage("{\"calls\":[],\"next_cursor\":null}");
        QVERIFY(last.ok());
        QVERIFY(last->nextCursor.isEmpty());
        QVERIFY(!WireParser::callPage("{\"calls\":[{\"driver_id\":\"x\"}]}").ok());
        QVERIFY(!WireParser::callPage("{\"items\":[]}").ok());

        auto deliveries = WireParser::deliveryPage(
            "{\"deliveries\":[{\"id\":5,\"verification\":\"verified\",\"outcome\":\"stored\","
            "\"http_status\":200}],\"next_before\":5}");
        QVERIFY(deliveries.ok());
        QCOMPARE(deliveries->deliveries.at(0).httpStatus, 200);
        QCOMPARE(deliveries->nextBefore, std::optional<qint64>(5));

        auto detail = WireParser::deliveryDetail("{\"id\":5,\"body\":\"{\\\"a\\\":1}\"}");
        QVERIFY(detail.ok());
        QCOMPARE(detail->body, QByteArray("{\"a\":1}"));

        const auto error =
            WireParser::errorBody("{\"error\":{\"code\":\"forbidden\",\"message\":\"No\"}}");
        QVERIFY(error.has_value());
        QCOMPARE(error->code, u"forbidden"_s);
        QVERIFY(!WireParser::errorBody("<html>").has_value());

        auto stats = WireParser::stats(
            "{\"live_calls\":3,\"completed_today\":40,\"failed_today\":2,\"failure_rate\":0.0476,"
            "\"cost_today\":31200.5,\"last_event_id\":900}");
        QVERIFY(stats.ok());
        QCOMPARE(stats->completedToday, 40);
        QCOMPARE(stats->failureRate, 0.0476);
        QCOMPARE(stats->lastEventId, 900);
    }

    void tokenInfo_data()
    {
        QTest::addColumn<QString>("payload");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QStringList>("scopes");
        QTest::newRow("space separated")
            << u"{\"sub\":\"d\",\"scope\":\"calls:read calls:write\",\"exp\":1760000000}"_s << true
            << QStringList{u"calls:read"_s, u"calls:write"_s};
        QTest::newRow("array") << u"{\"scope\":[\"calls:read\"]}"_s << true
                               << QStringList{u"calls:read"_s};
        QTest::newRow("no scope") << u"{\"sub\":\"d\"}"_s << true << QStringList();
        QTest::newRow("not json") << u"nope"_s << false << QStringList();
    }

    void tokenInfo()
    {
        QFETCH(QString, payload);
        QFETCH(bool, valid);
        QFETCH(QStringList, scopes);
        const QString token = u"eyJhbGciOiJIUzI1NiJ9."_s +
                              QString::fromLatin1(payload.toUtf8().toBase64(
                                  QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)) +
                              u".sig"_s;
        const TokenInfo info = TokenInfo::fromJwt(token);
        QCOMPARE(info.valid, valid);
        QCOMPARE(info.scopes, scopes);
        QVERIFY(!TokenInfo::fromJwt(u"opaque-token"_s).valid);
    }
};

QTEST_GUILESS_MAIN(TestWireParser)
#include "tst_wireparser.moc"
