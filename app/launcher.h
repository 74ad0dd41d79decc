// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/launchoptions.h"

#include <QObject>

#include <memory>

namespace callwatch::app {

class AppSettings;
class Dashboard;
class EmbeddedBackend;

/**
 * @brief Decides how the dashboard reaches a backend and sets it up: the in-process backend
 * (default), a remote callwatchd (--connect), or, when the port is busy, the startup screen's
 * choices (another port, or a remote server).
 */
class Launcher : public QObject
{
    Q_OBJECT
public:
    Launcher(Dashboard *dashboard, AppSettings *settings, LaunchOptions options,
             QObject *parent = nullptr);
    ~Launcher() override;

    void start();
    /** Stops the in-process backend (waits for its last commit). */
    void shutdown();

private:
    void startEmbedded(int port);
    void connectRemote(const QUrl &url, const QString &token);
    static int findFreePort(int after);

    Dashboard *m_dashboard;
    AppSettings *m_settings;
    LaunchOptions m_options;
    std::unique_ptr<EmbeddedBackend> m_backend;
};

} // namespace callwatch::app
