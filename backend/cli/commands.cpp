// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/commands.h"

#include <array>

using namespace Qt::StringLiterals;

namespace callwatch::cli {

namespace {
constexpr std::array commands = {
    Command{"serve", "Run the backend: webhooks, REST API and live WebSocket", &runServe},
    Command{"migrate", "Apply pending database migrations (--dry-run lists them)", &runMigrate},
    Command{"config", "Print the effective configuration, secrets hidden", &runConfig},
    Command{"token", "Mint an API/WebSocket token (--subject, --scope, --ttl)", &runToken},
    Command{"trigger", "Send a realistic signed webhook to a running backend", &runTrigger},
    Command{"call", "Start an outbound call through a running backend (--to, --driver)", &runCall},
    Command{"backfill", "Fetch post-call data whose webhook never arrived (--since 24h)",
            &runBackfill},
    Command{"sandbox", "Run a local ElevenLabs stand-in that plays calls as webhooks", &runSandbox},
};
} // namespace

const Command *findCommand(const QString &name)
{
    for (const Command &command : commands) {
        if (name == QLatin1StringView(command.name))
            return &command;
    }
    return nullptr;
}

QString usage()
{
    QString text = u"Usage: callwatchd COMMAND [options]\n\nCommands:\n"_s;
    for (const Command &command : commands)
        text += u"  %1  %2\n"_s.arg(QLatin1StringView(command.name), -8)
                    .arg(QLatin1StringView(command.summary));
    text += u"\nRun `callwatchd COMMAND --help` for a command's options.\n"_s;
    return text;
}

} // namespace callwatch::cli
