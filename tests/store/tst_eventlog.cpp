// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/callevents.h"
#include "store/callrepository.h"
#include "store/callrows.h"
#include "store/eventlog.h"
#include "store/sql.h"
#include "testdatabase.h"

#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch;
using namespace callwatch::store;
using callwatch::store::test::TestDatabase;

class TestEventLog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void appendAndReadAfter_data() { TestDatabase::addDialectRows(); }
    void appendAndReadAfter();
    void pruneKeepsIdsIncreasing_data() { TestDatabase::addDialectRows(); }
    void pruneKeepsIdsIncreasing();
    void transcriptionTextMatchesObject_data();
    void transcriptionTextMatchesObject();
    void transcriptionFieldsMatchQJsonDocument_data();
    void transcriptionFieldsMatchQJsonDocument();
};

namespace {

EventRecord makeEvent(const CallRecord &call, int n, const QDateTime &at)
{
    EventRecord e;
    e.type = u"transcription"_s;
    e.callId = call.id;
    e.callSid = call.callSid;
    e.conversationId = call.conversationId;
    e.payload = QJsonObject{{u"n"_s, n}, {u"message"_s, u"Grüße \u0000 \"quoted\" 📞"_s}};
    e.createdAt = at;
    return e;
}

CallRecord makeCall(QSqlDatabase db)
{
    NewCall call;
    call.callSid = u"CA1"_s;
    call.conversationId = u"conv-1"_s;
    return CallRepository(db).createCall(call).value(); // writes event 1
}

} // namespace

void TestEventLog::appendAndReadAfter()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    QSqlDatabase db = fixture.connection();
    EventLog log(db);
    QCOMPARE(log.lastId().value(), 0);
    QCOMPARE(log.oldestId().value(), 0);
    const CallRecord call = makeCall(db);
    const qint64 first = log.lastId().value();
    QVERIFY(first > 0);

    const QDateTime at(QDate(2024, 5, 1), QTime(9, 30, 0, 123), Qt::UTC);
    QList<qint64> ids;
    for (int n = 1; n <= 5; ++n) {
        auto id = log.append(makeEvent(call, n, at.addMSecs(n)));
        QVERIFY2(id.ok(), qPrintable(id.error().message));
        QVERIFY(ids.isEmpty() || id.value() > ids.last());
        ids << id.value();
    }
    QCOMPARE(log.lastId().value(), ids.last());
    QCOMPARE(log.oldestId().value(), first);

    auto page = log.readAfter(ids.at(0), 2);
    QVERIFY(page.ok());
    QCOMPARE(page->size(), 2);
    QCOMPARE(page->at(0).id, ids.at(1));
    QCOMPARE(page->at(1).id, ids.at(2));
    const EventRecord &read = page->at(0);
    QCOMPARE(read.type, u"transcription"_s);
    QCOMPARE(read.callId, call.id);
    QCOMPARE(read.callSid, u"CA1"_s);
    QCOMPARE(read.conversationId, u"conv-1"_s);
    QCOMPARE(read.payload, makeEvent(call, 2, at).payload); // unicode and \u0000 survive
    QCOMPARE(read.createdAt, at.addMSecs(2));

    // For live delivery: the payload exactly as stored (what append() wrote), not parsed.
    auto texts = log.readAfter(ids.at(0), 2, EventLog::Payload::Text);
    QVERIFY2(texts.ok(), qPrintable(texts.error().message));
    QCOMPARE(texts->size(), 2);
    for (int i = 0; i < 2; ++i) {
        const EventRecord &text = texts->at(i);
        QCOMPARE(text.id, ids.at(i + 1));
        QCOMPARE(text.type, u"transcription"_s);
        QCOMPARE(text.callId, call.id);
        QCOMPARE(text.callSid, u"CA1"_s);
        QCOMPARE(text.conversationId, u"conv-1"_s);
        QCOMPARE(text.createdAt, at.addMSecs(i + 2));
        QVERIFY(text.payload.isEmpty());
        QCOMPARE(text.payloadJson,
                 QJsonDocument(makeEvent(call, i + 2, at).payload).toJson(QJsonDocument::Compact));
    }
    QVERIFY(page->at(0).payloadJson.isEmpty()); // the parsed form carries no text

    auto rest = log.readAfter(ids.at(2), 100);
    QCOMPARE(rest->size(), 2);
    QVERIFY(log.readAfter(ids.last(), 100)->isEmpty());
    QCOMPARE(log.readAfter(0, 1000)->size(), 6);
}

void TestEventLog::pruneKeepsIdsIncreasing()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    QSqlDatabase db = fixture.connection();
    EventLog log(db);
    const CallRecord call = makeCall(db); // event 1, created now
    const QDateTime old(QDate(2020, 1, 1), QTime(0, 0), Qt::UTC);
    const qint64 oldFirst = log.append(makeEvent(call, 1, old)).value();
    const qint64 oldSecond = log.append(makeEvent(call, 2, old.addSecs(1))).value();
    const QDateTime soon = QDateTime::currentDateTimeUtc().addSecs(60);

    // Only a prefix of the ids goes: the first event is recent, so the old ones after it stay
    // (a resuming client must never get a stream with a hole in it).
    QCOMPARE(log.pruneOldest(old.addDays(1), 100).value(), 0);
    QCOMPARE(log.readAfter(0, 100)->size(), 3);
    // At most `limit`, oldest ids first.
    QCOMPARE(log.pruneOldest(soon, 2).value(), 2);
    QCOMPARE(log.oldestId().value(), oldSecond);
    QCOMPARE(log.pruneOldest(soon, 100).value(), 1);
    QCOMPARE(log.oldestId().value(), 0);
    QCOMPARE(log.lastId().value(), 0);
    // Ids are never reused after pruning, so "after id N" stays meaningful.
    const qint64 next = log.append(makeEvent(call, 3, old)).value();
    QVERIFY(next > oldSecond);
    QVERIFY(oldFirst < oldSecond);
}

QTEST_GUILESS_MAIN(TestEventLog)
void TestEventLog::transcriptionTextMatchesObject_data()
{
    QTest::addColumn<QString>("callSid");
    QTest::addColumn<QString>("conversationId");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QVariant>("time"); // invalid: no time
    QTest::addColumn<bool>("prepared"); // fields serialized ahead (NewTurn::eventFields)
    QTest::newRow("plain") << u"EL_1"_s << u"conv_1"_s << u"Hello."_s << QVariant(12.5) << true;
    QTest::newRow("not prepared") << u"EL_1"_s << u"conv_1"_s << u"Hello."_s << QVariant(0.1)
                                  << false;
    QTest::newRow("no conversation, no time")
        << u"EL_2"_s << QString() << u""_s << QVariant() << true;
    QTest::newRow("escapes") << u"EL_\"q\"\\"_s << u"conv\n\u0001"_s
                             << u"\"quoted\" \\ \t\u0000 ü \u2028 📞"_s << QVariant(3.0) << true;
    QTest::newRow("unicode ids") << u"EL_Grüße"_s << u"конв"_s << u"x"_s << QVariant(1e-7) << false;
}

void TestEventLog::transcriptionTextMatchesObject()
{
    // The writer's hot path builds the payload text by hand; it must parse to what
    // callevents::transcription() gives.
    QFETCH(QString, callSid);
    QFETCH(QString, conversationId);
    QFETCH(QString, message);
    QFETCH(QVariant, time);
    QFETCH(bool, prepared);
    CallRecord call;
    call.id = 7;
    call.callSid = callSid;
    call.conversationId = conversationId;
    NewTurn turn;
    turn.speaker = u"user"_s;
    turn.message = message;
    if (time.isValid())
        turn.timeInCallSecs = time.toDouble();
    const TranscriptTurn row = callrows::turnRow(
        call.id, 42, turn, QDateTime::fromMSecsSinceEpoch(1700000000123, Qt::UTC));
    const EventRecord expected = callevents::transcription(call, row);
    const auto [event, text] = callevents::transcriptionText(
        call, row, prepared ? callevents::transcriptionFields(turn) : QByteArray());
    QJsonParseError error;
    const QJsonDocument parsed = QJsonDocument::fromJson(text, &error);
    QVERIFY2(error.error == QJsonParseError::NoError, text.constData());
    QCOMPARE(parsed.object(), expected.payload);
    QCOMPARE(event.type, expected.type);
    QCOMPARE(event.callId, expected.callId);
    QCOMPARE(event.callSid, expected.callSid);
    QCOMPARE(event.conversationId, expected.conversationId);
    QCOMPARE(event.createdAt, expected.createdAt);
}

void TestEventLog::transcriptionFieldsMatchQJsonDocument_data()
{
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("speaker");
    QTest::addColumn<QVariant>("time"); // invalid: no time
    QTest::newRow("plain") << u"Hello, I'd like to book."_s << u"user"_s << QVariant(12.5);
    QTest::newRow("no time, empty") << QString() << u"agent"_s << QVariant();
    QTest::newRow("escapes") << u"\"q\" \\ \t\n\r\b\f \u0000\u0001\u001f \u007f"_s << u"agent"_s
                             << QVariant(0.1);
    QTest::newRow("unicode") << u"Grüße \u2028 📞 конв"_s << u"user"_s << QVariant(1e-7);
    QTest::newRow("integral") << u"a"_s << u"user"_s << QVariant(3.0);
    QTest::newRow("hundred thousand") << u"a"_s << u"user"_s << QVariant(100000.0);
    QTest::newRow("just below 1e6") << u"a"_s << u"user"_s << QVariant(999999.0);
    QTest::newRow("fraction below 1e6") << u"a"_s << u"user"_s << QVariant(123456.789);
    QTest::newRow("1e6") << u"a"_s << u"user"_s << QVariant(1e6);
    QTest::newRow("huge") << u"a"_s << u"user"_s << QVariant(1e20);
    QTest::newRow("zero") << u"a"_s << u"user"_s << QVariant(0.0);
    QTest::newRow("negative zero") << u"a"_s << u"user"_s << QVariant(-0.0);
    QTest::newRow("tiny") << u"a"_s << u"user"_s << QVariant(5e-324);
    QTest::newRow("thirds") << u"a"_s << u"user"_s << QVariant(1.0 / 3.0);
    QTest::newRow("ten thousand and a half") << u"a"_s << u"user"_s << QVariant(10000.5);
    QTest::newRow("small") << u"a"_s << u"user"_s << QVariant(0.0001);
}

void TestEventLog::transcriptionFieldsMatchQJsonDocument()
{
    // The HTTP thread serializes a turn's event fields by hand: byte for byte what
    // QJsonDocument writes for the same object (the stored event text must not change).
    QFETCH(QString, message);
    QFETCH(QString, speaker);
    QFETCH(QVariant, time);
    NewTurn turn;
    turn.speaker = speaker;
    turn.message = message;
    if (time.isValid())
        turn.timeInCallSecs = time.toDouble();
    const QJsonValue timeValue =
        turn.timeInCallSecs ? QJsonValue(*turn.timeInCallSecs) : QJsonValue(QJsonValue::Null);
    const QByteArray object = QJsonDocument(QJsonObject{{u"message"_s, turn.message},
                                                        {u"source"_s, turn.source},
                                                        {u"speaker"_s, turn.speaker},
                                                        {u"time_in_call_secs"_s, timeValue}})
                                  .toJson(QJsonDocument::Compact);
    QCOMPARE(callevents::transcriptionFields(turn), object.mid(1, object.size() - 2));
}

#include "tst_eventlog.moc"
