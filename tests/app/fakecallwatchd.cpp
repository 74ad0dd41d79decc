// SPDX-License-Identifier: GPL-3.0-or-later
// A fake callwatchd with demo data, for running and screenshotting the dashboard without the
// real backend:  fakecallwatchd [--port 8750] [--live 5] [--interval 1200]
#include "demoscenario.h"
#include "fakeserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

using namespace Qt::StringLiterals;
using namespace callwatch::app::testing;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption port(u"port"_s, u"Port (default 8750)."_s, u"PORT"_s, u"8750"_s);
    const QCommandLineOption live(u"live"_s, u"Live calls (default 5)."_s, u"N"_s, u"5"_s);
    const QCommandLineOption interval(u"interval"_s, u"Milliseconds between turns."_s, u"MS"_s,
                                      u"1200"_s);
    parser.addOptions({port, live, interval});
    parser.process(app);

    FakeServer server;
    if (!server.listen(quint16(parser.value(port).toUInt()))) {
        std::fprintf(stderr, "fakecallwatchd: cannot listen on port %s\n",
                     qPrintable(parser.value(port)));
        return 1;
    }
    DemoScenario scenario(&server);
    scenario.seedHistory();
    scenario.startLiveCalls(parser.value(live).toInt());
    scenario.run(parser.value(interval).toInt());
    std::printf("fakecallwatchd on %s (any token accepted)\n",
                qPrintable(server.baseUrl().toString()));
    std::fflush(stdout);
    return QCoreApplication::exec();
}
