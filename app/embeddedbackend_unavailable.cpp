// SPDX-License-Identifier: GPL-3.0-or-later
// Built instead of embeddedbackend.cpp when the backend libraries are not part of the build:
// the dashboard then needs --connect, and says so.
#include "app/embeddedbackend.h"

#include <QTcpServer>

using namespace Qt::StringLiterals;

namespace callwatch::app {

struct EmbeddedBackend::Private
{};

bool EmbeddedBackend::isAvailable()
{
    return false;
}

bool EmbeddedBackend::isPortFree(int port)
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, quint16(port));
}

EmbeddedBackend::EmbeddedBackend(QObject *parent) : QObject(parent) {}

EmbeddedBackend::~EmbeddedBackend() = default;

Result<> EmbeddedBackend::start(const Settings &)
{
    return Error{u"embedded_unavailable"_s,
                 u"This build of Callwatch has no in-process backend. Connect to a running "
                 u"callwatchd instead (callwatch --connect URL --token TOKEN)."_s};
}

void EmbeddedBackend::stop(int) {}

QUrl EmbeddedBackend::baseUrl() const
{
    return {};
}

QStringList EmbeddedBackend::webhookUrls() const
{
    return {};
}

QString EmbeddedBackend::token(bool)
{
    return {};
}

} // namespace callwatch::app
