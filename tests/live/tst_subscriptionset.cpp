// SPDX-License-Identifier: GPL-3.0-or-later
#include "live/callidentitymap.h"
#include "live/subscriptionset.h"

#include <QTest>

using namespace callwatch::live;
using namespace Qt::StringLiterals;

class TestSubscriptionSet : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matching_data();
    void matching();
    void lowerAfterIdWins();
    void linkLearnedLater();
    void unsubscribeRemovesBothIdentifiers();
    void unsubscribeAllClearsEverything();
    void identityMapIsBounded();
};

void TestSubscriptionSet::matching_data()
{
    QTest::addColumn<QString>("subscribe"); // "sid:X", "conv:X", "all"
    QTest::addColumn<qint64>("afterId");
    QTest::addColumn<qint64>("eventId");
    QTest::addColumn<QString>("eventSid");
    QTest::addColumn<QString>("eventConversation");
    QTest::addColumn<bool>("matches");

    QTest::newRow("sid matches sid") << u"sid:CA1"_s << 0LL << 5LL << u"CA1"_s << QString() << true;
    QTest::newRow("sid matches event carrying both")
        << u"sid:CA1"_s << 0LL << 5LL << u"CA1"_s << u"conv_1"_s << true;
    QTest::newRow("sid ignores other call")
        << u"sid:CA1"_s << 0LL << 5LL << u"CA2"_s << u"conv_2"_s << false;
    QTest::newRow("conversation matches event carrying it")
        << u"conv:conv_1"_s << 0LL << 5LL << QString() << u"conv_1"_s << true;
    QTest::newRow("conversation, unknown pair, sid-only event")
        << u"conv:conv_1"_s << 0LL << 5LL << u"CA1"_s << QString() << false;
    QTest::newRow("known pair: conversation gets sid-only event")
        << u"conv:conv_known"_s << 0LL << 5LL << u"CAknown"_s << QString() << true;
    QTest::newRow("known pair: sid gets conversation-only event")
        << u"sid:CAknown"_s << 0LL << 5LL << QString() << u"conv_known"_s << true;
    QTest::newRow("all matches anything") << u"all"_s << 0LL << 1LL << u"X"_s << QString() << true;
    QTest::newRow("afterId is exclusive") << u"all"_s << 5LL << 5LL << u"X"_s << QString() << false;
    QTest::newRow("after afterId") << u"sid:CA1"_s << 5LL << 6LL << u"CA1"_s << QString() << true;
    QTest::newRow("empty identifiers never match")
        << u"sid:CA1"_s << 0LL << 6LL << QString() << QString() << false;
}

void TestSubscriptionSet::matching()
{
    QFETCH(QString, subscribe);
    QFETCH(qint64, afterId);
    QFETCH(qint64, eventId);
    QFETCH(QString, eventSid);
    QFETCH(QString, eventConversation);
    QFETCH(bool, matches);

    CallIdentityMap identities;
    identities.learn(u"CAknown"_s, u"conv_known"_s);
    SubscriptionSet set;
    if (subscribe == "all"_L1)
        set.add(Selector::all(), afterId, identities);
    else if (subscribe.startsWith("sid:"_L1))
        set.add(Selector::callSid(subscribe.mid(4)), afterId, identities);
    else
        set.add(Selector::conversationId(subscribe.mid(5)), afterId, identities);
    QCOMPARE(set.matches(eventId, eventSid, eventConversation), matches);
}

void TestSubscriptionSet::lowerAfterIdWins()
{
    CallIdentityMap identities;
    SubscriptionSet set;
    set.add(Selector::callSid(u"CA1"_s), 100, identities);
    set.add(Selector::callSid(u"CA1"_s), 10, identities);
    set.add(Selector::callSid(u"CA1"_s), 50, identities);
    QVERIFY(set.matches(11, u"CA1"_s, {}));
    QVERIFY(!set.matches(10, u"CA1"_s, {}));
}

void TestSubscriptionSet::linkLearnedLater()
{
    CallIdentityMap identities;
    SubscriptionSet set;
    set.add(Selector::conversationId(u"conv_1"_s), 3, identities);
    QVERIFY(!set.matches(4, u"CA1"_s, {}));
    set.link(u"CA1"_s, u"conv_1"_s);
    QVERIFY(set.matches(4, u"CA1"_s, {}));
    QVERIFY(!set.matches(3, u"CA1"_s, {})); // the partner inherits the afterId
    set.link(u"CA9"_s, u"conv_9"_s);        // neither side subscribed: nothing added
    QVERIFY(!set.matches(4, u"CA9"_s, {}));
}

void TestSubscriptionSet::unsubscribeRemovesBothIdentifiers()
{
    CallIdentityMap identities;
    identities.learn(u"CA1"_s, u"conv_1"_s);
    SubscriptionSet set;
    set.add(Selector::callSid(u"CA1"_s), 0, identities);
    set.add(Selector::callSid(u"CA2"_s), 0, identities);
    set.remove(Selector::conversationId(u"conv_1"_s));
    QVERIFY(!set.matches(1, u"CA1"_s, {}));
    QVERIFY(!set.matches(1, {}, u"conv_1"_s));
    QVERIFY(set.matches(1, u"CA2"_s, {}));
    QVERIFY(!set.isEmpty());
}

void TestSubscriptionSet::unsubscribeAllClearsEverything()
{
    CallIdentityMap identities;
    SubscriptionSet set;
    set.add(Selector::all(), 0, identities);
    set.add(Selector::callSid(u"CA2"_s), 0, identities);
    set.remove(Selector::all());
    QVERIFY(set.isEmpty());
    QVERIFY(!set.matches(1, u"CA2"_s, {}));
}

void TestSubscriptionSet::identityMapIsBounded()
{
    CallIdentityMap identities(3);
    for (int i = 0; i < 5; ++i)
        QVERIFY(identities.learn(u"CA%1"_s.arg(i), u"conv_%1"_s.arg(i)));
    QVERIFY(!identities.learn(u"CA4"_s, u"conv_4"_s)); // already known
    QCOMPARE(identities.size(), 3);
    QVERIFY(identities.conversationIdFor(u"CA0"_s).isEmpty()); // oldest forgotten
    QCOMPARE(identities.conversationIdFor(u"CA4"_s), u"conv_4"_s);
    QCOMPARE(identities.callSidFor(u"conv_2"_s), u"CA2"_s);
    QVERIFY(!identities.learn(u"CA5"_s, QString()));
}

QTEST_GUILESS_MAIN(TestSubscriptionSet)
#include "tst_subscriptionset.moc"
