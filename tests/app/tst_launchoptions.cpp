// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/appsettings.h"
#include "app/launchoptions.h"

#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch::app;

class TestLaunchOptions : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("environmentToken");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("connectUrl");
        QTest::addColumn<QString>("token");
        QTest::addColumn<int>("port");

        QTest::newRow("default: in-process")
            << QStringList{} << QString() << true << QString() << QString() << 0;
        QTest::newRow("connect with token")
            << QStringList{u"--connect"_s, u"http://10.0.0.5:8750"_s, u"--token"_s, u"abc"_s}
            << QString() << true << u"http://10.0.0.5:8750"_s << u"abc"_s << 0;
        QTest::newRow("token from the environment")
            << QStringList{u"--connect"_s, u"https://cw.example.com"_s} << u"envtok"_s << true
            << u"https://cw.example.com"_s << u"envtok"_s << 0;
        QTest::newRow("flag wins over environment")
            << QStringList{u"--connect"_s, u"http://h:1"_s, u"--token"_s, u"flag"_s} << u"env"_s
            << true << u"http://h:1"_s << u"flag"_s << 0;
        QTest::newRow("port") << QStringList{u"--port"_s, u"8751"_s} << QString() << true
                              << QString() << QString() << 8751;
        QTest::newRow("bad port") << QStringList{u"--port"_s, u"70000"_s} << QString() << false
                                  << QString() << QString() << 0;
        QTest::newRow("ws url refused") << QStringList{u"--connect"_s, u"ws://h:1"_s} << QString()
                                        << false << QString() << QString() << 0;
        QTest::newRow("unknown option")
            << QStringList{u"--frobnicate"_s} << QString() << false << QString() << QString() << 0;
        QTest::newRow("stray argument")
            << QStringList{u"extra"_s} << QString() << false << QString() << QString() << 0;
        QTest::newRow("bad size") << QStringList{u"--size"_s, u"big"_s} << QString() << false
                                  << QString() << QString() << 0;
        QTest::newRow("bad theme") << QStringList{u"--theme"_s, u"pink"_s} << QString() << false
                                   << QString() << QString() << 0;
    }

    void parse()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, environmentToken);
        QFETCH(bool, ok);
        QFETCH(QString, connectUrl);
        QFETCH(QString, token);
        QFETCH(int, port);
        QProcessEnvironment environment;
        if (!environmentToken.isEmpty())
            environment.insert(u"CALLWATCH_TOKEN"_s, environmentToken);
        auto options = LaunchOptions::parse(QStringList{u"callwatch"_s} + arguments, environment);
        QCOMPARE(options.ok(), ok);
        if (!ok) {
            QVERIFY(!options.error().message.isEmpty());
            return;
        }
        QCOMPARE(options->connectUrl.toString(), connectUrl);
        QCOMPARE(options->token, token);
        QCOMPARE(options->port, port);
    }

    void screenshotOptions()
    {
        auto options = LaunchOptions::parse({u"callwatch"_s, u"--screenshot"_s, u"/tmp/x.png"_s,
                                             u"--screenshot-delay"_s, u"1.5"_s, u"--size"_s,
                                             u"1440x900"_s, u"--theme"_s, u"dark"_s},
                                            {});
        QVERIFY(options.ok());
        QCOMPARE(options->screenshotPath, u"/tmp/x.png"_s);
        QCOMPARE(options->screenshotDelayMs, 1500);
        QCOMPARE(options->windowSize, QSize(1440, 900));
        QCOMPARE(options->theme, u"dark"_s);
        QVERIFY(!options->startupReport);
    }

    void startupReportOption()
    {
        auto options = LaunchOptions::parse(
            {u"callwatch"_s, u"--data-dir"_s, u"/tmp/seeded"_s, u"--startup-report"_s}, {});
        QVERIFY(options.ok());
        QVERIFY(options->startupReport);
        QCOMPARE(options->dataDir, u"/tmp/seeded"_s);
        QVERIFY(options->helpText.contains(u"--startup-report"_s));
    }

    void frameReportOption_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<int>("seconds");

        QTest::newRow("absent") << QStringList{} << true << 0;
        QTest::newRow("sixty seconds") << QStringList{u"--frame-report"_s, u"60"_s} << true << 60;
        QTest::newRow("with connect and select")
            << QStringList{u"--connect"_s, u"http://127.0.0.1:9"_s, u"--select"_s,
                           u"CA1"_s,       u"--frame-report"_s,     u"5"_s}
            << true << 5;
        QTest::newRow("missing value") << QStringList{u"--frame-report"_s} << false << 0;
        QTest::newRow("zero") << QStringList{u"--frame-report"_s, u"0"_s} << false << 0;
        QTest::newRow("negative") << QStringList{u"--frame-report"_s, u"-3"_s} << false << 0;
        QTest::newRow("not a number") << QStringList{u"--frame-report"_s, u"long"_s} << false << 0;
        QTest::newRow("with startup report")
            << QStringList{u"--frame-report"_s, u"5"_s, u"--startup-report"_s} << false << 0;
    }

    void frameReportOption()
    {
        QFETCH(QStringList, arguments);
        QFETCH(bool, ok);
        QFETCH(int, seconds);
        auto options = LaunchOptions::parse(QStringList{u"callwatch"_s} + arguments, {});
        QCOMPARE(options.ok(), ok);
        if (!ok) {
            QVERIFY(options.error().message.contains(u"frame-report"_s));
            return;
        }
        QCOMPARE(options->frameReportSeconds, seconds);
        QVERIFY(!options->startupReport);
        QVERIFY(options->helpText.contains(u"--frame-report"_s));
    }

    void settingsRoundTripAndValidate()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"s.ini"_s);
        {
            QSettings storage(path, QSettings::IniFormat);
            AppSettings settings(&storage);
            QCOMPARE(settings.port(), AppSettings::DefaultPort);
            QCOMPARE(settings.themeOverride(), u"system"_s);
            QCOMPARE(settings.statusFilter(), u"all"_s);
            settings.setWindowGeometry(QRect(10, 20, 1400, 900));
            settings.setMode(u"remote"_s);
            settings.setRemoteUrl(u"http://cw:8750"_s);
            settings.setThemeOverride(u"dark"_s);
            settings.setStatusFilter(u"failed"_s);
            settings.setSearchText(u"DRV-1"_s);
            settings.setPort(8751);
            settings.setThemeOverride(u"neon"_s); // not a theme: falls back to system
        }
        QSettings storage(path, QSettings::IniFormat);
        AppSettings settings(&storage);
        QCOMPARE(settings.windowGeometry(), QRect(10, 20, 1400, 900));
        QCOMPARE(settings.mode(), u"remote"_s);
        QCOMPARE(settings.remoteUrl(), u"http://cw:8750"_s);
        QCOMPARE(settings.themeOverride(), u"system"_s);
        QCOMPARE(settings.statusFilter(), u"failed"_s);
        QCOMPARE(settings.searchText(), u"DRV-1"_s);
        QCOMPARE(settings.port(), 8751);
        QVERIFY(!storage.allKeys().join(u' ').contains(u"token"_s, Qt::CaseInsensitive));
    }
};

QTEST_GUILESS_MAIN(TestLaunchOptions)
#include "tst_launchoptions.moc"
