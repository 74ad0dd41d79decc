// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/windowloader.h"

#include "app/appsettings.h"
#include "app/dashboard.h"
#include "app/launchoptions.h"

#include <QQmlApplicationEngine>
#include <QQuickWindow>

using namespace Qt::StringLiterals;

namespace callwatch::app {

QQuickWindow *WindowLoader::load(QQmlApplicationEngine &engine, Dashboard &dashboard,
                                 AppSettings &settings, const LaunchOptions &options)
{
    engine.setInitialProperties({
        {u"dashboard"_s, QVariant::fromValue(&dashboard)},
        {u"appSettings"_s, QVariant::fromValue(&settings)},
        {u"initialSize"_s, options.windowSize},
        {u"themeOverride"_s, options.theme.isEmpty() ? settings.themeOverride() : options.theme},
        {u"initialPage"_s, options.page},
    });
    engine.load(QUrl(u"qrc:/qt-project.org/imports/Callwatch/App/Main.qml"_s));
    return engine.rootObjects().isEmpty()
               ? nullptr
               : qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
}

} // namespace callwatch::app
