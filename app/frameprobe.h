// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QElapsedTimer>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QTimer>

class QQuickWindow;

namespace callwatch::app {

class Dashboard;

/**
 * @brief The --frame-report option (bench/dashboard/load-frames): measures how responsive the
 * window stays for a number of seconds, prints one JSON line and quits.
 *
 * Three measurements, started once the call list is populated and a frame is on screen:
 *  - event-loop latency: a 16 ms single-shot PreciseTimer re-armed at every tick on the GUI
 *    thread; a tick's lateness is how much later than 16 ms after the previous one it ran, which
 *    is how long input or a repaint would have waited;
 *  - the intervals between QQuickWindow::frameSwapped (how often a new frame reaches the screen;
 *    a window with nothing changing draws nothing, so idle intervals are naturally long);
 *  - the longest gap between two ticks: the worst freeze.
 * The line also carries what the dashboard shows (live calls, rows, transcript rows), so a run
 * can be checked to have been under the intended load, and the GUI thread's CPU time.
 */
class FrameProbe : public QObject
{
    Q_OBJECT
public:
    static constexpr int TickMs = 16;

    FrameProbe(QQuickWindow *window, Dashboard *dashboard, int seconds, QObject *parent = nullptr);

    /** p-th percentile (0..100, nearest rank) of @p values; 0 for an empty list. */
    static double percentile(QList<double> values, double p);

private:
    void onFrameSwapped();
    void maybeStart();
    void start();
    void onTick();
    void finish();
    QByteArray reportJson();

    QQuickWindow *m_window;
    Dashboard *m_dashboard;
    int m_seconds;
    QTimer m_tick;
    QElapsedTimer m_clock;
    bool m_started = false;
    bool m_finished = false;
    qint64 m_startNs = 0;
    qint64 m_lastTickNs = 0;
    qint64 m_threadCpuStartNs = 0;
    QList<double> m_latenessMs;
    double m_longestStallMs = 0;
    int m_stallsOver100 = 0;
    int m_stallsOver250 = 0;
    int m_minLive = -1;
    int m_maxLive = 0;
    // frameSwapped comes from the render thread with the threaded render loop.
    QMutex m_frameMutex;
    bool m_sawFrame = false;
    bool m_recordFrames = false;
    qint64 m_lastFrameNs = 0;
    QList<double> m_frameIntervalsMs;
    int m_frames = 0;
};

} // namespace callwatch::app
