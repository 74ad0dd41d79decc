// SPDX-License-Identifier: GPL-3.0-or-later
#include "benchserver.h"

#include "live/jwtminter.h"

#include <QDateTime>
#include <QFile>
#include <QProcessEnvironment>
#include <QTcpSocket>
#include <QThread>

#include <ctime>
#include <sys/resource.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace callwatch::bench {

const QByteArray BenchServer::TurnSecret = "wsec_bench_live_turn_secret";
const QByteArray BenchServer::PostCallSecret = "wsec_bench_live_post_call_secret";
const QByteArray BenchServer::JwtSecret = "bench-live-jwt-secret-0123456789abcdef0123";

namespace {

qint64 statusField(const QByteArray &status, const char *name)
{
    const qsizetype at = status.indexOf(name);
    if (at < 0)
        return 0;
    const qsizetype eol = status.indexOf('\n', at);
    QByteArray value = status.mid(at + qsizetype(qstrlen(name)), eol - at - qstrlen(name));
    return value.replace("kB", "").trimmed().toLongLong();
}

bool waitForPort(int port)
{
    for (int i = 0; i < 200; ++i) {
        QTcpSocket probe;
        probe.connectToHost(u"127.0.0.1"_s, quint16(port));
        if (probe.waitForConnected(100))
            return true;
        QThread::msleep(50);
    }
    return false;
}

} // namespace

ProcessMemory processMemory(qint64 pid)
{
    QFile file(u"/proc/%1/status"_s.arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray status = file.readAll();
    return {statusField(status, "VmRSS:"), statusField(status, "VmHWM:")};
}

double processCpuSeconds(qint64 pid)
{
    QFile file(u"/proc/%1/stat"_s.arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray stat = file.readAll();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13)
        return 0;
    const double ticks = double(::sysconf(_SC_CLK_TCK));
    return double(fields.at(11).toLongLong() + fields.at(12).toLongLong()) / ticks;
}

double threadCpuSeconds()
{
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

double loadAverage()
{
    QFile file(u"/proc/loadavg"_s);
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    return file.readAll().split(' ').value(0).toDouble();
}

qint64 raiseFileLimit()
{
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
    return qint64(limit.rlim_cur);
}

BenchServer::BenchServer() = default;

BenchServer::~BenchServer()
{
    stop();
}

bool BenchServer::start(const QString &callwatchd, const QString &databaseUrl, int port)
{
    m_dataDir = std::make_unique<QTemporaryDir>();
    m_port = port;
    QStringList args{u"serve"_s, u"--listen"_s, u"127.0.0.1:%1"_s.arg(port), u"--data-dir"_s,
                     m_dataDir->path()};
    if (!databaseUrl.isEmpty())
        args << u"--database"_s << databaseUrl;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"CALLWATCH_WEBHOOK_SECRET"_s, QString::fromLatin1(PostCallSecret));
    env.insert(u"CALLWATCH_TRANSCRIPTION_SECRET"_s, QString::fromLatin1(TurnSecret));
    env.insert(u"CALLWATCH_JWT_SECRET"_s, QString::fromLatin1(JwtSecret));
    env.insert(u"QT_LOGGING_RULES"_s,
               u"callwatch.*.debug=false;callwatch.http.info=false;callwatch.live.info=false"_s);
    m_process.setProcessEnvironment(env);
    m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process.setStandardOutputFile(QProcess::nullDevice());
    m_process.start(callwatchd, args);
    return m_process.waitForStarted() && waitForPort(port);
}

void BenchServer::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(30000))
        m_process.kill();
    m_process.waitForFinished(5000);
}

QByteArray BenchServer::mintToken(qint64 ttlSecs) const
{
    live::JwtConfig config;
    config.secretOrPublicKey = JwtSecret;
    auto token =
        live::JwtMinter::mint(config, u"bench"_s, {QString::fromLatin1(live::ScopeCallsRead)},
                              ttlSecs, QDateTime::currentSecsSinceEpoch());
    return token ? token.value() : QByteArray();
}

} // namespace callwatch::bench
