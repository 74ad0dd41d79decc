// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"

#include <QProcessEnvironment>
#include <QSize>
#include <QStringList>
#include <QUrl>

namespace callwatch::app {

/**
 * @brief The dashboard's command line. Without --connect the backend runs in-process;
 * the token may come from CALLWATCH_TOKEN so it does not show in the process list.
 */
struct LaunchOptions
{
    QUrl connectUrl; ///< empty: run the backend in-process
    QString token;
    int port = 0;    ///< in-process port; 0 = the remembered one (default 8750)
    QString dataDir; ///< in-process data directory; empty = the backend's default
    QString screenshotPath;
    int screenshotDelayMs = 4000;
    QSize windowSize; ///< invalid: the remembered geometry
    QString theme;    ///< "system", "light" or "dark"; empty = the remembered one
    QString selectCall;
    QString page;               ///< "calls" or "webhooks"
    bool startupReport = false; ///< print the time to first frame and to a populated list, quit
    int frameReportSeconds = 0; ///< > 0: measure frame pacing and event-loop latency, print, quit
    bool helpRequested = false;
    bool versionRequested = false;
    QString helpText;

    static Result<LaunchOptions> parse(const QStringList &arguments,
                                       const QProcessEnvironment &environment);
};

} // namespace callwatch::app
