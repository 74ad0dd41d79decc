// SPDX-License-Identifier: GPL-3.0-or-later
// The bodies of POST /api/calls and POST /api/calls/batch: every missing field named, bad
// values refused with the field and what it must be, defaults applied.
#include "elevenlabs/launchrequests.h"

#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch::elevenlabs;

class TestLaunchRequests : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void call_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("valid") << QByteArray(R"({"to_number":"+13125550100","driver_id":"drv_1"})")
                               << QString() << QString();
        QTest::newRow("empty") << QByteArray("{}") << u"missing_fields"_s
                               << u"Missing required fields: to_number, driver_id"_s;
        QTest::newRow("empty strings")
            << QByteArray(R"({"to_number":"","driver_id":null})") << u"missing_fields"_s
            << u"Missing required fields: to_number, driver_id"_s;
        QTest::newRow("no driver")
            << QByteArray(R"({"to_number":"+13125550100"})") << u"missing_fields"_s
            << u"Missing required fields: driver_id"_s;
        QTest::newRow("not E.164")
            << QByteArray(R"({"to_number":"312-555-0100","driver_id":"d"})") << u"invalid_field"_s
            << u"to_number must be an E.164 phone number such as +13125550123"_s;
        QTest::newRow("number type") << QByteArray(R"({"to_number":13125550100,"driver_id":"d"})")
                                     << u"invalid_field"_s << u"to_number must be a string"_s;
        QTest::newRow("driver with slash")
            << QByteArray(R"({"to_number":"+13125550100","driver_id":"a/b"})") << u"invalid_field"_s
            << u"driver_id must be 1 to 64 letters, digits or _ . : -"_s;
        QTest::newRow("provider")
            << QByteArray(R"({"to_number":"+13125550100","driver_id":"d","provider":"fax"})")
            << u"invalid_field"_s << u"provider must be \"twilio\" or \"sip\""_s;
        QTest::newRow("nested variable")
            << QByteArray(
                   R"({"to_number":"+13125550100","driver_id":"d","dynamic_variables":{"a":[1]}})")
            << u"invalid_field"_s
            << u"dynamic_variables.a must be a string, number, boolean or null"_s;
    }
    void call()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, code);
        QFETCH(QString, message);
        const auto parsed = CallLaunchRequest::fromJson(QJsonDocument::fromJson(body).object());
        QCOMPARE(parsed.ok(), code.isEmpty());
        if (!parsed.ok()) {
            QCOMPARE(parsed.error().code, code);
            QCOMPARE(parsed.error().message, message);
        }
    }

    void defaults()
    {
        auto parsed = CallLaunchRequest::fromJson(
            QJsonDocument::fromJson(
                R"({"to_number":"+13125550100","driver_id":"d","provider":"sip","agent_id":"own"})")
                .object());
        QVERIFY(parsed.ok());
        const auto resolved =
            parsed->resolved({u"agent_default"_s, u"phnum_default"_s, Provider::Twilio});
        QVERIFY(resolved.ok());
        QCOMPARE(resolved->agentId, u"own"_s);
        QCOMPARE(resolved->agentPhoneNumberId, u"phnum_default"_s);
        QCOMPARE(resolved->provider.value(), Provider::Sip);
        const auto unresolved = parsed->resolved({});
        QVERIFY(!unresolved.ok());
        QCOMPARE(unresolved.error().message, u"Missing required fields: agent_phone_number_id"_s);
    }

    void batch_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("message");
        QTest::newRow("valid")
            << QByteArray(
                   R"({"call_name":"n","recipients":[{"to_number":"+13125550100","driver_id":"a"}]})")
            << QString();
        QTest::newRow("nothing") << QByteArray("{}")
                                 << u"Missing required fields: call_name, recipients"_s;
        QTest::newRow("empty recipients") << QByteArray(R"({"call_name":"n","recipients":[]})")
                                          << u"Missing required fields: recipients"_s;
        QTest::newRow("recipient fields")
            << QByteArray(R"({"call_name":"n","recipients":[{"to_number":"+13125550100"},{}]})")
            << u"Missing required fields: recipients[0].driver_id, recipients[1].to_number, "
               u"recipients[1].driver_id"_s;
        QTest::newRow("recipient not an object")
            << QByteArray(R"({"call_name":"n","recipients":[1]})")
            << u"recipients[0] must be an object"_s;
        QTest::newRow("bad number")
            << QByteArray(R"({"call_name":"n","recipients":[{"to_number":"5","driver_id":"a"}]})")
            << u"recipients[0].to_number must be an E.164 phone number such as +13125550123"_s;
    }
    void batch()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, message);
        const auto parsed = BatchLaunchRequest::fromJson(QJsonDocument::fromJson(body).object());
        QCOMPARE(parsed.ok(), message.isEmpty());
        if (!parsed.ok())
            QCOMPARE(parsed.error().message, message);
    }
};

QTEST_APPLESS_MAIN(TestLaunchRequests)
#include "tst_launchrequests.moc"
