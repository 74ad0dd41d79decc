// SPDX-License-Identifier: GPL-3.0-or-later
#include "fixturerows.h"
#include "payloadview.h"
#include "webhooks/payloads.h"

#include <QBuffer>
#include <QFile>
#include <QHash>
#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch::webhooks;
using namespace fixturerows;

namespace {

QByteArray readFixture(const QString &name)
{
    QFile file(QStringLiteral(CALLWATCH_TEST_DATA_DIR) % u'/' % name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot open fixture %s", qPrintable(name));
    return file.readAll();
}

// Parses @p fixture with @p parser and returns its view, or {"error": "<code>: <message>"}.
QJsonObject parsedView(const QString &parser, const QString &fixture)
{
    static QHash<QString, QJsonObject> cache; // the 1 MB fixture is used by many rows
    const QString key = parser % u'|' % fixture;
    if (const auto it = cache.constFind(key); it != cache.constEnd())
        return *it;

    const QByteArray body = readFixture(fixture);
    QJsonObject result;
    auto errorView = [](const callwatch::Error &e) {
        return QJsonObject{{u"error"_s, QString(e.code % u": "_s % e.message)}};
    };
    if (parser == "turn"_L1) {
        const auto turn = TranscriptionTurn::parse(body);
        result = turn ? testview::view(turn.value()) : errorView(turn.error());
    } else if (parser == "audio"_L1) {
        QBuffer in;
        in.setData(body);
        in.open(QIODevice::ReadOnly);
        QBuffer out;
        out.open(QIODevice::WriteOnly);
        const auto info = AudioPayloadScanner().scan(in, out);
        result = info ? testview::view(info.value(), out.data()) : errorView(info.error());
    } else {
        const auto envelope = WebhookEnvelope::parse(body);
        if (!envelope) {
            result = errorView(envelope.error());
        } else if (parser == "envelope"_L1) {
            result = testview::view(envelope.value());
        } else if (parser == "post_call"_L1) {
            const auto call = PostCallTranscription::fromEnvelope(envelope.value());
            result = call ? testview::view(call.value()) : errorView(call.error());
        } else {
            const auto failure = CallInitiationFailure::fromEnvelope(envelope.value());
            result = failure ? testview::view(failure.value()) : errorView(failure.error());
        }
    }
    cache.insert(key, result);
    return result;
}

} // namespace

class TestPayloads : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fields_data();
    void fields();
    void everyFieldIsChecked_data();
    void everyFieldIsChecked();
    void largeFixtureIsLarge();
    void errors_data();
    void errors();
    void envelopeLeniency_data();
    void envelopeLeniency();
    void turnVariants_data();
    void turnVariants();
    void turnKey_data();
    void turnKey();
    void dedupKey();
};

void TestPayloads::fields_data()
{
    QTest::addColumn<QString>("parser");
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QJsonValue>("expected");
    for (const FieldRow &row : allRows()) {
        const QByteArray name = (row.parser % u' ' % row.fixture % u' ' % row.path).toUtf8();
        QTest::newRow(name.constData()) << row.parser << row.fixture << row.path << row.expected;
    }
}

void TestPayloads::fields()
{
    QFETCH(QString, parser);
    QFETCH(QString, fixture);
    QFETCH(QString, path);
    QFETCH(QJsonValue, expected);

    const QJsonObject parsed = parsedView(parser, fixture);
    QVERIFY2(!parsed.contains("error"_L1), qPrintable(parsed.value("error"_L1).toString()));
    const QJsonValue actual = testview::lookup(parsed, path);
    QVERIFY2(testview::same(actual, expected),
             qPrintable(u"got "_s % testview::text(actual) % u", expected "_s %
                        testview::text(expected)));
}

// Each member of each parsed struct must be named by at least one row of its fixture, so a new
// field cannot be added without a test of its value.
void TestPayloads::everyFieldIsChecked_data()
{
    QTest::addColumn<QString>("parser");
    QTest::addColumn<QString>("fixture");
    QSet<QString> seen;
    for (const FieldRow &row : allRows()) {
        const QString key = row.parser % u' ' % row.fixture;
        if (seen.contains(key))
            continue;
        seen.insert(key);
        QTest::newRow(key.toUtf8().constData()) << row.parser << row.fixture;
    }
}

void TestPayloads::everyFieldIsChecked()
{
    QFETCH(QString, parser);
    QFETCH(QString, fixture);
    QSet<QString> covered;
    for (const FieldRow &row : allRows()) {
        if (row.parser != parser || row.fixture != fixture)
            continue;
        qsizetype end = 0;
        while (end < row.path.size() && row.path.at(end).isLetterOrNumber())
            ++end;
        covered.insert(row.path.left(end));
    }
    const QJsonObject parsed = parsedView(parser, fixture);
    for (const QString &member : parsed.keys())
        QVERIFY2(covered.contains(member), qPrintable(u"no row checks "_s % member));
}

void TestPayloads::largeFixtureIsLarge()
{
    QVERIFY(readFixture(QLatin1StringView(LargeFixture)).size() >= 1000 * 1000);
}

void TestPayloads::errors_data()
{
    QTest::addColumn<QString>("parser");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("message"); ///< exact, or a prefix when it ends with '*'

    const QByteArray head = R"({"type":"post_call_transcription","event_timestamp":1739537297,)";
    auto postCall = [&](const char *name, const QByteArray &data, const char *code,
                        const QString &message) {
        QTest::newRow(name) << u"post_call"_s << QByteArray(head + R"("data":)" + data + "}")
                            << QString::fromLatin1(code) << message;
    };
    const QByteArray failureHead =
        R"({"type":"call_initiation_failure","event_timestamp":1739538412,"data":)";
    auto failure = [&](const char *name, const QByteArray &data, const QString &message) {
        QTest::newRow(name) << u"failure"_s << QByteArray(failureHead + data + "}")
                            << u"invalid_field"_s << message;
    };
    auto envelope = [](const char *name, const QByteArray &body, const char *code,
                       const QString &message) {
        QTest::newRow(name) << u"envelope"_s << body << QString::fromLatin1(code) << message;
    };
    auto turn = [](const char *name, const QByteArray &body, const char *code,
                   const QString &message) {
        QTest::newRow(name) << u"turn"_s << body << QString::fromLatin1(code) << message;
    };

    envelope("truncated JSON", R"({"type":)", "invalid_json", u"body is not valid JSON*"_s);
    envelope("empty body", "", "invalid_json", u"body is not valid JSON*"_s);
    envelope("array body", "[1,2]", "invalid_json", u"body is not a JSON object"_s);
    envelope("no type", R"({"event_timestamp":1,"data":{}})", "missing_field",
             u"type is required"_s);
    envelope("type is an object", R"({"type":{},"event_timestamp":1,"data":{}})", "invalid_field",
             u"type must be a string"_s);
    envelope("no event_timestamp", R"({"type":"post_call_audio","data":{}})", "missing_field",
             u"event_timestamp is required"_s);
    envelope("event_timestamp not numeric",
             R"({"type":"post_call_audio","event_timestamp":"soon","data":{}})", "invalid_field",
             u"event_timestamp must be a number"_s);
    envelope("event_timestamp bool",
             R"({"type":"post_call_audio","event_timestamp":true,"data":{}})", "invalid_field",
             u"event_timestamp must be a number"_s);
    envelope("event_timestamp negative",
             R"({"type":"post_call_audio","event_timestamp":-1,"data":{}})", "invalid_field",
             u"event_timestamp must be a unix time in seconds, from 1970 to 9999"_s);
    // Past 9999 no database column or ISO text holds the time: PostgreSQL would refuse the
    // write, so the delivery would get 503 at every retry instead of one clear 400.
    envelope("event_timestamp past year 9999",
             R"({"type":"call_initiation_failure","event_timestamp":1e15,"data":{}})",
             "invalid_field",
             u"event_timestamp must be a unix time in seconds, from 1970 to 9999"_s);
    envelope("event_timestamp one second past 9999",
             R"({"type":"post_call_audio","event_timestamp":253402300800,"data":{}})",
             "invalid_field",
             u"event_timestamp must be a unix time in seconds, from 1970 to 9999"_s);
    envelope("known type without data", R"({"type":"call_initiation_failure","event_timestamp":1})",
             "missing_field", u"data is required"_s);
    envelope("known type with null data",
             R"({"type":"post_call_transcription","event_timestamp":1,"data":null})",
             "missing_field", u"data is required"_s);
    envelope("known type with array data",
             R"({"type":"post_call_transcription","event_timestamp":1,"data":[]})", "invalid_field",
             u"data must be an object"_s);

    postCall("no conversation_id", R"({"agent_id":"a","transcript":[]})", "missing_field",
             u"data.conversation_id is required"_s);
    postCall("empty conversation_id", R"({"conversation_id":""})", "missing_field",
             u"data.conversation_id is required"_s);
    postCall("object conversation_id", R"({"conversation_id":{}})", "invalid_field",
             u"data.conversation_id must be a string"_s);
    postCall("transcript not an array", R"({"conversation_id":"c","transcript":{}})",
             "invalid_field", u"data.transcript must be an array"_s);
    postCall("transcript item not an object",
             R"({"conversation_id":"c","transcript":[{"role":"agent"},"hello"]})", "invalid_field",
             u"data.transcript[1] must be an object"_s);
    postCall("turn without role", R"({"conversation_id":"c","transcript":[{"message":"hi"}]})",
             "missing_field", u"data.transcript[0].role is required"_s);
    postCall("turn time not numeric",
             R"({"conversation_id":"c","transcript":[{"role":"user","time_in_call_secs":"x"}]})",
             "invalid_field", u"data.transcript[0].time_in_call_secs must be a number"_s);
    postCall("turn interrupted not bool",
             R"({"conversation_id":"c","transcript":[{"role":"user","interrupted":"yes"}]})",
             "invalid_field", u"data.transcript[0].interrupted must be true or false"_s);
    postCall("tool_calls not an array",
             R"({"conversation_id":"c","transcript":[{"role":"agent","tool_calls":{}}]})",
             "invalid_field", u"data.transcript[0].tool_calls must be an array"_s);
    postCall("duration not numeric",
             R"({"conversation_id":"c","metadata":{"call_duration_secs":"long"}})", "invalid_field",
             u"data.metadata.call_duration_secs must be a number"_s);
    postCall("duration negative", R"({"conversation_id":"c","metadata":{"call_duration_secs":-3}})",
             "invalid_field", u"data.metadata.call_duration_secs must be a duration in seconds"_s);
    postCall(
        "start time past year 9999",
        R"({"conversation_id":"c","metadata":{"start_time_unix_secs":1e15}})", "invalid_field",
        u"data.metadata.start_time_unix_secs must be a unix time in seconds, from 1970 to 9999"_s);
    postCall(
        "negative start time", R"({"conversation_id":"c","metadata":{"start_time_unix_secs":-5}})",
        "invalid_field",
        u"data.metadata.start_time_unix_secs must be a unix time in seconds, from 1970 to 9999"_s);
    postCall("cost not numeric", R"({"conversation_id":"c","metadata":{"cost":"free"}})",
             "invalid_field", u"data.metadata.cost must be a number"_s);
    postCall("phone_call not an object",
             R"({"conversation_id":"c","metadata":{"phone_call":"twilio"}})", "invalid_field",
             u"data.metadata.phone_call must be an object"_s);
    postCall("phone number not a string",
             R"({"conversation_id":"c","metadata":{"phone_call":{"external_number":[1]}}})",
             "invalid_field", u"data.metadata.phone_call.external_number must be a string"_s);
    postCall("metadata not an object", R"({"conversation_id":"c","metadata":[]})", "invalid_field",
             u"data.metadata must be an object"_s);
    postCall("analysis not an object", R"({"conversation_id":"c","analysis":5})", "invalid_field",
             u"data.analysis must be an object"_s);
    postCall("summary not a string",
             R"({"conversation_id":"c","analysis":{"transcript_summary":{}}})", "invalid_field",
             u"data.analysis.transcript_summary must be a string"_s);
    postCall(
        "call_sid not a string",
        R"({"conversation_id":"c","conversation_initiation_client_data":{"dynamic_variables":{"call_sid":true}}})",
        "invalid_field",
        u"data.conversation_initiation_client_data.dynamic_variables.call_sid must be a string"_s);
    postCall("first error wins", R"({"transcript":5})", "missing_field",
             u"data.conversation_id is required"_s);
    QTest::newRow("post_call parser given a failure event")
        << u"post_call"_s << QByteArray(failureHead + R"({"conversation_id":"c"}})")
        << u"invalid_field"_s << u"type must be post_call_transcription"_s;

    QTest::newRow("failure without conversation_id")
        << u"failure"_s << QByteArray(failureHead + R"({"agent_id":"a"}})") << u"missing_field"_s
        << u"data.conversation_id is required"_s;
    failure("failure reason not a string", R"({"conversation_id":"c","failure_reason":{}})",
            u"data.failure_reason must be a string"_s);
    failure("provider body not an object",
            R"({"conversation_id":"c","metadata":{"type":"twilio","body":[]}})",
            u"data.metadata.body must be an object"_s);
    failure("twilio To not a string",
            R"({"conversation_id":"c","metadata":{"type":"twilio","body":{"To":{}}}})",
            u"data.metadata.body.To must be a string"_s);
    QTest::newRow("failure parser given a transcription event")
        << u"failure"_s << QByteArray(head + R"("data":{"conversation_id":"c"}})")
        << u"invalid_field"_s << u"type must be call_initiation_failure"_s;

    turn("turn not JSON", "call_sid=1", "invalid_json", u"body is not valid JSON*"_s);
    turn("turn not an object", R"(["call_sid"])", "invalid_json", u"body is not a JSON object"_s);
    turn("turn without call_sid", R"({"speaker":"agent","message":"hi"})", "missing_field",
         u"call_sid is required"_s);
    turn("turn without speaker", R"({"call_sid":"cw","message":"hi"})", "missing_field",
         u"speaker (or role) is required"_s);
    turn("turn with unknown speaker", R"({"call_sid":"cw","speaker":"dispatcher","message":"hi"})",
         "invalid_field", u"speaker must be one of agent, user, driver, customer"_s);
    turn("turn with unknown role", R"({"call_sid":"cw","role":"robot","message":"hi"})",
         "invalid_field", u"role must be one of agent, user, driver, customer"_s);
    turn("turn without message", R"({"call_sid":"cw","speaker":"agent"})", "missing_field",
         u"message is required"_s);
    turn("turn message an object", R"({"call_sid":"cw","speaker":"agent","message":{}})",
         "invalid_field", u"message must be a string"_s);
    turn("turn time not numeric",
         R"({"call_sid":"cw","speaker":"agent","message":"","time_in_call_secs":"abc"})",
         "invalid_field", u"time_in_call_secs must be a number"_s);
    turn("turn time negative",
         R"({"call_sid":"cw","speaker":"agent","message":"","time_in_call_secs":-1})",
         "invalid_field", u"time_in_call_secs must be zero or more seconds"_s);
    turn("turn timestamp not a date",
         R"({"call_sid":"cw","speaker":"agent","message":"","timestamp":"yesterday"})",
         "invalid_field", u"timestamp must be an ISO 8601 date-time or a unix time"_s);
    turn("turn timestamp an array",
         R"({"call_sid":"cw","speaker":"agent","message":"","timestamp":[]})", "invalid_field",
         u"timestamp must be an ISO 8601 date-time or a unix time"_s);
    turn("turn id an array", R"({"call_sid":"cw","speaker":"agent","message":"","turn_id":[]})",
         "invalid_field", u"turn_id must be a string"_s);
}

void TestPayloads::errors()
{
    QFETCH(QString, parser);
    QFETCH(QByteArray, body);
    QFETCH(QString, code);
    QFETCH(QString, message);

    callwatch::Error error;
    if (parser == "turn"_L1) {
        const auto turn = TranscriptionTurn::parse(body);
        QVERIFY(!turn.ok());
        error = turn.error();
    } else {
        const auto envelope = WebhookEnvelope::parse(body);
        if (parser == "envelope"_L1) {
            QVERIFY(!envelope.ok());
            error = envelope.error();
        } else {
            QVERIFY2(envelope.ok(), qPrintable(envelope.error().message));
            if (parser == "post_call"_L1) {
                const auto call = PostCallTranscription::fromEnvelope(envelope.value());
                QVERIFY(!call.ok());
                error = call.error();
            } else {
                const auto failure = CallInitiationFailure::fromEnvelope(envelope.value());
                QVERIFY(!failure.ok());
                error = failure.error();
            }
        }
    }
    QCOMPARE(error.code, code);
    if (message.endsWith(u'*'))
        QVERIFY2(error.message.startsWith(message.chopped(1)), qPrintable(error.message));
    else
        QCOMPARE(error.message, message);
}

void TestPayloads::envelopeLeniency_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("type");
    QTest::addColumn<qint64>("timestamp");
    QTest::addColumn<bool>("known");
    QTest::addColumn<int>("dataSize");

    QTest::newRow("float timestamp")
        << QByteArray(R"({"type":"post_call_audio","event_timestamp":1739537297.9,"data":{"a":1}})")
        << u"post_call_audio"_s << qint64(1739537297) << true << 1;
    QTest::newRow("numeric string with spaces")
        << QByteArray(R"({"type":"post_call_audio","event_timestamp":" 1739537297 ","data":{}})")
        << u"post_call_audio"_s << qint64(1739537297) << true << 0;
    QTest::newRow("unknown type, data a string")
        << QByteArray(R"({"type":"voice_removal_notice","event_timestamp":1,"data":"x"})")
        << u"voice_removal_notice"_s << qint64(1) << false << 0;
    QTest::newRow("unknown type, no data")
        << QByteArray(R"({"type":"voice_removed","event_timestamp":"2"})") << u"voice_removed"_s
        << qint64(2) << false << 0;
    QTest::newRow("unknown type, data object kept")
        << QByteArray(R"({"type":"future_event","event_timestamp":3,"data":{"x":1,"y":2}})")
        << u"future_event"_s << qint64(3) << false << 2;
    QTest::newRow("extra top-level fields")
        << QByteArray(
               R"({"version":2,"type":"call_initiation_failure","event_timestamp":4,"data":{}})")
        << u"call_initiation_failure"_s << qint64(4) << true << 0;
}

void TestPayloads::envelopeLeniency()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, type);
    QFETCH(qint64, timestamp);
    QFETCH(bool, known);
    QFETCH(int, dataSize);

    const auto envelope = WebhookEnvelope::parse(body);
    QVERIFY2(envelope.ok(), qPrintable(envelope.error().message));
    QCOMPARE(envelope->type, type);
    QCOMPARE(envelope->eventTimestamp, timestamp);
    QCOMPARE(envelope->isKnownType(), known);
    QCOMPARE(envelope->data.size(), qsizetype(dataSize));
}

void TestPayloads::turnVariants_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("speaker");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QJsonValue>("time");
    QTest::addColumn<QString>("timestamp"); ///< ISO with ms in UTC, or "" for none

    auto row = [](const char *name, const QByteArray &fields, const QString &speaker,
                  const QString &message, const QJsonValue &time, const QString &timestamp) {
        QTest::newRow(name) << QByteArray(R"({"call_sid":"cw_1",)" + fields + "}") << speaker
                            << message << time << timestamp;
    };
    const QJsonValue none(QJsonValue::Null);
    row("role instead of speaker", R"("role":"agent","message":"hi")", u"agent"_s, u"hi"_s, none,
        QString());
    row("customer is the user", R"("speaker":"customer","message":"x")", u"user"_s, u"x"_s, none,
        QString());
    row("user", R"("speaker":"user","message":"x")", u"user"_s, u"x"_s, none, QString());
    row("speaker in capitals", R"("speaker":" AGENT ","message":"x")", u"agent"_s, u"x"_s, none,
        QString());
    row("speaker wins over role", R"("speaker":"driver","role":"agent","message":"x")", u"user"_s,
        u"x"_s, none, QString());
    row("null speaker falls back to role", R"("speaker":null,"role":"agent","message":"x")",
        u"agent"_s, u"x"_s, none, QString());
    row("null message", R"("speaker":"agent","message":null)", u"agent"_s, QString(), none,
        QString());
    row("empty message", R"("speaker":"agent","message":"")", u"agent"_s, QString(), none,
        QString());
    row("numeric time", R"("speaker":"agent","message":"x","time_in_call_secs":12)", u"agent"_s,
        u"x"_s, 12, QString());
    row("unix seconds", R"("speaker":"agent","message":"x","timestamp":1739537062)", u"agent"_s,
        u"x"_s, none, u"2025-02-14T12:44:22.000Z"_s);
    row("unix seconds with fraction", R"("speaker":"agent","message":"x","timestamp":1739537062.5)",
        u"agent"_s, u"x"_s, none, u"2025-02-14T12:44:22.500Z"_s);
    row("unix milliseconds", R"("speaker":"agent","message":"x","timestamp":1739537062250)",
        u"agent"_s, u"x"_s, none, u"2025-02-14T12:44:22.250Z"_s);
    row("unix seconds as a string", R"("speaker":"agent","message":"x","timestamp":"1739537062")",
        u"agent"_s, u"x"_s, none, u"2025-02-14T12:44:22.000Z"_s);
    row("ISO without offset is UTC",
        R"("speaker":"agent","message":"x","timestamp":"2025-02-14T12:44:22")", u"agent"_s, u"x"_s,
        none, u"2025-02-14T12:44:22.000Z"_s);
    row("ISO with Z", R"("speaker":"agent","message":"x","timestamp":"2025-02-14T12:44:22.125Z")",
        u"agent"_s, u"x"_s, none, u"2025-02-14T12:44:22.125Z"_s);
    row("ISO with negative offset",
        R"("speaker":"agent","message":"x","timestamp":"2025-02-14T06:44:22-06:00")", u"agent"_s,
        u"x"_s, none, u"2025-02-14T12:44:22.000Z"_s);
}

void TestPayloads::turnVariants()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, speaker);
    QFETCH(QString, message);
    QFETCH(QJsonValue, time);
    QFETCH(QString, timestamp);

    const auto turn = TranscriptionTurn::parse(body);
    QVERIFY2(turn.ok(), qPrintable(turn.error().message));
    QCOMPARE(turn->callSid, u"cw_1"_s);
    QCOMPARE(turn->speaker, speaker);
    QCOMPARE(turn->message, message);
    QCOMPARE(testview::optionalValue(turn->timeInCallSecs), time);
    QCOMPARE(turn->timestamp ? turn->timestamp->toString(Qt::ISODateWithMs) : QString(), timestamp);
}

void TestPayloads::turnKey_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("key");

    // Expected hashes computed with Python's hashlib, not with this code:
    //   sha256("user\x1f51.250\x1f<message>".encode()).hexdigest()
    QTest::newRow("turn id string")
        << QByteArray(R"({"call_sid":"cw","speaker":"agent","message":"x","turn_id":"t-9"})")
        << u"id:t-9"_s;
    QTest::newRow("turn id number")
        << QByteArray(R"({"call_sid":"cw","speaker":"agent","message":"x","turn_id":42})")
        << u"id:42"_s;
    QTest::newRow("hash, fixture content")
        << QByteArray(
               R"({"call_sid":"cw","speaker":"driver","time_in_call_secs":51.25,)"
               R"("message":"The receiver in Joliet held me at the dock for almost three hours."})")
        << u"h:768be13af25d547f21b7b4a8c2c2b5e892b2f8f3331acf5e67b2ba3606bd8191"_s;
    QTest::newRow("hash, integer time")
        << QByteArray(
               R"({"call_sid":"cw","speaker":"agent","time_in_call_secs":12,"message":"Hello, Marcus."})")
        << u"h:92fe477860854d327797bbd3f51d670e90573182bcb7cf859dd8754262e18f4e"_s;
    QTest::newRow("hash, same time as a string")
        << QByteArray(
               R"({"call_sid":"cw","role":"agent","time_in_call_secs":"12.0","message":"Hello, Marcus."})")
        << u"h:92fe477860854d327797bbd3f51d670e90573182bcb7cf859dd8754262e18f4e"_s;
    QTest::newRow("hash, no time, UTF-8")
        << QByteArray(
               R"({"call_sid":"cw","speaker":"customer","message":"\u00dcber die Br\u00fccke"})")
        << u"h:90d80da74f41c6dce97f9e67666653e104b2cfe06b2244adaa200ecb5ddd19aa"_s;
}

void TestPayloads::turnKey()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, key);
    const auto turn = TranscriptionTurn::parse(body);
    QVERIFY2(turn.ok(), qPrintable(turn.error().message));
    QCOMPARE(turn->turnKey(), key);
}

void TestPayloads::dedupKey()
{
    QCOMPARE(
        webhookDedupKey(u"post_call_transcription", u"conv_4801k4x9a1b2c3d4e5f6g7h8j9", 1739537297),
        u"post_call_transcription|conv_4801k4x9a1b2c3d4e5f6g7h8j9|1739537297"_s);
    QCOMPARE(webhookDedupKey(u"call_initiation_failure", u"c", 0),
             u"call_initiation_failure|c|0"_s);
    QCOMPARE(webhookDedupKey(WebhookType::PostCallAudio, u"conv_1"_s, 12),
             u"post_call_audio|conv_1|12"_s);
    // A retried delivery is byte-identical, so it gives the same key.
    const QByteArray body = readFixture(QLatin1StringView(LongFixture));
    const auto first = PostCallTranscription::fromEnvelope(WebhookEnvelope::parse(body).value());
    const auto retry = PostCallTranscription::fromEnvelope(WebhookEnvelope::parse(body).value());
    QCOMPARE(
        webhookDedupKey(u"post_call_transcription", first->conversationId, first->eventTimestamp),
        webhookDedupKey(u"post_call_transcription", retry->conversationId, retry->eventTimestamp));
}

QTEST_GUILESS_MAIN(TestPayloads)
#include "tst_payloads.moc"
