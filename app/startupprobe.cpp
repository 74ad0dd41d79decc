// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/startupprobe.h"

#include "app/dashboard.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QQuickWindow>
#include <QTimer>

#include <cstdio>
#ifdef Q_OS_LINUX
#include <ctime>
#include <unistd.h>
#endif

namespace callwatch::app {

namespace {
constexpr int GiveUpMs = 60000;
} // namespace

StartupProbe::StartupProbe(QQuickWindow *window, Dashboard *dashboard, QObject *parent)
    : QObject(parent), m_window(window), m_dashboard(dashboard),
      m_startEpochMs(processStartEpochMs())
{
    connect(window, &QQuickWindow::frameSwapped, this, &StartupProbe::onFrameSwapped,
            Qt::DirectConnection);
    connect(dashboard, &Dashboard::callsStateChanged, this, &StartupProbe::onCallsStateChanged);
    QTimer::singleShot(GiveUpMs, this, &StartupProbe::finish);
}

qint64 StartupProbe::processStartEpochMs()
{
#ifdef Q_OS_LINUX
    // Field 22 of /proc/self/stat is the start time in clock ticks after boot; the comm field
    // (2) may contain spaces, so count from the closing parenthesis.
    QFile stat(QStringLiteral("/proc/self/stat"));
    timespec boot{};
    if (!stat.open(QIODevice::ReadOnly) || clock_gettime(CLOCK_BOOTTIME, &boot) != 0)
        return QDateTime::currentMSecsSinceEpoch();
    const QByteArray line = stat.readAll();
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    const qint64 ticks = fields.value(19).toLongLong(); // field 22 = index 19 after "state"
    const qint64 startAfterBootMs = ticks * 1000 / sysconf(_SC_CLK_TCK);
    const qint64 nowAfterBootMs = qint64(boot.tv_sec) * 1000 + boot.tv_nsec / 1000000;
    return QDateTime::currentMSecsSinceEpoch() - (nowAfterBootMs - startAfterBootMs);
#else
    return QDateTime::currentMSecsSinceEpoch(); // elsewhere: counted from the probe's creation
#endif
}

void StartupProbe::onFrameSwapped()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    qint64 none = 0;
    m_firstFrameEpochMs.compare_exchange_strong(none, now);
    if (m_listPopulated.load()) {
        none = 0;
        if (m_listFrameEpochMs.compare_exchange_strong(none, now))
            QMetaObject::invokeMethod(this, &StartupProbe::finish, Qt::QueuedConnection);
    }
}

void StartupProbe::onCallsStateChanged()
{
    if (m_listPopulated.load() || !m_dashboard->callsLoadedOnce())
        return;
    m_listPopulatedEpochMs = QDateTime::currentMSecsSinceEpoch();
    m_rows = m_dashboard->calls()->rowCount();
    m_listPopulated.store(true);
    m_window->update(); // make sure a frame follows even if nothing visible changed
}

void StartupProbe::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    const auto since = [this](qint64 epochMs) { return epochMs ? epochMs - m_startEpochMs : -1; };
    std::printf("callwatch-startup first_frame_ms=%lld list_populated_ms=%lld list_frame_ms=%lld "
                "rows=%d start_epoch_ms=%lld first_frame_epoch_ms=%lld\n",
                static_cast<long long>(since(m_firstFrameEpochMs.load())),
                static_cast<long long>(since(m_listPopulatedEpochMs)),
                static_cast<long long>(since(m_listFrameEpochMs.load())), m_rows,
                static_cast<long long>(m_startEpochMs),
                static_cast<long long>(m_firstFrameEpochMs.load()));
    std::fflush(stdout);
    QCoreApplication::exit(m_listFrameEpochMs.load() ? 0 : 1);
}

} // namespace callwatch::app
