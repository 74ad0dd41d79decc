// SPDX-License-Identifier: GPL-3.0-or-later
// kill -9 of callwatchd in the middle of a stream of signed webhooks: after a restart, every
// delivery that received a 200 must be in the database.
#include "loadgen.h"
#include "servertestharness.h"

#include "store/database.h"
#include "store/databaseurl.h"
#include "webhooks/samplepayloads.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QProcess>
#include <QSet>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <mutex>
#include <thread>

using namespace Qt::StringLiterals;
using namespace callwatch;
using namespace callwatch::server::test;
namespace samples = callwatch::webhooks::samples;

class TestCrashDurability : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QProcess m_server;
    int m_port = 0;

    bool startServer()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"CALLWATCH_WEBHOOK_SECRET"_s, QString::fromLatin1(PostCallSecret));
        env.insert(u"CALLWATCH_TRANSCRIPTION_SECRET"_s, QString::fromLatin1(TurnSecret));
        env.insert(u"QT_LOGGING_RULES"_s, u"callwatch.*.info=false"_s);
        m_server.setProcessEnvironment(env);
        m_server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_server.start(QStringLiteral(CALLWATCHD_PATH),
                       {u"serve"_s, u"--listen"_s, u"127.0.0.1:%1"_s.arg(m_port), u"--data-dir"_s,
                        m_dir.path()});
        if (!m_server.waitForStarted())
            return false;
        for (int i = 0; i < 200 && m_server.state() == QProcess::Running; ++i) {
            // (Ours must be the one listening: a callwatchd that could not bind has exited.)
            QTcpSocket probe;
            probe.connectToHost(u"127.0.0.1"_s, quint16(m_port));
            if (probe.waitForConnected(100))
                return m_server.state() == QProcess::Running;
            QThread::msleep(50);
        }
        return false;
    }

    static QByteArray signedPost(const char *path, const QByteArray &secret, const QByteArray &body)
    {
        return bench::buildPost(path, {"ElevenLabs-Signature: " + sign(body, secret)}, body);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // A port free right now (the restart after the kill needs the same one), and another
        // if someone took it in between.
        for (int attempt = 0; attempt < 5 && m_port == 0; ++attempt) {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            m_port = probe.serverPort();
            probe.close();
            if (!startServer()) {
                m_server.kill();
                m_server.waitForFinished();
                m_port = 0;
            }
        }
        QVERIFY2(m_port != 0, "callwatchd did not start");
    }

    void acknowledgedDeliveriesSurviveKill9()
    {
        // One call to attach turns to, created through the post-call webhook.
        samples::SampleCall call = samples::sampleCall(0, QDateTime::currentSecsSinceEpoch() - 600);
        call.callSid = u"EL_crash_1"_s;
        const QByteArray create = signedPost("/webhooks/elevenlabs/post-call", PostCallSecret,
                                             samples::postCallTranscription(call));
        const auto created = bench::runLoad(
            "127.0.0.1", m_port, 1, 10, [&](quint64) { return create; }, 1);
        QCOMPARE(created.ok, 1u);

        std::mutex mutex;
        QSet<quint64> acknowledged;
        auto acknowledgedCount = [&] {
            std::lock_guard lock(mutex);
            return acknowledged.size();
        };
        // The stream runs until the kill ends it (the load generator stops when every
        // connection is gone); the deadline is only there for a server that never answers.
        std::thread load([&] {
            bench::runLoad(
                "127.0.0.1", m_port, 8, 120.0,
                [&](quint64 n) {
                    return signedPost("/webhooks/elevenlabs/transcription", TurnSecret,
                                      samples::transcriptionTurn(call.callSid, u"user"_s,
                                                                 u"turn %1"_s.arg(n), double(n),
                                                                 u"crash-%1"_s.arg(n)));
                },
                0,
                [&](quint64 n, int status) {
                    if (status == 200) {
                        std::lock_guard lock(mutex);
                        acknowledged.insert(n);
                    }
                });
        });
        // Killed mid-stream: after a second of it (long enough for the WAL to be checkpointed
        // on the way) and once a few hundred turns are acknowledged, however long a loaded
        // machine takes to get there, while the 8 connections keep more in flight.
        QElapsedTimer waited;
        waited.start();
        while ((waited.elapsed() < 1000 || acknowledgedCount() < 300) && waited.elapsed() < 60000)
            QThread::msleep(20);
        m_server.kill(); // SIGKILL: no shutdown path runs
        m_server.waitForFinished();
        load.join();
        QVERIFY2(acknowledged.size() >= 300, "the stream was running when the server died");

        QVERIFY(startServer()); // recovery (WAL replay) happens on open
        auto url = store::DatabaseUrl::parse(u"sqlite://"_s + m_dir.filePath(u"callwatch.db"_s));
        QVERIFY(url);
        auto database = store::Database::open(url.value());
        QVERIFY(database);
        QSqlQuery query(database.value()->connection());
        QVERIFY(query.exec(u"SELECT turn_key FROM call_transcriptions WHERE source = 'live'"_s));
        QSet<QString> stored;
        while (query.next())
            stored.insert(query.value(0).toString());
        qsizetype missing = 0;
        for (quint64 n : std::as_const(acknowledged))
            missing += stored.contains(u"id:crash-%1"_s.arg(n)) ? 0 : 1;
        qInfo() << acknowledged.size() << "acknowledged," << stored.size() << "stored";
        QCOMPARE(missing, 0);
        m_server.terminate();
        m_server.waitForFinished();
    }
};

QTEST_GUILESS_MAIN(TestCrashDurability)
#include "tst_crashdurability.moc"
