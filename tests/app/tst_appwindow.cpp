// SPDX-License-Identifier: GPL-3.0-or-later
// The real window (Main.qml) against the fake backend with demo data: it loads without QML
// warnings, fills from REST and the live feed, reacts to the keyboard and renders.
#include "app/appsettings.h"
#include "app/dashboard.h"
#include "demoscenario.h"
#include "fakeserver.h"

#include <QDir>
#include <QNetworkAccessManager>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QtQml/QQmlExtensionPlugin>

Q_IMPORT_QML_PLUGIN(Callwatch_CorePlugin)
Q_IMPORT_QML_PLUGIN(Callwatch_ComponentsPlugin)
Q_IMPORT_QML_PLUGIN(Callwatch_AppPlugin)

using namespace Qt::StringLiterals;
using namespace callwatch::app;
using namespace callwatch::app::testing;

namespace {

struct Window
{
    QTemporaryDir dir;
    QSettings storage{dir.filePath(u"settings.ini"_s), QSettings::IniFormat};
    AppSettings settings{&storage};
    QNetworkAccessManager network;
    Dashboard dashboard{&network};
    QQmlApplicationEngine engine;
    QList<QQmlError> warnings;
    QQuickWindow *window = nullptr;

    bool load(const QString &theme = u"light"_s)
    {
        QObject::connect(&engine, &QQmlEngine::warnings, &engine,
                         [this](const QList<QQmlError> &list) { warnings += list; });
        engine.setInitialProperties({{u"dashboard"_s, QVariant::fromValue(&dashboard)},
                                     {u"appSettings"_s, QVariant::fromValue(&settings)},
                                     {u"initialSize"_s, QSize(1440, 900)},
                                     {u"themeOverride"_s, theme}});
        engine.load(QUrl(u"qrc:/qt-project.org/imports/Callwatch/App/Main.qml"_s));
        if (engine.rootObjects().isEmpty())
            return false;
        window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
        return window && QTest::qWaitForWindowExposed(window);
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

QString screenshotPath(const QString &name)
{
    return QDir(QDir::tempPath()).filePath(u"callwatch-%1.png"_s.arg(name));
}

} // namespace

class TestAppWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QQuickStyle::setStyle(u"Basic"_s); }

    void fillsFromTheBackendAndRenders_data()
    {
        QTest::addColumn<QString>("theme");
        QTest::newRow("light") << u"light"_s;
        QTest::newRow("dark") << u"dark"_s;
    }

    void fillsFromTheBackendAndRenders()
    {
        QFETCH(QString, theme);
        FakeServer server;
        QVERIFY(server.listen());
        DemoScenario demo(&server);
        demo.seedHistory();
        demo.startLiveCalls(4);

        Window w;
        QVERIFY2(w.load(theme), qPrintable(w.warningText()));
        w.dashboard.attach({u"embedded"_s,
                            server.baseUrl(),
                            [](bool) { return u"demo"_s; },
                            {server.baseUrl().toString() + u"/webhooks/elevenlabs/post-call"_s}});
        QTRY_COMPARE(w.dashboard.connectionState(), u"live"_s);
        QTRY_VERIFY(w.dashboard.callsLoadedOnce());

        auto *list = w.find(u"callList"_s);
        QVERIFY(list);
        QTRY_COMPARE(list->property("count").toInt(), w.dashboard.calls()->rowCount());
        QVERIFY(list->property("count").toInt() >= 20);
        QCOMPARE(w.find(u"connectionLabel"_s)->property("text").toString(), u"Live"_s);
        QTRY_COMPARE(w.find(u"liveCallsStat"_s)->property("value").toString(), u"4"_s);

        // Open the second call (live, already talking; the first is still dialing) with the
        // keyboard: focus the list, Down, Down, Enter.
        list->forceActiveFocus();
        QTest::keyClick(w.window, Qt::Key_Down);
        QTest::keyClick(w.window, Qt::Key_Down);
        QCOMPARE(list->property("currentIndex").toInt(), 1);
        QTest::keyClick(w.window, Qt::Key_Return);
        QTRY_COMPARE(w.dashboard.selectedCallSid(), w.dashboard.calls()->callSidAt(1));
        QVERIFY(w.dashboard.selectedCall()->isLive());
        auto *transcript = w.find(u"transcriptList"_s);
        QTRY_VERIFY(transcript->property("count").toInt() > 0);
        QCOMPARE(w.find(u"callTitle"_s)->property("text").toString(),
                 w.dashboard.selectedCall()->driverId());

        // The live call keeps talking: the open transcript grows.
        const int before = transcript->property("count").toInt();
        demo.run(40);
        QTRY_VERIFY(transcript->property("count").toInt() > before);
        demo.stop();

        QTest::qWait(300); // let animations and the last frame settle for the picture
        const QImage image = w.window->grabWindow();
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), QSize(1440, 900) * w.window->devicePixelRatio());
        QVERIFY(image.save(screenshotPath(theme)));
        qInfo("Screenshot: %s", qPrintable(screenshotPath(theme)));
        QVERIFY2(w.warnings.isEmpty(), qPrintable(w.warningText()));
    }

    void completedCallShowsItsCard()
    {
        FakeServer server;
        QVERIFY(server.listen());
        DemoScenario demo(&server);
        demo.seedHistory();
        Window w;
        QVERIFY(w.load());
        w.dashboard.attach({u"remote"_s, server.baseUrl(), [](bool) { return QString(); }, {}});
        QTRY_VERIFY(w.dashboard.callsLoadedOnce());
        QString completed;
        for (int row = 0; row < w.dashboard.calls()->rowCount() && completed.isEmpty(); ++row) {
            const QString sid = w.dashboard.calls()->callSidAt(row);
            if (w.dashboard.calls()->find(sid)->status == "completed"_L1)
                completed = sid;
        }
        QVERIFY(!completed.isEmpty());
        w.dashboard.selectCall(completed);
        QTRY_VERIFY(w.dashboard.transcript()->isPostCall());
        QTRY_VERIFY(w.find(u"summaryText"_s)->property("text").toString().size() > 20);
        QVERIFY(w.find(u"evaluationTitle"_s)->property("text").toString().contains(u"PASSED"_s));
        QVERIFY(w.find(u"summaryText"_s)->isVisible());
        QVERIFY2(w.warnings.isEmpty(), qPrintable(w.warningText()));
    }

    void inspectorShowsTheRawDelivery()
    {
        FakeServer server;
        QVERIFY(server.listen());
        DemoScenario demo(&server);
        demo.seedHistory();
        Window w;
        QVERIFY(w.load(u"dark"_s));
        w.dashboard.attach({u"remote"_s, server.baseUrl(), [](bool) { return QString(); }, {}});
        QTRY_COMPARE(w.dashboard.connectionState(), u"live"_s);
        QTest::keyClick(w.window, Qt::Key_2, Qt::ControlModifier); // the Ctrl+2 shortcut
        QTRY_VERIFY(w.dashboard.inspector()->active());
        auto *list = w.find(u"deliveryList"_s);
        QTRY_COMPARE(list->property("count").toInt(), 14);
        w.dashboard.inspector()->select(5); // the one with a bad signature
        QTRY_VERIFY(!w.dashboard.inspector()->body().isEmpty());
        QTRY_VERIFY(w.find(u"jsonText"_s)
                        ->property("text")
                        .toString()
                        .contains(u"post_call_transcription"_s));
        QCOMPARE(w.find(u"detailVerification"_s)->property("text").toString(),
                 u"Invalid signature"_s);
        QVERIFY(w.find(u"replayButton"_s)->isEnabled());
        QTest::qWait(200);
        QVERIFY(w.window->grabWindow().save(screenshotPath(u"inspector"_s)));
        QVERIFY2(w.warnings.isEmpty(), qPrintable(w.warningText()));
    }

    void portInUseOffersAWayOut()
    {
        Window w;
        QVERIFY(w.load());
        w.dashboard.setEmbeddedAvailable(true);
        w.dashboard.setStartupState(u"failed"_s, u"port_in_use"_s,
                                    u"Port 8750 on 127.0.0.1 is already in use."_s, 8751);
        QTRY_COMPARE(w.find(u"startupTitle"_s)->property("text").toString(),
                     u"The port is already in use"_s);
        QVERIFY(w.find(u"startupTitle"_s)->isVisible());
        QCOMPARE(w.find(u"portField"_s)->property("text").toString(), u"8751"_s);
        QSignalSpy start(&w.dashboard, &Dashboard::embeddedStartRequested);
        auto *button = w.find(u"startEmbedded"_s);
        QVERIFY(button->isVisible());
        QMetaObject::invokeMethod(button, "clicked");
        QCOMPARE(start.size(), 1);
        QCOMPARE(start.at(0).at(0).toInt(), 8751);
        QTest::qWait(100);
        QVERIFY(w.window->grabWindow().save(screenshotPath(u"startup"_s)));
        QVERIFY2(w.warnings.isEmpty(), qPrintable(w.warningText()));
    }
};

QTEST_MAIN(TestAppWindow)
#include "tst_appwindow.moc"
