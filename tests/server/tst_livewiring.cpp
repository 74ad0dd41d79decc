// SPDX-License-Identifier: GPL-3.0-or-later
// The live stream wired to the webhook path: a real QWebSocket client on the Backend's
// /ws/calls/transcriptions, signed webhooks posted over HTTP, and the events it receives
// compared with the committed `events` rows.
#include "servertestharness.h"

#include "live/jwtminter.h"
#include "store/callrepository.h"
#include "store/eventlog.h"
#include "webhooks/samplepayloads.h"

#include <QDateTime>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QSet>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>
#include <QWebSocket>

#include <optional>

using namespace Qt::StringLiterals;
using namespace callwatch;
using namespace callwatch::server::test;
namespace samples = callwatch::webhooks::samples;

namespace {

bool isEvent(const QJsonObject &message)
{
    const QString type = message[u"type"_s].toString();
    return type == u"transcription"_s || type == u"call_status"_s || type == u"call_completed"_s;
}

/** A WebSocket client that keeps every message it receives. */
class LiveClient : public QObject
{
public:
    LiveClient()
    {
        connect(&socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
            messages.append(QJsonDocument::fromJson(text.toUtf8()).object());
        });
        connect(&socket, &QWebSocket::connected, this, [this] { connected = true; });
        connect(&socket, &QWebSocket::disconnected, this, [this] {
            disconnected = true;
            closeCode = socket.closeCode();
            closeReason = socket.closeReason();
        });
    }
    void open(quint16 port, const QByteArray &token)
    {
        QUrl url(u"ws://127.0.0.1/ws/calls/transcriptions"_s);
        url.setPort(port);
        if (!token.isNull())
            url.setQuery(QUrlQuery{{u"token"_s, QString::fromLatin1(token)}});
        socket.open(url);
    }
    void send(const QJsonObject &message)
    {
        socket.sendTextMessage(QString::fromUtf8(QJsonDocument(message).toJson()));
    }
    QList<QJsonObject> events() const
    {
        QList<QJsonObject> out;
        for (const QJsonObject &message : messages)
            if (isEvent(message))
                out.append(message);
        return out;
    }
    std::optional<QJsonObject> find(const QString &type) const
    {
        for (const QJsonObject &message : messages)
            if (message[u"type"_s].toString() == type)
                return message;
        return std::nullopt;
    }

    QWebSocket socket;
    QList<QJsonObject> messages;
    bool connected = false;
    bool disconnected = false;
    int closeCode = -1;
    QString closeReason;
};

/** The shared harness plus the live stream's view: posting by call, subscribing to everything. */
struct LiveHarness : BackendHarness
{
    int turn(const QString &callSid, const QString &message, double time)
    {
        return BackendHarness::turn(samples::transcriptionTurn(callSid, u"agent"_s, message, time,
                                                               u"turn-%1"_s.arg(time)))
            .status;
    }
    int postCall(const samples::SampleCall &call)
    {
        return BackendHarness::postCall(samples::postCallTranscription(call)).status;
    }
    /** Connects, subscribes to everything (optionally resuming) and returns `subscribed`. */
    std::optional<QJsonObject> subscribeAll(LiveClient &client, std::optional<qint64> since = {})
    {
        client.open(port(), token({u"calls:read"_s}));
        if (!QTest::qWaitFor([&] { return client.connected || client.disconnected; }, 10000) ||
            !client.connected)
            return std::nullopt;
        QJsonObject subscribe{
            {u"type"_s, u"subscribe"_s}, {u"all"_s, true}, {u"request_id"_s, u"all"_s}};
        if (since)
            subscribe.insert(u"since"_s, *since);
        client.send(subscribe);
        if (!QTest::qWaitFor([&] { return client.find(u"subscribed"_s).has_value(); }, 10000))
            return std::nullopt;
        return client.find(u"subscribed"_s);
    }
};

/** The received events are exactly the stored ones: same ids, order and message. */
void compareWithStored(const QList<QJsonObject> &received, const QList<EventRecord> &stored)
{
    QCOMPARE(received.size(), stored.size());
    for (qsizetype i = 0; i < received.size(); ++i) {
        QJsonObject expected = stored[i].payload;
        expected.insert(u"type"_s, stored[i].type);
        expected.insert(u"event_id"_s, stored[i].id);
        QCOMPARE(received[i], expected);
    }
}

} // namespace

class TestLiveWiring : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QLoggingCategory::setFilterRules(u"callwatch.*.info=false"_s); }

    // Turns and then the post-call: the client sees each committed event once, in id order,
    // ending with call_status(completed) and call_completed.
    void eventsFollowCommits_data() { TestDatabase::addDialectRows(); }
    void eventsFollowCommits()
    {
        LiveHarness h;
        CW_START(h);
        samples::SampleCall call = samples::sampleCall(3, QDateTime::currentSecsSinceEpoch() - 600);
        LiveClient client;
        const auto subscribed = h.subscribeAll(client);
        QVERIFY(subscribed);
        QCOMPARE((*subscribed)[u"request_id"_s].toString(), u"all"_s);
        const qint64 from = (*subscribed)[u"last_event_id"_s].toInteger();

        // Written on another connection, as the launcher (or another instance) does: the feed's
        // poll finds it without a commit of the writer.
        store::NewCall launched;
        launched.callSid = call.callSid;
        launched.driverId = call.driverId;
        QVERIFY(store::CallRepository(h.db.connection()).createCall(launched));
        QTRY_COMPARE_WITH_TIMEOUT(client.events().size(), 1, 10000);

        for (int i = 1; i <= 3; ++i)
            QCOMPARE(h.turn(call.callSid, u"Turn %1"_s.arg(i), i), 200);
        QCOMPARE(h.postCall(call), 200);

        QTRY_VERIFY_WITH_TIMEOUT(!client.events().isEmpty() &&
                                     client.events().constLast()[u"type"_s].toString() ==
                                         u"call_completed"_s,
                                 10000);
        QTest::qWait(200); // nothing may follow
        const QList<QJsonObject> events = client.events();
        compareWithStored(events, h.eventsAfter(from));
        if (QTest::currentTestFailed())
            return;

        qint64 previous = from;
        QList<qint64> sequence;
        for (const QJsonObject &event : events) {
            QVERIFY(event[u"event_id"_s].toInteger() > previous);
            previous = event[u"event_id"_s].toInteger();
            QCOMPARE(event[u"call_sid"_s].toString(), call.callSid);
            if (event[u"type"_s].toString() == u"transcription"_s)
                sequence.append(event[u"sequence_number"_s].toInteger());
        }
        QCOMPARE(sequence, (QList<qint64>{1, 2, 3}));
        QStringList types;
        for (const QJsonObject &event : events)
            types.append(event[u"type"_s].toString() + u':' + event[u"status"_s].toString());
        const QStringList expectedTypes{
            u"call_status:initiating"_s,  u"transcription:"_s,
            u"call_status:in_progress"_s, u"transcription:"_s,
            u"transcription:"_s,
            u"call_status:in_progress"_s, // the conversation id became known
            u"call_status:completed"_s,   u"call_completed:completed"_s};
        QCOMPARE(types, expectedTypes);
        const QJsonObject status = events[events.size() - 2];
        QCOMPARE(status[u"type"_s].toString(), u"call_status"_s);
        QCOMPARE(status[u"status"_s].toString(), u"completed"_s);
        const QJsonObject completed = events.constLast();
        QCOMPARE(completed[u"conversation_id"_s].toString(), call.conversationId);
        QCOMPARE(completed[u"call_duration_seconds"_s].toInteger(), call.durationSecs);
    }

    void badTokenIsClosed4001_data()
    {
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<QString>("reason");
        live::JwtConfig other;
        other.secretOrPublicKey = "another-secret-that-is-long-enough-0123456789";
        live::JwtConfig ours;
        ours.secretOrPublicKey = JwtSecret;
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        QTest::newRow("missing") << QByteArray() << u"unauthorized: missing_token"_s;
        QTest::newRow("garbage") << QByteArray("garbage") << u"unauthorized: malformed_token"_s;
        QTest::newRow("other key")
            << live::JwtMinter::mint(other, u"x"_s, {u"calls:read"_s}, 600, now).value()
            << u"unauthorized: bad_signature"_s;
        QTest::newRow("no read scope")
            << live::JwtMinter::mint(ours, u"x"_s, {u"calls:write"_s}, 600, now).value()
            << u"unauthorized: insufficient_scope"_s;
    }
    void badTokenIsClosed4001()
    {
        QFETCH(QByteArray, token);
        QFETCH(QString, reason);
        LiveHarness h;
        QCOMPARE(h.db.create(u"sqlite"_s), TestDatabase::Status::Ready);
        QVERIFY(h.start());
        LiveClient client;
        client.open(h.port(), token);
        QTRY_VERIFY_WITH_TIMEOUT(client.disconnected, 10000);
        QCOMPARE(client.closeCode, 4001);
        QCOMPARE(client.closeReason, reason);
        QVERIFY(client.messages.isEmpty());
    }

    // A client that was away resumes with `since` and gets every missed event exactly once,
    // then the live ones.
    void resumeAfterDisconnect_data() { TestDatabase::addDialectRows(); }
    void resumeAfterDisconnect()
    {
        LiveHarness h;
        CW_START(h);
        samples::SampleCall call = samples::sampleCall(5, QDateTime::currentSecsSinceEpoch() - 600);
        store::NewCall launched;
        launched.callSid = call.callSid;
        QVERIFY(store::CallRepository(h.db.connection()).createCall(launched));

        qint64 lastSeen = 0;
        {
            LiveClient first;
            QVERIFY(h.subscribeAll(first));
            QCOMPARE(h.turn(call.callSid, u"One"_s, 1), 200);
            QCOMPARE(h.turn(call.callSid, u"Two"_s, 2), 200);
            QTRY_VERIFY_WITH_TIMEOUT(first.events().size() >= 3, 10000); // 2 turns + in_progress
            lastSeen = first.events().constLast()[u"event_id"_s].toInteger();
            first.socket.close();
            QTRY_VERIFY(first.disconnected);
        }
        QCOMPARE(h.turn(call.callSid, u"Three"_s, 3), 200);
        QCOMPARE(h.turn(call.callSid, u"Four"_s, 4), 200);
        QCOMPARE(h.postCall(call), 200);
        const QList<EventRecord> missed = h.eventsAfter(lastSeen);
        QVERIFY(missed.size() >= 5); // 2 turns, conversation learned, completed, call_completed

        LiveClient second;
        const auto subscribed = h.subscribeAll(second, lastSeen);
        QVERIFY(subscribed);
        QCOMPARE((*subscribed)[u"recovered"_s].toBool(), true);
        QTRY_VERIFY_WITH_TIMEOUT(second.events().size() >= missed.size(), 10000);
        QCOMPARE(h.turn(call.callSid, u"Five (late)"_s, 5), 200);
        QTRY_VERIFY_WITH_TIMEOUT(second.events().size() >= missed.size() + 1, 10000);
        QTest::qWait(200); // no duplicate arrives later
        compareWithStored(second.events(), h.eventsAfter(lastSeen));
        QSet<qint64> ids;
        for (const QJsonObject &event : second.events())
            ids.insert(event[u"event_id"_s].toInteger());
        QCOMPARE(ids.size(), second.events().size());
    }

    // PostgreSQL: an event id can be taken by a transaction still in flight while a higher one
    // is committed. A client resuming then must not be sent the higher one from the store: the
    // live feed sends both in order once the lower commits, and the session would drop the
    // lower as already passed.
    void resumeNeverPassesAnIdInFlight_data() { TestDatabase::addDialectRows(); }
    void resumeNeverPassesAnIdInFlight()
    {
        LiveHarness h;
        CW_START(h);
        if (h.db.database().dialect() != store::Dialect::Postgresql)
            QSKIP("SQLite commits one transaction at a time: no id is ever in flight");
        // Long enough that a slow machine cannot pass the missing id before it commits.
        h.backend->setLiveGapWait(std::chrono::minutes(5));
        store::NewCall launched;
        launched.callSid = u"CA-inflight"_s;
        const store::CallRecord call =
            store::CallRepository(h.db.connection()).createCall(launched).value();
        QTRY_VERIFY_WITH_TIMEOUT(!h.eventsAfter(0).isEmpty(), 10000);
        const qint64 last = h.eventsAfter(0).constLast().id;
        EventRecord status;
        status.type = u"call_status"_s;
        status.callId = call.id;
        status.callSid = call.callSid;
        status.payload = QJsonObject{{u"type"_s, u"call_status"_s},
                                     {u"call_sid"_s, call.callSid},
                                     {u"status"_s, u"queued"_s}};
        status.createdAt = QDateTime::currentDateTimeUtc();

        std::unique_ptr<store::Database> other = h.db.openAnother();
        QSqlDatabase inFlight = other->connection();
        QVERIFY(inFlight.transaction());
        QCOMPARE(store::EventLog(inFlight).append(status).value(), last + 1);
        QCOMPARE(store::EventLog(h.db.connection()).append(status).value(), last + 2);

        LiveClient client;
        const auto subscribed = h.subscribeAll(client, last);
        QVERIFY(subscribed);
        QVERIFY(inFlight.commit()); // within the feed's wait for the missing id
        QTRY_COMPARE_WITH_TIMEOUT(client.events().size(), 2, 10000);
        QCOMPARE(client.events().at(0)[u"event_id"_s].toInteger(), last + 1);
        QCOMPARE(client.events().at(1)[u"event_id"_s].toInteger(), last + 2);
    }
};

QTEST_GUILESS_MAIN(TestLiveWiring)
#include "tst_livewiring.moc"
