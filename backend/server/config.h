// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"

#include <QHostAddress>
#include <QMap>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace callwatch::server {

/** @brief One configuration key: its flag, environment variable, INI key and whether it is secret.
 */
struct ConfigKey
{
    QString name;        ///< flag name without dashes and INI key, e.g. "listen"
    QString environment; ///< e.g. "CALLWATCH_LISTEN"
    QString description;
    QString valueName;
    bool secret = false; ///< never logged, never shown by `config` dumps
};

/** The table of every key callwatchd understands. Later features add rows here. */
const QList<ConfigKey> &configKeys();

/**
 * @brief The effective configuration: flags win over environment, environment over the INI file.
 *
 * Values are kept as strings; typed accessors parse and validate them with clear errors.
 */
class Config
{
public:
    /** Merge the three layers. `flags` holds only the keys given on the command line. */
    static Result<Config> load(const QMap<QString, QString> &flags,
                               const QProcessEnvironment &environment,
                               const QString &iniFilePath = {});

    QString value(const QString &name) const { return m_values.value(name); }
    bool has(const QString &name) const { return !m_values.value(name).isEmpty(); }
    void set(const QString &name, const QString &value) { m_values.insert(name, value); }
    /** Where a value came from: "flag", "environment", "file" or "default". */
    QString sourceOf(const QString &name) const
    {
        return m_sources.value(name, QStringLiteral("default"));
    }

    QString dataDir() const;
    QString databaseUrl() const; ///< defaults to SQLite in the data directory
    Result<QPair<QHostAddress, quint16>> listenAddress() const;
    QList<QByteArray> webhookSecrets() const;       ///< comma-separated, for rotation
    QList<QByteArray> transcriptionSecrets() const; ///< comma-separated, for rotation
    static constexpr int DefaultEventRetentionDays = 7;
    /** Days live events are kept for resume; 0 keeps them forever. */
    Result<int> eventRetentionDays() const;
    /** Days the webhook inbox keeps raw bodies (the rows stay); 0, the default, forever. */
    Result<int> inboxBodyRetentionDays() const;

    /**
     * key=value lines for `callwatchd config`: what is in effect, defaults included; secrets
     * (and the database URL's password) shown as "(set)" / "(not set)".
     */
    QStringList describe() const;

private:
    QString shownValue(const ConfigKey &key) const;
    Result<int> retentionDays(const QString &name, int defaultDays) const;

    QMap<QString, QString> m_values;
    QMap<QString, QString> m_sources;
};

/** Default data directory: the platform's user data dir ($XDG_DATA_HOME/callwatch on Linux). */
QString defaultDataDir();

} // namespace callwatch::server
