// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/liveclient.h"
#include "app/transcriptmodel.h"
#include "fakeserver.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch::app;
using callwatch::app::testing::FakeServer;

namespace {

LiveClient::Timing fastTiming()
{
    LiveClient::Timing timing;
    timing.initialBackoffMs = 50;
    timing.maxBackoffMs = 400;
    timing.pingIntervalMs = 60000;
    timing.pongTimeoutMs = 60000;
    timing.connectTimeoutMs = 5000;
    return timing;
}

void configure(LiveClient &client, const FakeServer &server)
{
    client.setServerUrl(server.baseUrl());
    client.setTiming(fastTiming());
    client.setRandomSource([] { return 0.5; });
}

QList<qint64> sequences(const TranscriptModel &model)
{
    QList<qint64> list;
    for (const TranscriptTurn &turn : model.turns())
        list.append(turn.sequenceNumber);
    return list;
}

QList<qint64> range(qint64 from, qint64 to)
{
    QList<qint64> list;
    for (qint64 i = from; i <= to; ++i)
        list.append(i);
    return list;
}

} // namespace

class TestLiveClient : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void subscribesToAllAndResyncsOnFirstConnect()
    {
        FakeServer server;
        QVERIFY(server.listen());
        server.startCall(u"C1"_s, u"DRV-1"_s, u"+1"_s); // event 1 happened before we connect
        LiveClient client;
        configure(client, server);
        QSignalSpy resync(&client, &LiveClient::resyncRequired);
        QSignalSpy states(&client, &LiveClient::connectionStateChanged);
        client.start();
        QTRY_COMPARE(client.state(), LiveClient::State::Live);
        QCOMPARE(states.first().at(0).value<LiveClient::State>(), LiveClient::State::Connecting);
        QCOMPARE(server.subscribeMessages().size(), 1);
        const QJsonObject subscribe = server.subscribeMessages().constFirst();
        QCOMPARE(subscribe.value("all"_L1).toBool(), true);
        QVERIFY(!subscribe.contains("since"_L1));
        QCOMPARE(resync.size(), 1); // the first subscribe always reloads over REST
        QCOMPARE(client.lastEventId(), 1);
        QVERIFY(client.webSocketUrl().path().endsWith(u"/ws/calls/transcriptions"_s));
    }

    void eventsArriveTyped()
    {
        FakeServer server;
        QVERIFY(server.listen());
        LiveClient client;
        configure(client, server);
        QSignalSpy statuses(&client, &LiveClient::callStatusChanged);
        QSignalSpy turns(&client, &LiveClient::transcriptionReceived);
        QSignalSpy completions(&client, &LiveClient::callCompleted);
        client.start();
        QTRY_COMPARE(client.state(), LiveClient::State::Live);

        server.startCall(u"C1"_s, u"DRV-1042"_s, u"+13075550142"_s);
        server.addTurn(u"C1"_s, 0, u"agent"_s, u"Hello Marcus"_s, 0.5);
        server.completeCall(u"C1"_s,
                            {{u"transcript_summary"_s, u"Done."_s},
                             {u"call_duration_seconds"_s, 61},
                             {u"cost"_s, 420},
                             {u"call_successful"_s, u"success"_s}},
                            {});
        QTRY_COMPARE(completions.size(), 1);
        const auto status = statuses.at(0).at(0).value<CallStatusEvent>();
        QCOMPARE(status.callSid, u"C1"_s);
        QCOMPARE(status.status, u"in_progress"_s);
        QCOMPARE(status.driverId, u"DRV-1042"_s);
        QCOMPARE(status.eventId, 1);
        const auto turn = turns.at(0).at(0).value<TranscriptEvent>();
        QCOMPARE(turn.turn.message, u"Hello Marcus"_s);
        QCOMPARE(turn.turn.speaker, u"agent"_s);
        QCOMPARE(turn.eventId, 2);
        const auto done = completions.at(0).at(0).value<CallCompletedEvent>();
        QCOMPARE(done.cost, std::optional<double>(420));
        QCOMPARE(done.durationSeconds, std::optional<qint64>(61));
        QCOMPARE(client.lastEventId(), 3);
    }

    void resumesAfterCutMidStreamWithoutGapsOrDoubles_data()
    {
        QTest::addColumn<int>("overlap");
        QTest::newRow("exact replay") << 0;
        QTest::newRow("server replays 5 events too many") << 5;
    }

    void resumesAfterCutMidStreamWithoutGapsOrDoubles()
    {
        QFETCH(int, overlap);
        FakeServer server;
        QVERIFY(server.listen());
        server.setReplayOverlap(overlap);
        LiveClient client;
        configure(client, server);
        TranscriptModel transcript;
        QAbstractItemModelTester tester(&transcript,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        transcript.setCall(u"C1"_s);
        int applied = 0;
        connect(&client, &LiveClient::transcriptionReceived, &transcript,
                [&](const TranscriptEvent &event) {
                    transcript.applyLive(event);
                    ++applied;
                });
        qint64 lastAtCut = -1;
        connect(&client, &LiveClient::connectionStateChanged, this,
                [&](LiveClient::State state, int) {
                    if (state == LiveClient::State::Reconnecting && lastAtCut < 0)
                        lastAtCut = client.lastEventId();
                });
        client.start();
        QTRY_COMPARE(client.state(), LiveClient::State::Live);

        server.startCall(u"C1"_s, u"DRV-1"_s, u"+1"_s);
        for (int sequence = 0; sequence < 20; ++sequence)
            server.addTurn(u"C1"_s, sequence, u"agent"_s, u"turn %1"_s.arg(sequence), sequence);
        QTRY_VERIFY(transcript.rowCount() >= 10);
        // Ten more, and the connection dies while they are in flight: some never arrive.
        for (int sequence = 20; sequence < 30; ++sequence)
            server.addTurn(u"C1"_s, sequence, u"user"_s, u"turn %1"_s.arg(sequence), sequence);
        server.dropConnections();
        // The call goes on while the client is away.
        for (int sequence = 30; sequence < 40; ++sequence)
            server.addTurn(u"C1"_s, sequence, u"agent"_s, u"turn %1"_s.arg(sequence), sequence);

        QTRY_COMPARE(server.subscribeMessages().size(), 2);
        QVERIFY(lastAtCut >= 11); // the status event and at least ten turns made it before the cut
        const QJsonObject resume = server.subscribeMessages().at(1);
        QCOMPARE(resume.value("since"_L1).toInteger(), lastAtCut);
        QTRY_COMPARE(transcript.rowCount(), 40);
        QCOMPARE(sequences(transcript), range(0, 39));
        QCOMPARE(applied, 40); // every turn applied exactly once
        QCOMPARE(client.lastEventId(), server.lastEventId());
        QCOMPARE(client.state(), LiveClient::State::Live);
        if (overlap > 0)
            QVERIFY(client.duplicatesDropped() >= 1);
    }

    void unrecoverableResumeRequestsResync()
    {
        FakeServer server;
        QVERIFY(server.listen());
        LiveClient client;
        configure(client, server);
        QSignalSpy resync(&client, &LiveClient::resyncRequired);
        client.start();
        QTRY_COMPARE(client.state(), LiveClient::State::Live);
        server.startCall(u"C1"_s, u"D"_s, u"+1"_s);
        QTRY_COMPARE(client.lastEventId(), 1);
        server.dropConnections();
        for (int i = 0; i < 5; ++i)
            server.addTurn(u"C1"_s, i, u"agent"_s, u"x"_s, i);
        server.setRetainedFrom(4); // events 1..3 are gone: since=1 cannot be served
        QTRY_COMPARE(resync.size(), 2);
        QCOMPARE(server.subscribeMessages().at(1).value("since"_L1).toInteger(), 1);
        QCOMPARE(client.lastEventId(), server.lastEventId()); // continues from the server's head
        QCOMPARE(client.state(), LiveClient::State::Live);
    }

    void unauthorizedRefreshesTheTokenFirst()
    {
        FakeServer server;
        QVERIFY(server.listen());
        server.setAcceptedTokens({u"fresh"_s});
        LiveClient client;
        configure(client, server);
        QString current = u"stale"_s;
        int refreshes = 0;
        client.setTokenProvider([&](bool forceNew) {
            if (forceNew) {
                ++refreshes;
                current = u"fresh"_s;
            }
            return current;
        });
        client.start();
        QTRY_COMPARE(client.state(), LiveClient::State::Live);
        QCOMPARE(server.webSocketTokens(), (QStringList{u"stale"_s, u"fresh"_s}));
        QCOMPARE(refreshes, 1);
    }

    void unauthorizedWithoutANewTokenStops()
    {
        FakeServer server;
        QVERIFY(server.listen());
        server.setAcceptedTokens({u"good"_s});
        LiveClient client;
        configure(client, server);
        client.setTokenProvider([](bool) { return u"revoked"_s; });
        client.start();
        QTRY_COMPARE(client.state(), LiveClient::State::Unauthorized);
        QTest::qWait(300); // several backoff periods: no blind retries
        QCOMPARE(server.webSocketTokens().size(), 1);
        QVERIFY(!client.lastError().isEmpty());
        client.reconnectNow(); // the user asked: one more try
        QTRY_COMPARE(server.webSocketTokens().size(), 2);
        QTRY_COMPARE(client.state(), LiveClient::State::Unauthorized);
    }

    void tooSlowReconnectsAndResumes()
    {
        FakeServer server;
        QVERIFY(server.listen());
        LiveClient client;
        configure(client, server);
        client.start();
        QTRY_COMPARE(client.state(), LiveClient::State::Live);
        server.startCall(u"C1"_s, u"D"_s, u"+1"_s);
        server.addTurn(u"C1"_s, 0, u"agent"_s, u"x"_s, 0);
        QTRY_COMPARE(client.lastEventId(), 2);
        server.closeConnections(4008, u"too slow"_s);
        QTRY_COMPARE(server.subscribeMessages().size(), 2);
        QCOMPARE(server.subscribeMessages().at(1).value("since"_L1).toInteger(), 2);
        QTRY_COMPARE(client.state(), LiveClient::State::Live);
    }

    void tokenExpiringSendsAFreshToken()
    {
        FakeServer server;
        QVERIFY(server.listen());
        LiveClient client;
        configure(client, server);
        QString current = u"first"_s;
        client.setTokenProvider([&](bool forceNew) {
            if (forceNew)
                current = u"second"_s;
            return current;
        });
        client.start();
        QTRY_COMPARE(client.state(), LiveClient::State::Live);
        server.sendToAll({{u"type"_s, u"token_expiring"_s}, {u"expires_at"_s, 1760000000}});
        const auto sentAuth = [&server] {
            const QList<QJsonObject> messages = server.clientMessages();
            return std::any_of(messages.begin(), messages.end(), [](const QJsonObject &message) {
                return message.value("type"_L1) == "auth"_L1 &&
                       message.value("token"_L1) == "second"_L1;
            });
        };
        QTRY_VERIFY(sentAuth());
        QCOMPARE(client.state(), LiveClient::State::Live); // no reconnect needed
        QCOMPARE(server.subscribeMessages().size(), 1);
    }

    void deadPeerIsDetectedByPing()
    {
        FakeServer server;
        QVERIFY(server.listen());
        server.setAnswerPings(false);
        LiveClient client;
        configure(client, server);
        LiveClient::Timing timing = fastTiming();
        timing.pingIntervalMs = 100;
        timing.pongTimeoutMs = 150;
        client.setTiming(timing);
        client.start();
        QTRY_COMPARE(client.state(), LiveClient::State::Live);
        QTRY_COMPARE(server.subscribeMessages().size(), 2);
        const QList<QJsonObject> messages = server.clientMessages();
        QVERIFY(std::any_of(messages.begin(), messages.end(),
                            [](const QJsonObject &m) { return m.value("type"_L1) == "ping"_L1; }));
    }

    void retriesWhileTheServerIsDown()
    {
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost));
            port = probe.serverPort();
        }
        LiveClient client;
        client.setServerUrl(QUrl(u"http://127.0.0.1:%1"_s.arg(port)));
        LiveClient::Timing timing = fastTiming();
        timing.initialBackoffMs = 100;
        client.setTiming(timing);
        client.setRandomSource([] { return 0.5; });
        QSignalSpy states(&client, &LiveClient::connectionStateChanged);
        client.start();
        QTRY_COMPARE(client.state(), LiveClient::State::Reconnecting);
        QVERIFY(client.secondsToRetry() >= 1);
        QTest::qWait(500); // a few failed attempts
        FakeServer server;
        QVERIFY(server.listen(port));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), LiveClient::State::Live, 10000);
        int reconnecting = 0;
        for (const auto &args : states)
            reconnecting +=
                args.at(0).value<LiveClient::State>() == LiveClient::State::Reconnecting;
        QVERIFY(reconnecting >= 2);
    }

    void stopGoesOfflineAndStaysThere()
    {
        FakeServer server;
        QVERIFY(server.listen());
        LiveClient client;
        configure(client, server);
        client.start();
        QTRY_COMPARE(client.state(), LiveClient::State::Live);
        client.stop();
        QCOMPARE(client.state(), LiveClient::State::Offline);
        QTest::qWait(200);
        QCOMPARE(server.subscribeMessages().size(), 1);
        QCOMPARE(client.state(), LiveClient::State::Offline);
    }

    void backoffDelays_data()
    {
        QTest::addColumn<int>("attempt");
        QTest::addColumn<double>("random");
        QTest::addColumn<int>("expected");
        QTest::newRow("first, no jitter") << 0 << 0.5 << 500;
        QTest::newRow("doubles") << 1 << 0.5 << 1000;
        QTest::newRow("doubles again") << 3 << 0.5 << 4000;
        QTest::newRow("capped at 30 s") << 6 << 0.5 << 30000;
        QTest::newRow("stays capped") << 40 << 0.5 << 30000;
        QTest::newRow("jitter down 20 %") << 2 << 0.0 << 1600;
        QTest::newRow("jitter up 20 %") << 2 << 1.0 << 2400;
        QTest::newRow("jitter never exceeds the cap") << 10 << 1.0 << 30000;
    }

    void backoffDelays()
    {
        QFETCH(int, attempt);
        QFETCH(double, random);
        QFETCH(int, expected);
        QCOMPARE(LiveClient::backoffDelayMs(attempt, LiveClient::Timing(), random), expected);
    }
};

QTEST_GUILESS_MAIN(TestLiveClient)
#include "tst_liveclient.moc"
