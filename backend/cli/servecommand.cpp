// SPDX-License-Identifier: GPL-3.0-or-later
// `callwatchd serve` and `callwatchd config`.
#include "cli/commandline.h"
#include "cli/commands.h"
#include "server/backend.h"

#include <QCoreApplication>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace callwatch::cli {

namespace {

int g_signalPipe[2] = {-1, -1};

void onTerminationSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] auto written = ::write(g_signalPipe[0], &byte, 1);
}

/** SIGTERM/SIGINT become a call of `stop` on the event loop (a self-pipe: async-signal-safe). */
void installSignalHandlers(QObject *context, std::function<void()> stop)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(g_signalPipe[1], QSocketNotifier::Read, context);
    QObject::connect(notifier, &QSocketNotifier::activated, context, [notifier, stop] {
        char byte;
        [[maybe_unused]] auto got = ::read(g_signalPipe[1], &byte, 1);
        notifier->setEnabled(false);
        stop();
    });
    struct sigaction action = {};
    action.sa_handler = onTerminationSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGTERM, &action, nullptr);
    ::sigaction(SIGINT, &action, nullptr);
}

void printWelcome(const server::Backend &backend)
{
    std::printf("Callwatch is listening on %s\n", qUtf8Printable(backend.baseUrl().toString()));
    std::printf("Paste into ElevenLabs (post-call webhook):  %s\n",
                qUtf8Printable(backend.webhookUrls().value(0)));
    std::printf("Per-turn transcription relay:                %s\n",
                qUtf8Printable(backend.webhookUrls().value(1)));
    std::printf("Live WebSocket: ws://%s:%u/ws/calls/transcriptions?token=...\n",
                qUtf8Printable(backend.baseUrl().host()), unsigned(backend.port()));
    if (backend.config().webhookSecrets().isEmpty())
        std::printf("Set CALLWATCH_WEBHOOK_SECRET to the secret ElevenLabs shows for the "
                    "webhook; until then deliveries are refused.\n");
    std::fflush(stdout);
}

} // namespace

int runServe(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Run the Callwatch backend."_s);
    parser.addHelpOption();
    addConfigOptions(parser);
    parser.process(arguments);
    auto config = loadConfig(parser);
    if (!config)
        return fail(config.error());

    server::Backend backend(config.value());
    if (auto started = backend.start(); !started)
        return fail(started.error());
    printWelcome(backend);
    QObject::connect(&backend, &server::Backend::stopped, qApp, &QCoreApplication::quit,
                     Qt::QueuedConnection);
    installSignalHandlers(&backend, [&backend] { backend.stop(); });
    return QCoreApplication::exec();
}

int runConfig(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Print the effective configuration, secrets hidden."_s);
    parser.addHelpOption();
    addConfigOptions(parser);
    parser.process(arguments);
    auto config = loadConfig(parser);
    if (!config)
        return fail(config.error());
    for (const QString &line : config->describe())
        std::printf("%s\n", qUtf8Printable(line));
    return 0;
}

} // namespace callwatch::cli
