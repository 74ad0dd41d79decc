// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/commandline.h"

#include <QCommandLineOption>
#include <QProcessEnvironment>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace callwatch::cli {

void addConfigOptions(QCommandLineParser &parser)
{
    parser.addOption(
        {u"config"_s, u"INI configuration file (flags > environment > file)."_s, u"FILE"_s});
    for (const server::ConfigKey &key : server::configKeys())
        parser.addOption(
            {key.name, key.description + u" [$"_s + key.environment + u"]"_s, key.valueName});
}

Result<server::Config> loadConfig(const QCommandLineParser &parser)
{
    QMap<QString, QString> flags;
    for (const server::ConfigKey &key : server::configKeys()) {
        if (parser.isSet(key.name))
            flags.insert(key.name, parser.value(key.name));
    }
    return server::Config::load(flags, QProcessEnvironment::systemEnvironment(),
                                parser.value(u"config"_s));
}

int fail(const Error &error, int exitCode)
{
    std::fprintf(stderr, "callwatchd: %s (%s)\n", qUtf8Printable(error.message),
                 qUtf8Printable(error.code));
    return exitCode;
}

} // namespace callwatch::cli
