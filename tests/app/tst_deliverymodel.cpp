// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/deliverymodel.h"
#include "app/webhookinspector.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch::app;

namespace {
Delivery delivery(qint64 id, const QString &outcome = u"stored"_s)
{
    Delivery d;
    d.id = id;
    d.route = u"/webhooks/elevenlabs/post-call"_s;
    d.verification = u"verified"_s;
    d.outcome = outcome;
    d.httpStatus = 200;
    return d;
}
} // namespace

class TestDeliveryModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void pagesMergeNewestFirst()
    {
        DeliveryModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.merge({delivery(9), delivery(8), delivery(7)});
        model.merge({delivery(6), delivery(5)});                // the next page
        model.merge({delivery(11), delivery(10), delivery(9)}); // a refresh
        QCOMPARE(model.rowCount(), 7);
        for (int row = 0; row < model.rowCount(); ++row)
            QCOMPARE(model.idAt(row), 11 - row);
        QCOMPARE(model.oldestId(), std::optional<qint64>(5));
        QCOMPARE(model.rowOf(8), 3);
        QCOMPARE(model.rowOf(42), -1);
    }

    void knownIdsUpdateInPlace()
    {
        DeliveryModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.merge({delivery(2), delivery(1)});
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.merge({delivery(2)});
        QCOMPARE(changed.size(), 0);
        model.merge({delivery(2, u"replayed"_s)});
        QCOMPARE(changed.size(), 1);
        QCOMPARE(inserted.size(), 0);
        QCOMPARE(model.data(model.index(0), DeliveryModel::OutcomeRole).toString(), u"replayed"_s);
    }

    void bodiesArePrettyPrinted_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("shown");
        QTest::newRow("json")
            << QByteArray("{\"type\":\"x\",\"data\":{\"a\":1}}")
            << u"{\n    \"data\": {\n        \"a\": 1\n    },\n    \"type\": \"x\"\n}\n"_s;
        QTest::newRow("not json is shown as is") << QByteArray("t=1,v0=abc") << u"t=1,v0=abc"_s;
        QTest::newRow("empty") << QByteArray() << QString();
    }

    void bodiesArePrettyPrinted()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, shown);
        QCOMPARE(WebhookInspector::displayBody(body), shown);
    }

    void hugeBodiesAreCut()
    {
        const QByteArray body(WebhookInspector::MaxShownBody + 100, 'x');
        const QString shown = WebhookInspector::displayBody(body);
        QVERIFY(shown.size() < body.size() + 100);
        QVERIFY(shown.endsWith(u"bytes)"_s));
    }
};

QTEST_GUILESS_MAIN(TestDeliveryModel)
#include "tst_deliverymodel.moc"
