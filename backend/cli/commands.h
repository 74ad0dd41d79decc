// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

namespace callwatch::cli {

/** @brief One `callwatchd COMMAND`: its name, one line of help and its entry point. */
struct Command
{
    const char *name;
    const char *summary;
    int (*run)(const QStringList &arguments); ///< arguments[0] is the program name
};

const Command *findCommand(const QString &name);
QString usage();

int runServe(const QStringList &arguments);
int runMigrate(const QStringList &arguments);
int runConfig(const QStringList &arguments);
int runToken(const QStringList &arguments);
int runTrigger(const QStringList &arguments);
int runCall(const QStringList &arguments);
int runBackfill(const QStringList &arguments);
int runSandbox(const QStringList &arguments);

} // namespace callwatch::cli
