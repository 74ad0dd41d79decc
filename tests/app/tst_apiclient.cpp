// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/apiclient.h"
#include "fakeserver.h"

#include <QNetworkAccessManager>
#include <QTcpServer>
#include <QTest>
#include <QUrlQuery>

using namespace Qt::StringLiterals;
using namespace callwatch::app;
using callwatch::app::testing::FakeServer;

namespace {

/** Runs one request and waits for its callback. */
template<typename T, typename Call> callwatch::Result<T> wait(Call call)
{
    std::optional<callwatch::Result<T>> result;
    QObject context;
    call(&context, [&](callwatch::Result<T> r) { result.emplace(std::move(r)); });
    if (!QTest::qWaitFor([&] { return result.has_value(); }, 5000))
        return callwatch::Error{u"test_timeout"_s, u"no answer"_s};
    return std::move(*result);
}

QJsonObject call(const QString &sid, const QString &status, const QString &created)
{
    return {{u"call_sid"_s, sid},
            {u"driver_id"_s, QString(u"DRV-"_s + sid)},
            {u"to_number"_s, QString(u"+1307555"_s + sid)},
            {u"status"_s, status},
            {u"created_at"_s, created}};
}

} // namespace

class TestApiClient : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_server.listen());
        m_server.setAcceptedTokens({u"token-1"_s});
        m_server.upsertCall(call(u"0001"_s, u"completed"_s, u"2025-03-04T09:00:00Z"_s));
        m_server.upsertCall(call(u"0002"_s, u"in_progress"_s, u"2025-03-04T09:05:00Z"_s));
        m_server.upsertCall(call(u"0003"_s, u"failed"_s, u"2025-03-04T09:10:00Z"_s));
        m_server.addDelivery({{u"id"_s, 7}, {u"verification"_s, u"verified"_s}},
                             "{\"type\":\"post_call_transcription\"}");
    }

    void init()
    {
        m_api.setBaseUrl(m_server.baseUrl());
        m_api.setTokenProvider([](bool) { return u"token-1"_s; });
    }

    void callsQueryAndPaging()
    {
        ApiClient::CallQuery query;
        query.statuses = {u"completed"_s, u"failed"_s};
        query.limit = 1;
        auto page = wait<CallPage>(
            [&](QObject *context, auto done) { m_api.fetchCalls(query, context, done); });
        QVERIFY2(page.ok(), qPrintable(page.error().message));
        QCOMPARE(page->calls.size(), 1);
        QCOMPARE(page->calls.at(0).callSid, u"0003"_s); // newest first
        QVERIFY(!page->nextCursor.isEmpty());
        const FakeServer::Request request = m_server.requests().constLast();
        QCOMPARE(request.path, u"/api/calls"_s);
        QCOMPARE(request.query.value(u"status"_s), u"completed,failed"_s);
        QCOMPARE(request.query.value(u"limit"_s), u"1"_s);
        QCOMPARE(request.authorization, QByteArray("Bearer token-1"));

        query.cursor = page->nextCursor;
        auto next = wait<CallPage>(
            [&](QObject *context, auto done) { m_api.fetchCalls(query, context, done); });
        QVERIFY(next.ok());
        QCOMPARE(next->calls.at(0).callSid, u"0001"_s);
        QVERIFY(next->nextCursor.isEmpty());
    }

    void searchTextIsEncoded()
    {
        ApiClient::CallQuery query;
        query.text = u"DRV-0002 & co"_s;
        const QUrl url = m_api.callsUrl(query);
        QCOMPARE(QUrlQuery(url).queryItemValue(u"q"_s, QUrl::FullyDecoded), u"DRV-0002 & co"_s);
        query.text = u"0002"_s;
        auto page = wait<CallPage>(
            [&](QObject *context, auto done) { m_api.fetchCalls(query, context, done); });
        QVERIFY(page.ok());
        QCOMPARE(page->calls.size(), 1);
    }

    void callDetailStatsAndDeliveries()
    {
        auto detail = wait<CallDetail>(
            [&](QObject *context, auto done) { m_api.fetchCall(u"0002"_s, context, done); });
        QVERIFY(detail.ok());
        QCOMPARE(detail->call.status, u"in_progress"_s);
        auto stats = wait<DashboardStats>(
            [&](QObject *context, auto done) { m_api.fetchStats(context, done); });
        QVERIFY(stats.ok());
        QCOMPARE(stats->liveCalls, 1);
        QCOMPARE(stats->failureRate, 0.5);
        auto deliveries = wait<DeliveryPage>([&](QObject *context, auto done) {
            m_api.fetchDeliveries(50, std::nullopt, context, done);
        });
        QVERIFY(deliveries.ok());
        QCOMPARE(deliveries->deliveries.size(), 1);
        auto delivery = wait<Delivery>(
            [&](QObject *context, auto done) { m_api.fetchDelivery(7, context, done); });
        QVERIFY(delivery.ok());
        QCOMPARE(delivery->body, QByteArray("{\"type\":\"post_call_transcription\"}"));
        auto replay = wait<ReplayResult>(
            [&](QObject *context, auto done) { m_api.replayDelivery(7, context, done); });
        QVERIFY(replay.ok());
        QCOMPARE(replay->httpStatus, 200);
        QCOMPARE(m_server.requests().constLast().method, QByteArray("POST"));
    }

    void errorsCarryTheServersCode()
    {
        auto missing = wait<CallDetail>(
            [&](QObject *context, auto done) { m_api.fetchCall(u"nope"_s, context, done); });
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, u"not_found"_s);
        m_server.setReplayForbidden(true);
        auto replay = wait<ReplayResult>(
            [&](QObject *context, auto done) { m_api.replayDelivery(7, context, done); });
        m_server.setReplayForbidden(false);
        QCOMPARE(replay.error().code, u"forbidden"_s);
    }

    void unauthorizedRetriesOnceWithAFreshToken()
    {
        QStringList handedOut;
        m_api.setTokenProvider([&](bool forceNew) {
            handedOut.append(forceNew ? u"token-1"_s : u"expired"_s);
            return handedOut.constLast();
        });
        auto stats = wait<DashboardStats>(
            [&](QObject *context, auto done) { m_api.fetchStats(context, done); });
        QVERIFY(stats.ok());
        QCOMPARE(m_server.requests().constLast().authorization, QByteArray("Bearer token-1"));

        // No fresh token to be had: the 401 is reported, not retried forever.
        const int before = m_server.requestCount(u"/api/stats"_s);
        m_api.setTokenProvider([](bool) { return u"expired"_s; });
        auto refused = wait<DashboardStats>(
            [&](QObject *context, auto done) { m_api.fetchStats(context, done); });
        QCOMPARE(refused.error().code, u"unauthorized"_s);
        QCOMPARE(m_server.requestCount(u"/api/stats"_s), before + 1);
    }

    void unreachableServer()
    {
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost));
            port = probe.serverPort();
        }
        m_api.setBaseUrl(QUrl(u"http://127.0.0.1:%1"_s.arg(port)));
        auto stats = wait<DashboardStats>(
            [&](QObject *context, auto done) { m_api.fetchStats(context, done); });
        QCOMPARE(stats.error().code, u"network"_s);
    }

    void callbackIsDroppedWithItsContext()
    {
        bool called = false;
        {
            QObject context;
            m_api.fetchStats(&context, [&](auto) { called = true; });
        }
        QTest::qWait(300);
        QVERIFY(!called);
    }

private:
    FakeServer m_server;
    QNetworkAccessManager m_network;
    ApiClient m_api{&m_network};
};

QTEST_GUILESS_MAIN(TestApiClient)
#include "tst_apiclient.moc"
