// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

class QQmlApplicationEngine;
class QQuickWindow;

namespace callwatch::app {

class AppSettings;
class Dashboard;
struct LaunchOptions;

/**
 * @brief Loads the dashboard window (Callwatch.App/Main.qml) with its initial properties, so
 * `callwatch` and the end-to-end tests open exactly the same window.
 */
class WindowLoader
{
public:
    /** nullptr when Main.qml did not load (the engine has printed why). */
    static QQuickWindow *load(QQmlApplicationEngine &engine, Dashboard &dashboard,
                              AppSettings &settings, const LaunchOptions &options);
};

} // namespace callwatch::app
