// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/launcher.h"

#include "app/appsettings.h"
#include "app/dashboard.h"
#include "app/embeddedbackend.h"
#include "app/logging.h"

#include <QTimer>

using namespace Qt::StringLiterals;

namespace callwatch::app {

Launcher::Launcher(Dashboard *dashboard, AppSettings *settings, LaunchOptions options,
                   QObject *parent)
    : QObject(parent), m_dashboard(dashboard), m_settings(settings), m_options(std::move(options))
{
    m_dashboard->setEmbeddedAvailable(EmbeddedBackend::isAvailable());
    connect(m_dashboard, &Dashboard::embeddedStartRequested, this, &Launcher::startEmbedded);
    connect(m_dashboard, &Dashboard::remoteConnectRequested, this, &Launcher::connectRemote);
}

Launcher::~Launcher()
{
    shutdown();
}

void Launcher::start()
{
    if (!m_options.connectUrl.isEmpty())
        return connectRemote(m_options.connectUrl, m_options.token);
    // A remembered remote server is used again only when a token is at hand (never stored).
    if (m_settings->mode() == "remote"_L1 && !m_settings->remoteUrl().isEmpty() &&
        !m_options.token.isEmpty())
        return connectRemote(QUrl(m_settings->remoteUrl()), m_options.token);
    startEmbedded(m_options.port > 0 ? m_options.port : m_settings->port());
}

void Launcher::shutdown()
{
    m_dashboard->detach();
    if (m_backend) {
        m_backend->stop();
        m_backend.reset();
    }
}

void Launcher::startEmbedded(int port)
{
    m_dashboard->detach();
    m_backend.reset();
    m_dashboard->setStartupState(u"starting"_s);
    auto backend = std::make_unique<EmbeddedBackend>();
    auto started = backend->start({port, m_options.dataDir});
    if (!started) {
        const Error &error = started.error();
        qCWarning(lcApp) << "In-process backend did not start:" << error.code;
        m_dashboard->setStartupState(u"failed"_s, error.code, error.message,
                                     error.code == "port_in_use"_L1 ? findFreePort(port) : 0);
        return;
    }
    m_backend = std::move(backend);
    m_settings->setMode(u"embedded"_s);
    m_settings->setPort(port);
    EmbeddedBackend *raw = m_backend.get();
    m_dashboard->attach({u"embedded"_s, raw->baseUrl(),
                         [raw](bool forceNew) { return raw->token(forceNew); },
                         raw->webhookUrls()});
}

void Launcher::connectRemote(const QUrl &url, const QString &token)
{
    m_dashboard->detach();
    if (m_backend) {
        m_backend->stop();
        m_backend.reset();
    }
    if (!url.isValid() || (url.scheme() != "http"_L1 && url.scheme() != "https"_L1)) {
        m_dashboard->setStartupState(
            u"failed"_s, u"invalid_url"_s,
            tr("\"%1\" is not an http:// or https:// URL.").arg(url.toDisplayString()));
        return;
    }
    if (token.isEmpty()) {
        m_dashboard->setStartupState(u"failed"_s, u"token_required"_s,
                                     tr("A token is needed to connect to %1. Create one with "
                                        "`callwatchd token` on the server.")
                                         .arg(url.toDisplayString()));
        return;
    }
    m_settings->setMode(u"remote"_s);
    m_settings->setRemoteUrl(url.toString());
    QString base = url.toString();
    while (base.endsWith(u'/'))
        base.chop(1);
    // A remote token cannot be renewed from here: the provider hands back the same one and
    // the clients stop (state Unauthorized) instead of retrying with it forever.
    m_dashboard->attach({u"remote"_s,
                         url,
                         [token](bool) { return token; },
                         {base + "/webhooks/elevenlabs/post-call"_L1,
                          base + "/webhooks/elevenlabs/transcription"_L1}});
}

int Launcher::findFreePort(int after)
{
    for (int port = after + 1; port < after + 50 && port < 65536; ++port) {
        if (EmbeddedBackend::isPortFree(port))
            return port;
    }
    return 0;
}

} // namespace callwatch::app
