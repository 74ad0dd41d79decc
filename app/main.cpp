// SPDX-License-Identifier: GPL-3.0-or-later
// callwatch: the supervisor dashboard. Everything lives in callwatch_app and the QML modules;
// this file parses the command line, builds the objects and hands them to QML.
#include "app/appsettings.h"
#include "app/dashboard.h"
#include "app/frameprobe.h"
#include "app/launcher.h"
#include "app/launchoptions.h"
#include "app/startupprobe.h"
#include "app/windowcapture.h"
#include "app/windowloader.h"

#include <QFont>
#include <QGuiApplication>
#include <QIcon>
#include <QNetworkAccessManager>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSettings>
#include <QTemporaryDir>
#include <QtQml/QQmlExtensionPlugin>

#include <cstdio>
#include <memory>

Q_IMPORT_QML_PLUGIN(Callwatch_CorePlugin)
Q_IMPORT_QML_PLUGIN(Callwatch_ComponentsPlugin)
Q_IMPORT_QML_PLUGIN(Callwatch_AppPlugin)

using namespace callwatch::app;
using namespace Qt::StringLiterals;

namespace {

void setUpApplication()
{
    QGuiApplication::setOrganizationName(u"Callwatch"_s);
    QGuiApplication::setApplicationName(u"callwatch"_s);
    QGuiApplication::setApplicationDisplayName(u"Callwatch"_s);
    QGuiApplication::setApplicationVersion(QStringLiteral(CALLWATCH_VERSION));
    QGuiApplication::setWindowIcon(QIcon(u":/callwatch/callwatch.png"_s));
    QGuiApplication::setDesktopFileName(u"callwatch"_s);
    // The QML imports QtQuick.Controls.Basic explicitly; the style is set too so nothing
    // falls back to a platform style that ignores our palette.
    QQuickStyle::setStyle(u"Basic"_s);
    QFont font = QGuiApplication::font();
    font.setPixelSize(13);
    QGuiApplication::setFont(font);
}

} // namespace

int main(int argc, char *argv[])
{
    // Parsed before the GUI exists so --help and --version work without a display.
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    auto options = LaunchOptions::parse(arguments, QProcessEnvironment::systemEnvironment());
    if (!options) {
        std::fprintf(stderr, "callwatch: %s\n", qPrintable(options.error().message));
        return 2;
    }
    if (options->helpRequested || options->versionRequested) {
        std::fputs(qPrintable(options->helpRequested
                                  ? options->helpText
                                  : QStringLiteral("callwatch " CALLWATCH_VERSION "\n")),
                   stdout);
        return 0;
    }

    QGuiApplication app(argc, argv);
    setUpApplication();

    // A screenshot or measurement run must not disturb the user's remembered window and filters.
    QTemporaryDir scratch;
    auto storage = options->screenshotPath.isEmpty() && !options->startupReport &&
                           options->frameReportSeconds == 0
                       ? std::make_unique<QSettings>()
                       : std::make_unique<QSettings>(scratch.filePath(u"settings.ini"_s),
                                                     QSettings::IniFormat);
    AppSettings settings(storage.get());
    QNetworkAccessManager network;
    Dashboard dashboard(&network);
    Launcher launcher(&dashboard, &settings, options.value());

    QQmlApplicationEngine engine;
    QQuickWindow *window = WindowLoader::load(engine, dashboard, settings, options.value());
    if (!window)
        return 1;

    std::unique_ptr<StartupProbe> probe;
    if (options->startupReport)
        probe = std::make_unique<StartupProbe>(window, &dashboard);
    std::unique_ptr<FrameProbe> frameProbe;
    if (options->frameReportSeconds > 0)
        frameProbe = std::make_unique<FrameProbe>(window, &dashboard, options->frameReportSeconds);
    launcher.start();
    if (!options->selectCall.isEmpty())
        dashboard.selectCall(options->selectCall);
    if (!options->screenshotPath.isEmpty())
        WindowCapture::schedule(window, options->screenshotPath, options->screenshotDelayMs);
    const int code = QGuiApplication::exec();
    launcher.shutdown();
    return code;
}
