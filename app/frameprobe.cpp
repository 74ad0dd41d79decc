// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/frameprobe.h"

#include "app/dashboard.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>
#include <QQuickWindow>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

using namespace Qt::StringLiterals;

namespace callwatch::app {

namespace {
// Measure even if the list never loads (server down): the window's latency still means something.
constexpr int StartAnywayMs = 20000;
// After the first populated frame, let the initial load's delegates settle before counting.
constexpr int SettleMs = 1000;

qint64 threadCpuNs()
{
#ifdef Q_OS_UNIX
    timespec t{};
    return clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) == 0
               ? qint64(t.tv_sec) * 1000000000 + t.tv_nsec
               : 0;
#else
    return 0;
#endif
}

double round2(double value)
{
    return std::round(value * 100) / 100;
}

QJsonObject summary(const QList<double> &values)
{
    return {{u"p50"_s, round2(FrameProbe::percentile(values, 50))},
            {u"p99"_s, round2(FrameProbe::percentile(values, 99))},
            {u"max"_s, round2(FrameProbe::percentile(values, 100))}};
}
} // namespace

FrameProbe::FrameProbe(QQuickWindow *window, Dashboard *dashboard, int seconds, QObject *parent)
    : QObject(parent), m_window(window), m_dashboard(dashboard), m_seconds(seconds)
{
    m_clock.start();
    m_tick.setSingleShot(true); // re-armed per tick: lateness never carries over as catch-up
    m_tick.setTimerType(Qt::PreciseTimer);
    m_tick.setInterval(TickMs);
    connect(&m_tick, &QTimer::timeout, this, &FrameProbe::onTick);
    connect(window, &QQuickWindow::frameSwapped, this, &FrameProbe::onFrameSwapped,
            Qt::DirectConnection);
    connect(dashboard, &Dashboard::callsStateChanged, this, &FrameProbe::maybeStart);
    QTimer::singleShot(StartAnywayMs, this, &FrameProbe::start);
}

double FrameProbe::percentile(QList<double> values, double p)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto rank = qsizetype(std::ceil(p / 100.0 * double(values.size())));
    return values.at(std::clamp<qsizetype>(rank - 1, 0, values.size() - 1));
}

void FrameProbe::onFrameSwapped()
{
    const qint64 now = m_clock.nsecsElapsed();
    bool first = false;
    {
        QMutexLocker lock(&m_frameMutex);
        first = !m_sawFrame;
        m_sawFrame = true;
        if (m_recordFrames) {
            if (m_lastFrameNs)
                m_frameIntervalsMs.append(double(now - m_lastFrameNs) / 1e6);
            m_lastFrameNs = now;
            ++m_frames;
        }
    }
    if (first)
        QMetaObject::invokeMethod(this, &FrameProbe::maybeStart, Qt::QueuedConnection);
}

void FrameProbe::maybeStart()
{
    {
        QMutexLocker lock(&m_frameMutex);
        if (!m_sawFrame)
            return;
    }
    if (m_started || !m_dashboard->callsLoadedOnce())
        return;
    m_window->update();
    QTimer::singleShot(SettleMs, this, &FrameProbe::start);
}

void FrameProbe::start()
{
    if (m_started)
        return;
    m_started = true;
    {
        QMutexLocker lock(&m_frameMutex);
        m_recordFrames = true;
    }
    m_threadCpuStartNs = threadCpuNs();
    m_startNs = m_lastTickNs = m_clock.nsecsElapsed();
    m_tick.start();
    QTimer::singleShot(m_seconds * 1000, this, &FrameProbe::finish);
}

void FrameProbe::onTick()
{
    const qint64 now = m_clock.nsecsElapsed();
    const double gapMs = double(now - m_lastTickNs) / 1e6;
    m_lastTickNs = now;
    m_latenessMs.append(std::max(0.0, gapMs - TickMs));
    m_longestStallMs = std::max(m_longestStallMs, gapMs);
    m_stallsOver100 += gapMs > 100 ? 1 : 0;
    m_stallsOver250 += gapMs > 250 ? 1 : 0;
    const int live = m_dashboard->calls()->liveCount();
    m_minLive = m_minLive < 0 ? live : std::min(m_minLive, live);
    m_maxLive = std::max(m_maxLive, live);
    m_tick.start();
}

QByteArray FrameProbe::reportJson()
{
    const double elapsedS = double(m_clock.nsecsElapsed() - m_startNs) / 1e9;
    const double guiCpuS = double(threadCpuNs() - m_threadCpuStartNs) / 1e9;
    QMutexLocker lock(&m_frameMutex);
    const QJsonObject report{
        {u"probe"_s, u"callwatch-frames"_s},
        {u"seconds"_s, round2(elapsedS)},
        {u"ticks"_s, m_latenessMs.size()},
        {u"lateness_ms"_s, summary(m_latenessMs)},
        {u"frames"_s, m_frames},
        {u"fps"_s, round2(elapsedS > 0 ? m_frames / elapsedS : 0)},
        {u"frame_interval_ms"_s, summary(m_frameIntervalsMs)},
        {u"longest_stall_ms"_s, round2(m_longestStallMs)},
        {u"stalls_over_100ms"_s, m_stallsOver100},
        {u"stalls_over_250ms"_s, m_stallsOver250},
        {u"gui_thread_cpu_pct"_s, round2(elapsedS > 0 ? 100 * guiCpuS / elapsedS : 0)},
        {u"live_calls"_s, m_dashboard->calls()->liveCount()},
        {u"live_calls_min"_s, std::max(0, m_minLive)},
        {u"live_calls_max"_s, m_maxLive},
        {u"call_rows"_s, m_dashboard->calls()->rowCount()},
        {u"selected"_s, m_dashboard->selectedCallSid()},
        {u"transcript_rows"_s, m_dashboard->transcript()->rowCount()},
    };
    return QJsonDocument(report).toJson(QJsonDocument::Compact);
}

void FrameProbe::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_tick.stop();
    std::printf("%s\n", reportJson().constData());
    std::fflush(stdout);
    QCoreApplication::exit(0);
}

} // namespace callwatch::app
