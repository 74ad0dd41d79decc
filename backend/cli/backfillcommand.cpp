// SPDX-License-Identifier: GPL-3.0-or-later
// `callwatchd backfill [--since 24h]`: fetches from the ElevenLabs API the post-call data whose
// webhook never arrived, and stores it through the webhook's own code path.
#include "cli/commandline.h"
#include "cli/commands.h"
#include "elevenlabs/backfill.h"
#include "elevenlabs/elevenlabsclient.h"
#include "server/eventfeed.h"
#include "store/database.h"
#include "store/databaseurl.h"
#include "store/migrator.h"

#include <QEventLoop>
#include <QJsonDocument>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace callwatch::cli {

qint64 parseDuration(const QString &text); // tokencommand.cpp

int runBackfill(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Fill in calls whose post-call webhook never arrived, from the ElevenLabs API.\n"
        u"Checks stuck calls (initiating/in_progress with a conversation id, older than "
        u"--min-age) and the agent's conversations since --since that no call knows."_s);
    parser.addHelpOption();
    parser.addOption({u"since"_s, u"How far back to list conversations: 90m, 24h, 7d."_s,
                      u"DURATION"_s, u"24h"_s});
    parser.addOption({u"min-age"_s, u"Leave calls younger than this to their webhook."_s,
                      u"DURATION"_s, u"10m"_s});
    parser.addOption({u"json"_s, u"Print the report as JSON."_s});
    addConfigOptions(parser);
    parser.process(arguments);
    auto config = loadConfig(parser);
    if (!config)
        return fail(config.error());
    const qint64 since = parseDuration(parser.value(u"since"_s));
    const qint64 minAge = parseDuration(parser.value(u"min-age"_s));
    if (since <= 0 || minAge < 0)
        return fail({u"invalid_duration"_s, u"--since and --min-age look like 90m, 24h, 7d"_s}, 2);

    elevenlabs::ClientOptions clientOptions;
    clientOptions.apiKey = config->value(u"elevenlabs-api-key"_s);
    if (config->has(u"elevenlabs-base-url"_s))
        clientOptions.baseUrl = QUrl(config->value(u"elevenlabs-base-url"_s));
    if (clientOptions.apiKey.isEmpty())
        return fail({u"elevenlabs_not_configured"_s,
                     u"Set the ElevenLabs API key (--elevenlabs-api-key or "
                     u"CALLWATCH_ELEVENLABS_API_KEY)"_s});
    auto url = store::DatabaseUrl::parse(config->databaseUrl());
    if (!url)
        return fail(url.error());
    auto database = store::Database::open(url.value());
    if (!database)
        return fail(database.error());
    store::Migrator migrator(database.value()->connection());
    auto current = migrator.isCurrent();
    if (!current)
        return fail(current.error());
    if (!current.value())
        return fail(
            {u"migrations_pending"_s, u"The schema is not current; run callwatchd migrate"_s});

    elevenlabs::ElevenLabsClient client(clientOptions);
    elevenlabs::BackfillOptions options;
    options.agentId = config->value(u"agent-id"_s);
    options.sinceSecs = since;
    options.minAgeMinutes = int(minAge / 60);
    elevenlabs::Backfill backfill(database.value().get(), &client, options);
    elevenlabs::BackfillReport report;
    QEventLoop loop;
    backfill.run(&loop, [&](const elevenlabs::BackfillReport &done) {
        report = done;
        loop.quit();
    });
    loop.exec();
    if (report.filled + report.newCalls > 0) { // running servers' live clients hear at once
        QSqlDatabase db = database.value()->connection();
        server::EventFeed::wakeOtherInstances(db);
    }

    if (parser.isSet(u"json"_s)) {
        std::printf("%s\n",
                    QJsonDocument(report.toJson()).toJson(QJsonDocument::Compact).constData());
    } else {
        std::printf("checked           %d\nfilled            %d\nalready complete  %d\n"
                    "new               %d\nnot ready         %d\nerrors            %d\n",
                    report.checked, report.filled, report.alreadyComplete, report.newCalls,
                    report.notReady, report.errors);
        for (const QString &message : std::as_const(report.errorMessages))
            std::fprintf(stderr, "  %s\n", qUtf8Printable(message));
    }
    return report.errors == 0 ? 0 : 1;
}

} // namespace callwatch::cli
