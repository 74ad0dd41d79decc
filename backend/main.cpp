// SPDX-License-Identifier: GPL-3.0-or-later
// callwatchd: a thin dispatcher over the backend library's commands.
#include "cli/commands.h"

#include <QCoreApplication>

#include <cstdio>

using namespace Qt::StringLiterals;

int main(int argc, char **argv)
{
    // Qt's own poll-based event dispatcher instead of GLib's: with GLib every socket notifier
    // switched on or off (each response written) wakes the loop through its eventfd, about
    // three extra syscalls per webhook. callwatchd needs nothing from GLib's main loop.
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"callwatch"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(CALLWATCH_VERSION));

    QStringList args = QCoreApplication::arguments();
    const QString command = args.size() > 1 ? args.at(1) : QString();
    const auto *entry = callwatch::cli::findCommand(command);
    if (!entry) {
        std::fputs(qUtf8Printable(callwatch::cli::usage()), command.isEmpty() ? stdout : stderr);
        return command.isEmpty() || command == u"help"_s || command == u"--help"_s ? 0 : 2;
    }
    args.removeAt(1); // the command's own parser sees "callwatchd --flags..."
    return entry->run(args);
}
