// SPDX-License-Identifier: GPL-3.0-or-later
// `callwatchd migrate [--dry-run]`.
#include "cli/commandline.h"
#include "cli/commands.h"
#include "store/database.h"
#include "store/databaseurl.h"
#include "store/migrator.h"

#include <QDir>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace callwatch::cli {

int runMigrate(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Apply pending database migrations."_s);
    parser.addHelpOption();
    parser.addOption({u"dry-run"_s, u"List pending migrations without applying them."_s});
    addConfigOptions(parser);
    parser.process(arguments);
    auto config = loadConfig(parser);
    if (!config)
        return fail(config.error());
    QDir().mkpath(config->dataDir());
    auto url = store::DatabaseUrl::parse(config->databaseUrl());
    if (!url)
        return fail(url.error());
    auto database = store::Database::open(url.value());
    if (!database)
        return fail(database.error());
    QSqlDatabase db = database.value()->connection();
    store::Migrator migrator(db);
    auto current = migrator.currentVersion();
    if (!current)
        return fail(current.error());
    auto plan = migrator.plan();
    if (!plan)
        return fail(plan.error());
    std::printf("database %s at schema version %d\n", qUtf8Printable(url->redacted()),
                current.value());
    for (const auto &migration : plan.value())
        std::printf("  pending %04d %s\n", int(migration.version), qUtf8Printable(migration.name));
    if (plan->isEmpty()) {
        std::printf("nothing to do\n");
        return 0;
    }
    if (parser.isSet(u"dry-run"_s))
        return 0;
    if (auto applied = migrator.apply(); !applied)
        return fail(applied.error());
    std::printf("applied %d migration(s)\n", int(plan->size()));
    return 0;
}

} // namespace callwatch::cli
