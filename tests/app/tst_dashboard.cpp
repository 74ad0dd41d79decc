// SPDX-License-Identifier: GPL-3.0-or-later
// The controller end to end against the fake backend: REST loads, live events, selection,
// resume after a cut, resync after a gap, batching, filters and the webhook inspector.
#include "app/dashboard.h"
#include "fakeserver.h"

#include <QAbstractItemModelTester>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch::app;
using callwatch::app::testing::FakeServer;

namespace {

QJsonObject history(const QString &sid, const QString &status, int minutesAgo)
{
    const QString created =
        QDateTime::currentDateTimeUtc().addSecs(-60 * minutesAgo).toString(Qt::ISODateWithMs);
    return {{u"call_sid"_s, sid},
            {u"driver_id"_s, QString(u"DRV-"_s + sid)},
            {u"to_number"_s, QString(u"+13075550"_s + sid.right(3))},
            {u"status"_s, status},
            {u"created_at"_s, created},
            {u"updated_at"_s, created}};
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

QString jwt(const QString &scope)
{
    const QByteArray payload = u"{\"sub\":\"sup\",\"scope\":\"%1\"}"_s.arg(scope).toUtf8();
    return u"eyJhbGciOiJIUzI1NiJ9."_s +
           QString::fromLatin1(
               payload.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)) +
           u".sig"_s;
}

struct Fixture
{
    FakeServer server;
    QNetworkAccessManager network;
    Dashboard dashboard{&network};
    QAbstractItemModelTester callsTester{dashboard.calls(),
                                         QAbstractItemModelTester::FailureReportingMode::Fatal};
    QAbstractItemModelTester transcriptTester{
        dashboard.transcript(), QAbstractItemModelTester::FailureReportingMode::Fatal};
    QAbstractItemModelTester deliveriesTester{
        dashboard.inspector()->deliveries(), QAbstractItemModelTester::FailureReportingMode::Fatal};

    Fixture()
    {
        LiveClient::Timing timing;
        timing.initialBackoffMs = 50;
        timing.maxBackoffMs = 300;
        dashboard.setLiveTiming(timing);
    }

    bool start(const QString &token = {})
    {
        if (!server.listen())
            return false;
        dashboard.attach({u"remote"_s,
                          server.baseUrl(),
                          [token](bool) { return token; },
                          {server.baseUrl().toString() + u"/webhooks/elevenlabs/post-call"_s}});
        return QTest::qWaitFor(
            [this] {
                return dashboard.connectionState() == "live"_L1 && dashboard.callsLoadedOnce() &&
                       dashboard.statsLoaded();
            },
            5000);
    }
};

} // namespace

class TestDashboard : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initialLoadPutsLiveCallsFirst()
    {
        Fixture f;
        f.server.upsertCall(history(u"h001"_s, u"completed"_s, 30));
        f.server.upsertCall(history(u"h002"_s, u"failed"_s, 20));
        f.server.upsertCall(history(u"h003"_s, u"completed"_s, 10));
        f.server.startCall(u"live1"_s, u"DRV-7"_s, u"+13075550107"_s);
        f.server.startCall(u"live2"_s, u"DRV-8"_s, u"+13075550108"_s, u"initiating"_s);
        QVERIFY(f.start());
        CallListModel *calls = f.dashboard.calls();
        QTRY_COMPARE(calls->rowCount(), 5);
        QCOMPARE(calls->liveCount(), 2);
        QVERIFY(calls->data(calls->index(0), CallListModel::IsLiveRole).toBool());
        QVERIFY(calls->data(calls->index(1), CallListModel::IsLiveRole).toBool());
        QCOMPARE(calls->callSidAt(2), u"h003"_s);
        QCOMPARE(f.dashboard.completedToday(), 2);
        QCOMPARE(f.dashboard.failedToday(), 1);
        QCOMPARE(f.dashboard.webhookUrls().size(), 1);
        QVERIFY(f.server.requestCount(u"/api/calls"_s) >= 2); // live calls + first page
        const auto requests = f.server.requests();
        QVERIFY(std::any_of(requests.begin(), requests.end(), [](const auto &r) {
            return r.query.value(u"status"_s) == "initiating,in_progress"_L1;
        }));
    }

    void liveEventsUpdateTheListAndTheSelectedCall()
    {
        Fixture f;
        f.server.startCall(u"C1"_s, u"DRV-1042"_s, u"+13075550142"_s);
        f.server.startCall(u"C2"_s, u"DRV-2210"_s, u"+17205550187"_s);
        f.server.addTurn(u"C1"_s, 0, u"agent"_s, u"Hi, this is Ava."_s, 0);
        QVERIFY(f.start());
        f.dashboard.selectCall(u"C1"_s);
        QCOMPARE(f.dashboard.selectedCall()->driverId(), u"DRV-1042"_s);
        QTRY_COMPARE(f.dashboard.transcript()->rowCount(), 1); // history over REST

        f.server.addTurn(u"C1"_s, 1, u"user"_s, u"Yeah, that's me."_s, 3);
        f.server.addTurn(u"C2"_s, 0, u"agent"_s, u"Hello Elena."_s, 0);
        QTRY_COMPARE(f.dashboard.transcript()->rowCount(), 2);
        CallListModel *calls = f.dashboard.calls();
        QTRY_COMPARE(
            calls->data(calls->index(calls->rowOf(u"C2"_s)), CallListModel::LastMessageRole)
                .toString(),
            u"Hello Elena."_s);
        QCOMPARE(f.dashboard.transcript()->rowCount(), 2); // C2's turn is not in C1's transcript

        // C1 completes: the summary card fills in and the post-call transcript takes over.
        QJsonArray final;
        for (int i = 0; i < 3; ++i)
            final.append(QJsonObject{{u"sequence_number"_s, i},
                                     {u"speaker"_s, i % 2 ? u"user"_s : u"agent"_s},
                                     {u"message"_s, u"final %1"_s.arg(i)},
                                     {u"time_in_call_secs"_s, i * 5},
                                     {u"source"_s, u"post_call"_s}});
        const QJsonObject analysis{
            {u"evaluation_criteria_results"_s,
             QJsonObject{{u"acknowledged"_s, QJsonObject{{u"criteria_id"_s, u"acknowledged"_s},
                                                         {u"result"_s, u"success"_s}}}}},
            {u"data_collection_results"_s,
             QJsonObject{
                 {u"violation_type"_s, QJsonObject{{u"data_collection_id"_s, u"violation_type"_s},
                                                   {u"value"_s, u"speeding"_s}}}}}};
        f.server.completeCall(u"C1"_s,
                              {{u"transcript_summary"_s, u"Driver acknowledged."_s},
                               {u"call_duration_seconds"_s, 95},
                               {u"cost"_s, 512},
                               {u"call_successful"_s, u"success"_s},
                               {u"analysis"_s, analysis}},
                              final);
        CallSummary *summary = f.dashboard.selectedCall();
        QTRY_VERIFY(summary->hasCompletion());
        QCOMPARE(summary->summary(), u"Driver acknowledged."_s);
        QCOMPARE(summary->durationSeconds(), 95);
        QCOMPARE(summary->cost(), 512.0);
        QVERIFY(summary->finished());
        QCOMPARE(summary->evaluationCriteria().size(), 1);
        QCOMPARE(summary->evaluationCriteria().at(0).toMap().value(u"passed"_s).toBool(), true);
        QCOMPARE(summary->dataCollection().at(0).toMap().value(u"value"_s).toString(),
                 u"speeding"_s);
        QTRY_VERIFY(f.dashboard.transcript()->isPostCall());
        QCOMPARE(sequences(*f.dashboard.transcript()), range(0, 2));
        QCOMPARE(f.dashboard.transcript()->turns().at(2).message, u"final 2"_s);
        QCOMPARE(calls->liveCount(), 1);
        QCOMPARE(calls->callSidAt(0), u"C2"_s); // the live one stays on top
    }

    void resumeAfterACutLosesNoTurnAndDoublesNone()
    {
        Fixture f;
        f.server.setReplayOverlap(3);
        f.server.startCall(u"C1"_s, u"DRV-1"_s, u"+1"_s);
        QVERIFY(f.start());
        f.dashboard.selectCall(u"C1"_s);
        QTRY_VERIFY(!f.dashboard.selectedCall()->loading());
        for (int i = 0; i < 20; ++i)
            f.server.addTurn(u"C1"_s, i, i % 2 ? u"user"_s : u"agent"_s, u"turn %1"_s.arg(i), i);
        QTRY_VERIFY(f.dashboard.transcript()->rowCount() >= 10);
        for (int i = 20; i < 30; ++i)
            f.server.addTurn(u"C1"_s, i, u"user"_s, u"turn %1"_s.arg(i), i);
        f.server.dropConnections();
        for (int i = 30; i < 40; ++i)
            f.server.addTurn(u"C1"_s, i, u"agent"_s, u"turn %1"_s.arg(i), i);
        QTRY_COMPARE(f.server.subscribeMessages().size(), 2);
        QVERIFY(f.server.subscribeMessages().at(1).contains("since"_L1));
        QTRY_COMPARE(f.dashboard.transcript()->rowCount(), 40);
        QTRY_COMPARE(f.dashboard.connectionState(), u"live"_s);
        QCOMPARE(sequences(*f.dashboard.transcript()), range(0, 39));
        // Every event after the first subscribe (the call's start came over REST), once.
        QCOMPARE(f.dashboard.appliedEvents(), f.server.lastEventId() - 1);
    }

    void gapTheServerCannotFillTriggersAReload()
    {
        Fixture f;
        // A live call older than a full page of newer finished calls.
        f.server.upsertCall(history(u"old-live"_s, u"in_progress"_s, 120));
        for (int i = 0; i < Dashboard::PageSize + 10; ++i)
            f.server.upsertCall(
                history(u"done%1"_s.arg(i, 3, 10, QLatin1Char('0')), u"completed"_s, 60 - i / 2));
        QVERIFY(f.start());
        CallListModel *calls = f.dashboard.calls();
        QTRY_VERIFY(calls->find(u"old-live"_s));
        QCOMPARE(calls->find(u"old-live"_s)->status, u"in_progress"_s);
        const int callRequests = f.server.requestCount(u"/api/calls"_s);

        f.server.dropConnections();
        f.server.failCall(u"old-live"_s, u"Line dropped"_s);  // happens during the gap
        f.server.setRetainedFrom(f.server.lastEventId() + 1); // and cannot be replayed
        QTRY_VERIFY(f.server.requestCount(u"/api/calls"_s) > callRequests);
        QTRY_COMPARE(calls->find(u"old-live"_s)->status, u"failed"_s);
        QCOMPARE(calls->find(u"old-live"_s)->failureReason, u"Line dropped"_s);
        QCOMPARE(calls->liveCount(), 0);
    }

    void aFramesWorthOfEventsIsAppliedInOneBatch()
    {
        Fixture f;
        QVERIFY(f.start());
        QSignalSpy frames(&f.dashboard, &Dashboard::eventsApplied);
        QSignalSpy changed(f.dashboard.calls(), &QAbstractItemModel::dataChanged);
        LiveClient *live = f.dashboard.liveClient();
        // 500 calls start and each says ten things, all before the next frame.
        for (int c = 0; c < 500; ++c) {
            CallStatusEvent status;
            status.callSid = u"burst%1"_s.arg(c);
            status.status = u"in_progress"_s;
            status.timestamp = QDateTime::currentDateTimeUtc();
            Q_EMIT live->callStatusChanged(status);
        }
        for (int n = 0; n < 5000; ++n) {
            TranscriptEvent turn;
            turn.callSid = u"burst%1"_s.arg(n % 500);
            turn.turn.sequenceNumber = n / 500;
            turn.turn.message = u"line %1"_s.arg(n);
            turn.timestamp = QDateTime::currentDateTimeUtc();
            Q_EMIT live->transcriptionReceived(turn);
        }
        QCOMPARE(frames.size(), 0); // nothing applied synchronously
        QTRY_COMPARE(frames.size(), 1);
        QCOMPARE(f.dashboard.calls()->liveCount(), 500);
        // Every touched row is announced once (in contiguous ranges), not once per event.
        int rows = 0;
        for (const auto &args : changed)
            rows += args.at(1).toModelIndex().row() - args.at(0).toModelIndex().row() + 1;
        QVERIFY(rows <= 500);
        QCOMPARE(f.dashboard.appliedEvents(), 5500);
    }

    // Open all day, the list keeps at most MaxFinishedCalls finished calls; paging after a trim
    // starts from the top again, so the older calls come back with no gap.
    void longSessionsTrimTheListAndPageBackWithoutGaps()
    {
        Fixture f;
        const int stored = Dashboard::MaxFinishedCalls + 150;
        QStringList newestFirst;
        for (int i = 0; i < stored; ++i) {
            const QString sid = u"h%1"_s.arg(i, 4, 10, QLatin1Char('0'));
            f.server.upsertCall(history(sid, u"completed"_s, 10 + i));
            newestFirst.append(sid);
        }
        QVERIFY(f.start());
        CallListModel *calls = f.dashboard.calls();
        // The supervisor scrolls far back: more than the cap is loaded.
        while (calls->totalCount() < Dashboard::MaxFinishedCalls + 100) {
            const int before = calls->totalCount();
            QTRY_VERIFY(!f.dashboard.loadingCalls());
            QVERIFY(f.dashboard.hasMoreCalls());
            f.dashboard.loadMoreCalls();
            QTRY_VERIFY(calls->totalCount() > before);
        }
        f.dashboard.selectCall(u"h0640"_s); // an old call stays open

        // The next live event trims to the cap (plus the open call).
        f.server.startCall(u"new1"_s, u"DRV-1"_s, u"+13075550001"_s);
        QTRY_VERIFY(calls->find(u"new1"_s));
        QCOMPARE(calls->totalCount() - calls->liveCount(), Dashboard::MaxFinishedCalls + 1);
        QVERIFY(calls->find(u"h0640"_s));
        QVERIFY(f.dashboard.hasMoreCalls());
        QCOMPARE(calls->callSidAt(calls->rowCount() - 2),
                 newestFirst.at(Dashboard::MaxFinishedCalls - 1));

        // Paging again: the calls right after the kept ones come back first.
        QTRY_VERIFY(!f.dashboard.loadingCalls());
        f.dashboard.loadMoreCalls();
        QTRY_VERIFY(calls->totalCount() - calls->liveCount() > Dashboard::MaxFinishedCalls + 1);
        QTRY_VERIFY(!f.dashboard.loadingCalls());
        const int finished = calls->totalCount() - calls->liveCount();
        for (int i = 0; i < finished - 1; ++i)
            QVERIFY2(calls->find(newestFirst.at(i)), qPrintable(newestFirst.at(i)));
    }

    void filtersApplyLocallyAndAskTheServer()
    {
        Fixture f;
        f.server.upsertCall(history(u"a001"_s, u"completed"_s, 10));
        f.server.upsertCall(history(u"b002"_s, u"failed"_s, 5));
        QVERIFY(f.start());
        QTRY_COMPARE(f.dashboard.calls()->rowCount(), 2);
        QSignalSpy filter(&f.dashboard, &Dashboard::filterChanged);
        f.dashboard.setStatusFilter(u"failed"_s);
        QCOMPARE(f.dashboard.calls()->rowCount(), 1); // immediately, before any request
        f.dashboard.setSearchText(u"zzz"_s);
        QCOMPARE(f.dashboard.calls()->rowCount(), 0);
        QCOMPARE(filter.size(), 2);
        QTRY_VERIFY([&] {
            const auto requests = f.server.requests();
            return std::any_of(requests.begin(), requests.end(), [](const auto &r) {
                return r.query.value(u"q"_s) == "zzz"_L1 &&
                       r.query.value(u"status"_s) == "failed"_L1;
            });
        }());
        f.dashboard.setSearchText(QString());
        f.dashboard.setStatusFilter(u"all"_s);
        QCOMPARE(f.dashboard.calls()->rowCount(), 2);
    }

    void webhookInspector()
    {
        Fixture f;
        for (int i = 1; i <= 3; ++i)
            f.server.addDelivery(
                {{u"id"_s, i},
                 {u"verification"_s, i == 2 ? u"invalid_signature"_s : u"verified"_s},
                 {u"outcome"_s, i == 2 ? u"rejected"_s : u"stored"_s},
                 {u"http_status"_s, i == 2 ? 401 : 200}},
                "{\"type\":\"post_call_transcription\",\"n\":" + QByteArray::number(i) + "}");
        QVERIFY(f.start(jwt(u"calls:read calls:write"_s)));
        QVERIFY(f.dashboard.canWrite());
        WebhookInspector *inspector = f.dashboard.inspector();
        inspector->setActive(true);
        QTRY_COMPARE(inspector->deliveries()->rowCount(), 3);
        QCOMPARE(inspector->deliveries()->idAt(0), 3);
        inspector->select(2);
        QTRY_VERIFY(!inspector->bodyLoading());
        QCOMPARE(inspector->selected().value(u"verification"_s).toString(), u"invalid_signature"_s);
        QVERIFY(inspector->body().contains(u"\n    \"type\": \"post_call_transcription\""_s));

        QSignalSpy notices(&f.dashboard, &Dashboard::notify);
        inspector->replay(2);
        QTRY_COMPARE(notices.size(), 1);
        QCOMPARE(notices.at(0).at(1).toString(), u"success"_s);
        f.server.setReplayForbidden(true);
        inspector->replay(2);
        QTRY_COMPARE(notices.size(), 2);
        QCOMPARE(notices.at(1).at(1).toString(), u"error"_s);
        QVERIFY(notices.at(1).at(0).toString().contains(u"calls:write"_s));
    }

    void readOnlyTokenHidesReplay()
    {
        Fixture f;
        QVERIFY(f.start(jwt(u"calls:read"_s)));
        QVERIFY(!f.dashboard.canWrite());
        QVERIFY(!f.dashboard.inspector()->canReplay());
    }

    void connectionStateIsHonest()
    {
        Fixture f;
        QVERIFY(f.start());
        QVERIFY(!f.dashboard.dataAsOf().isValid());
        bool countdownShown = false;
        connect(&f.dashboard, &Dashboard::connectionChanged, this, [&] {
            if (f.dashboard.connectionState() == "reconnecting"_L1)
                countdownShown = countdownShown || f.dashboard.secondsToRetry() >= 1;
        });
        f.server.close();
        f.server.dropConnections();
        QTRY_VERIFY(countdownShown);
        QVERIFY(f.dashboard.dataAsOf().isValid()); // "showing data as of …"
        QVERIFY(f.dashboard.connectionState() != "live"_L1);
    }
};

QTEST_GUILESS_MAIN(TestDashboard)
#include "tst_dashboard.moc"
