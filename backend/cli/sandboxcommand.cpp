// SPDX-License-Identifier: GPL-3.0-or-later
// `callwatchd sandbox`: a local ElevenLabs (API + signed webhooks) for development and demos.
#include "cli/commandline.h"
#include "cli/commands.h"
#include "elevenlabs/sandboxdialer.h"
#include "elevenlabs/sandboxserver.h"
#include "live/jwtminter.h"
#include "server/jwtsetup.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QProcessEnvironment>
#include <QRegularExpression>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace callwatch::cli {

namespace {

void say(const QString &line)
{
    std::printf("[sandbox %s] %s\n",
                qUtf8Printable(QDateTime::currentDateTime().toString(u"HH:mm:ss"_s)),
                qUtf8Printable(line));
    std::fflush(stdout);
}

void addSandboxOptions(QCommandLineParser &parser)
{
    parser.addOption({u"backend"_s, u"Callwatch backend that receives the webhooks."_s, u"URL"_s,
                      u"http://127.0.0.1:8750"_s});
    parser.addOption(
        {u"listen"_s, u"Where the sandbox API listens."_s, u"HOST:PORT"_s, u"127.0.0.1:8760"_s});
    parser.addOption({u"rate"_s,
                      u"Start this many calls per minute through the backend's POST /api/calls."_s,
                      u"CALLS_PER_MIN"_s});
    parser.addOption({u"token"_s,
                      u"Token with calls:write for --rate (default: minted with the key of "
                      u"--data-dir)."_s,
                      u"JWT"_s});
    parser.addOption(
        {u"data-dir"_s, u"The backend's data directory (for minting the token)."_s, u"DIR"_s});
    parser.addOption({u"webhook-secret"_s,
                      u"Signs post-call webhooks [$CALLWATCH_WEBHOOK_SECRET]."_s, u"SECRET"_s});
    parser.addOption({u"transcription-secret"_s,
                      u"Signs per-turn webhooks [$CALLWATCH_TRANSCRIPTION_SECRET]."_s,
                      u"SECRET"_s});
    parser.addOption(
        {u"api-key"_s, u"Require this xi-api-key (default: any non-empty key)."_s, u"KEY"_s});
    parser.addOption(
        {u"failure-rate"_s, u"Share of calls ending as busy/no-answer."_s, u"RATE"_s, u"0.15"_s});
    parser.addOption({u"turn-interval"_s, u"Seconds between turns, MIN-MAX (e.g. 1-3, 0.05-0.1)."_s,
                      u"RANGE"_s, u"1-3"_s});
    parser.addOption(
        {u"seed"_s, u"Seed for ids, failures and pauses (default: the clock)."_s, u"N"_s});
    parser.addOption({u"concurrency"_s, u"Batch recipients dialled at once."_s, u"N"_s, u"20"_s});
}

Result<elevenlabs::SandboxOptions> sandboxOptions(const QCommandLineParser &parser,
                                                  const server::Config &config)
{
    elevenlabs::SandboxOptions options;
    options.backendUrl = QUrl(parser.value(u"backend"_s));
    if (!options.backendUrl.isValid() || options.backendUrl.host().isEmpty())
        return Error{u"invalid_backend"_s, u"--backend must be a URL like http://127.0.0.1:8750"_s};
    options.webhookSecret = parser.isSet(u"webhook-secret"_s)
                                ? parser.value(u"webhook-secret"_s).toUtf8()
                                : config.webhookSecrets().value(0);
    options.transcriptionSecret = parser.isSet(u"transcription-secret"_s)
                                      ? parser.value(u"transcription-secret"_s).toUtf8()
                                      : config.transcriptionSecrets().value(0);
    options.apiKey = parser.value(u"api-key"_s);
    bool ok = false;
    options.failureRate = parser.value(u"failure-rate"_s).toDouble(&ok);
    if (!ok || options.failureRate < 0 || options.failureRate > 1)
        return Error{u"invalid_failure_rate"_s, u"--failure-rate is between 0 and 1"_s};
    static const QRegularExpression range(u"^([0-9.]+)(?:-([0-9.]+))?$"_s);
    const auto match = range.match(parser.value(u"turn-interval"_s));
    if (!match.hasMatch())
        return Error{u"invalid_turn_interval"_s, u"--turn-interval looks like 1-3 or 0.05-0.1"_s};
    const double low = match.captured(1).toDouble();
    const double high = match.captured(2).isEmpty() ? low : match.captured(2).toDouble();
    options.turnIntervalMinMs = int(low * 1000);
    options.turnIntervalMaxMs = int(qMax(low, high) * 1000);
    options.seed = parser.isSet(u"seed"_s) ? parser.value(u"seed"_s).toULongLong()
                                           : quint64(QDateTime::currentMSecsSinceEpoch());
    options.batchConcurrency = qMax(1, parser.value(u"concurrency"_s).toInt());
    return options;
}

Result<QByteArray> dialerToken(const QCommandLineParser &parser, const server::Config &config)
{
    if (parser.isSet(u"token"_s))
        return parser.value(u"token"_s).toUtf8();
    auto jwt = server::jwtConfigFor(config);
    if (!jwt)
        return jwt.error();
    return live::JwtMinter::mint(jwt.value(), u"callwatch-sandbox"_s, {u"calls:write"_s},
                                 7 * 24 * 3600, QDateTime::currentSecsSinceEpoch());
}

} // namespace

int runSandbox(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"A local stand-in for ElevenLabs: the outbound-call, batch and conversation APIs, and "
        u"every call played back to the backend as signed webhooks.\nPoint the backend at it "
        u"with CALLWATCH_ELEVENLABS_BASE_URL=http://127.0.0.1:8760 and any API key."_s);
    parser.addHelpOption();
    addSandboxOptions(parser);
    parser.process(arguments);
    QMap<QString, QString> flags;
    if (parser.isSet(u"data-dir"_s))
        flags.insert(u"data-dir"_s, parser.value(u"data-dir"_s));
    // Secrets and the token key come from the same environment as `callwatchd serve`.
    auto config = server::Config::load(flags, QProcessEnvironment::systemEnvironment());
    if (!config)
        return fail(config.error());
    auto options = sandboxOptions(parser, config.value());
    if (!options)
        return fail(options.error(), 2);
    server::Config listenConfig;
    listenConfig.set(u"listen"_s, parser.value(u"listen"_s));
    auto listen = listenConfig.listenAddress();
    if (!listen)
        return fail(listen.error(), 2);

    elevenlabs::SandboxServer sandbox(options.value());
    if (!sandbox.listen(listen->first, listen->second))
        return fail({u"listen_failed"_s, u"Cannot listen on %1: %2"_s.arg(parser.value(u"listen"_s),
                                                                          sandbox.errorString())});
    say(u"ElevenLabs sandbox on http://%1:%2, webhooks to %3 (seed %4)"_s
            .arg(listen->first.toString())
            .arg(sandbox.port())
            .arg(options->backendUrl.toString())
            .arg(options->seed));
    if (options->webhookSecret.isEmpty() || options->transcriptionSecret.isEmpty())
        say(u"warning: no webhook or transcription secret: the backend will refuse unsigned "
            u"webhooks (--webhook-secret / --transcription-secret)"_s);
    QObject::connect(&sandbox, &elevenlabs::SandboxServer::callStarted, &sandbox,
                     [](const QString &conversation, const QString &callSid) {
                         say(u"dialled %1 for call %2"_s.arg(conversation, callSid));
                     });
    QObject::connect(&sandbox, &elevenlabs::SandboxServer::conversationFinished, &sandbox,
                     [](const QString &conversation, const QString &status) {
                         say(u"conversation %1 ended: %2"_s.arg(conversation, status));
                     });

    std::unique_ptr<elevenlabs::SandboxDialer> dialer;
    if (parser.isSet(u"rate"_s)) {
        const double rate = parser.value(u"rate"_s).toDouble();
        if (rate <= 0)
            return fail({u"invalid_rate"_s, u"--rate is a number of calls per minute"_s}, 2);
        auto token = dialerToken(parser, config.value());
        if (!token)
            return fail(token.error());
        dialer =
            std::make_unique<elevenlabs::SandboxDialer>(options->backendUrl, token.value(), rate);
        QObject::connect(dialer.get(), &elevenlabs::SandboxDialer::report, dialer.get(), &say);
        say(u"starting %1 calls per minute through %2/api/calls"_s.arg(rate).arg(
            options->backendUrl.toString()));
        dialer->start();
    }
    return QCoreApplication::exec();
}

} // namespace callwatch::cli
