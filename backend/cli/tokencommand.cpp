// SPDX-License-Identifier: GPL-3.0-or-later
// `callwatchd token --subject NAME --scope calls:read --ttl 8h`.
#include "cli/commandline.h"
#include "cli/commands.h"
#include "live/jwtminter.h"
#include "server/jwtsetup.h"

#include <QDateTime>
#include <QRegularExpression>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace callwatch::cli {

/** "90", "90s", "15m", "8h", "7d" → seconds; -1 when malformed. */
qint64 parseDuration(const QString &text)
{
    static const QRegularExpression pattern(u"^(\\d+)([smhd]?)$"_s);
    const auto match = pattern.match(text.trimmed());
    if (!match.hasMatch())
        return -1;
    const qint64 amount = match.captured(1).toLongLong();
    const QString unit = match.captured(2);
    const qint64 factor = unit == u"m"_s ? 60 : unit == u"h"_s ? 3600 : unit == u"d"_s ? 86400 : 1;
    return amount * factor;
}

int runToken(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Mint a token for the REST API and the live WebSocket."_s);
    parser.addHelpOption();
    parser.addOption({u"subject"_s, u"Who the token is for (the sub claim)."_s, u"NAME"_s});
    parser.addOption({u"scope"_s, u"calls:read, calls:write; repeat or space-separate."_s,
                      u"SCOPE"_s, u"calls:read"_s});
    parser.addOption({u"ttl"_s, u"Lifetime: 90s, 15m, 8h, 7d."_s, u"DURATION"_s, u"8h"_s});
    addConfigOptions(parser);
    parser.process(arguments);
    auto config = loadConfig(parser);
    if (!config)
        return fail(config.error());
    if (!parser.isSet(u"subject"_s))
        return fail({u"missing_subject"_s, u"--subject NAME is required"_s}, 2);
    const qint64 ttl = parseDuration(parser.value(u"ttl"_s));
    if (ttl <= 0)
        return fail({u"invalid_ttl"_s, u"--ttl must look like 90s, 15m, 8h or 7d"_s}, 2);
    QStringList scopes;
    for (const QString &value : parser.values(u"scope"_s))
        scopes += value.split(u' ', Qt::SkipEmptyParts);
    auto jwt = server::jwtConfigFor(config.value());
    if (!jwt)
        return fail(jwt.error());
    auto token = live::JwtMinter::mint(jwt.value(), parser.value(u"subject"_s), scopes, ttl,
                                       QDateTime::currentSecsSinceEpoch());
    if (!token)
        return fail(token.error());
    std::printf("%s\n", token->constData());
    return 0;
}

} // namespace callwatch::cli
