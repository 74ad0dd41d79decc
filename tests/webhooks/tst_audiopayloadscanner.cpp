// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/audiopayloadscanner.h"
#include "webhooks/samplepayloads.h"

#include <QBuffer>
#include <QRandomGenerator>
#include <QTemporaryFile>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch::webhooks;

namespace {

constexpr auto Agent = "agent_4301k4x8q2zf5e7tmb6rj9nw3c";
constexpr auto Conversation = "conv_4801k4x9a1b2c3d4e5f6g7h8j9";

/** Records every write, so the test can prove the audio leaves in bounded blocks. */
class WriteRecorder : public QIODevice
{
public:
    QByteArray data;
    qint64 writes = 0;
    qint64 largestWrite = 0;

protected:
    qint64 readData(char *, qint64) override { return -1; }
    qint64 writeData(const char *bytes, qint64 size) override
    {
        ++writes;
        largestWrite = qMax(largestWrite, size);
        data.append(bytes, size);
        return size;
    }
};

// 5 MB of deterministic noise: base64 of it contains every alphabet character, '/' included.
const QByteArray &bigAudio()
{
    static const QByteArray audio = [] {
        QByteArray bytes(5 * 1024 * 1024, Qt::Uninitialized);
        QRandomGenerator random(42);
        random.fillRange(reinterpret_cast<quint32 *>(bytes.data()), bytes.size() / 4);
        return bytes;
    }();
    return audio;
}

QByteArray escapeSlashes(const QByteArray &base64)
{
    QByteArray out = base64;
    out.replace("/", "\\/");
    return out;
}

QByteArray wrapLines(const QByteArray &base64)
{
    QByteArray out;
    for (qsizetype i = 0; i < base64.size(); i += 76)
        out += base64.mid(i, 76) + "\\n";
    return out;
}

// Half the slashes as \u002F, the other half plain: both must decode to '/'.
QByteArray unicodeSlashes(const QByteArray &base64)
{
    QByteArray out;
    out.reserve(base64.size() * 2);
    bool alternate = false;
    for (const char c : base64) {
        if (c == '/' && (alternate = !alternate))
            out += "\\u002F";
        else
            out += c;
    }
    return out;
}

callwatch::Result<AudioPayloadInfo>
scanBytes(const QByteArray &body, WriteRecorder &out,
          qsizetype chunkSize = AudioPayloadScanner::DefaultChunkSize)
{
    QBuffer in;
    in.setData(body);
    in.open(QIODevice::ReadOnly);
    out.open(QIODevice::WriteOnly);
    return AudioPayloadScanner(chunkSize).scan(in, out);
}

} // namespace

class TestAudioPayloadScanner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void largePayload_data();
    void largePayload();
    void fromSpooledFile();
    void lenientFields_data();
    void lenientFields();
    void errors_data();
    void errors();
};

void TestAudioPayloadScanner::largePayload_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<qsizetype>("chunkSize");
    QTest::addColumn<qint64>("timestamp");

    const QByteArray b64 = bigAudio().toBase64();
    samples::SampleCall call;
    call.agentId = QLatin1StringView(Agent);
    call.conversationId = QLatin1StringView(Conversation);
    call.startUnix = 1739537000;
    call.durationSecs = 283;
    const qint64 sampleTimestamp = 1739537000 + 283 + samples::AudioDelaySecs;

    QTest::newRow("sample generator order")
        << samples::postCallAudio(call, bigAudio()) << AudioPayloadScanner::DefaultChunkSize
        << sampleTimestamp;
    QTest::newRow("audio first, type last, nested members to skip")
        << QByteArray(R"({"data":{"full_audio":")" + b64 +
                      R"(","meta":{"x":[1,{"y":"}]\"{"},[]],"z":null},"agent_id":")" + Agent +
                      R"(","conversation_id":")" + Conversation +
                      R"("},"extra":[{"a":"\"]"},true,-1.5e3],"event_timestamp":1739537318,)" +
                      R"("type":"post_call_audio"})")
        << AudioPayloadScanner::DefaultChunkSize << qint64(1739537318);
    QTest::newRow("escaped slashes, pretty printed, small chunks")
        << QByteArray("{\n  \"type\" : \"post_call_audio\",\n  \"event_timestamp\" : 1739537318,\n"
                      "  \"data\" : {\n    \"conversation_id\" : \"" +
                      QByteArray(Conversation) + "\",\n    \"agent_id\" : \"" + Agent +
                      "\",\n    \"full_audio\" : \"" + escapeSlashes(b64) + "\"\n  }\n}\n")
        << qsizetype(4096) << qint64(1739537318);
    QTest::newRow("line-wrapped base64")
        << QByteArray(
               R"({"type":"post_call_audio","event_timestamp":1739537318,"data":{"agent_id":")" +
               QByteArray(Agent) + R"(","conversation_id":")" + Conversation +
               R"(","full_audio":")" + wrapLines(b64) + R"("}})")
        << AudioPayloadScanner::DefaultChunkSize << qint64(1739537318);
    QTest::newRow("unicode-escaped slashes, odd chunk size")
        << QByteArray(R"({"event_timestamp":1739537318,"data":{"agent_id":")" + QByteArray(Agent) +
                      R"(","full_audio":")" + unicodeSlashes(b64) + R"(","conversation_id":")" +
                      Conversation + R"("},"type":"post_call_audio"})")
        << qsizetype(1000) << qint64(1739537318);
}

void TestAudioPayloadScanner::largePayload()
{
    QFETCH(QByteArray, body);
    QFETCH(qsizetype, chunkSize);
    QFETCH(qint64, timestamp);

    WriteRecorder out;
    const auto info = scanBytes(body, out, chunkSize);
    QVERIFY2(info.ok(), qPrintable(info.error().message));
    QCOMPARE(info->type, u"post_call_audio"_s);
    QCOMPARE(info->eventTimestamp, timestamp);
    QCOMPARE(info->agentId, QLatin1StringView(Agent));
    QCOMPARE(info->conversationId, QLatin1StringView(Conversation));
    QCOMPARE(info->audioBytes, qint64(bigAudio().size()));
    QVERIFY(out.data == bigAudio()); // QCOMPARE would print 5 MB on failure
    // Streaming, not one big decode: many writes, none larger than a chunk.
    QVERIFY(out.writes >= bigAudio().size() / chunkSize);
    QVERIFY2(out.largestWrite <= chunkSize, qPrintable(QString::number(out.largestWrite)));
}

void TestAudioPayloadScanner::fromSpooledFile()
{
    samples::SampleCall call;
    call.agentId = QLatin1StringView(Agent);
    call.conversationId = QLatin1StringView(Conversation);
    QTemporaryFile body;
    QVERIFY(body.open());
    body.write(samples::postCallAudio(call, bigAudio()));
    QVERIFY(body.seek(0));
    QTemporaryFile audio;
    QVERIFY(audio.open());

    const auto info = AudioPayloadScanner().scan(body, audio);
    QVERIFY2(info.ok(), qPrintable(info.error().message));
    QCOMPARE(info->audioBytes, qint64(bigAudio().size()));
    QVERIFY(audio.seek(0));
    QVERIFY(audio.readAll() == bigAudio());
}

void TestAudioPayloadScanner::lenientFields_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("type");
    QTest::addColumn<qint64>("timestamp");
    QTest::addColumn<QString>("agentId");

    QTest::newRow("float timestamp")
        << QByteArray(
               R"({"type":"post_call_audio","event_timestamp":1739537318.75,"data":{"agent_id":"a","conversation_id":"c","full_audio":"TWFu"}})")
        << u"post_call_audio"_s << qint64(1739537318) << u"a"_s;
    QTest::newRow("numeric string timestamp")
        << QByteArray(
               R"({"type":"post_call_audio","event_timestamp":"1739537318","data":{"agent_id":"a","conversation_id":"c","full_audio":"TWFu"}})")
        << u"post_call_audio"_s << qint64(1739537318) << u"a"_s;
    QTest::newRow("agent_id null")
        << QByteArray(
               R"({"type":"post_call_audio","event_timestamp":1,"data":{"agent_id":null,"conversation_id":"c","full_audio":"TWFu"}})")
        << u"post_call_audio"_s << qint64(1) << QString();
    QTest::newRow("agent_id absent")
        << QByteArray(
               R"({"type":"post_call_audio","event_timestamp":1,"data":{"conversation_id":"c","full_audio":"TWFu"}})")
        << u"post_call_audio"_s << qint64(1) << QString();
    QTest::newRow("other type is reported, not refused")
        << QByteArray(
               R"({"type":"post_call_audio_v2","event_timestamp":1,"data":{"agent_id":"\u0061g","conversation_id":"c","full_audio":"TWFu"}})")
        << u"post_call_audio_v2"_s << qint64(1) << u"ag"_s;
    QTest::newRow("very long unknown key is skipped")
        << QByteArray(R"({"type":"post_call_audio","event_timestamp":1,")" + QByteArray(5000, 'k') +
                      R"(":{"type":"nested"},"data":{"conversation_id":"c","full_audio":"TWFu"}})")
        << u"post_call_audio"_s << qint64(1) << QString();
}

void TestAudioPayloadScanner::lenientFields()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, type);
    QFETCH(qint64, timestamp);
    QFETCH(QString, agentId);

    WriteRecorder out;
    const auto info = scanBytes(body, out);
    QVERIFY2(info.ok(), qPrintable(info.error().message));
    QCOMPARE(info->type, type);
    QCOMPARE(info->eventTimestamp, timestamp);
    QCOMPARE(info->agentId, agentId);
    QCOMPARE(info->conversationId, u"c"_s);
    QCOMPARE(out.data, QByteArray("Man"));
}

void TestAudioPayloadScanner::errors_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("message"); ///< exact, or a prefix when it ends with '*'

    const QByteArray head = R"({"type":"post_call_audio","event_timestamp":1739537318,"data":)";
    auto data = [&](const char *name, const QByteArray &object, const char *code,
                    const QString &message) {
        QTest::newRow(name) << QByteArray(head + object + "}") << QString::fromLatin1(code)
                            << message;
    };
    auto body = [](const char *name, const QByteArray &bytes, const char *code,
                   const QString &message) {
        QTest::newRow(name) << bytes << QString::fromLatin1(code) << message;
    };

    body("empty body", "", "invalid_json", u"body is empty"_s);
    body("whitespace body", " \n", "invalid_json", u"body is empty"_s);
    body("not JSON", "full_audio=TWFu", "invalid_json", u"body is not a JSON object"_s);
    body("array", R"([{"type":"post_call_audio"}])", "invalid_json",
         u"body is not a JSON object"_s);
    body("truncated inside full_audio", head + R"({"conversation_id":"c","full_audio":"TWFuTW)",
         "invalid_json", u"body is not valid JSON: unterminated string at byte 105"_s);
    body("truncated after data", head + R"({"conversation_id":"c","full_audio":"TWFu"})",
         "invalid_json", u"body is not valid JSON: expected ',' or '}' at byte*"_s);
    body("trailing content", head + R"({"conversation_id":"c","full_audio":"TWFu"}} x)",
         "invalid_json", u"body is not valid JSON: unexpected content after the object at byte*"_s);
    body("syntax error in a skipped member",
         R"({"type":"post_call_audio","extra":{"a":[1,,2]},"event_timestamp":1,"data":{}})",
         "invalid_json", u"body is not valid JSON: unexpected character*"_s);
    body("no type", R"({"event_timestamp":1,"data":{"conversation_id":"c","full_audio":"TWFu"}})",
         "missing_field", u"type is required"_s);
    body("type not a string",
         R"({"type":7,"event_timestamp":1,"data":{"conversation_id":"c","full_audio":"TWFu"}})",
         "invalid_field", u"type must be a string"_s);
    body("no event_timestamp",
         R"({"type":"post_call_audio","data":{"conversation_id":"c","full_audio":"TWFu"}})",
         "missing_field", u"event_timestamp is required"_s);
    body("event_timestamp not numeric",
         R"({"type":"post_call_audio","event_timestamp":"later","data":{}})", "invalid_field",
         u"event_timestamp must be a number"_s);
    body("event_timestamp negative", R"({"type":"post_call_audio","event_timestamp":-4,"data":{}})",
         "invalid_field", u"event_timestamp must be a unix time in seconds, from 1970 to 9999"_s);
    body("event_timestamp past year 9999",
         R"({"type":"post_call_audio","event_timestamp":253402300800,"data":{}})", "invalid_field",
         u"event_timestamp must be a unix time in seconds, from 1970 to 9999"_s);
    body("no data", R"({"type":"post_call_audio","event_timestamp":1})", "missing_field",
         u"data is required"_s);
    data("data an array", R"([{"full_audio":"TWFu"}])", "invalid_field",
         u"data must be an object"_s);
    data("no conversation_id", R"({"agent_id":"a","full_audio":"TWFu"})", "missing_field",
         u"data.conversation_id is required"_s);
    data("conversation_id a number", R"({"conversation_id":5,"full_audio":"TWFu"})",
         "invalid_field", u"data.conversation_id must be a string"_s);
    data("no full_audio", R"({"conversation_id":"c","agent_id":"a"})", "missing_field",
         u"data.full_audio is required"_s);
    data("full_audio null", R"({"conversation_id":"c","full_audio":null})", "missing_field",
         u"data.full_audio is required"_s);
    data("full_audio a number", R"({"conversation_id":"c","full_audio":12})", "invalid_field",
         u"data.full_audio must be a base64 string"_s);
    data("full_audio an object", R"({"conversation_id":"c","full_audio":{"b64":"TWFu"}})",
         "invalid_field", u"data.full_audio must be a base64 string"_s);
    data("full_audio url-safe alphabet", R"({"conversation_id":"c","full_audio":"TW-u"})",
         "invalid_field",
         u"data.full_audio is not valid base64: invalid character at position 3"_s);
    data("full_audio dangling character", R"({"conversation_id":"c","full_audio":"TWFuT"})",
         "invalid_field", u"data.full_audio is not valid base64: truncated final group"_s);
    data("full_audio data after padding", R"({"conversation_id":"c","full_audio":"TQ==TWFu"})",
         "invalid_field", u"data.full_audio is not valid base64: data after '=' at position 5"_s);
    data("full_audio empty", R"({"conversation_id":"c","full_audio":""})", "invalid_field",
         u"data.full_audio is empty"_s);
    data("full_audio twice", R"({"conversation_id":"c","full_audio":"TWFu","full_audio":"TWFu"})",
         "invalid_field", u"data.full_audio appears more than once"_s);
}

void TestAudioPayloadScanner::errors()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, code);
    QFETCH(QString, message);

    WriteRecorder out;
    const auto info = scanBytes(body, out);
    QVERIFY(!info.ok());
    QCOMPARE(info.error().code, code);
    if (message.endsWith(u'*'))
        QVERIFY2(info.error().message.startsWith(message.chopped(1)),
                 qPrintable(info.error().message));
    else
        QCOMPARE(info.error().message, message);
}

QTEST_GUILESS_MAIN(TestAudioPayloadScanner)
#include "tst_audiopayloadscanner.moc"
