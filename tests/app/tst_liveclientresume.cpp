// SPDX-License-Identifier: GPL-3.0-or-later
// LiveClient against the real backend (callwatch::server::Backend on a free port, SQLite in a
// temporary directory), with its connection cut in the middle of a stream of signed
// transcription turns sent through the real webhook route. The client reaches the backend
// through a TCP relay the test cuts: events in flight are lost with the socket, turns arrive
// while it is away, and after it reconnects with `since` every turn must be in the transcript
// model exactly once, in order, without a REST reload (which would hide a broken resume).
#include "tcpproxy.h"

#include "app/liveclient.h"
#include "app/transcriptmodel.h"
#include "server/backend.h"
#include "store/callrepository.h"
#include "store/database.h"
#include "webhooks/samplepayloads.h"
#include "webhooks/signatureverifier.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace callwatch;
using app::LiveClient;
using app::TranscriptModel;
using app::test::TcpProxy;
namespace samples = callwatch::webhooks::samples;

namespace {

const QByteArray PostSecret = "wsec_resume_post_call";
const QByteArray TurnSecret = "wsec_resume_transcription";
const QString JwtSecret = u"live-resume-jwt-secret-0123456789abcdef"_s;
const QString CallSid = u"CA_resume_under_test"_s;

QString turnText(int n)
{
    return u"Turn %1: I pulled over near mile marker %2."_s.arg(n).arg(300 + n);
}

/**
 * Posts signed turns straight to the backend (never through the relay the test cuts), one after
 * the other so the backend numbers them in the order sent, without blocking the test.
 */
class TurnSender : public QObject
{
public:
    explicit TurnSender(quint16 port) : m_port(port) {}

    /** Starts streaming turns [from, to]; finish() waits for the last one. */
    void sendAll(int from, int to)
    {
        m_next = from;
        m_last = to;
        sendNext();
    }
    /** False when a turn was refused or the stream did not end in time. */
    bool finish()
    {
        return QTest::qWaitFor([this] { return m_next > m_last || m_failed; }, 20000) && !m_failed;
    }

private:
    void sendNext()
    {
        if (m_next > m_last)
            return;
        const int n = m_next;
        const QByteArray body = samples::transcriptionTurn(
            CallSid, n % 2 ? u"agent"_s : u"user"_s, turnText(n), n * 2.5, u"turn-%1"_s.arg(n));
        QNetworkRequest request(
            QUrl(u"http://127.0.0.1:%1/webhooks/elevenlabs/transcription"_s.arg(m_port)));
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        request.setRawHeader("ElevenLabs-Signature",
                             webhooks::SignatureVerifier::sign(
                                 TurnSecret, QDateTime::currentSecsSinceEpoch(), body));
        QNetworkReply *reply = m_network.post(request, body);
        connect(reply, &QNetworkReply::finished, this, [this, reply] {
            reply->deleteLater();
            if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200) {
                qWarning() << "turn" << m_next << "refused:" << reply->errorString();
                m_failed = true;
                return;
            }
            ++m_next;
            sendNext();
        });
    }

    quint16 m_port;
    QNetworkAccessManager m_network;
    int m_next = 1;
    int m_last = 0;
    bool m_failed = false;
};

} // namespace

class TestLiveClientResume : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QLoggingCategory::setFilterRules(u"callwatch.*.info=false\ncallwatch.*.debug=false"_s);
        QVERIFY(m_dataDir.isValid());
        auto config = server::Config::load({}, QProcessEnvironment(), {});
        QVERIFY(config.ok());
        config->set(u"data-dir"_s, m_dataDir.path());
        config->set(u"listen"_s, u"127.0.0.1:0"_s);
        config->set(u"jwt-secret"_s, JwtSecret);
        config->set(u"webhook-secret"_s, QString::fromLatin1(PostSecret));
        config->set(u"transcription-secret"_s, QString::fromLatin1(TurnSecret));
        m_backend = std::make_unique<server::Backend>(std::move(config).value());
        auto started = m_backend->start();
        QVERIFY2(started.ok(), qPrintable(started.error().message));

        // The call exists before its turns, as when the launcher has dialled it.
        store::NewCall launched;
        launched.callSid = CallSid;
        launched.driverId = u"drv_resume"_s;
        auto created =
            store::CallRepository(m_backend->database()->connection()).createCall(launched);
        QVERIFY2(created.ok(), qPrintable(created.error().message));
    }

    void cleanupTestCase()
    {
        if (!m_backend)
            return;
        QSignalSpy stopped(m_backend.get(), &server::Backend::stopped);
        m_backend->stop();
        QVERIFY(stopped.count() > 0 || stopped.wait(10000));
    }

    void noTurnMissingOrDoubledAfterCuts()
    {
        TcpProxy proxy(m_backend->port());
        QVERIFY(proxy.start());

        LiveClient live;
        LiveClient::Timing timing;
        timing.initialBackoffMs = 100;
        timing.maxBackoffMs = 400;
        live.setTiming(timing);
        live.setServerUrl(QUrl(u"http://127.0.0.1:%1"_s.arg(proxy.port())));
        server::Backend *backend = m_backend.get();
        live.setTokenProvider([backend](bool) {
            auto minted = backend->mintToken(u"tst_liveclientresume"_s, {u"calls:read"_s}, 3600);
            return minted ? QString::fromUtf8(minted.value()) : QString();
        });

        TranscriptModel transcript;
        QAbstractItemModelTester tester(&transcript,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        transcript.setCall(CallSid);
        QList<qint64> emitted; // sequence numbers in the order LiveClient emitted them
        connect(&live, &LiveClient::transcriptionReceived, &transcript,
                [&](const app::TranscriptEvent &event) {
                    if (event.callSid == CallSid)
                        emitted.append(event.turn.sequenceNumber);
                    transcript.applyLive(event);
                });
        QSignalSpy resyncs(&live, &LiveClient::resyncRequired);
        int reconnects = 0;
        connect(&live, &LiveClient::connectionStateChanged, this,
                [&reconnects](LiveClient::State state) {
                    reconnects += state == LiveClient::State::Reconnecting;
                });

        live.start();
        QTRY_COMPARE_WITH_TIMEOUT(live.state(), LiveClient::State::Live, 10000);
        QCOMPARE(resyncs.count(), 1); // the first subscribe has nothing to resume

        // Cuts the relay the moment the model shows @p rows turns, so the cut always lands
        // mid-stream however fast the machine is (polling could miss the window).
        int cutAtRows = 0;
        bool pauseOnCut = false;
        connect(&transcript, &TranscriptModel::countChanged, this, [&] {
            if (cutAtRows == 0 || transcript.rowCount() < cutAtRows)
                return;
            cutAtRows = 0;
            if (pauseOnCut)
                proxy.pause();
            else
                proxy.cut();
        });

        TurnSender sender(m_backend->port());
        // 1. A stream is running; cut it while turns are still being posted and delivered.
        cutAtRows = 5;
        pauseOnCut = true;
        sender.sendAll(1, 30);
        QTRY_VERIFY_WITH_TIMEOUT(cutAtRows == 0, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(live.state() != LiveClient::State::Live, 10000);
        QVERIFY(sender.finish());
        // Frames the client had already read may still land, but not the rest of the stream.
        QVERIFY2(transcript.rowCount() < 30, "the cut did not land mid-stream");

        // 2. Turns arrive while the client cannot reconnect.
        sender.sendAll(31, 45);
        QVERIFY(sender.finish());
        QTest::qWait(300); // at least one refused reconnect attempt
        const int beforeResume = transcript.rowCount();
        QVERIFY(beforeResume < 45);

        // 3. The relay comes back: the client resumes from its last event id.
        QVERIFY(proxy.resume());
        sender.sendAll(46, 60);
        QTRY_COMPARE_WITH_TIMEOUT(live.state(), LiveClient::State::Live, 10000);
        QVERIFY(sender.finish());

        // 4. A second cut with an immediate reconnect, again mid-stream.
        cutAtRows = 65;
        pauseOnCut = false;
        sender.sendAll(61, 90);
        QTRY_VERIFY_WITH_TIMEOUT(cutAtRows == 0, 10000);
        QVERIFY(sender.finish());
        QTRY_COMPARE_WITH_TIMEOUT(transcript.rowCount(), 90, 15000);
        QTest::qWait(300); // nothing may follow (no late duplicates)

        QVERIFY(reconnects >= 2);
        QCOMPARE(resyncs.count(), 1); // both reconnects resumed; no REST reload was needed
        QCOMPARE(live.state(), LiveClient::State::Live);
        QCOMPARE(transcript.rowCount(), 90);
        QList<qint64> expected;
        for (int n = 1; n <= 90; ++n)
            expected.append(n);
        QCOMPARE(emitted, expected); // each turn emitted once, in order
        for (int row = 0; row < transcript.rowCount(); ++row) {
            const QModelIndex index = transcript.index(row);
            QCOMPARE(index.data(TranscriptModel::SequenceNumberRole).toLongLong(), row + 1);
            QCOMPARE(index.data(TranscriptModel::MessageRole).toString(), turnText(row + 1));
        }
        live.stop();
    }

private:
    QTemporaryDir m_dataDir;
    std::unique_ptr<server::Backend> m_backend;
};

QTEST_GUILESS_MAIN(TestLiveClientResume)
#include "tst_liveclientresume.moc"
