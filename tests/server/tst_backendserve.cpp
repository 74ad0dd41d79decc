// SPDX-License-Identifier: GPL-3.0-or-later
// What `callwatchd serve` does, through the Backend object it builds: start on an empty data
// directory, health and readiness, the REST API's authentication and paging, routing errors,
// and a graceful stop that answers the requests in flight.
#include "servertestharness.h"

#include "store/callrepository.h"
#include "store/database.h"
#include "store/databaseurl.h"
#include "store/migrator.h"
#include "store/transaction.h"
#include "webhooks/samplepayloads.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <memory>

using namespace Qt::StringLiterals;
using namespace callwatch;
using namespace callwatch::server::test;
namespace samples = callwatch::webhooks::samples;

class TestBackendServe : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QLoggingCategory::setFilterRules(u"callwatch.*.info=false"_s); }

    // Nothing but a data directory that does not exist yet: SQLite and a JWT secret are made
    // there, the schema is migrated, and the server is healthy and ready.
    void startsOnEmptyDataDir()
    {
        QTemporaryDir root;
        const QString dataDir = root.filePath(u"fresh/callwatch"_s);
        QVERIFY(!QDir(dataDir).exists());
        auto backend = makeBackend(dataDir, {});
        QVERIFY(backend);
        auto started = backend->start();
        QVERIFY2(started, qPrintable(started.error().message));
        QVERIFY(backend->port() != 0);
        QCOMPARE(backend->baseUrl().port(), int(backend->port()));
        QVERIFY(QFile::exists(QDir(dataDir).filePath(u"callwatch.db"_s)));
        QVERIFY(QFile(QDir(dataDir).filePath(u"jwt-secret"_s)).size() >= 32);

        const Reply ready = request(backend->port(), "GET", "/readyz");
        QCOMPARE(ready.status, 200);
        QCOMPARE(json(ready), (QJsonObject{{u"status"_s, u"ready"_s}}));
        const Reply healthy = request(backend->port(), "GET", "/healthz");
        QCOMPARE(healthy.status, 200);
        QCOMPARE(json(healthy), (QJsonObject{{u"status"_s, u"ok"_s}}));

        auto current = store::Migrator(backend->database()->connection()).isCurrent();
        QVERIFY(current && current.value());

        // A token minted with the generated secret is accepted.
        const Reply calls =
            request(backend->port(), "GET", "/api/calls", mintToken(*backend, {u"calls:read"_s}));
        QCOMPARE(calls.status, 200);
        QCOMPARE(json(calls)[u"calls"_s].toArray().size(), 0);
    }

    void callsNeedAToken_data()
    {
        QTest::addColumn<QStringList>("scopes");
        QTest::addColumn<QByteArray>("rawToken");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::newRow("no token") << QStringList() << QByteArray() << 401 << u"unauthorized"_s;
        QTest::newRow("garbage") << QStringList() << QByteArray("not.a.jwt") << 401
                                 << u"malformed_token"_s;
        QTest::newRow("write only")
            << QStringList{u"calls:write"_s} << QByteArray() << 403 << u"insufficient_scope"_s;
        QTest::newRow("read") << QStringList{u"calls:read"_s} << QByteArray() << 200 << QString();
    }
    void callsNeedAToken()
    {
        QFETCH(QStringList, scopes);
        QFETCH(QByteArray, rawToken);
        QFETCH(int, status);
        QFETCH(QString, code);
        QTemporaryDir dir;
        auto backend = makeBackend(dir.path(), u"sqlite://"_s + dir.filePath(u"cw.db"_s));
        QVERIFY(backend->start());
        const QByteArray bearer = scopes.isEmpty() ? rawToken : mintToken(*backend, scopes);
        const Reply reply = request(backend->port(), "GET", "/api/calls", bearer);
        QCOMPARE(reply.status, status);
        QCOMPARE(reply.header("content-type"), QByteArrayLiteral("application/json"));
        if (status == 200)
            QVERIFY(json(reply)[u"calls"_s].isArray());
        else
            QCOMPARE(reply.errorCode(), code);
    }

    // 120 calls read back in pages: every call once, newest first, then the end.
    void keysetPagination_data() { TestDatabase::addDialectRows(); }
    void keysetPagination()
    {
        TestDatabase db;
        CW_OPEN_DB(db, false);
        QTemporaryDir dir;
        auto backend = makeBackend(dir.path(), db.url().toString());
        auto started = backend->start();
        QVERIFY2(started, qPrintable(started.error().message));

        QStringList created;
        {
            store::Transaction tx(db.connection());
            store::CallRepository calls(db.connection());
            for (int i = 0; i < 120; ++i) {
                store::NewCall call;
                call.callSid = u"cw_page_%1"_s.arg(i, 3, 10, QLatin1Char('0'));
                call.driverId = u"drv_%1"_s.arg(i);
                QVERIFY(calls.createCall(call));
                created.prepend(call.callSid); // newest first
            }
            QVERIFY(tx.commit());
        }
        const QByteArray bearer = mintToken(*backend, {u"calls:read"_s});
        QStringList seen;
        QList<int> pageSizes;
        QByteArray target = "/api/calls?limit=50";
        for (int page = 0; page < 5; ++page) {
            const Reply reply = request(backend->port(), "GET", target, bearer);
            QCOMPARE(reply.status, 200);
            const QJsonObject body = json(reply);
            const QJsonArray calls = body[u"calls"_s].toArray();
            pageSizes.append(int(calls.size()));
            for (const QJsonValue &call : calls)
                seen.append(call[u"call_sid"_s].toString());
            if (body[u"next_cursor"_s].isNull())
                break;
            target = "/api/calls?limit=50&cursor=" +
                     QUrl::toPercentEncoding(body[u"next_cursor"_s].toString());
        }
        QCOMPARE(pageSizes, (QList<int>{50, 50, 20}));
        QCOMPARE(seen, created);

        // Default page size, bad parameters, one call by id.
        const Reply first = request(backend->port(), "GET", "/api/calls", bearer);
        QCOMPARE(json(first)[u"calls"_s].toArray().size(), 50);
        QCOMPARE(request(backend->port(), "GET", "/api/calls?limit=0", bearer).errorCode(),
                 u"invalid_limit"_s);
        const Reply badCursor = request(backend->port(), "GET", "/api/calls?cursor=zzz", bearer);
        QCOMPARE(badCursor.status, 400);
        QCOMPARE(badCursor.errorCode(), u"invalid_cursor"_s);
        const Reply one = request(backend->port(), "GET", "/api/calls/cw_page_007", bearer);
        QCOMPARE(one.status, 200);
        QCOMPARE(json(one)[u"call"_s][u"driver_id"_s].toString(), u"drv_7"_s);
    }

    void unknownCallIs404()
    {
        QTemporaryDir dir;
        auto backend = makeBackend(dir.path(), u"sqlite://"_s + dir.filePath(u"cw.db"_s));
        QVERIFY(backend->start());
        const Reply reply = request(backend->port(), "GET", "/api/calls/cw_missing",
                                    mintToken(*backend, {u"calls:read"_s}));
        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.header("content-type"), QByteArrayLiteral("application/json"));
        QCOMPARE(reply.errorCode(), u"call_not_found"_s);
        QVERIFY(json(reply)[u"error"_s][u"message"_s].toString().contains(u"cw_missing"_s));
    }

    void wrongMethodIs405_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<QByteArray>("allow");
        QTest::newRow("DELETE /healthz")
            << QByteArray("DELETE") << QByteArray("/healthz") << QByteArray("GET");
        QTest::newRow("GET post-call webhook")
            << QByteArray("GET") << QByteArray("/webhooks/elevenlabs/post-call")
            << QByteArray("POST");
        QTest::newRow("PUT /api/calls")
            << QByteArray("PUT") << QByteArray("/api/calls") << QByteArray("GET, POST");
    }
    void wrongMethodIs405()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, target);
        QFETCH(QByteArray, allow);
        QTemporaryDir dir;
        auto backend = makeBackend(dir.path(), u"sqlite://"_s + dir.filePath(u"cw.db"_s));
        QVERIFY(backend->start());
        const Reply reply = request(backend->port(), method, target);
        QCOMPARE(reply.status, 405);
        QCOMPARE(reply.header("allow"), allow);
        QCOMPARE(reply.errorCode(), u"method_not_allowed"_s);
        QCOMPARE(request(backend->port(), "GET", "/nowhere").status, 404);
    }

    // stop() with two webhooks in flight (heads read, bodies not yet sent): both are answered,
    // and committed, before stopped(); new connections are refused meanwhile.
    void gracefulStopAnswersInFlight()
    {
        QTemporaryDir dir;
        const QString database = u"sqlite://"_s + dir.filePath(u"cw.db"_s);
        auto backend = makeBackend(dir.path(), database);
        QVERIFY(backend->start());
        const quint16 port = backend->port();
        const qint64 start = QDateTime::currentSecsSinceEpoch() - 900;
        QList<QByteArray> bodies;
        std::vector<std::unique_ptr<RawClient>> clients;
        for (int i = 0; i < 2; ++i) {
            bodies.append(samples::postCallTranscription(samples::sampleCall(40 + i, start)));
            auto client = std::make_unique<RawClient>(port);
            QVERIFY(client->waitConnected());
            client->send("POST /webhooks/elevenlabs/post-call HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         "Expect: 100-continue\r\nContent-Length: " +
                         QByteArray::number(bodies.last().size()) +
                         "\r\nElevenLabs-Signature: " + sign(bodies.last()) + "\r\n\r\n");
            const auto interim = client->reply();
            QVERIFY(interim);
            QCOMPARE(interim->status, 100); // the head was read: this request is in flight
            clients.push_back(std::move(client));
        }

        QSignalSpy stopped(backend.get(), &server::Backend::stopped);
        backend->stop();
        QTest::qWait(300);
        QCOMPARE(stopped.count(), 0);
        QTcpSocket late;
        late.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(!late.waitForConnected(2000));

        for (int i = 0; i < 2; ++i)
            clients[i]->send(bodies[i]);
        for (auto &client : clients) {
            const auto reply = client->reply(30000);
            QVERIFY(reply);
            QCOMPARE(reply->status, 200);
        }
        QTRY_COMPARE_WITH_TIMEOUT(stopped.count(), 1, 10000);
        backend.reset();

        auto url = store::DatabaseUrl::parse(database);
        QVERIFY(url);
        auto reopened = store::Database::open(url.value());
        QVERIFY(reopened);
        QSqlQuery query(reopened.value()->connection());
        QVERIFY(query.exec(u"SELECT COUNT(*) FROM calls WHERE status = 'completed'"_s));
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toInt(), 2);
    }

    void stopWhenIdle()
    {
        QTemporaryDir dir;
        auto backend = makeBackend(dir.path(), u"sqlite://"_s + dir.filePath(u"cw.db"_s));
        QVERIFY(backend->start());
        QSignalSpy stopped(backend.get(), &server::Backend::stopped);
        backend->stop();
        QTRY_COMPARE(stopped.count(), 1);
        backend->stop(); // a second stop does nothing
        QTest::qWait(50);
        QCOMPARE(stopped.count(), 1);
    }
};

QTEST_GUILESS_MAIN(TestBackendServe)
#include "tst_backendserve.moc"
