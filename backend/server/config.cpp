// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/config.h"

#include "store/databaseurl.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace callwatch::server {

const QList<ConfigKey> &configKeys()
{
    static const QList<ConfigKey> keys = {
        {u"listen"_s, u"CALLWATCH_LISTEN"_s, u"Address to serve HTTP and WebSocket on"_s,
         u"HOST:PORT"_s},
        {u"database"_s, u"CALLWATCH_DATABASE"_s,
         u"Database URL: sqlite:///path/callwatch.db or postgresql://user:pass@host:5432/db"_s,
         u"URL"_s, true},
        {u"data-dir"_s, u"CALLWATCH_DATA_DIR"_s,
         u"Directory for the SQLite database, audio files and generated secrets"_s, u"DIR"_s},
        {u"webhook-secret"_s, u"CALLWATCH_WEBHOOK_SECRET"_s,
         u"ElevenLabs post-call webhook HMAC secret; two comma-separated during rotation"_s,
         u"SECRET"_s, true},
        {u"transcription-secret"_s, u"CALLWATCH_TRANSCRIPTION_SECRET"_s,
         u"HMAC secret of the per-turn transcription feed; two comma-separated during rotation"_s,
         u"SECRET"_s, true},
        {u"jwt-secret"_s, u"CALLWATCH_JWT_SECRET"_s,
         u"HS256 secret for API and WebSocket tokens (generated in the data dir when unset)"_s,
         u"SECRET"_s, true},
        {u"jwt-algorithm"_s, u"CALLWATCH_JWT_ALGORITHM"_s, u"HS256, RS256 or ES256"_s, u"ALG"_s},
        {u"jwt-public-key"_s, u"CALLWATCH_JWT_PUBLIC_KEY"_s,
         u"PEM file with the public key for RS256/ES256 tokens"_s, u"FILE"_s},
        {u"event-retention-days"_s, u"CALLWATCH_EVENT_RETENTION_DAYS"_s,
         u"How long live events are kept for resume (default 7; 0: forever)"_s, u"DAYS"_s},
        {u"inbox-body-retention-days"_s, u"CALLWATCH_INBOX_BODY_RETENTION_DAYS"_s,
         u"How long the webhook inbox keeps raw bodies; the deliveries stay (default 0: forever)"_s,
         u"DAYS"_s},
        {u"elevenlabs-api-key"_s, u"CALLWATCH_ELEVENLABS_API_KEY"_s, u"ElevenLabs API key"_s,
         u"KEY"_s, true},
        {u"elevenlabs-base-url"_s, u"CALLWATCH_ELEVENLABS_BASE_URL"_s,
         u"ElevenLabs API base URL (residency host or the local sandbox)"_s, u"URL"_s},
        {u"agent-id"_s, u"CALLWATCH_AGENT_ID"_s, u"Default ElevenLabs agent id"_s, u"ID"_s},
        {u"agent-phone-number-id"_s, u"CALLWATCH_AGENT_PHONE_NUMBER_ID"_s,
         u"Default ElevenLabs phone number id"_s, u"ID"_s},
    };
    return keys;
}

QString defaultDataDir()
{
    // AppDataLocation needs the application name; be explicit so tools and tests agree.
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    return QDir(base).filePath(u"callwatch"_s);
}

Result<Config> Config::load(const QMap<QString, QString> &flags,
                            const QProcessEnvironment &environment, const QString &iniFilePath)
{
    Config config;
    if (!iniFilePath.isEmpty()) {
        if (!QFileInfo::exists(iniFilePath))
            return Error{u"config_not_found"_s,
                         u"Configuration file %1 does not exist"_s.arg(iniFilePath)};
        QSettings ini(iniFilePath, QSettings::IniFormat);
        if (ini.status() != QSettings::NoError)
            return Error{u"config_unreadable"_s,
                         u"Configuration file %1 could not be parsed"_s.arg(iniFilePath)};
        for (const ConfigKey &key : configKeys()) {
            // Accept both top-level keys and a [callwatch] section.
            for (const QString &iniKey : {key.name, QString(u"callwatch/"_s + key.name)}) {
                if (ini.contains(iniKey)) {
                    config.m_values.insert(key.name, ini.value(iniKey).toString());
                    config.m_sources.insert(key.name, u"file"_s);
                }
            }
        }
    }
    for (const ConfigKey &key : configKeys()) {
        if (environment.contains(key.environment)) {
            config.m_values.insert(key.name, environment.value(key.environment));
            config.m_sources.insert(key.name, u"environment"_s);
        }
    }
    for (auto it = flags.cbegin(); it != flags.cend(); ++it) {
        config.m_values.insert(it.key(), it.value());
        config.m_sources.insert(it.key(), u"flag"_s);
    }
    if (auto listen = config.listenAddress(); !listen)
        return listen.error();
    return config;
}

QString Config::dataDir() const
{
    return has(u"data-dir"_s) ? value(u"data-dir"_s) : defaultDataDir();
}

QString Config::databaseUrl() const
{
    if (has(u"database"_s))
        return value(u"database"_s);
    return u"sqlite://"_s + QDir(dataDir()).absoluteFilePath(u"callwatch.db"_s);
}

Result<QPair<QHostAddress, quint16>> Config::listenAddress() const
{
    const QString text = has(u"listen"_s) ? value(u"listen"_s) : u"127.0.0.1:8750"_s;
    const qsizetype colon = text.lastIndexOf(u':');
    bool portOk = false;
    const uint port = colon > 0 ? text.mid(colon + 1).toUInt(&portOk) : 0;
    QString host = colon > 0 ? text.left(colon) : QString();
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    if (host == u"localhost"_s)
        host = u"127.0.0.1"_s;
    const QHostAddress address(host);
    if (!portOk || port > 65535 || address.isNull())
        return Error{u"invalid_listen"_s,
                     u"listen must be HOST:PORT with a numeric IP address, e.g. 127.0.0.1:8750 "
                     u"(got \"%1\")"_s.arg(text)};
    return QPair<QHostAddress, quint16>(address, quint16(port));
}

Result<int> Config::retentionDays(const QString &name, int defaultDays) const
{
    constexpr int MaxDays = 36500;
    if (!has(name))
        return defaultDays;
    const QString text = value(name).trimmed();
    bool ok = false;
    const int days = text.toInt(&ok);
    if (!ok || days < 0 || days > MaxDays)
        return Error{u"invalid_retention"_s,
                     u"%1 must be a whole number of days from 0 (keep forever) to %2 (got "
                     u"\"%3\")"_s.arg(name)
                         .arg(MaxDays)
                         .arg(text)};
    return days;
}

Result<int> Config::eventRetentionDays() const
{
    return retentionDays(u"event-retention-days"_s, DefaultEventRetentionDays);
}

Result<int> Config::inboxBodyRetentionDays() const
{
    return retentionDays(u"inbox-body-retention-days"_s, 0);
}

static QList<QByteArray> splitSecrets(const QString &text)
{
    QList<QByteArray> secrets;
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts)) {
        const QString trimmed = part.trimmed();
        if (!trimmed.isEmpty())
            secrets.append(trimmed.toUtf8());
    }
    return secrets;
}

QList<QByteArray> Config::webhookSecrets() const
{
    return splitSecrets(value(u"webhook-secret"_s));
}

QList<QByteArray> Config::transcriptionSecrets() const
{
    return splitSecrets(value(u"transcription-secret"_s));
}

QString Config::shownValue(const ConfigKey &key) const
{
    if (key.name == u"database"_s) { // secret for its password only: shown without it
        const auto url = store::DatabaseUrl::parse(databaseUrl());
        return url ? url->redacted() : u"(invalid: %1)"_s.arg(url.error().code);
    }
    if (key.secret) {
        if (has(key.name))
            return u"(set)"_s;
        const QString algorithm = value(u"jwt-algorithm"_s).toUpper();
        if (key.name == u"jwt-secret"_s && !algorithm.isEmpty() && algorithm != u"HS256"_s)
            return u"(not used with %1)"_s.arg(algorithm);
        if (key.name == u"jwt-secret"_s)
            return u"(generated in %1)"_s.arg(QDir(dataDir()).filePath(u"jwt-secret"_s));
        return u"(not set)"_s;
    }
    if (key.name == u"data-dir"_s)
        return dataDir();
    if (has(key.name))
        return value(key.name);
    // What an unset key amounts to, so `callwatchd config` shows what will really be used.
    static const QMap<QString, QString> defaults = {
        {u"listen"_s, u"127.0.0.1:8750"_s},
        {u"jwt-algorithm"_s, u"HS256"_s},
        {u"event-retention-days"_s, QString::number(DefaultEventRetentionDays)},
        {u"inbox-body-retention-days"_s, u"0"_s},
        {u"elevenlabs-base-url"_s, u"https://api.elevenlabs.io"_s},
    };
    return defaults.value(key.name);
}

QStringList Config::describe() const
{
    QStringList lines;
    for (const ConfigKey &key : configKeys())
        lines.append(u"%1=%2  [%3]"_s.arg(key.name, shownValue(key), sourceOf(key.name)));
    return lines;
}

} // namespace callwatch::server
