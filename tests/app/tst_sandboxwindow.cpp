// SPDX-License-Identifier: GPL-3.0-or-later
// End to end, the way `./scripts/run --demo` works: the real dashboard window (Main.qml, loaded
// by the same WindowLoader as `callwatch`) with its in-process backend (Launcher +
// EmbeddedBackend on a free port, SQLite in a temporary directory), and the local ElevenLabs
// sandbox placing calls through the backend's POST /api/calls (SandboxDialer) and playing them
// back as signed webhooks. The test waits for a completed call, checks through the models and
// the visible items that the list, the transcript and the summary show what the sandbox sent,
// and saves the window as tst_sandboxwindow.png in its working directory.
// CALLWATCH_E2E_SCREENSHOT=path also writes the picture there.
#include "app/appsettings.h"
#include "app/dashboard.h"
#include "app/launcher.h"
#include "app/launchoptions.h"
#include "app/windowloader.h"
#include "elevenlabs/sandboxconversation.h"
#include "elevenlabs/sandboxdialer.h"
#include "elevenlabs/sandboxserver.h"
#include "live/jwtminter.h"
#include "server/config.h"
#include "server/jwtsetup.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QFont>
#include <QGuiApplication>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSettings>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QtQml/QQmlExtensionPlugin>

#include <memory>

Q_IMPORT_QML_PLUGIN(Callwatch_CorePlugin)
Q_IMPORT_QML_PLUGIN(Callwatch_ComponentsPlugin)
Q_IMPORT_QML_PLUGIN(Callwatch_AppPlugin)

using namespace Qt::StringLiterals;
using namespace callwatch;
using namespace callwatch::app;

namespace {

const QByteArray WebhookSecret = "wsec_sandbox_window_post_call";
const QByteArray TranscriptionSecret = "wsec_sandbox_window_turns";
const QString ApiKey = u"sandbox-window-key"_s;

int freePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost) ? probe.serverPort() : 0;
}

/** A calls:write token signed with the key the backend keeps in @p dataDir, as the demo does. */
QByteArray dialerToken(const QString &dataDir)
{
    auto config =
        server::Config::load({{u"data-dir"_s, dataDir}}, QProcessEnvironment::systemEnvironment());
    if (!config)
        return {};
    auto jwt = server::jwtConfigFor(config.value());
    if (!jwt)
        return {};
    auto token = live::JwtMinter::mint(jwt.value(), u"tst_sandboxwindow"_s, {u"calls:write"_s},
                                       3600, QDateTime::currentSecsSinceEpoch());
    return token ? token.value() : QByteArray();
}

QStringList messagesOf(const QJsonArray &transcript)
{
    QStringList messages;
    for (const QJsonValue &turn : transcript)
        messages.append(turn.toObject().value("message"_L1).toString());
    return messages;
}

/** The real window and everything `callwatch` builds around it, on a free port. */
struct App
{
    QTemporaryDir settingsDir;
    QTemporaryDir dataDir;
    QSettings storage{settingsDir.filePath(u"settings.ini"_s), QSettings::IniFormat};
    AppSettings settings{&storage};
    QNetworkAccessManager network;
    Dashboard dashboard{&network};
    std::unique_ptr<Launcher> launcher;
    QQmlApplicationEngine engine;
    QList<QQmlError> warnings;
    QQuickWindow *window = nullptr;

    bool start(int port)
    {
        LaunchOptions options;
        options.port = port;
        options.dataDir = dataDir.path();
        options.windowSize = QSize(1440, 900);
        options.theme = u"light"_s;
        launcher = std::make_unique<Launcher>(&dashboard, &settings, options);
        QObject::connect(&engine, &QQmlEngine::warnings, &engine,
                         [this](const QList<QQmlError> &list) { warnings += list; });
        window = WindowLoader::load(engine, dashboard, settings, options);
        if (!window || !QTest::qWaitForWindowExposed(window))
            return false;
        launcher->start();
        return true;
    }
    ~App()
    {
        if (launcher)
            launcher->shutdown();
    }
    template<typename T = QQuickItem> T *find(const QString &name) const
    {
        return window->findChild<T *>(name);
    }
    QString warningText() const
    {
        QStringList lines;
        for (const QQmlError &error : warnings)
            lines.append(error.toString());
        return lines.join(u'\n');
    }
};

} // namespace

class TestSandboxWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QLoggingCategory::setFilterRules(u"callwatch.*.info=false\ncallwatch.*.debug=false"_s);
        // As callwatch's main() sets them, so the picture looks like the product.
        QQuickStyle::setStyle(u"Basic"_s);
        QFont font = QGuiApplication::font();
        font.setPixelSize(13);
        QGuiApplication::setFont(font);
    }

    void sandboxCallsShowInTheWindow()
    {
        const int port = freePort();
        QVERIFY(port > 0);

        // The sandbox first (the backend needs its URL), sending webhooks to the backend's port.
        elevenlabs::SandboxOptions options;
        options.backendUrl = QUrl(u"http://127.0.0.1:%1"_s.arg(port));
        options.webhookSecret = WebhookSecret;
        options.transcriptionSecret = TranscriptionSecret;
        options.apiKey = ApiKey;
        options.turnIntervalMinMs = 150;
        options.turnIntervalMaxMs = 400;
        options.ringMs = 500;
        options.failureRate = 0;
        options.seed = 5;
        elevenlabs::SandboxServer sandbox(options);
        QVERIFY(sandbox.listen());
        QHash<QString, QString> callSidOf; // conversation id → call_sid
        connect(&sandbox, &elevenlabs::SandboxServer::callStarted, this,
                [&callSidOf](const QString &conversation, const QString &callSid) {
                    callSidOf.insert(conversation, callSid);
                });
        QSignalSpy finished(&sandbox, &elevenlabs::SandboxServer::conversationFinished);

        // The in-process backend reads the same variables as `callwatchd serve` in scripts/demo.
        qputenv("CALLWATCH_WEBHOOK_SECRET", WebhookSecret);
        qputenv("CALLWATCH_TRANSCRIPTION_SECRET", TranscriptionSecret);
        qputenv("CALLWATCH_ELEVENLABS_BASE_URL", sandbox.baseUrl().toString().toUtf8());
        qputenv("CALLWATCH_ELEVENLABS_API_KEY", ApiKey.toUtf8());
        qputenv("CALLWATCH_AGENT_ID", "agent_demo_fleet_safety");
        qputenv("CALLWATCH_AGENT_PHONE_NUMBER_ID", "phnum_demo_0001");

        App app;
        QVERIFY2(app.start(port), qPrintable(app.warningText()));
        QAbstractItemModelTester callsTester(app.dashboard.calls(),
                                             QAbstractItemModelTester::FailureReportingMode::Fatal);
        QAbstractItemModelTester transcriptTester(
            app.dashboard.transcript(), QAbstractItemModelTester::FailureReportingMode::Fatal);
        QTRY_COMPARE_WITH_TIMEOUT(app.dashboard.connectionState(), u"live"_s, 15000);
        QTRY_VERIFY(app.dashboard.callsLoadedOnce());

        // Calls start the demo's way: POST /api/calls every 5 s; the backend dials the sandbox.
        const QByteArray token = dialerToken(app.dataDir.path());
        QVERIFY(!token.isEmpty());
        elevenlabs::SandboxDialer dialer(options.backendUrl, token, 12);
        dialer.start();

        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 60000);
        QCOMPARE(finished.first().at(1).toString(), u"done"_s);
        const QString conversationId = finished.first().at(0).toString();
        const elevenlabs::SandboxConversation *conversation = sandbox.conversation(conversationId);
        QVERIFY(conversation);
        const QString callSid = callSidOf.value(conversationId);
        QVERIFY(!callSid.isEmpty());
        const QJsonObject sent = conversation->data();
        const QStringList sentMessages = messagesOf(sent.value("transcript"_L1).toArray());
        const QString sentSummary =
            sent.value("analysis"_L1).toObject().value("transcript_summary"_L1).toString();
        const qint64 sentDuration =
            sent.value("metadata"_L1).toObject().value("call_duration_secs"_L1).toInteger();
        QVERIFY(sentMessages.size() >= 10);
        QVERIFY(!sentSummary.isEmpty());

        // The list: the call is there, completed, with the summary the sandbox sent.
        CallListModel *calls = app.dashboard.calls();
        QTRY_VERIFY_WITH_TIMEOUT(
            calls->find(callSid) && calls->find(callSid)->status == u"completed"_s, 15000);
        const int row = calls->rowOf(callSid);
        QVERIFY(row >= 0);
        QCOMPARE(calls->index(row).data(CallListModel::SummaryRole).toString(), sentSummary);
        auto *list = app.find(u"callList"_s);
        QVERIFY(list);
        QTRY_COMPARE(list->property("count").toInt(), calls->rowCount());

        // Open it with the keyboard, as a supervisor would.
        list->forceActiveFocus();
        list->setProperty("currentIndex", row);
        QTest::keyClick(app.window, Qt::Key_Return);
        QTRY_COMPARE(app.dashboard.selectedCallSid(), callSid);

        // The transcript: every turn the sandbox played, once, in order.
        TranscriptModel *transcript = app.dashboard.transcript();
        QTRY_VERIFY_WITH_TIMEOUT(transcript->isPostCall(), 15000);
        QStringList shown;
        for (int i = 0; i < transcript->rowCount(); ++i)
            shown.append(transcript->index(i).data(TranscriptModel::MessageRole).toString());
        QCOMPARE(shown, sentMessages);
        QTRY_COMPARE(app.find(u"transcriptList"_s)->property("count").toInt(), sentMessages.size());

        // The summary card.
        CallSummary *summary = app.dashboard.selectedCall();
        QTRY_VERIFY(summary->hasCompletion());
        QCOMPARE(summary->summary(), sentSummary);
        QCOMPARE(summary->durationSeconds(), sentDuration);
        QCOMPARE(summary->conversationId(), conversationId);
        QTRY_COMPARE(app.find(u"summaryText"_s)->property("text").toString(), sentSummary);
        QVERIFY(app.find(u"summaryText"_s)->isVisible());
        QCOMPARE(app.find(u"callTitle"_s)->property("text").toString(), summary->driverId());

        // The next calls are live by now; keep one in the picture.
        QTRY_VERIFY_WITH_TIMEOUT(calls->liveCount() >= 1, 20000);
        QTest::qWait(500); // animations and the last frame settle
        const QImage image = app.window->grabWindow();
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), QSize(1440, 900) * app.window->devicePixelRatio());
        const QString path = QDir::current().filePath(u"tst_sandboxwindow.png"_s);
        QVERIFY(image.save(path));
        qInfo("Screenshot: %s", qPrintable(path));
        if (const QString extra = qEnvironmentVariable("CALLWATCH_E2E_SCREENSHOT");
            !extra.isEmpty())
            QVERIFY(image.save(extra));

        dialer.stop();
        QVERIFY2(app.warnings.isEmpty(), qPrintable(app.warningText()));
    }
};

QTEST_MAIN(TestSandboxWindow)
#include "tst_sandboxwindow.moc"
