// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/appsettings.h"

#include <QSettings>

using namespace Qt::StringLiterals;

namespace callwatch::app {

namespace {
QString oneOf(const QString &value, const QStringList &allowed)
{
    return allowed.contains(value) ? value : allowed.first();
}
} // namespace

AppSettings::AppSettings(QSettings *settings, QObject *parent)
    : QObject(parent), m_settings(settings)
{}

QVariant AppSettings::read(const QString &key, const QVariant &fallback) const
{
    return m_settings->value(key, fallback);
}

void AppSettings::write(const QString &key, const QVariant &value)
{
    if (m_settings->value(key) == value)
        return;
    m_settings->setValue(key, value);
    Q_EMIT changed();
}

QRect AppSettings::windowGeometry() const
{
    return read(u"window/geometry"_s, QRect()).toRect();
}

void AppSettings::setWindowGeometry(const QRect &geometry)
{
    write(u"window/geometry"_s, geometry);
}

bool AppSettings::windowMaximized() const
{
    return read(u"window/maximized"_s, false).toBool();
}

void AppSettings::setWindowMaximized(bool maximized)
{
    write(u"window/maximized"_s, maximized);
}

QString AppSettings::mode() const
{
    return oneOf(read(u"connection/mode"_s, {}).toString(), {u"embedded"_s, u"remote"_s});
}

void AppSettings::setMode(const QString &mode)
{
    write(u"connection/mode"_s, oneOf(mode, {u"embedded"_s, u"remote"_s}));
}

QString AppSettings::remoteUrl() const
{
    return read(u"connection/remoteUrl"_s, {}).toString();
}

void AppSettings::setRemoteUrl(const QString &url)
{
    write(u"connection/remoteUrl"_s, url);
}

int AppSettings::port() const
{
    const int port = read(u"connection/port"_s, DefaultPort).toInt();
    return port > 0 && port < 65536 ? port : DefaultPort;
}

void AppSettings::setPort(int port)
{
    write(u"connection/port"_s, port);
}

QString AppSettings::themeOverride() const
{
    return oneOf(read(u"appearance/theme"_s, {}).toString(), {u"system"_s, u"light"_s, u"dark"_s});
}

void AppSettings::setThemeOverride(const QString &theme)
{
    write(u"appearance/theme"_s, oneOf(theme, {u"system"_s, u"light"_s, u"dark"_s}));
}

QString AppSettings::searchText() const
{
    return read(u"filters/search"_s, {}).toString();
}

void AppSettings::setSearchText(const QString &text)
{
    write(u"filters/search"_s, text);
}

QString AppSettings::statusFilter() const
{
    return oneOf(read(u"filters/status"_s, {}).toString(),
                 {u"all"_s, u"live"_s, u"completed"_s, u"failed"_s});
}

void AppSettings::setStatusFilter(const QString &filter)
{
    write(u"filters/status"_s, oneOf(filter, {u"all"_s, u"live"_s, u"completed"_s, u"failed"_s}));
}

int AppSettings::listWidth() const
{
    return read(u"window/listWidth"_s, 380).toInt();
}

void AppSettings::setListWidth(int width)
{
    write(u"window/listWidth"_s, width);
}

} // namespace callwatch::app
