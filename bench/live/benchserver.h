// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace callwatch::bench {

/** @brief Memory of a process as the kernel counts it (/proc/PID/status), in KiB. */
struct ProcessMemory
{
    qint64 rssKb = 0; ///< VmRSS: resident now
    qint64 hwmKb = 0; ///< VmHWM: peak resident
};

/** Reads VmRSS and VmHWM of `pid`; zeros when the process is gone. */
ProcessMemory processMemory(qint64 pid);
/** User + system CPU seconds `pid` has used so far (/proc/PID/stat). */
double processCpuSeconds(qint64 pid);
/** CPU seconds used by the calling thread. */
double threadCpuSeconds();
/** The 1-minute load average, to tell readers how busy the machine was. */
double loadAverage();
/** Raises RLIMIT_NOFILE to the hard limit (children inherit it); returns the new soft limit. */
qint64 raiseFileLimit();

/**
 * @brief A real `callwatchd serve` on a fresh SQLite data directory (or a given database URL),
 * with known webhook and JWT secrets so the bench can sign turns and mint tokens itself.
 */
class BenchServer
{
public:
    static const QByteArray TurnSecret;
    static const QByteArray PostCallSecret;
    static const QByteArray JwtSecret;

    BenchServer();
    ~BenchServer();

    bool start(const QString &callwatchd, const QString &databaseUrl, int port);
    void stop();
    int port() const { return m_port; }
    qint64 pid() const { return m_process.processId(); }
    /** A calls:read token valid for `ttlSecs`, signed with JwtSecret. */
    QByteArray mintToken(qint64 ttlSecs) const;

private:
    std::unique_ptr<QTemporaryDir> m_dataDir;
    QProcess m_process;
    int m_port = 0;
};

} // namespace callwatch::bench
