// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/embeddedbackend.h"

#include "app/logging.h"
#include "server/backend.h"
#include "server/config.h"

#include <QDateTime>
#include <QEventLoop>
#include <QProcessEnvironment>
#include <QTcpServer>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace callwatch::app {

namespace {
constexpr qint64 TokenTtlSecs = 12 * 3600;
constexpr qint64 RefreshBeforeSecs = 3600;
} // namespace

struct EmbeddedBackend::Private
{
    std::unique_ptr<server::Backend> backend;
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

EmbeddedBackend::EmbeddedBackend(QObject *parent) : QObject(parent), d(new Private) {}

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
    d->backend = std::make_unique<server::Backend>(config.value());
    if (auto started = d->backend->start(); !started) {
        d->backend.reset();
        return started.error();
    }
    qCInfo(lcApp) << "In-process backend listening on" << d->backend->baseUrl().toDisplayString();
    return {};
}

void EmbeddedBackend::stop(int timeoutMs)
{
    if (!d->backend)
        return;
    // stop() finishes asynchronously (in-flight requests, the last commit); wait for it here
    // because this runs after the main event loop has returned.
    QEventLoop loop;
    bool stopped = false;
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    connect(d->backend.get(), &server::Backend::stopped, &loop, [&] {
        stopped = true;
        loop.quit();
    });
    d->backend->stop();
    if (!stopped)
        loop.exec();
    if (!stopped)
        qCWarning(lcApp) << "The in-process backend did not stop within" << timeoutMs << "ms";
    d->backend.reset();
}

QUrl EmbeddedBackend::baseUrl() const
{
    return d->backend ? d->backend->baseUrl() : QUrl();
}

QStringList EmbeddedBackend::webhookUrls() const
{
    return d->backend ? d->backend->webhookUrls() : QStringList();
}

QString EmbeddedBackend::token(bool forceNew)
{
    if (!d->backend)
        return {};
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (!forceNew && !d->token.isEmpty() && now.secsTo(d->tokenExpiresAt) > RefreshBeforeSecs)
        return d->token;
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
