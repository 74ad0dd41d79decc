// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/launchoptions.h"

#include <QCommandLineParser>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace callwatch::app {

Result<LaunchOptions> LaunchOptions::parse(const QStringList &arguments,
                                           const QProcessEnvironment &environment)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Callwatch supervisor dashboard. Runs the backend in-process unless --connect is given."_s);
    const QCommandLineOption help({u"h"_s, u"help"_s}, u"Show this help."_s);
    const QCommandLineOption version({u"v"_s, u"version"_s}, u"Show the version."_s);
    const QCommandLineOption connect(u"connect"_s, u"Attach to a remote callwatchd at URL."_s,
                                     u"URL"_s);
    const QCommandLineOption token(
        u"token"_s, u"Bearer token for --connect (or set CALLWATCH_TOKEN)."_s, u"TOKEN"_s);
    const QCommandLineOption port(u"port"_s, u"Port of the in-process backend (default 8750)."_s,
                                  u"PORT"_s);
    const QCommandLineOption dataDir(u"data-dir"_s, u"Data directory of the in-process backend."_s,
                                     u"DIR"_s);
    const QCommandLineOption screenshot(
        u"screenshot"_s, u"Save a PNG of the window to PATH after a delay, then quit."_s,
        u"PATH"_s);
    const QCommandLineOption delay(u"screenshot-delay"_s,
                                   u"Seconds before --screenshot is taken (default 4)."_s,
                                   u"SECONDS"_s);
    const QCommandLineOption size(u"size"_s, u"Window size, e.g. 1440x900."_s, u"WxH"_s);
    const QCommandLineOption theme(u"theme"_s, u"system, light or dark."_s, u"THEME"_s);
    const QCommandLineOption select(u"select"_s, u"Open this call at start."_s, u"CALL_SID"_s);
    const QCommandLineOption page(u"page"_s, u"calls or webhooks."_s, u"PAGE"_s);
    const QCommandLineOption startupReport(
        u"startup-report"_s,
        u"Print the time to the first frame and to a populated call list, then quit."_s);
    const QCommandLineOption frameReport(
        u"frame-report"_s,
        u"Measure event-loop latency and frame intervals for SECONDS, print one JSON line, quit."_s,
        u"SECONDS"_s);
    parser.addOptions({help, version, connect, token, port, dataDir, screenshot, delay, size, theme,
                       select, page, startupReport, frameReport});

    LaunchOptions options;
    if (!parser.parse(arguments))
        return Error{u"invalid_arguments"_s, parser.errorText()};
    // Parsed before the application object exists, so name the program ourselves.
    options.helpText = parser.helpText().replace(u"<executable_name>"_s, u"callwatch"_s);
    options.helpRequested = parser.isSet(help);
    options.versionRequested = parser.isSet(version);
    if (!parser.positionalArguments().isEmpty())
        return Error{u"invalid_arguments"_s,
                     u"Unexpected argument: %1"_s.arg(parser.positionalArguments().constFirst())};

    if (parser.isSet(connect)) {
        options.connectUrl = QUrl::fromUserInput(parser.value(connect));
        const QString scheme = options.connectUrl.scheme();
        if (!options.connectUrl.isValid() || (scheme != "http"_L1 && scheme != "https"_L1))
            return Error{u"invalid_arguments"_s,
                         u"--connect needs an http:// or https:// URL (got \"%1\")"_s.arg(
                             parser.value(connect))};
    }
    options.token =
        parser.isSet(token) ? parser.value(token) : environment.value(u"CALLWATCH_TOKEN"_s);
    if (parser.isSet(port)) {
        bool ok = false;
        options.port = parser.value(port).toInt(&ok);
        if (!ok || options.port <= 0 || options.port > 65535)
            return Error{u"invalid_arguments"_s, u"--port must be 1..65535"_s};
    }
    options.dataDir = parser.value(dataDir);
    options.screenshotPath = parser.value(screenshot);
    if (parser.isSet(delay)) {
        bool ok = false;
        const double seconds = parser.value(delay).toDouble(&ok);
        if (!ok || seconds < 0)
            return Error{u"invalid_arguments"_s, u"--screenshot-delay must be a number"_s};
        options.screenshotDelayMs = int(seconds * 1000);
    }
    if (parser.isSet(size)) {
        static const QRegularExpression pattern(u"^(\\d+)x(\\d+)$"_s);
        const auto match = pattern.match(parser.value(size));
        if (!match.hasMatch())
            return Error{u"invalid_arguments"_s, u"--size must look like 1440x900"_s};
        options.windowSize = QSize(match.captured(1).toInt(), match.captured(2).toInt());
    }
    options.theme = parser.value(theme);
    if (!options.theme.isEmpty() &&
        !QStringList{u"system"_s, u"light"_s, u"dark"_s}.contains(options.theme))
        return Error{u"invalid_arguments"_s, u"--theme must be system, light or dark"_s};
    options.selectCall = parser.value(select);
    options.page = parser.value(page);
    options.startupReport = parser.isSet(startupReport);
    if (parser.isSet(frameReport)) {
        bool ok = false;
        options.frameReportSeconds = parser.value(frameReport).toInt(&ok);
        if (!ok || options.frameReportSeconds <= 0 || options.frameReportSeconds > 86400)
            return Error{u"invalid_arguments"_s, u"--frame-report needs 1..86400 seconds"_s};
        if (options.startupReport)
            return Error{u"invalid_arguments"_s,
                         u"--frame-report and --startup-report are separate runs"_s};
    }
    if (!options.page.isEmpty() && options.page != "calls"_L1 && options.page != "webhooks"_L1)
        return Error{u"invalid_arguments"_s, u"--page must be calls or webhooks"_s};
    return options;
}

} // namespace callwatch::app
