// SPDX-License-Identifier: GPL-3.0-or-later
#include "live/liveprotocol.h"

#include <QJsonDocument>
#include <QTest>

using namespace callwatch;
using namespace callwatch::live;
using namespace Qt::StringLiterals;

namespace {

QJsonObject parseObject(const QByteArray &utf8)
{
    return QJsonDocument::fromJson(utf8).object();
}

} // namespace

class TestLiveProtocol : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseClient_data();
    void parseClient();
    void parseClientErrors_data();
    void parseClientErrors();
    void clientBuildersRoundTrip();
    void eventMessage();
    void serverMessages_data();
    void serverMessages();
    void requestIdOfBrokenMessage();
};

void TestLiveProtocol::parseClient_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("selectorKind");
    QTest::addColumn<QString>("selectorValue");
    QTest::addColumn<qint64>("since"); // -1: absent
    QTest::addColumn<QJsonValue>("requestId");

    using T = ClientMessage::Type;
    using K = Selector::Kind;
    const auto row = [](const char *name, const char *input, T type, K kind, const QString &value,
                        qint64 since = -1, const QJsonValue &requestId = {}) {
        QTest::newRow(name) << QByteArray(input) << int(type) << int(kind) << value << since
                            << requestId;
    };
    row("subscribe call_sid", R"({"type":"subscribe","call_sid":"CA1"})", T::Subscribe, K::CallSid,
        u"CA1"_s);
    row("subscribe conversation_id", R"({"type":"subscribe","conversation_id":"conv_9"})",
        T::Subscribe, K::ConversationId, u"conv_9"_s);
    row("identifier conv_ prefix", R"({"type":"subscribe","identifier":"conv_abc"})", T::Subscribe,
        K::ConversationId, u"conv_abc"_s);
    row("identifier otherwise call sid", R"({"type":"subscribe","identifier":"CAconv_"})",
        T::Subscribe, K::CallSid, u"CAconv_"_s);
    row("subscribe all with since", R"({"type":"subscribe","all":true,"since":42})", T::Subscribe,
        K::All, QString(), 42);
    row("since zero", R"({"type":"subscribe","all":true,"since":0})", T::Subscribe, K::All,
        QString(), 0);
    row("request_id string", R"({"type":"subscribe","call_sid":"CA1","request_id":"r-1"})",
        T::Subscribe, K::CallSid, u"CA1"_s, -1, u"r-1"_s);
    row("request_id number", R"({"type":"ping","request_id":7})", T::Ping, K::All, QString(), -1,
        7);
    row("request_id null ignored", R"({"type":"ping","request_id":null})", T::Ping, K::All,
        QString());
    row("unsubscribe identifier", R"({"type":"unsubscribe","identifier":"CA2"})", T::Unsubscribe,
        K::CallSid, u"CA2"_s);
    row("unsubscribe ignores since", R"({"type":"unsubscribe","all":true,"since":3})",
        T::Unsubscribe, K::All, QString());
    row("ping", R"({"type":"ping"})", T::Ping, K::All, QString());
    row("auth", R"({"type":"auth","token":"a.b.c"})", T::Auth, K::All, QString());
    row("unknown fields ignored", R"({"type":"ping","extra":{"x":1}})", T::Ping, K::All, QString());
}

void TestLiveProtocol::parseClient()
{
    QFETCH(QByteArray, input);
    QFETCH(int, type);
    QFETCH(int, selectorKind);
    QFETCH(QString, selectorValue);
    QFETCH(qint64, since);
    QFETCH(QJsonValue, requestId);

    const Result<ClientMessage> parsed = LiveProtocol::parseClientMessage(input);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error().message));
    QCOMPARE(int(parsed->type), type);
    if (parsed->type == ClientMessage::Type::Subscribe ||
        parsed->type == ClientMessage::Type::Unsubscribe) {
        QCOMPARE(int(parsed->selector.kind), selectorKind);
        QCOMPARE(parsed->selector.value, selectorValue);
    }
    QCOMPARE(parsed->since.value_or(-1), since);
    QCOMPARE(parsed->requestId, requestId);
    if (parsed->type == ClientMessage::Type::Auth)
        QCOMPARE(parsed->token, QByteArray("a.b.c"));
}

void TestLiveProtocol::parseClientErrors_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("code");

    const auto row = [](const char *name, const char *input, const char *code) {
        QTest::newRow(name) << QByteArray(input) << QString::fromLatin1(code);
    };
    row("not JSON", "hello", "malformed_json");
    row("truncated", R"({"type":"ping")", "malformed_json");
    row("array", R"([{"type":"ping"}])", "malformed_json");
    row("empty", "", "malformed_json");
    row("unknown type", R"({"type":"shout"})", "unknown_type");
    row("type case matters", R"({"type":"Ping"})", "unknown_type");
    row("no type", R"({"call_sid":"CA1"})", "invalid_message");
    row("type not a string", R"({"type":3})", "invalid_message");
    row("no selector", R"({"type":"subscribe"})", "invalid_message");
    row("two selectors", R"({"type":"subscribe","call_sid":"CA1","all":true})", "invalid_message");
    row("all false", R"({"type":"subscribe","all":false})", "invalid_message");
    row("empty call_sid", R"({"type":"subscribe","call_sid":""})", "invalid_message");
    row("numeric call_sid", R"({"type":"subscribe","call_sid":12})", "invalid_message");
    row("negative since", R"({"type":"subscribe","all":true,"since":-1})", "invalid_message");
    row("fractional since", R"({"type":"subscribe","all":true,"since":1.5})", "invalid_message");
    row("string since", R"({"type":"subscribe","all":true,"since":"5"})", "invalid_message");
    row("auth without token", R"({"type":"auth"})", "invalid_message");
    row("auth empty token", R"({"type":"auth","token":""})", "invalid_message");
    row("request_id object", R"({"type":"ping","request_id":{}})", "invalid_message");
    const QByteArray longId = R"({"type":"subscribe","call_sid":")" + QByteArray(257, 'x') + "\"}";
    QTest::newRow("identifier too long") << longId << u"invalid_message"_s;
}

void TestLiveProtocol::parseClientErrors()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, code);

    const Result<ClientMessage> parsed = LiveProtocol::parseClientMessage(input);
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().code, code);
    QVERIFY(!parsed.error().message.isEmpty());
}

void TestLiveProtocol::clientBuildersRoundTrip()
{
    const Result<ClientMessage> subscribe = LiveProtocol::parseClientMessage(
        LiveProtocol::subscribeMessage(Selector::conversationId(u"conv_1"_s), 99, u"q"_s));
    QVERIFY(subscribe.ok());
    QCOMPARE(subscribe->selector, Selector::conversationId(u"conv_1"_s));
    QCOMPARE(subscribe->since.value_or(-1), 99);
    QCOMPARE(subscribe->requestId, QJsonValue(u"q"_s));

    const Result<ClientMessage> unsubscribe =
        LiveProtocol::parseClientMessage(LiveProtocol::unsubscribeMessage(Selector::all()));
    QVERIFY(unsubscribe.ok());
    QCOMPARE(unsubscribe->type, ClientMessage::Type::Unsubscribe);
    QCOMPARE(unsubscribe->selector, Selector::all());

    const Result<ClientMessage> auth =
        LiveProtocol::parseClientMessage(LiveProtocol::authMessage("x.y.z"));
    QVERIFY(auth.ok());
    QCOMPARE(auth->token, QByteArray("x.y.z"));
}

void TestLiveProtocol::eventMessage()
{
    EventRecord event;
    event.id = 1234;
    event.type = QString::fromLatin1(EventType::Transcription);
    event.callSid = u"CA1"_s;
    event.conversationId = u"conv_1"_s;
    event.payload = QJsonObject{
        {"call_sid"_L1, "CA1"_L1}, {"text"_L1, u"Grüße — \"quoted\""_s}, {"turn"_L1, 3}};
    const QByteArray bytes = LiveProtocol::eventMessage(event);
    QVERIFY(!bytes.contains('\n')); // compact: one line
    const QJsonObject object = parseObject(bytes);
    QCOMPARE(object.value("type"_L1).toString(), u"transcription"_s);
    QCOMPARE(object.value("event_id"_L1).toInteger(), 1234);
    QCOMPARE(object.value("text"_L1).toString(), u"Grüße — \"quoted\""_s);
    QCOMPARE(object.value("turn"_L1).toInt(), 3);

    const Result<ServerMessage> parsed = LiveProtocol::parseServerMessage(bytes);
    QVERIFY(parsed.ok());
    QCOMPARE(parsed->type, u"transcription"_s);
    QCOMPARE(parsed->eventId, 1234);
    QVERIFY(LiveProtocol::isEventType(parsed->type));
    QVERIFY(!LiveProtocol::isEventType(u"pong"));

    // Read for delivery, the payload is the stored text ("type" included): the same message.
    EventRecord stored = event;
    stored.payload.insert("type"_L1, event.type);
    stored.payloadJson = QJsonDocument(stored.payload).toJson(QJsonDocument::Compact);
    stored.payload = {};
    const QByteArray fromText = LiveProtocol::eventMessage(stored);
    QVERIFY(!fromText.contains('\n'));
    QCOMPARE(parseObject(fromText), object);

    EventRecord empty;
    empty.id = 7;
    empty.payloadJson = "{}";
    QCOMPARE(LiveProtocol::eventMessage(empty), QByteArray(R"({"event_id":7})"));
}

void TestLiveProtocol::serverMessages_data()
{
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QByteArray>("expectedJson");

    QTest::newRow("subscribed live")
        << LiveProtocol::subscribedMessage(Selector::callSid(u"CA1"_s), std::nullopt, 10, u"r"_s)
        << QByteArray(
               R"({"type":"subscribed","call_sid":"CA1","last_event_id":10,"request_id":"r"})");
    QTest::newRow("subscribed recovered")
        << LiveProtocol::subscribedMessage(Selector::all(), true, 10)
        << QByteArray(R"({"type":"subscribed","all":true,"recovered":true,"last_event_id":10})");
    QTest::newRow("subscribed not recovered")
        << LiveProtocol::subscribedMessage(Selector::conversationId(u"conv_2"_s), false, 0)
        << QByteArray(
               R"({"type":"subscribed","conversation_id":"conv_2","recovered":false,"last_event_id":0})");
    QTest::newRow("unsubscribed") << LiveProtocol::unsubscribedMessage(Selector::all(), 5)
                                  << QByteArray(
                                         R"({"type":"unsubscribed","all":true,"request_id":5})");
    QTest::newRow("pong") << LiveProtocol::pongMessage() << QByteArray(R"({"type":"pong"})");
    QTest::newRow("error")
        << LiveProtocol::errorMessage(u"unknown_type"_s, u"Unknown message type."_s, u"a"_s)
        << QByteArray(
               R"({"type":"error","code":"unknown_type","message":"Unknown message type.","request_id":"a"})");
    QTest::newRow("token_expiring")
        << LiveProtocol::tokenExpiringMessage(1800000000)
        << QByteArray(R"({"type":"token_expiring","expires_at":1800000000})");
    QTest::newRow("authenticated")
        << LiveProtocol::authenticatedMessage(1800000000)
        << QByteArray(R"({"type":"authenticated","expires_at":1800000000})");
}

void TestLiveProtocol::serverMessages()
{
    QFETCH(QByteArray, message);
    QFETCH(QByteArray, expectedJson);
    // Compare as objects: key order is not part of the protocol.
    QCOMPARE(parseObject(message), parseObject(expectedJson));
    QVERIFY(!parseObject(expectedJson).isEmpty());
}

void TestLiveProtocol::requestIdOfBrokenMessage()
{
    QCOMPARE(LiveProtocol::requestIdOf(R"({"type":"nope","request_id":"r9"})"),
             QJsonValue(u"r9"_s));
    QCOMPARE(LiveProtocol::requestIdOf("{broken"), QJsonValue());
    QCOMPARE(LiveProtocol::requestIdOf(R"({"type":"nope","request_id":[1]})"), QJsonValue());
}

QTEST_GUILESS_MAIN(TestLiveProtocol)
#include "tst_liveprotocol.moc"
