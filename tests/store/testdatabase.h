// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/database.h"

#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace callwatch::store::test {

/**
 * @brief A fresh, empty database per test: a SQLite file in a temporary directory, or a newly
 * created database on the PostgreSQL server named by CALLWATCH_TEST_POSTGRES_URL (dropped again
 * afterwards), so tests are independent and repeatable.
 */
class TestDatabase
{
public:
    enum class Status { Ready, Skip, Fail };

    TestDatabase() = default;
    ~TestDatabase();
    TestDatabase(const TestDatabase &) = delete;
    TestDatabase &operator=(const TestDatabase &) = delete;

    /// Adds the `dialect` column with the rows "sqlite" and "postgresql".
    static void addDialectRows();

    /// dialect: "sqlite" or "postgresql". On Skip/Fail, message() says why.
    Status create(const QString &dialect);
    /// create() followed by the built-in migrations.
    Status createMigrated(const QString &dialect);
    QString message() const { return m_message; }

    Database &database() { return *m_database; }
    QSqlDatabase connection() { return m_database->connection(); }
    DatabaseUrl url() const { return m_url; }

    /// Closes and reopens the Database object (a "second instance" of the same database).
    std::unique_ptr<Database> openAnother() const;

private:
    Status fail(const QString &message);
    Status createPostgres();

    QTemporaryDir m_dir;
    DatabaseUrl m_url;
    QString m_adminUrl; ///< the PostgreSQL URL from the environment, to drop our database
    QString m_pgDatabase;
    std::unique_ptr<Database> m_database;
    QString m_message;
};

} // namespace callwatch::store::test

/// Fetches the `dialect` column and opens a fresh database into `fixture`, skipping or failing
/// the test as the environment says.
#define CW_OPEN_DB(fixture, migrated)                                                              \
    do {                                                                                           \
        QFETCH(QString, dialect);                                                                  \
        const auto status_ =                                                                       \
            (migrated) ? (fixture).createMigrated(dialect) : (fixture).create(dialect);            \
        if (status_ == callwatch::store::test::TestDatabase::Status::Skip)                         \
            QSKIP(qPrintable((fixture).message()));                                                \
        if (status_ == callwatch::store::test::TestDatabase::Status::Fail)                         \
            QFAIL(qPrintable((fixture).message()));                                                \
    } while (false)
