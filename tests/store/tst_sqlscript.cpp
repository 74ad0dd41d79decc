// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/sqlscript.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TestSqlScript : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void split_data();
    void split();
};

void TestSqlScript::split_data()
{
    QTest::addColumn<QString>("script");
    QTest::addColumn<QStringList>("statements");

    QTest::newRow("two") << u"CREATE TABLE a (x INT);\nCREATE TABLE b (y INT);\n"_s
                         << QStringList{u"CREATE TABLE a (x INT)"_s, u"CREATE TABLE b (y INT)"_s};
    QTest::newRow("no trailing semicolon") << u"SELECT 1"_s << QStringList{u"SELECT 1"_s};
    QTest::newRow("semicolon in string")
        << u"INSERT INTO t VALUES ('a;b', 'it''s; fine');SELECT 2;"_s
        << QStringList{u"INSERT INTO t VALUES ('a;b', 'it''s; fine')"_s, u"SELECT 2"_s};
    QTest::newRow("semicolon in identifier")
        << u"CREATE TABLE \"we;ird\" (x INT); SELECT 1"_s
        << QStringList{u"CREATE TABLE \"we;ird\" (x INT)"_s, u"SELECT 1"_s};
    QTest::newRow("line comment with ; and quote")
        << u"-- don't split; here\nSELECT 1; -- tail; comment\n"_s
        << QStringList{u"-- don't split; here\nSELECT 1"_s};
    QTest::newRow("block comment") << u"/* a; b 'c */ SELECT 1; /* only a comment; */"_s
                                   << QStringList{u"/* a; b 'c */ SELECT 1"_s};
    QTest::newRow("dollar body")
        << u"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql; SELECT f();"_s
        << QStringList{u"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql"_s,
                       u"SELECT f()"_s};
    QTest::newRow("tagged dollar body")
        << u"DO $body$ BEGIN PERFORM 1; END $body$; SELECT $1;"_s
        << QStringList{u"DO $body$ BEGIN PERFORM 1; END $body$"_s, u"SELECT $1"_s};
    QTest::newRow("empty pieces") << u" ; ;\n;"_s << QStringList{};
}

void TestSqlScript::split()
{
    QFETCH(QString, script);
    QTEST(callwatch::store::splitSqlScript(script), "statements");
}

QTEST_GUILESS_MAIN(TestSqlScript)
#include "tst_sqlscript.moc"
