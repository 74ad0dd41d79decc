// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/databaseurl.h"

#include <QTest>

using namespace Qt::StringLiterals;
using callwatch::store::DatabaseUrl;
using callwatch::store::Dialect;

class TestDatabaseUrl : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void valid_data();
    void valid();
    void invalid_data();
    void invalid();
    void redactedHidesSecrets_data();
    void redactedHidesSecrets();
    void toStringRoundTrips_data();
    void toStringRoundTrips();
};

void TestDatabaseUrl::valid_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("postgres");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("database");
    QTest::addColumn<QString>("options");

    QTest::newRow("sqlite file") << u"sqlite:///var/lib/callwatch/callwatch.db"_s << false
                                 << u"/var/lib/callwatch/callwatch.db"_s << QString() << 5432
                                 << QString() << QString() << QString() << QString();
    QTest::newRow("sqlite encoded path")
        << u"sqlite:///tmp/my%20dir/cw.db"_s << false << u"/tmp/my dir/cw.db"_s << QString() << 5432
        << QString() << QString() << QString() << QString();
    QTest::newRow("sqlite memory") << u"sqlite://:memory:"_s << false << u":memory:"_s << QString()
                                   << 5432 << QString() << QString() << QString() << QString();
    QTest::newRow("postgresql full") << u"postgresql://cw:s3cret@db.example:6543/callwatch"_s
                                     << true << QString() << u"db.example"_s << 6543 << u"cw"_s
                                     << u"s3cret"_s << u"callwatch"_s << u"connect_timeout=10"_s;
    QTest::newRow("postgres alias, default port")
        << u"postgres://cw@localhost/cw"_s << true << QString() << u"localhost"_s << 5432 << u"cw"_s
        << QString() << u"cw"_s << u"connect_timeout=10"_s;
    QTest::newRow("percent-decoded credentials")
        << u"postgresql://us%40er:p%40ss%3Aw%2Fd@127.0.0.1:5433/db"_s << true << QString()
        << u"127.0.0.1"_s << 5433 << u"us@er"_s << u"p@ss:w/d"_s << u"db"_s
        << u"connect_timeout=10"_s;
    QTest::newRow("options")
        << u"postgresql://cw@h/db?sslmode=require&connect_timeout=3&application_name=call%20watch"_s
        << true << QString() << u"h"_s << 5432 << u"cw"_s << QString() << u"db"_s
        << u"sslmode='require';connect_timeout='3';application_name='call watch'"_s;
}

void TestDatabaseUrl::valid()
{
    QFETCH(QString, url);
    auto parsed = DatabaseUrl::parse(url);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error().message));
    QFETCH(bool, postgres);
    QCOMPARE(parsed->dialect(), postgres ? Dialect::Postgresql : Dialect::Sqlite);
    QTEST(parsed->sqlitePath(), "path");
    QTEST(parsed->host(), "host");
    QTEST(parsed->port(), "port");
    QTEST(parsed->userName(), "user");
    QTEST(parsed->password(), "password");
    QTEST(parsed->databaseName(), "database");
    QTEST(parsed->connectOptions(), "options");
}

void TestDatabaseUrl::invalid_data()
{
    QTest::addColumn<QString>("url");
    QTest::newRow("empty") << QString();
    QTest::newRow("no scheme") << u"/var/lib/callwatch.db"_s;
    QTest::newRow("mysql") << u"mysql://u@h/db"_s;
    QTest::newRow("sqlite relative") << u"sqlite://callwatch.db"_s;
    QTest::newRow("sqlite two slashes dir") << u"sqlite://data/callwatch.db"_s;
    QTest::newRow("sqlite directory") << u"sqlite:///var/lib/"_s;
    QTest::newRow("sqlite options") << u"sqlite:///tmp/a.db?mode=ro"_s;
    QTest::newRow("postgres no host") << u"postgresql:///db"_s;
    QTest::newRow("postgres no database") << u"postgresql://u@h:5432"_s;
    QTest::newRow("postgres nested path") << u"postgresql://u@h/a/b"_s;
    QTest::newRow("postgres bad option name") << u"postgresql://u@h/db?ssl-mode=x"_s;
    QTest::newRow("postgres option with ;") << u"postgresql://u@h/db?sslmode=a%3Bb"_s;
}

void TestDatabaseUrl::invalid()
{
    QFETCH(QString, url);
    auto parsed = DatabaseUrl::parse(url);
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().code, u"invalid_database_url"_s);
    QVERIFY(!parsed.error().message.isEmpty());
}

void TestDatabaseUrl::redactedHidesSecrets_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("redacted");
    QTest::newRow("password") << u"postgresql://cw:s3cret@db:5432/callwatch"_s
                              << u"postgresql://cw:***@db:5432/callwatch"_s;
    QTest::newRow("no password") << u"postgres://cw@db:5433/callwatch"_s
                                 << u"postgres://cw@db:5433/callwatch"_s;
    QTest::newRow("password option") << u"postgresql://cw@db/x?sslmode=require&password=s3cret"_s
                                     << u"postgresql://cw@db:5432/x?sslmode=require&password=***"_s;
    QTest::newRow("sqlite") << u"sqlite:///tmp/cw.db"_s << u"sqlite:///tmp/cw.db"_s;
}

void TestDatabaseUrl::redactedHidesSecrets()
{
    QFETCH(QString, url);
    auto parsed = DatabaseUrl::parse(url);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error().message));
    QTEST(parsed->redacted(), "redacted");
    QVERIFY(!parsed->redacted().contains(u"s3cret"));
}

void TestDatabaseUrl::toStringRoundTrips_data()
{
    QTest::addColumn<QString>("url");
    QTest::newRow("password") << u"postgresql://cw:s3cret@db:5432/callwatch"_s;
    QTest::newRow("password option")
        << u"postgresql://cw@db:5432/x?sslmode=require&password=s3cret"_s;
    QTest::newRow("sqlite") << u"sqlite:///tmp/cw.db"_s;
}

void TestDatabaseUrl::toStringRoundTrips()
{
    // toString() keeps the secrets: parsing it again gives the same connection settings.
    QFETCH(QString, url);
    auto parsed = DatabaseUrl::parse(url);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error().message));
    QCOMPARE(parsed->toString(), url);
    auto again = DatabaseUrl::parse(parsed->toString());
    QVERIFY(again.ok());
    QCOMPARE(again->password(), parsed->password());
    QCOMPARE(again->connectOptions(), parsed->connectOptions());
}

QTEST_GUILESS_MAIN(TestDatabaseUrl)
#include "tst_databaseurl.moc"
