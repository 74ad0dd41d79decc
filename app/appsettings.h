// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QRect>
#include <QtQml/qqmlregistration.h>

class QSettings;

namespace callwatch::app {

/**
 * @brief What the dashboard remembers between runs (QSettings): window geometry, last mode,
 * server URL and port, theme override, filters and the split position. Never the token.
 */
class AppSettings : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Created by the application")
    Q_PROPERTY(QRect windowGeometry READ windowGeometry WRITE setWindowGeometry NOTIFY changed)
    Q_PROPERTY(bool windowMaximized READ windowMaximized WRITE setWindowMaximized NOTIFY changed)
    Q_PROPERTY(QString mode READ mode WRITE setMode NOTIFY changed)
    Q_PROPERTY(QString remoteUrl READ remoteUrl WRITE setRemoteUrl NOTIFY changed)
    Q_PROPERTY(int port READ port WRITE setPort NOTIFY changed)
    Q_PROPERTY(QString themeOverride READ themeOverride WRITE setThemeOverride NOTIFY changed)
    Q_PROPERTY(QString searchText READ searchText WRITE setSearchText NOTIFY changed)
    Q_PROPERTY(QString statusFilter READ statusFilter WRITE setStatusFilter NOTIFY changed)
    Q_PROPERTY(int listWidth READ listWidth WRITE setListWidth NOTIFY changed)
public:
    static constexpr int DefaultPort = 8750;

    /** `settings` must outlive this object. */
    explicit AppSettings(QSettings *settings, QObject *parent = nullptr);

    QRect windowGeometry() const;
    void setWindowGeometry(const QRect &geometry);
    bool windowMaximized() const;
    void setWindowMaximized(bool maximized);
    QString mode() const; ///< "embedded" or "remote"
    void setMode(const QString &mode);
    QString remoteUrl() const;
    void setRemoteUrl(const QString &url);
    int port() const;
    void setPort(int port);
    QString themeOverride() const; ///< "system", "light" or "dark"
    void setThemeOverride(const QString &theme);
    QString searchText() const;
    void setSearchText(const QString &text);
    QString statusFilter() const; ///< "all", "live", "completed" or "failed"
    void setStatusFilter(const QString &filter);
    int listWidth() const;
    void setListWidth(int width);

Q_SIGNALS:
    void changed();

private:
    QVariant read(const QString &key, const QVariant &fallback) const;
    void write(const QString &key, const QVariant &value);

    QSettings *m_settings;
};

} // namespace callwatch::app
