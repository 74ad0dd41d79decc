// SPDX-License-Identifier: GPL-3.0-or-later
// The in-process mode against the real backend: it starts on a chosen port, mints the
// dashboard's token, serves REST and the live feed to the Dashboard exactly like a remote
// server, and a signed ElevenLabs webhook shows up in the list, the call view and the inspector.
#include "app/dashboard.h"
#include "app/embeddedbackend.h"
#include "app/tokeninfo.h"
#include "webhooks/samplepayloads.h"
#include "webhooks/signatureverifier.h"

#include <QAbstractItemModelTester>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <thread>

using namespace Qt::StringLiterals;
using namespace callwatch::app;
namespace samples = callwatch::webhooks::samples;

namespace {

const QByteArray webhookSecret = "wsec_dashboard_test_secret";

int freePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost) ? probe.serverPort() : 0;
}

} // namespace

class TestEmbeddedBackend : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(EmbeddedBackend::isAvailable());
        qputenv("CALLWATCH_WEBHOOK_SECRET", webhookSecret);
        qputenv("CALLWATCH_TRANSCRIPTION_SECRET", "tsec_dashboard_test_secret");
    }

    void servesTheDashboardLikeARemoteServer()
    {
        QTemporaryDir dataDir;
        const int port = freePort();
        EmbeddedBackend backend;
        auto started = backend.start({port, dataDir.path()});
        QVERIFY2(started.ok(), qPrintable(started.error().message));
        QCOMPARE(backend.baseUrl().port(), port);
        QVERIFY(backend.webhookUrls().size() >= 1);

        const TokenInfo token = TokenInfo::fromJwt(backend.token(false));
        QVERIFY(token.valid);
        QVERIFY(token.hasScope(u"calls:read"_s));
        QVERIFY(token.hasScope(u"calls:write"_s));
        QVERIFY(QDateTime::currentDateTimeUtc().secsTo(token.expiresAt) > 11 * 3600);
        QCOMPARE(backend.token(false), backend.token(false)); // cached until close to expiry

        QNetworkAccessManager network;
        Dashboard dashboard(&network);
        QAbstractItemModelTester tester(dashboard.calls(),
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        dashboard.attach({u"embedded"_s, backend.baseUrl(),
                          [&backend](bool forceNew) { return backend.token(forceNew); },
                          backend.webhookUrls()});
        QTRY_COMPARE(dashboard.connectionState(), u"live"_s);
        QTRY_VERIFY(dashboard.callsLoadedOnce() && dashboard.statsLoaded());
        QVERIFY(dashboard.canWrite());
        QCOMPARE(dashboard.calls()->rowCount(), 0);

        // ElevenLabs delivers a signed post-call webhook: the call appears live.
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        samples::SampleCall call = samples::sampleCall(3, now - 400);
        call.callSid = u"CA_dashboard_e2e"_s;
        const QByteArray body = samples::postCallTranscription(call);
        QNetworkRequest request(
            QUrl(backend.baseUrl().toString() + u"/webhooks/elevenlabs/post-call"_s));
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        request.setRawHeader("ElevenLabs-Signature", callwatch::webhooks::SignatureVerifier::sign(
                                                         webhookSecret, now, body));
        QNetworkReply *reply = network.post(request, body);
        QTRY_VERIFY(reply->isFinished());
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        reply->deleteLater();

        QTRY_VERIFY(dashboard.calls()->find(call.callSid));
        QTRY_COMPARE(dashboard.calls()->find(call.callSid)->status, u"completed"_s);
        QTRY_COMPARE(dashboard.completedToday(), 1);

        dashboard.selectCall(call.callSid);
        QTRY_VERIFY(dashboard.transcript()->rowCount() > 0);
        QVERIFY(dashboard.transcript()->isPostCall());
        QTRY_VERIFY(dashboard.selectedCall()->hasCompletion());
        QVERIFY(!dashboard.selectedCall()->summary().isEmpty());

        WebhookInspector *inspector = dashboard.inspector();
        inspector->setActive(true);
        QTRY_COMPARE(inspector->deliveries()->rowCount(), 1);
        inspector->select(inspector->deliveries()->idAt(0));
        QTRY_VERIFY(!inspector->body().isEmpty());
        QCOMPARE(inspector->selected().value(u"verification"_s).toString(), u"valid"_s);

        dashboard.detach();
        backend.stop();
    }

    void busyPortIsReportedNotFatal()
    {
        QTcpServer squatter;
        QVERIFY(squatter.listen(QHostAddress::LocalHost));
        QTemporaryDir dataDir;
        EmbeddedBackend backend;
        auto started = backend.start({squatter.serverPort(), dataDir.path()});
        QVERIFY(!started.ok());
        QCOMPARE(started.error().code, u"port_in_use"_s);
        QVERIFY(started.error().message.contains(QString::number(squatter.serverPort())));
        QVERIFY(!EmbeddedBackend::isPortFree(squatter.serverPort()));
    }

    void freshTokenOnRequest()
    {
        QTemporaryDir dataDir;
        EmbeddedBackend backend;
        QVERIFY(backend.start({freePort(), dataDir.path()}).ok());
        const QString first = backend.token(false);
        QTest::qWait(1100); // iat has one-second resolution
        const QString fresh = backend.token(true);
        QVERIFY(!fresh.isEmpty());
        QVERIFY(fresh != first);
        QCOMPARE(TokenInfo::fromJwt(fresh).subject, TokenInfo::fromJwt(first).subject);
        backend.stop();
    }

    void servesWhileTheGuiThreadIsBusy()
    {
        // The backend has a thread of its own: a webhook or REST call is answered even while
        // the GUI thread is stuck (a long layout, a slow frame), and SQL never runs on it.
        QTemporaryDir dataDir;
        const int port = freePort();
        EmbeddedBackend backend;
        QVERIFY(backend.start({port, dataDir.path()}).ok());
        std::atomic<bool> answered = false;
        std::thread client([port, &answered] {
            QTcpSocket socket; // lives in this plain thread; only blocking calls are used
            socket.connectToHost(QHostAddress::LocalHost, quint16(port));
            if (!socket.waitForConnected(2500))
                return;
            socket.write("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
            QByteArray response;
            while (!response.contains("\r\n\r\n") && socket.waitForReadyRead(2500))
                response += socket.readAll();
            answered = response.startsWith("HTTP/1.1 200");
        });
        QThread::sleep(4); // the GUI thread processes no events meanwhile
        client.join();
        QVERIFY(answered);
        backend.stop();
    }
};

QTEST_GUILESS_MAIN(TestEmbeddedBackend)
#include "tst_embeddedbackend.moc"
