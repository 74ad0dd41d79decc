// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"
#include "server/config.h"

#include <QCommandLineParser>
#include <QStringList>

namespace callwatch::cli {

/** @brief The configuration flags every command shares, built from the config key table. */
void addConfigOptions(QCommandLineParser &parser);

/** Parses the config flags given on the command line and merges env and --config file. */
Result<server::Config> loadConfig(const QCommandLineParser &parser);

/** Prints an error as "callwatchd: <message>" on stderr and returns the exit code to use. */
int fail(const Error &error, int exitCode = 1);

} // namespace callwatch::cli
