// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>

#include <atomic>

class QQuickWindow;

namespace callwatch::app {

class Dashboard;

/**
 * @brief The --startup-report option (bench/dashboard/first-frame): prints when the window's
 * first frame was presented and when the call list was first populated and presented, counted
 * from process start, then quits.
 *
 * One line on stdout, `callwatch-startup first_frame_ms=… list_frame_ms=… rows=… …`, so a
 * script can take the median of several runs. Times are measured from the process start time the
 * kernel recorded (so loading libraries counts), with the epoch time of each mark alongside for
 * an external clock.
 */
class StartupProbe : public QObject
{
    Q_OBJECT
public:
    StartupProbe(QQuickWindow *window, Dashboard *dashboard, QObject *parent = nullptr);

    /** Milliseconds since the epoch at which this process started (Linux: /proc/self/stat). */
    static qint64 processStartEpochMs();

private:
    void onFrameSwapped();
    void onCallsStateChanged();
    void finish();

    QQuickWindow *m_window;
    Dashboard *m_dashboard;
    qint64 m_startEpochMs;
    // frameSwapped comes from the render thread with the threaded render loop.
    std::atomic<qint64> m_firstFrameEpochMs{0};
    std::atomic<qint64> m_listFrameEpochMs{0};
    std::atomic<bool> m_listPopulated{false};
    qint64 m_listPopulatedEpochMs = 0;
    int m_rows = 0;
    bool m_finished = false;
};

} // namespace callwatch::app
