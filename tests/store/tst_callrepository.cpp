// SPDX-License-Identifier: GPL-3.0-or-later
#include "callfixtures.h"
#include "store/callrepository.h"
#include "store/eventlog.h"
#include "store/sql.h"
#include "store/transaction.h"
#include "testdatabase.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch;
using namespace callwatch::store;
using namespace callwatch::store::test;

class TestCallRepository : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createCall_data() { TestDatabase::addDialectRows(); }
    void createCall();
    void createCallGeneratesSid_data() { TestDatabase::addDialectRows(); }
    void createCallGeneratesSid();
    void createCallRefusals_data() { TestDatabase::addDialectRows(); }
    void createCallRefusals();
    void finders_data() { TestDatabase::addDialectRows(); }
    void finders();
    void setConversation_data() { TestDatabase::addDialectRows(); }
    void setConversation();
    void changeStatus_data() { TestDatabase::addDialectRows(); }
    void changeStatus();
    void completeCall_data() { TestDatabase::addDialectRows(); }
    void completeCall();
    void completeAlreadyCompletedCall_data() { TestDatabase::addDialectRows(); }
    void completeAlreadyCompletedCall();
    void appendTurn_data() { TestDatabase::addDialectRows(); }
    void appendTurn();
    void appendLiveTurns_data() { TestDatabase::addDialectRows(); }
    void appendLiveTurns();
    void appendLiveTurnsAllOrNothing_data() { TestDatabase::addDialectRows(); }
    void appendLiveTurnsAllOrNothing();
    void appendTurnRefusals_data() { TestDatabase::addDialectRows(); }
    void appendTurnRefusals();
    void postCallTranscript_data() { TestDatabase::addDialectRows(); }
    void postCallTranscript();
    void setAudioPath_data() { TestDatabase::addDialectRows(); }
    void setAudioPath();
};

void TestCallRepository::createCall()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    CallRepository repo(fixture.connection());
    const QDateTime before = QDateTime::currentDateTimeUtc().addMSecs(-1);
    NewCall input = newCall(u"CA100"_s);
    input.batchId = u"batch-7"_s;
    input.providerCallId = u"prov-1"_s;
    auto created = repo.createCall(input);
    QVERIFY2(created.ok(), qPrintable(created.error().message));
    const CallRecord &call = created.value();
    QVERIFY(call.id > 0);
    QCOMPARE(call.callSid, u"CA100"_s);
    QCOMPARE(call.status, u"initiating"_s);
    QCOMPARE(call.agentId, u"agent-1"_s);
    QCOMPARE(call.driverId, u"drv-1"_s);
    QCOMPARE(call.toNumber, u"+15550001111"_s);
    QCOMPARE(call.direction, u"outbound"_s);
    QCOMPARE(call.batchId, u"batch-7"_s);
    QCOMPARE(call.providerCallId, u"prov-1"_s);
    QVERIFY(call.conversationId.isEmpty());
    QVERIFY(call.createdAt >= before && call.createdAt <= QDateTime::currentDateTimeUtc());
    QCOMPARE(call.createdAt.timeSpec(), Qt::UTC);
    QCOMPARE(call.updatedAt, call.createdAt);
    QVERIFY(!call.startedAt.isValid());
    QVERIFY(!call.endedAt.isValid());
    QCOMPARE(call.lastSequenceNumber, 0);

    const auto events = allEvents(fixture.connection());
    QCOMPARE(events.size(), 1);
    const EventRecord &event = events.first();
    QCOMPARE(event.type, u"call_status"_s);
    QCOMPARE(event.callId, call.id);
    QCOMPARE(event.callSid, u"CA100"_s);
    QCOMPARE(event.createdAt, call.createdAt);
    const QJsonObject expected{{u"type"_s, u"call_status"_s},
                               {u"call_sid"_s, u"CA100"_s},
                               {u"conversation_id"_s, QJsonValue::Null},
                               {u"status"_s, u"initiating"_s},
                               {u"previous_status"_s, QJsonValue::Null},
                               {u"failure_reason"_s, QJsonValue::Null},
                               {u"driver_id"_s, u"drv-1"_s},
                               {u"to_number"_s, u"+15550001111"_s},
                               {u"timestamp"_s, sql::timeText(call.createdAt)}};
    QCOMPARE(event.payload, expected);
    QVERIFY(event.payload.value(u"timestamp").toString().endsWith(u'Z'));
}

void TestCallRepository::createCallGeneratesSid()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    CallRepository repo(fixture.connection());
    static const QRegularExpression withDriver(u"^EL_drv-9_\\d{13}$"_s);
    static const QRegularExpression unknown(u"^EL_unknown_\\d{13}$"_s);
    QSet<QString> sids;
    for (int i = 0; i < 3; ++i) { // same driver, same millisecond most likely: still distinct
        auto call = repo.createCall(newCall(QString(), u"drv-9"_s));
        QVERIFY2(call.ok(), qPrintable(call.error().message));
        QVERIFY2(withDriver.match(call->callSid).hasMatch(), qPrintable(call->callSid));
        QCOMPARE(call->driverId, u"drv-9"_s);
        sids.insert(call->callSid);
    }
    QCOMPARE(sids.size(), 3);
    auto anonymous = repo.createCall(newCall(QString(), QString()));
    QVERIFY(anonymous.ok());
    QVERIFY2(unknown.match(anonymous->callSid).hasMatch(), qPrintable(anonymous->callSid));
    QVERIFY(anonymous->driverId.isEmpty());
}

void TestCallRepository::createCallRefusals()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    CallRepository repo(fixture.connection());
    NewCall first = newCall(u"CA1"_s);
    first.conversationId = u"conv-1"_s;
    QVERIFY(repo.createCall(first).ok());

    auto duplicate = repo.createCall(newCall(u"CA1"_s));
    QVERIFY(!duplicate.ok());
    QCOMPARE(duplicate.error().code, u"call_exists"_s);

    NewCall sameConversation = newCall(u"CA2"_s);
    sameConversation.conversationId = u"conv-1"_s;
    auto conflict = repo.createCall(sameConversation);
    QVERIFY(!conflict.ok());
    QCOMPARE(conflict.error().code, u"conversation_in_use"_s);

    NewCall badStatus = newCall(u"CA3"_s);
    badStatus.status = u"ringing"_s;
    QCOMPARE(repo.createCall(badStatus).error().code, u"invalid_call"_s);
    NewCall badDirection = newCall(u"CA4"_s);
    badDirection.direction = u"sideways"_s;
    QCOMPARE(repo.createCall(badDirection).error().code, u"invalid_call"_s);

    QCOMPARE(countRows(fixture.connection(), u"SELECT COUNT(*) FROM calls"_s), 1);
    QCOMPARE(allEvents(fixture.connection()).size(), 1); // refusals write no event
}

void TestCallRepository::finders()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    CallRepository repo(fixture.connection());
    NewCall input = newCall(u"CA1"_s);
    input.conversationId = u"conv-1"_s;
    input.providerCallId = u"prov-1"_s;
    const CallRecord call = repo.createCall(input).value();
    NewCall later = newCall(u"CA2"_s);
    later.providerCallId = u"prov-1"_s; // provider ids may repeat: the newest wins
    const CallRecord second = repo.createCall(later).value();

    QCOMPARE(repo.findById(call.id).value()->callSid, u"CA1"_s);
    QCOMPARE(repo.findByCallSid(u"CA1"_s).value()->id, call.id);
    QCOMPARE(repo.findByConversationId(u"conv-1"_s).value()->id, call.id);
    QCOMPARE(repo.findByProviderCallId(u"prov-1"_s).value()->id, second.id);
    QVERIFY(!repo.findById(999999).value().has_value());
    QVERIFY(!repo.findByCallSid(u"nope"_s).value().has_value());
    QVERIFY(!repo.findByConversationId(u"nope"_s).value().has_value());
    QVERIFY(!repo.findByProviderCallId(u"nope"_s).value().has_value());
}

void TestCallRepository::setConversation()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    CallRepository repo(fixture.connection());
    const CallRecord call = repo.createCall(newCall(u"CA1"_s)).value();
    const CallRecord other = repo.createCall(newCall(u"CA2"_s)).value();

    auto set = repo.setConversation(call.id, u"conv-1"_s, u"prov-1"_s);
    QVERIFY2(set.ok(), qPrintable(set.error().message));
    QCOMPARE(set->conversationId, u"conv-1"_s);
    QCOMPARE(set->providerCallId, u"prov-1"_s);
    auto events = allEvents(fixture.connection());
    QCOMPARE(events.size(), 3);
    QCOMPARE(events.last().type, u"call_status"_s);
    QCOMPARE(events.last().conversationId, u"conv-1"_s);
    QCOMPARE(events.last().payload.value(u"conversation_id").toString(), u"conv-1"_s);
    QCOMPARE(events.last().payload.value(u"status").toString(), u"initiating"_s);
    QCOMPARE(events.last().payload.value(u"previous_status").toString(), u"initiating"_s);

    // Set values are kept; nothing new for the dashboard, so no event.
    auto again = repo.setConversation(call.id, u"conv-other"_s, u"prov-other"_s);
    QVERIFY(again.ok());
    QCOMPARE(again->conversationId, u"conv-1"_s);
    QCOMPARE(again->providerCallId, u"prov-1"_s);
    QCOMPARE(allEvents(fixture.connection()).size(), 3);

    auto taken = repo.setConversation(other.id, u"conv-1"_s, QString());
    QVERIFY(!taken.ok());
    QCOMPARE(taken.error().code, u"conversation_in_use"_s);
    QCOMPARE(repo.setConversation(424242, u"x"_s, {}).error().code, u"call_not_found"_s);
    QCOMPARE(allEvents(fixture.connection()).size(), 3);
}

void TestCallRepository::changeStatus()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    CallRepository repo(fixture.connection());
    const CallRecord call = repo.createCall(newCall(u"CA1"_s)).value();

    auto started = repo.changeStatus(call.id, u"in_progress"_s);
    QVERIFY2(started.ok(), qPrintable(started.error().message));
    QCOMPARE(started->status, u"in_progress"_s);
    QVERIFY(started->startedAt.isValid());
    QVERIFY(!started->endedAt.isValid());
    QVERIFY(started->updatedAt >= call.updatedAt);

    // The same status again: no write, no event.
    auto same = repo.changeStatus(call.id, u"in_progress"_s);
    QVERIFY(same.ok());
    QCOMPARE(same->updatedAt, started->updatedAt);
    QCOMPARE(allEvents(fixture.connection()).size(), 2);

    auto failed = repo.changeStatus(call.id, u"failed"_s, u"busy"_s);
    QVERIFY(failed.ok());
    QCOMPARE(failed->failureReason, u"busy"_s);
    QVERIFY(failed->endedAt.isValid());
    QCOMPARE(failed->startedAt, started->startedAt); // kept

    const auto events = allEvents(fixture.connection());
    QCOMPARE(events.size(), 3);
    QCOMPARE(events.at(1).payload.value(u"status").toString(), u"in_progress"_s);
    QCOMPARE(events.at(1).payload.value(u"previous_status").toString(), u"initiating"_s);
    const QJsonObject last = events.at(2).payload;
    QCOMPARE(last.value(u"type").toString(), u"call_status"_s);
    QCOMPARE(last.value(u"status").toString(), u"failed"_s);
    QCOMPARE(last.value(u"previous_status").toString(), u"in_progress"_s);
    QCOMPARE(last.value(u"failure_reason").toString(), u"busy"_s);
    QVERIFY(events.at(1).id < events.at(2).id);

    // Same status with another reason is a change.
    QVERIFY(repo.changeStatus(call.id, u"failed"_s, u"no-answer"_s).ok());
    QCOMPARE(allEvents(fixture.connection()).size(), 4);

    QCOMPARE(repo.changeStatus(call.id, u"ringing"_s).error().code, u"invalid_call"_s);
    QCOMPARE(repo.changeStatus(999999, u"failed"_s).error().code, u"call_not_found"_s);
    QCOMPARE(allEvents(fixture.connection()).size(), 4);
}

void TestCallRepository::completeCall()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    CallRepository repo(fixture.connection());
    NewCall input = newCall(u"CA1"_s);
    input.conversationId = u"conv-1"_s;
    const CallRecord call = repo.createCall(input).value();
    QVERIFY(repo.changeStatus(call.id, u"in_progress"_s).ok());

    CompletionData data;
    data.transcriptSummary = u"Driver confirmed the delivery."_s;
    data.callDurationSeconds = 95;
    data.cost = 0.125;
    data.callSuccessful = u"success"_s;
    data.analysis = QJsonObject{{u"call_successful"_s, u"success"_s}, {u"score"_s, 3}};
    data.metadata = QJsonObject{{u"phone_call"_s, QJsonObject{{u"type"_s, u"twilio"_s}}}};
    data.terminationReason = u"end_call tool"_s;
    data.startedAt = QDateTime(QDate(2024, 5, 1), QTime(10, 0, 0, 250), Qt::UTC);
    data.endedAt = QDateTime(QDate(2024, 5, 1), QTime(10, 1, 35, 250), Qt::UTC);
    auto completed = repo.completeCall(call.id, data);
    QVERIFY2(completed.ok(), qPrintable(completed.error().message));

    const CallRecord stored = repo.findById(call.id).value().value();
    QCOMPARE(stored.status, u"completed"_s);
    QCOMPARE(stored.transcriptSummary, data.transcriptSummary);
    QCOMPARE(stored.callDurationSeconds, data.callDurationSeconds);
    QCOMPARE(stored.cost, data.cost);
    QCOMPARE(stored.callSuccessful, u"success"_s);
    QCOMPARE(stored.analysis, data.analysis);
    QCOMPARE(stored.metadata, data.metadata);
    QCOMPARE(stored.terminationReason, data.terminationReason);
    QCOMPARE(stored.startedAt, data.startedAt);
    QCOMPARE(stored.endedAt, data.endedAt);

    const auto events = allEvents(fixture.connection());
    QCOMPARE(events.size(), 4);
    QCOMPARE(events.at(2).type, u"call_status"_s);
    QCOMPARE(events.at(2).payload.value(u"status").toString(), u"completed"_s);
    QCOMPARE(events.at(2).payload.value(u"previous_status").toString(), u"in_progress"_s);
    QCOMPARE(events.at(3).type, u"call_completed"_s);
    const QJsonObject expected{{u"type"_s, u"call_completed"_s},
                               {u"call_sid"_s, u"CA1"_s},
                               {u"conversation_id"_s, u"conv-1"_s},
                               {u"status"_s, u"completed"_s},
                               {u"transcript_summary"_s, data.transcriptSummary},
                               {u"call_duration_seconds"_s, 95},
                               {u"cost"_s, 0.125},
                               {u"call_successful"_s, u"success"_s},
                               {u"analysis"_s, data.analysis},
                               {u"termination_reason"_s, u"end_call tool"_s},
                               {u"timestamp"_s, sql::timeText(stored.updatedAt)}};
    QCOMPARE(events.at(3).payload, expected);

    CompletionData wrong;
    wrong.status = u"in_progress"_s;
    QCOMPARE(repo.completeCall(call.id, wrong).error().code, u"invalid_call"_s);
    QCOMPARE(repo.completeCall(999999, CompletionData{}).error().code, u"call_not_found"_s);
    QCOMPARE(allEvents(fixture.connection()).size(), 4);
}

void TestCallRepository::completeAlreadyCompletedCall()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    CallRepository repo(fixture.connection());
    const CallRecord call = repo.createCall(newCall(u"CA1"_s)).value();
    const CallRecord ended = repo.changeStatus(call.id, u"failed"_s, u"no-answer"_s).value();
    CompletionData data;
    data.status = u"failed"_s;
    data.callSuccessful = u"failure"_s;
    QVERIFY(repo.completeCall(call.id, data).ok());
    const auto events = allEvents(fixture.connection());
    QCOMPARE(events.size(), 3); // created, failed, completed: the status did not change again
    QCOMPARE(events.last().type, u"call_completed"_s);
    const CallRecord stored = repo.findById(call.id).value().value();
    QCOMPARE(stored.failureReason, u"no-answer"_s); // kept
    QCOMPARE(stored.endedAt, ended.endedAt);        // kept
    QCOMPARE(events.last().payload.value(u"analysis").toObject(), QJsonObject{});
    QVERIFY(events.last().payload.value(u"cost").isNull());
}

void TestCallRepository::appendLiveTurns()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    CallRepository repo(fixture.connection());
    NewCall inputA = newCall(u"CA1"_s);
    inputA.conversationId = u"conv-1"_s;
    const CallRecord a = repo.createCall(inputA).value();
    const CallRecord b = repo.createCall(newCall(u"CB1"_s, u"drv-2"_s)).value();
    QVERIFY(repo.appendTurn(a.id, turn(u"old"_s, u"Stored before"_s)).value().has_value());
    const int eventsBefore = int(allEvents(fixture.connection()).size());

    // Identity fields are enough, as the webhook path passes them.
    auto identities = repo.findIdentitiesByCallSids({u"CA1"_s, u"CB1"_s, u"nope"_s});
    QVERIFY2(identities.ok(), qPrintable(identities.error().message));
    QCOMPARE(identities->size(), 2);
    const CallRecord idA = identities->value(u"CA1"_s);
    const CallRecord idB = identities->value(u"CB1"_s);
    QCOMPARE(idA.id, a.id);
    QCOMPARE(idA.conversationId, u"conv-1"_s);
    QCOMPARE(idB.status, b.status);

    const QList<LiveTurnAppend> batch{
        {idA, turn(u"a1"_s, u"A one"_s)},
        {idB, turn(u"b1"_s, u"B one"_s, u"user"_s)},
        {idA, turn(u"old"_s, u"Stored before: duplicate"_s)},
        {idA, turn(u"a2"_s, u"A two"_s, u"user"_s)},
        {idB, turn(u"b1"_s, u"Repeated within the batch"_s)},
        {idB, turn(u"b2"_s, u"B two"_s)},
    };
    auto stored = repo.appendLiveTurns(batch);
    QVERIFY2(stored.ok(), qPrintable(stored.error().message));
    QCOMPARE(stored->size(), batch.size());
    QList<qint64> numbers;
    for (const auto &t : stored.value())
        numbers << (t ? t->sequenceNumber : 0);
    // a: 1 was "old"; new ones continue at 2 in input order. b: 1, 2. Duplicates use none.
    QCOMPARE(numbers, (QList<qint64>{2, 1, 0, 3, 0, 2}));
    QCOMPARE(repo.findById(a.id).value()->lastSequenceNumber, 3);
    QCOMPARE(repo.findById(b.id).value()->lastSequenceNumber, 2);

    const auto turnsA = repo.getCallWithTranscript(u"CA1"_s).value()->turns;
    QCOMPARE(turnsA.size(), 3);
    QCOMPARE(turnsA.at(1).message, u"A one"_s);
    QCOMPARE(turnsA.at(2).speaker, u"user"_s);
    const auto turnsB = repo.getCallWithTranscript(u"CB1"_s).value()->turns;
    QCOMPARE(turnsB.size(), 2);
    QCOMPARE(turnsB.at(0).message, u"B one"_s);

    // One transcription event per new turn, in input order, with the stored numbers.
    const auto events = allEvents(fixture.connection()).mid(eventsBefore);
    QCOMPARE(events.size(), 4);
    QStringList seen;
    for (const EventRecord &event : events) {
        QCOMPARE(event.type, u"transcription"_s);
        seen << event.callSid + u':' + event.payload.value(u"message"_s).toString() + u':' +
                    QString::number(event.payload.value(u"sequence_number"_s).toInteger());
    }
    QCOMPARE(seen,
             (QStringList{u"CA1:A one:2"_s, u"CB1:B one:1"_s, u"CA1:A two:3"_s, u"CB1:B two:2"_s}));
    QCOMPARE(events.first().conversationId, u"conv-1"_s);

    // The same batch again: nothing new.
    auto again = repo.appendLiveTurns(batch);
    QVERIFY(again.ok());
    for (const auto &t : again.value())
        QVERIFY(!t.has_value());
    QCOMPARE(allEvents(fixture.connection()).size(), eventsBefore + 4);
}

void TestCallRepository::appendLiveTurnsAllOrNothing()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    CallRepository repo(fixture.connection());
    const CallRecord a = repo.createCall(newCall(u"CA1"_s)).value();
    CallRecord gone;
    gone.id = a.id + 1000; // no such call: the batch must leave nothing behind
    gone.callSid = u"gone"_s;
    auto result =
        repo.appendLiveTurns({{a, turn(u"a1"_s, u"A one"_s)}, {gone, turn(u"g1"_s, u"x"_s)}});
    QVERIFY(!result.ok());
    QCOMPARE(countRows(fixture.connection(), u"SELECT COUNT(*) FROM call_transcriptions"_s), 0);
    QCOMPARE(repo.findById(a.id).value()->lastSequenceNumber, 0);
    QCOMPARE(allEvents(fixture.connection()).size(), 1); // the call's creation only

    NewTurn bad = turn(u"k"_s, u"x"_s, u"robot"_s);
    QCOMPARE(repo.appendLiveTurns({{a, bad}}).error().code, u"invalid_turn"_s);
}

void TestCallRepository::appendTurn()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    CallRepository repo(fixture.connection());
    NewCall input = newCall(u"CA1"_s);
    input.conversationId = u"conv-1"_s;
    const CallRecord call = repo.createCall(input).value();

    NewTurn first = turn(u"k1"_s, u"Hello, this is dispatch."_s);
    first.timeInCallSecs = 1.5;
    first.toolCalls = QJsonArray{QJsonObject{{u"tool_name"_s, u"lookup"_s}}};
    first.receivedAt = QDateTime(QDate(2024, 5, 1), QTime(10, 0, 1, 5), Qt::UTC);
    auto appended = repo.appendTurn(call.id, first);
    QVERIFY2(appended.ok(), qPrintable(appended.error().message));
    QVERIFY(appended->has_value());
    const TranscriptTurn &stored = appended->value();
    QCOMPARE(stored.sequenceNumber, 1);
    QCOMPARE(stored.callId, call.id);
    QCOMPARE(stored.speaker, u"agent"_s);
    QCOMPARE(stored.message, first.message);
    QCOMPARE(stored.timeInCallSecs, first.timeInCallSecs);
    QCOMPARE(stored.source, u"live"_s);
    QCOMPARE(stored.turnKey, u"k1"_s);
    QCOMPARE(stored.toolCalls, first.toolCalls);
    QVERIFY(stored.toolResults.isEmpty());
    QCOMPARE(stored.receivedAt, first.receivedAt);

    auto second = repo.appendTurn(call.id, turn(u"k2"_s, u"Hi."_s, u"user"_s));
    QVERIFY(second.ok() && second->has_value());
    QCOMPARE(second->value().sequenceNumber, 2);
    QVERIFY(!second->value().timeInCallSecs.has_value());

    // A duplicate key: no row, no event, no sequence number used.
    auto duplicate = repo.appendTurn(call.id, turn(u"k1"_s, u"Hello again"_s));
    QVERIFY(duplicate.ok());
    QVERIFY(!duplicate->has_value());
    QCOMPARE(repo.findById(call.id).value()->lastSequenceNumber, 2);
    auto third = repo.appendTurn(call.id, turn(u"k3"_s, u"Third"_s));
    QCOMPARE(third->value().sequenceNumber, 3);

    const auto events = allEvents(fixture.connection());
    QCOMPARE(events.size(), 4); // created + three turns
    const QJsonObject expected{{u"type"_s, u"transcription"_s},
                               {u"call_sid"_s, u"CA1"_s},
                               {u"conversation_id"_s, u"conv-1"_s},
                               {u"sequence_number"_s, 1},
                               {u"speaker"_s, u"agent"_s},
                               {u"message"_s, first.message},
                               {u"time_in_call_secs"_s, 1.5},
                               {u"source"_s, u"live"_s},
                               {u"timestamp"_s, u"2024-05-01T10:00:01.005Z"_s}};
    QCOMPARE(events.at(1).payload, expected);
    QCOMPARE(events.at(2).payload.value(u"sequence_number").toInt(), 2);
    QVERIFY(events.at(2).payload.value(u"time_in_call_secs").isNull());
    QCOMPARE(events.at(3).payload.value(u"sequence_number").toInt(), 3);
}

void TestCallRepository::appendTurnRefusals()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    CallRepository repo(fixture.connection());
    const CallRecord call = repo.createCall(newCall(u"CA1"_s)).value();
    QCOMPARE(repo.appendTurn(call.id, turn(u"k"_s, u"x"_s, u"robot"_s)).error().code,
             u"invalid_turn"_s);
    QCOMPARE(repo.appendTurn(call.id, turn(QString(), u"x"_s)).error().code, u"invalid_turn"_s);
    NewTurn badSource = turn(u"k"_s, u"x"_s);
    badSource.source = u"guess"_s;
    QCOMPARE(repo.appendTurn(call.id, badSource).error().code, u"invalid_turn"_s);
    QCOMPARE(repo.appendTurn(999999, turn(u"k"_s, u"x"_s)).error().code, u"call_not_found"_s);
    QCOMPARE(allEvents(fixture.connection()).size(), 1);
    QCOMPARE(repo.findById(call.id).value()->lastSequenceNumber, 0);
}

void TestCallRepository::postCallTranscript()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    CallRepository repo(fixture.connection());
    const CallRecord call = repo.createCall(newCall(u"CA1"_s)).value();
    QVERIFY(repo.appendTurn(call.id, turn(u"live-1"_s, u"live one"_s)).ok());
    QVERIFY(repo.appendTurn(call.id, turn(u"live-2"_s, u"live two"_s, u"user"_s)).ok());

    // Before the post-call transcript, the live turns are the transcript.
    auto live = repo.getCallWithTranscript(u"CA1"_s);
    QVERIFY(live.ok() && live->has_value());
    QCOMPARE(live->value().turns.size(), 2);
    QCOMPARE(live->value().turns.at(0).source, u"live"_s);

    QList<NewTurn> postCall{turn(u"0"_s, u"post one"_s), turn(u"1"_s, u"post two"_s, u"user"_s),
                            turn(u"2"_s, u"post three"_s)};
    postCall[1].timeInCallSecs = 4.25;
    postCall[2].toolResults = QJsonArray{QJsonObject{{u"result"_s, u"ok"_s}}};
    const int eventsBefore = allEvents(fixture.connection()).size();
    auto stored = repo.replacePostCallTranscript(call.id, postCall);
    QVERIFY2(stored.ok(), qPrintable(stored.error().message));
    QCOMPARE(stored.value(), 3);
    QCOMPARE(allEvents(fixture.connection()).size(), eventsBefore); // no events per turn

    auto full = repo.getCallWithTranscript(u"CA1"_s).value().value();
    QCOMPARE(full.call.id, call.id);
    QCOMPARE(full.turns.size(), 3);
    QList<qint64> ids;
    for (qsizetype i = 0; i < 3; ++i) {
        QCOMPARE(full.turns.at(i).source, u"post_call"_s);
        QCOMPARE(full.turns.at(i).message, postCall.at(i).message);
        QCOMPARE(full.turns.at(i).sequenceNumber, 3 + i); // after the live turns
        ids << full.turns.at(i).id;
    }
    QCOMPARE(full.turns.at(1).timeInCallSecs, std::optional<double>(4.25));
    QCOMPARE(full.turns.at(2).toolResults, postCall.at(2).toolResults);
    // Live turns stay.
    QCOMPARE(countRows(fixture.connection(),
                       u"SELECT COUNT(*) FROM call_transcriptions WHERE source = 'live'"_s),
             2);

    // The same transcript again changes nothing (same rows, same numbers).
    QCOMPARE(repo.replacePostCallTranscript(call.id, postCall).value(), 0);
    auto same = repo.getCallWithTranscript(u"CA1"_s).value().value();
    for (qsizetype i = 0; i < 3; ++i)
        QCOMPARE(same.turns.at(i).id, ids.at(i));

    // A different one replaces it.
    QList<NewTurn> corrected{turn(u"0"_s, u"corrected"_s)};
    QCOMPARE(repo.replacePostCallTranscript(call.id, corrected).value(), 1);
    auto replaced = repo.getCallWithTranscript(u"CA1"_s).value().value();
    QCOMPARE(replaced.turns.size(), 1);
    QCOMPARE(replaced.turns.first().message, u"corrected"_s);
    QCOMPARE(countRows(fixture.connection(), u"SELECT COUNT(*) FROM call_transcriptions"_s), 3);

    QList<NewTurn> clashing{turn(u"a"_s, u"x"_s), turn(u"a"_s, u"y"_s)};
    QCOMPARE(repo.replacePostCallTranscript(call.id, clashing).error().code, u"invalid_turn"_s);
    QCOMPARE(repo.replacePostCallTranscript(999999, corrected).error().code, u"call_not_found"_s);
    QVERIFY(!repo.getCallWithTranscript(u"missing"_s).value().has_value());
}

void TestCallRepository::setAudioPath()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    CallRepository repo(fixture.connection());
    const CallRecord call = repo.createCall(newCall(u"CA1"_s)).value();
    QVERIFY(repo.setAudioPath(call.id, u"/var/lib/callwatch/audio/CA1.mp3"_s).ok());
    QCOMPARE(repo.findById(call.id).value()->audioPath, u"/var/lib/callwatch/audio/CA1.mp3"_s);
    QCOMPARE(repo.setAudioPath(999999, u"/x"_s).error().code, u"call_not_found"_s);
}

QTEST_GUILESS_MAIN(TestCallRepository)
#include "tst_callrepository.moc"
