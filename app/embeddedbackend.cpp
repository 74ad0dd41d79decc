// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/embeddedbackend.h"

#include "app/logging.h"
#include "server/backend.h"
#include "server/config.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QProcessEnvironment>
#include <QTcpServer>
#include <QThread>

using namespace Qt::StringLiterals;

namespace callwatch::app {

namespace {
constexpr qint64 TokenTtlSecs = 12 * 3600;
constexpr qint64 RefreshBeforeSecs = 3600;
} // namespace

struct EmbeddedBackend::Private
{
    /// The backend's own thread: its HTTP front end, event feed and REST queries (SQL) never
    /// run on the GUI thread, so a burst of webhooks or a slow query cannot stall a frame.
    QThread thread;
    server::Backend *backend = nullptr; ///< created, used and deleted in `thread`
    QUrl baseUrl;
    QStringList webhookUrls;
    QString token;
    QDateTime tokenExpiresAt;
};

bool EmbeddedBackend::isAvailable()
{
    return true;
}

bool EmbeddedBackend::isPortFree(int port)
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, quint16(port));
}

EmbeddedBackend::EmbeddedBackend(QObject *parent) : QObject(parent), d(new Private)
{
    d->thread.setObjectName(u"embedded-backend"_s);
}

EmbeddedBackend::~EmbeddedBackend()
{
    stop();
}

Result<> EmbeddedBackend::start(const Settings &settings)
{
    if (!isPortFree(settings.port))
        return Error{u"port_in_use"_s,
                     tr("Port %1 on 127.0.0.1 is already in use, perhaps by another Callwatch "
                        "or a callwatchd service.")
                         .arg(settings.port)};
    // The same layers as callwatchd: environment, then our own choices on top.
    auto config = server::Config::load({}, QProcessEnvironment::systemEnvironment());
    if (!config)
        return config.error();
    config->set(u"listen"_s, u"127.0.0.1:%1"_s.arg(settings.port));
    if (!settings.dataDir.isEmpty())
        config->set(u"data-dir"_s, settings.dataDir);
    d->thread.start();
    // Built and started in its thread (its sockets and timers belong there); we wait for the
    // outcome: start() only opens the database, migrates and binds the port.
    QObject anchor;
    anchor.moveToThread(&d->thread);
    Result<> started;
    QMetaObject::invokeMethod(
        &anchor,
        [this, &started, settings = config.value()] {
            auto *backend = new server::Backend(settings);
            started = backend->start();
            if (!started) {
                delete backend;
                return;
            }
            d->backend = backend;
            d->baseUrl = backend->baseUrl();
            d->webhookUrls = backend->webhookUrls();
        },
        Qt::BlockingQueuedConnection);
    if (!started) {
        d->thread.quit();
        d->thread.wait();
        return started.error();
    }
    qCInfo(lcApp) << "In-process backend listening on" << d->baseUrl.toDisplayString();
    return {};
}

void EmbeddedBackend::stop(int timeoutMs)
{
    if (!d->backend)
        return;
    // stop() finishes asynchronously in the backend's thread (in-flight requests, the last
    // commit); the thread ends once the backend is deleted there.
    server::Backend *backend = std::exchange(d->backend, nullptr);
    QThread *thread = &d->thread;
    QMetaObject::invokeMethod(backend, [backend, thread] {
        connect(backend, &server::Backend::stopped, backend, [backend, thread] {
            backend->deleteLater(); // deferred deletes still run as the thread finishes
            thread->quit();
        });
        backend->stop();
    });
    if (d->thread.wait(QDeadlineTimer(timeoutMs)))
        return;
    qCWarning(lcApp) << "The in-process backend did not stop within" << timeoutMs
                     << "ms; closing it anyway";
    // Queued, not blocking: if the thread finishes meanwhile this never runs (and the
    // backend's own deleteLater has done the work).
    QMetaObject::invokeMethod(backend, [backend, thread] {
        delete backend;
        thread->quit();
    });
    if (d->thread.wait(QDeadlineTimer(timeoutMs)))
        return;
    // Destroying a running QThread aborts the process; at exit, leaving it is the lesser harm
    // (SQLite recovers the WAL on the next start).
    qCWarning(lcApp) << "The in-process backend's thread is still busy; leaving it";
    Q_UNUSED(d.release());
    d.reset(new Private);
}

QUrl EmbeddedBackend::baseUrl() const
{
    return d->backend ? d->baseUrl : QUrl();
}

QStringList EmbeddedBackend::webhookUrls() const
{
    return d->backend ? d->webhookUrls : QStringList();
}

QString EmbeddedBackend::token(bool forceNew)
{
    if (!d->backend)
        return {};
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (!forceNew && !d->token.isEmpty() && now.secsTo(d->tokenExpiresAt) > RefreshBeforeSecs)
        return d->token;
    // Reads only the configuration, which does not change after start(): safe from here.
    auto minted =
        d->backend->mintToken(u"dashboard"_s, {u"calls:read"_s, u"calls:write"_s}, TokenTtlSecs);
    if (!minted) {
        qCWarning(lcApp) << "Could not mint the dashboard token:" << minted.error().code;
        return d->token;
    }
    d->token = QString::fromUtf8(minted.value());
    d->tokenExpiresAt = now.addSecs(TokenTtlSecs);
    return d->token;
}

} // namespace callwatch::app
