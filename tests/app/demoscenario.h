// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QTimer>

namespace callwatch::app::testing {

class FakeServer;

/**
 * @brief Realistic data for a FakeServer: a morning of fleet-safety calls (completed, failed,
 * with summaries and analysis), webhook deliveries, and live calls that keep talking.
 * Used by tst_appwindow and by the fakecallwatchd tool for screenshots and manual runs.
 */
class DemoScenario : public QObject
{
    Q_OBJECT
public:
    explicit DemoScenario(FakeServer *server, QObject *parent = nullptr);

    /** Completed and failed calls of the last hours, plus webhook deliveries. */
    void seedHistory();
    /** Starts `count` live calls, each a few turns in. */
    void startLiveCalls(int count);
    /** Keeps the live calls talking: one turn every intervalMs; calls end and new ones start. */
    void run(int intervalMs);
    void stop() { m_timer.stop(); }

private:
    struct LiveCall
    {
        QString callSid;
        int script = 0;
        int nextTurn = 0;
        double timeInCall = 0;
    };

    void seedDeliveries();
    void step();
    void finish(LiveCall &call);
    QString newCallSid();

    FakeServer *m_server;
    QTimer m_timer;
    QList<LiveCall> m_live;
    int m_nextDriver = 0;
    int m_step = 0;
};

} // namespace callwatch::app::testing
