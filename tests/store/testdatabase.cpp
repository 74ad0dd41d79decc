// SPDX-License-Identifier: GPL-3.0-or-later
#include "testdatabase.h"

#include "store/migrator.h"
#include "store/sql.h"

#include <QCoreApplication>
#include <QRandomGenerator>
#include <QTest>

using namespace Qt::StringLiterals;

namespace callwatch::store::test {

namespace {

constexpr auto kUrlVariable = "CALLWATCH_TEST_POSTGRES_URL";
constexpr auto kRequireVariable = "CALLWATCH_REQUIRE_POSTGRES";

// Runs one statement on the server's maintenance connection (CREATE/DROP DATABASE cannot run
// inside the test database itself).
Result<> adminExec(const QString &adminUrl, const QString &statement)
{
    auto url = DatabaseUrl::parse(adminUrl);
    if (!url)
        return url.error();
    auto admin = Database::open(url.value());
    if (!admin)
        return admin.error();
    auto ran = sql::run(admin.value()->connection(), u"test_admin"_s, statement);
    if (!ran)
        return ran.error();
    return {};
}

} // namespace

TestDatabase::~TestDatabase()
{
    m_database.reset();
    if (!m_pgDatabase.isEmpty()) {
        auto dropped =
            adminExec(m_adminUrl, u"DROP DATABASE IF EXISTS %1 WITH (FORCE)"_s.arg(m_pgDatabase));
        if (!dropped)
            qWarning().noquote() << "could not drop test database:" << dropped.error().message;
    }
}

void TestDatabase::addDialectRows()
{
    QTest::addColumn<QString>("dialect");
    QTest::newRow("sqlite") << u"sqlite"_s;
    QTest::newRow("postgresql") << u"postgresql"_s;
}

TestDatabase::Status TestDatabase::fail(const QString &message)
{
    m_message = message;
    return Status::Fail;
}

TestDatabase::Status TestDatabase::create(const QString &dialect)
{
    if (dialect == u"postgresql")
        return createPostgres();
    if (!m_dir.isValid())
        return fail(u"no temporary directory"_s);
    // A sub-directory that does not exist yet: Database must create it.
    auto url = DatabaseUrl::parse(u"sqlite://"_s + m_dir.path() + u"/data/callwatch.db"_s);
    if (!url)
        return fail(url.error().message);
    m_url = url.value();
    auto database = Database::open(m_url);
    if (!database)
        return fail(database.error().message);
    m_database = std::move(database).value();
    return Status::Ready;
}

TestDatabase::Status TestDatabase::createPostgres()
{
    m_adminUrl = qEnvironmentVariable(kUrlVariable);
    if (m_adminUrl.isEmpty()) {
        m_message = u"%1 is not set: PostgreSQL not tested (scripts/pg-test-cluster start DIR "
                    "PORT prints a URL)"_s.arg(QLatin1StringView(kUrlVariable));
        return qEnvironmentVariable(kRequireVariable) == u"1" ? Status::Fail : Status::Skip;
    }
    auto admin = DatabaseUrl::parse(m_adminUrl);
    if (!admin)
        return fail(admin.error().message);
    const QString name = u"cw_test_%1_%2"_s.arg(QCoreApplication::applicationPid())
                             .arg(QRandomGenerator::global()->generate64(), 0, 16);
    if (auto created = adminExec(m_adminUrl, u"CREATE DATABASE "_s + name); !created)
        return fail(created.error().message);
    m_pgDatabase = name;
    m_url = admin->withDatabaseName(name);
    auto database = Database::open(m_url);
    if (!database)
        return fail(database.error().message);
    m_database = std::move(database).value();
    return Status::Ready;
}

TestDatabase::Status TestDatabase::createMigrated(const QString &dialect)
{
    const Status status = create(dialect);
    if (status != Status::Ready)
        return status;
    Migrator migrator(connection());
    auto applied = migrator.apply();
    if (!applied)
        return fail(applied.error().message);
    return Status::Ready;
}

std::unique_ptr<Database> TestDatabase::openAnother() const
{
    auto database = Database::open(m_url);
    return database ? std::move(database).value() : nullptr;
}

} // namespace callwatch::store::test
