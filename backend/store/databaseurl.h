// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"

#include <QString>

namespace callwatch::store {

/** @brief The SQL dialects the store speaks; the schema and queries exist once per dialect. */
enum class Dialect { Sqlite, Postgresql };

/**
 * @brief Where the database is: `sqlite:///abs/path/callwatch.db`, `sqlite://:memory:`,
 * `postgresql://user:pass@host:5432/db?sslmode=require` (or `postgres://…`).
 *
 * The password is kept for connecting but never printed: use redacted() in logs and errors.
 */
class DatabaseUrl
{
public:
    static Result<DatabaseUrl> parse(const QString &url);

    Dialect dialect() const { return m_dialect; }
    /// SQLite: the absolute file path, or ":memory:" (one private database per connection).
    QString sqlitePath() const { return m_sqlitePath; }
    bool isSqliteMemory() const;

    QString host() const { return m_host; }
    int port() const { return m_port; }
    QString userName() const { return m_userName; }
    QString password() const { return m_password; }
    QString databaseName() const { return m_databaseName; }
    /// libpq options from the query string in QPSQL's "key=value;key=value" form.
    QString connectOptions() const { return m_connectOptions; }

    /// The same URL pointing at another database on the same PostgreSQL server.
    DatabaseUrl withDatabaseName(const QString &name) const;

    /// The URL with the password replaced by `***`: safe for logs and error messages.
    QString redacted() const;
    /// The URL again, secrets included: for handing a database to another component or process.
    QString toString() const;

private:
    Dialect m_dialect = Dialect::Sqlite;
    QString text(bool hideSecrets) const;

    QString m_scheme;
    QString m_sqlitePath;
    QString m_host;
    int m_port = 5432;
    QString m_userName;
    QString m_password;
    QString m_databaseName;
    QString m_query; ///< as written, for redacted()
    QString m_connectOptions;
};

} // namespace callwatch::store
