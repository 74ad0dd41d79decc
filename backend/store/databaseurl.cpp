// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/databaseurl.h"

#include <QDir>
#include <QRegularExpression>
#include <QStringList>
#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace callwatch::store {

namespace {

constexpr auto kInvalid = "invalid_database_url";
constexpr auto kMemory = ":memory:";
// Without a timeout libpq waits for the kernel's TCP timeout (minutes) on an unreachable host.
constexpr auto kDefaultConnectTimeout = "connect_timeout=10";

Error invalid(const QString &message)
{
    return Error{QString::fromLatin1(kInvalid), message};
}

// libpq conninfo value quoting; QPSQL turns every ';' into a separator, so values cannot hold one.
QString quoteConnValue(QString value)
{
    value.replace(u'\\', u"\\\\"_s);
    value.replace(u'\'', u"\\'"_s);
    return u'\'' + value + u'\'';
}

Result<QString> connectOptionsFrom(const QUrl &url)
{
    static const QRegularExpression keyPattern(u"^[a-z_]+$"_s);
    QStringList options;
    bool hasTimeout = false;
    const auto items = QUrlQuery(url).queryItems(QUrl::FullyDecoded);
    for (const auto &[key, value] : items) {
        if (!keyPattern.match(key).hasMatch())
            return invalid(u"The database URL has an invalid option name \"%1\"."_s.arg(key));
        if (value.contains(u';'))
            return invalid(u"The database URL option \"%1\" must not contain ';'."_s.arg(key));
        hasTimeout = hasTimeout || key == u"connect_timeout";
        options << key + u'=' + quoteConnValue(value);
    }
    if (!hasTimeout)
        options << QString::fromLatin1(kDefaultConnectTimeout);
    return options.join(u';');
}

} // namespace

Result<DatabaseUrl> DatabaseUrl::parse(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return invalid(u"The database URL is empty."_s);

    DatabaseUrl result;
    if (trimmed == u"sqlite://" + QLatin1StringView(kMemory)) {
        result.m_scheme = u"sqlite"_s;
        result.m_sqlitePath = QString::fromLatin1(kMemory);
        return result;
    }

    const QUrl url(trimmed, QUrl::StrictMode);
    if (!url.isValid() || url.scheme().isEmpty())
        return invalid(u"The database URL is not a valid URL (expected sqlite:///path or "
                       "postgresql://user@host:port/db)."_s);
    result.m_scheme = url.scheme().toLower();

    if (result.m_scheme == u"sqlite") {
        const QString path = url.path(QUrl::FullyDecoded);
        if (!url.host().isEmpty() || !QDir::isAbsolutePath(path) || path.endsWith(u'/'))
            return invalid(
                u"A SQLite URL needs an absolute file path: sqlite:///abs/path/callwatch.db"
                " (three slashes)."_s);
        if (url.hasQuery())
            return invalid(u"A SQLite URL takes no options."_s);
        result.m_dialect = Dialect::Sqlite;
        result.m_sqlitePath = QDir::cleanPath(path);
        return result;
    }

    if (result.m_scheme != u"postgresql" && result.m_scheme != u"postgres")
        return invalid(u"Unsupported database URL scheme \"%1\" (use sqlite or postgresql)."_s.arg(
            result.m_scheme));

    result.m_dialect = Dialect::Postgresql;
    result.m_host = url.host(QUrl::FullyDecoded);
    if (result.m_host.isEmpty())
        return invalid(u"A PostgreSQL URL needs a host: postgresql://user@host:5432/db."_s);
    result.m_port = url.port(5432);
    if (result.m_port <= 0)
        return invalid(u"The PostgreSQL URL has an invalid port."_s);
    result.m_userName = url.userName(QUrl::FullyDecoded);
    result.m_password = url.password(QUrl::FullyDecoded);
    QString name = url.path(QUrl::FullyDecoded);
    if (name.startsWith(u'/'))
        name.remove(0, 1);
    if (name.isEmpty() || name.contains(u'/'))
        return invalid(
            u"A PostgreSQL URL needs a database name: postgresql://user@host:5432/db."_s);
    result.m_databaseName = name;
    result.m_query = url.query(QUrl::FullyEncoded);
    auto options = connectOptionsFrom(url);
    if (!options)
        return options.error();
    result.m_connectOptions = options.value();
    return result;
}

bool DatabaseUrl::isSqliteMemory() const
{
    return m_dialect == Dialect::Sqlite && m_sqlitePath == QLatin1StringView(kMemory);
}

DatabaseUrl DatabaseUrl::withDatabaseName(const QString &name) const
{
    DatabaseUrl copy = *this;
    copy.m_databaseName = name;
    return copy;
}

QString DatabaseUrl::redacted() const
{
    return text(true);
}

QString DatabaseUrl::toString() const
{
    return text(false);
}

QString DatabaseUrl::text(bool hideSecrets) const
{
    if (m_dialect == Dialect::Sqlite)
        return u"sqlite://"_s + m_sqlitePath;

    QUrl url;
    url.setScheme(m_scheme);
    url.setHost(m_host);
    url.setPort(m_port);
    url.setUserName(m_userName);
    if (!m_password.isEmpty())
        url.setPassword(hideSecrets ? u"***"_s : m_password);
    url.setPath(u'/' + m_databaseName);
    if (!m_query.isEmpty()) {
        // libpq also accepts secrets as options (password=, sslpassword=).
        QUrlQuery query(m_query);
        auto items = query.queryItems(QUrl::FullyDecoded);
        for (auto &item : items) {
            if (hideSecrets && item.first.contains(u"password"))
                item.second = u"***"_s;
        }
        query.setQueryItems(items);
        url.setQuery(query);
    }
    return url.toString();
}

} // namespace callwatch::store
