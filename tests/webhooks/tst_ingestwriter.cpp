// SPDX-License-Identifier: GPL-3.0-or-later
// The group-commit writer's batching, and the batched live-turn path against the one-by-one one.
#include "../store/testdatabase.h"
#include "store/callrepository.h"
#include "store/deliveryrepository.h"
#include "store/eventlog.h"
#include "store/sql.h"
#include "store/walsyncer.h"
#include "store/walwritevfs.h"
#include "webhooks/ingestwriter.h"
#include "webhooks/webhookprocessor.h"
#include "webhooks/webhookservice.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <future>
#include <mutex>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch;
using namespace callwatch::store::test;

namespace {

/** Batches integers by writing one row per payload; fails on demand after writing. */
class RecordingBatch : public webhooks::BatchHandler
{
public:
    QList<int> batchSizes;
    bool fail = false;

    Result<std::vector<webhooks::WorkResult>>
    runBatch(QSqlDatabase &db, const std::vector<const std::any *> &payloads) override
    {
        batchSizes << int(payloads.size());
        std::vector<webhooks::WorkResult> results;
        for (const std::any *payload : payloads) {
            const int value = std::any_cast<int>(*payload);
            auto inserted =
                store::sql::run(db, u"insert"_s, u"INSERT INTO t (v) VALUES (?)"_s, {value * 10});
            if (!inserted)
                return inserted.error();
            results.push_back({200 + value, {}});
        }
        if (fail)
            return Error{u"batch_failed"_s, u"refused on purpose"_s};
        return results;
    }
};

webhooks::IngestWriter::Work insertAlone(int value)
{
    return [value](QSqlDatabase &db) -> webhooks::WorkResult {
        auto inserted =
            store::sql::run(db, u"insert"_s, u"INSERT INTO t (v) VALUES (?)"_s, {value});
        return {inserted ? 300 + value : 503, {}};
    };
}

QList<int> column(QSqlDatabase db, const QString &statement)
{
    QList<int> values;
    auto rows = store::sql::exec(db, u"read"_s, statement);
    while (rows && rows->next())
        values << rows->value(0).toInt();
    return values;
}

webhooks::TurnDelivery turnDelivery(const QString &callSid, const QString &turnId,
                                    const QString &message)
{
    webhooks::TurnDelivery item;
    item.delivery.route = u"transcription"_s;
    item.delivery.eventType = u"transcription_turn"_s;
    item.delivery.verification = u"valid"_s;
    item.delivery.callSid = callSid;
    item.delivery.body = message.toUtf8();
    item.delivery.bodySize = item.delivery.body.size();
    item.turn.callSid = callSid;
    item.turn.speaker = u"agent"_s;
    item.turn.message = message;
    item.turn.turnId = turnId;
    item.live = webhooks::WebhookProcessor::preparedLiveTurn(item.turn); // as the service does
    return item;
}

/** What a set of deliveries left in the store, comparable between two databases. */
struct Footprint
{
    QStringList answers;    ///< "status outcome"
    QStringList inbox;      ///< outcome, status, call_sid per inbox row
    QStringList transcript; ///< call_sid:sequence:message
    QStringList events;     ///< type:call_sid
    bool operator==(const Footprint &) const = default;
};

QStringList strings(QSqlDatabase db, const QString &statement)
{
    QStringList out;
    auto rows = store::sql::exec(db, u"read"_s, statement);
    while (rows && rows->next())
        out << rows->value(0).toString();
    return out;
}

Footprint footprintOf(QSqlDatabase db, const std::vector<webhooks::WorkResult> &results)
{
    Footprint f;
    for (const auto &result : results)
        f.answers << QString::number(result.httpStatus) + u' ' + result.outcome() +
                         result.errorObject().value(u"code"_s).toString();
    f.inbox = strings(db, u"SELECT outcome || ' ' || http_status || ' ' || COALESCE(call_sid, '') "
                          "FROM webhook_deliveries ORDER BY id"_s);
    f.transcript = strings(db, u"SELECT c.call_sid || ':' || t.sequence_number || ':' || t.message "
                               "FROM call_transcriptions t JOIN calls c ON c.id = t.call_id "
                               "ORDER BY t.id"_s);
    // The payload too (the batch builds its JSON text differently), minus the time it was made.
    auto rows = store::sql::exec(db, u"read"_s,
                                 u"SELECT type, call_sid, payload FROM events ORDER BY id"_s);
    while (rows && rows->next()) {
        QJsonObject payload = QJsonDocument::fromJson(rows->value(2).toString().toUtf8()).object();
        payload.remove(u"timestamp"_s);
        f.events << rows->value(0).toString() + u':' + rows->value(1).toString() + u':' +
                        QString::fromUtf8(QJsonDocument(payload).toJson(QJsonDocument::Compact));
    }
    return f;
}

} // namespace

class TestIngestWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void batchesNeighbours_data() { TestDatabase::addDialectRows(); }
    void batchesNeighbours();
    void failedBatchRunsOneByOne_data() { TestDatabase::addDialectRows(); }
    void failedBatchRunsOneByOne();
    void turnBatchMatchesOneByOne_data() { TestDatabase::addDialectRows(); }
    void turnBatchMatchesOneByOne();
    void walSyncerAcknowledgesAfterFlush();
    void walSyncerKeepsItsDescriptor();
    void commitsSyncThroughTheGatheringVfs();
    void recordedHeadersMatchObject_data();
    void recordedHeadersMatchObject();
    void storedAnswerTextMatchesObject_data();
    void storedAnswerTextMatchesObject();
};

namespace {

bool createTable(TestDatabase &fixture)
{
    // `n` keeps insertion order on both dialects.
    const QString ddl = fixture.database().dialect() == store::Dialect::Sqlite
                            ? u"CREATE TABLE t (n INTEGER PRIMARY KEY, v INTEGER)"_s
                            : u"CREATE TABLE t (n SERIAL PRIMARY KEY, v INTEGER)"_s;
    return store::sql::run(fixture.connection(), u"ddl"_s, ddl).ok();
}

/** Submits everything before the thread starts, so it all lands in one group. */
QList<int> runGroup(store::Database &database, RecordingBatch &batch,
                    const QList<std::pair<bool, int>> &items)
{
    webhooks::IngestWriter writer(&database);
    QObject context;
    QList<int> answers(items.size(), 0);
    for (qsizetype i = 0; i < items.size(); ++i) {
        const auto [batchable, value] = items.at(i);
        auto done = [&answers, i](const webhooks::WorkResult &r) { answers[i] = r.httpStatus; };
        if (batchable)
            writer.submitBatchable(&batch, value, insertAlone(value), &context, done);
        else
            writer.submit(insertAlone(value), &context, done);
    }
    writer.start();
    QDeadlineTimer deadline(10000);
    while (answers.contains(0) && !deadline.hasExpired())
        QTest::qWait(5);
    writer.stop();
    return answers; // a 0 left means no answer came: the comparisons below fail
}

} // namespace

void TestIngestWriter::batchesNeighbours()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    QVERIFY(createTable(fixture));
    RecordingBatch batch;
    // Batchable runs of 3, 2 and 1 around plain items, which run by themselves.
    const QList<int> answers = runGroup(
        fixture.database(), batch,
        {{true, 1}, {true, 2}, {true, 3}, {false, 4}, {true, 5}, {true, 6}, {false, 7}, {true, 8}});
    QCOMPARE(batch.batchSizes, (QList<int>{3, 2, 1}));
    QCOMPARE(answers, (QList<int>{201, 202, 203, 304, 205, 206, 307, 208}));
    QCOMPARE(column(fixture.connection(), u"SELECT v FROM t ORDER BY n"_s),
             (QList<int>{10, 20, 30, 4, 50, 60, 7, 80}));
}

void TestIngestWriter::failedBatchRunsOneByOne()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, false);
    QVERIFY(createTable(fixture));
    RecordingBatch batch;
    batch.fail = true;
    const QList<int> answers =
        runGroup(fixture.database(), batch, {{true, 1}, {true, 2}, {false, 3}});
    QCOMPARE(batch.batchSizes, (QList<int>{2}));
    // What the failed batch wrote is gone; each item ran its own work instead.
    QCOMPARE(answers, (QList<int>{301, 302, 303}));
    QCOMPARE(column(fixture.connection(), u"SELECT v FROM t ORDER BY n"_s), (QList<int>{1, 2, 3}));
}

void TestIngestWriter::turnBatchMatchesOneByOne()
{
    // The same deliveries through applyTurns() and through applyTurn() one at a time leave the
    // same answers, inbox rows, transcript and events: new turns, a turn stored before, a turn
    // repeated in the batch, an unknown call (404, kept in the inbox), a call still initiating
    // (moves to in_progress once), and a call found through its conversation id.
    QFETCH(QString, dialect);
    Footprint footprints[2];
    for (int pass = 0; pass < 2; ++pass) {
        TestDatabase fixture;
        const auto status = fixture.createMigrated(dialect);
        if (status == TestDatabase::Status::Skip)
            QSKIP(qPrintable(fixture.message()));
        QVERIFY2(status == TestDatabase::Status::Ready, qPrintable(fixture.message()));
        QSqlDatabase db = fixture.connection();
        store::CallRepository calls(db);
        for (const QString &sid : {u"EL_a"_s, u"EL_b"_s}) {
            store::NewCall call;
            call.callSid = sid;
            call.status = u"in_progress"_s;
            QVERIFY(calls.createCall(call));
        }
        store::NewCall initiating;
        initiating.callSid = u"EL_init"_s;
        initiating.conversationId = u"conv_init"_s;
        QVERIFY(calls.createCall(initiating));
        {
            webhooks::WebhookProcessor processor(db);
            QCOMPARE(processor
                         .applyTurn(turnDelivery(u"EL_a"_s, u"t0"_s, u"before"_s).delivery,
                                    turnDelivery(u"EL_a"_s, u"t0"_s, u"before"_s).turn)
                         .httpStatus,
                     200);
        }
        const std::vector<webhooks::TurnDelivery> items{
            turnDelivery(u"EL_a"_s, u"t1"_s, u"a one"_s),
            turnDelivery(u"EL_b"_s, u"t1"_s, u"b one"_s),
            turnDelivery(u"EL_a"_s, u"t0"_s, u"before, again"_s),
            turnDelivery(u"EL_missing"_s, u"t1"_s, u"nobody"_s),
            turnDelivery(u"EL_b"_s, u"t1"_s, u"b one, repeated"_s),
            turnDelivery(u"EL_init"_s, u"t1"_s, u"first words"_s),
            turnDelivery(u"conv_init"_s, u"t2"_s, u"by conversation id"_s),
            turnDelivery(u"EL_a"_s, u"t2"_s, u"a \"two\" \\ ü\n\u2028 😀"_s),
        };
        std::vector<webhooks::WorkResult> results;
        webhooks::WebhookProcessor processor(db);
        if (pass == 0) {
            std::vector<const webhooks::TurnDelivery *> batch;
            for (const auto &item : items)
                batch.push_back(&item);
            auto batched = processor.applyTurns(batch);
            QVERIFY2(batched.ok(), qPrintable(batched.error().message));
            results = batched.value();
        } else {
            for (const auto &item : items)
                results.push_back(processor.applyTurn(item.delivery, item.turn));
        }
        footprints[pass] = footprintOf(db, results);
        QCOMPARE(calls.findByCallSid(u"EL_init"_s).value()->status, u"in_progress"_s);
    }
    const Footprint &batched = footprints[0];
    const Footprint &alone = footprints[1];
    QCOMPARE(batched.answers, alone.answers);
    QCOMPARE(batched.answers,
             (QStringList{u"200 processed"_s, u"200 processed"_s, u"200 duplicate"_s,
                          u"404 call_not_found"_s, u"200 duplicate"_s, u"200 processed"_s,
                          u"200 processed"_s, u"200 processed"_s}));
    QCOMPARE(batched.inbox, alone.inbox);
    QCOMPARE(batched.transcript, alone.transcript);
    QCOMPARE(batched.transcript,
             (QStringList{u"EL_a:1:before"_s, u"EL_a:2:a one"_s, u"EL_b:1:b one"_s,
                          u"EL_init:1:first words"_s, u"EL_init:2:by conversation id"_s,
                          u"EL_a:3:a \"two\" \\ ü\n\u2028 😀"_s}));
    // Same events; the batch writes an initiating call's status change after its turns.
    QStringList batchedEvents = batched.events;
    QStringList aloneEvents = alone.events;
    std::sort(batchedEvents.begin(), batchedEvents.end());
    std::sort(aloneEvents.begin(), aloneEvents.end());
    QCOMPARE(batchedEvents, aloneEvents);
}

void TestIngestWriter::walSyncerAcknowledgesAfterFlush()
{
    // Callbacks run in order, after a flush, and hear whether it worked: a WAL that cannot be
    // flushed must not be acknowledged. stop() still answers everything that was waiting.
    QTemporaryDir dir;
    const QString wal = dir.filePath(u"db-wal"_s);
    store::WalSyncer missing(wal);
    missing.start();
    std::mutex mutex;
    QList<QString> heard;
    auto record = [&](const QString &what) {
        return [&, what](bool durable) {
            std::lock_guard lock(mutex);
            heard << what + (durable ? u":ok"_s : u":failed"_s);
        };
    };
    missing.whenDurable(record(u"a"_s));
    missing.stop();
    QCOMPARE(heard, (QList<QString>{u"a:failed"_s}));

    QFile file(wal);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("frames");
    file.close();
    store::WalSyncer syncer(wal);
    syncer.start();
    for (const QString &name : {u"b"_s, u"c"_s, u"d"_s})
        syncer.whenDurable(record(name));
    syncer.stop();
    QCOMPARE(heard, (QList<QString>{u"a:failed"_s, u"b:ok"_s, u"c:ok"_s, u"d:ok"_s}));
    QVERIFY(syncer.syncs() >= 1);
}

void TestIngestWriter::walSyncerKeepsItsDescriptor()
{
    // One descriptor for the syncer's life (a fresh one per flush could miss a writeback error
    // another descriptor heard first), opened again only when the WAL file was replaced.
    QTemporaryDir dir;
    const QString wal = dir.filePath(u"db-wal"_s);
    auto writeFile = [&wal] {
        QFile file(wal);
        return file.open(QIODevice::WriteOnly) && file.write("frames") == 6;
    };
    QVERIFY(writeFile());
    store::WalSyncer syncer(wal);
    syncer.start();
    auto flushed = [&syncer] {
        std::promise<bool> done;
        syncer.whenDurable([&done](bool durable) { done.set_value(durable); });
        return done.get_future().get();
    };
    QVERIFY(flushed());
    QVERIFY(flushed());
    QCOMPARE(syncer.opens(), quint64(1));
    QVERIFY(QFile::remove(wal)); // SQLite removed the WAL and made a new one
    QVERIFY(writeFile());
    QVERIFY(flushed());
    QCOMPARE(syncer.opens(), quint64(2));
    QVERIFY(QFile::remove(wal)); // gone: nothing can be flushed, nothing acknowledged
    QVERIFY(!flushed());
    syncer.stop();
}

QTEST_GUILESS_MAIN(TestIngestWriter)
void TestIngestWriter::commitsSyncThroughTheGatheringVfs()
{
    // The writer's connection runs synchronous=FULL, so every COMMIT syncs its WAL through the
    // gathering VFS: the frames are written there, where a failed write fails the COMMIT, and
    // the flush to disk is left to the WalSyncer. (With synchronous=NORMAL the frames would only
    // reach the file at SQLite's shm barrier, where a failed write cannot be reported.)
    TestDatabase fixture;
    QCOMPARE(fixture.create(u"sqlite"_s), TestDatabase::Status::Ready);
    QVERIFY(createTable(fixture));
    const store::walwritevfs::Stats before = store::walwritevfs::stats();
    webhooks::IngestWriter writer(&fixture.database());
    QObject context;
    int synchronous = -1;
    bool answered = false;
    writer.submit(
        [](QSqlDatabase &db) {
            auto level = store::sql::scalar(db, u"level"_s, u"PRAGMA synchronous"_s);
            const bool inserted =
                store::sql::run(db, u"insert"_s, u"INSERT INTO t (v) VALUES (?)"_s, {1}).ok();
            return webhooks::WorkResult{
                inserted && level && level->has_value() ? 200 + level->value().toInt() : 500, {}};
        },
        &context,
        [&](const webhooks::WorkResult &result) {
            synchronous = result.httpStatus - 200;
            answered = true;
        });
    writer.start();
    QTRY_VERIFY_WITH_TIMEOUT(answered, 10000);
    writer.stop();
    QCOMPARE(synchronous, 2); // FULL
    const store::walwritevfs::Stats after = store::walwritevfs::stats();
    QVERIFY(after.gatheredWrites > before.gatheredWrites);
    QVERIFY(after.skippedSyncs > before.skippedSyncs);
    QCOMPARE(column(fixture.connection(), u"SELECT v FROM t"_s), QList<int>{1});
}

void TestIngestWriter::recordedHeadersMatchObject_data()
{
    QTest::addColumn<http::HeaderList>("headers");
    const http::HeaderList typical{{"host", "127.0.0.1"},
                                   {"user-agent", "ElevenLabs/1.0 (+https://elevenlabs.io)"},
                                   {"content-type", "application/json"},
                                   {"content-length", "312"},
                                   {"elevenlabs-signature", "t=1714564800,v0=ab12"},
                                   {"x-forwarded-for", "10.0.0.1, 10.0.0.2"},
                                   {"transfer-encoding", "chunked"}};
    QTest::newRow("typical") << typical;
    QTest::newRow("none that matter") << http::HeaderList{{"host", "x"}, {"accept", "*/*"}};
    QTest::newRow("none") << http::HeaderList{};
    QTest::newRow("one") << http::HeaderList{{"user-agent", "relay"}};
    QTest::newRow("repeated: the first counts")
        << http::HeaderList{{"user-agent", "first"}, {"user-agent", "second"}};
    QTest::newRow("quote and backslash")
        << http::HeaderList{{"content-type", "a\"b"}, {"user-agent", "c\\d"}};
    QTest::newRow("tab") << http::HeaderList{{"user-agent", "a\tb"}};
    QTest::newRow("latin-1 byte") << http::HeaderList{{"user-agent", "caf\xe9"},
                                                      {"content-type", "application/json"}};
    QTest::newRow("DEL") << http::HeaderList{{"user-agent", "a\x7f"}};
    QTest::newRow("NUL (stored as U+FFFD, like every JSON column)")
        << http::HeaderList{{"user-agent", QByteArray("a\0b", 3)}};
}

void TestIngestWriter::recordedHeadersMatchObject()
{
    // The headers column gets the same value whichever way the HTTP thread prepared it.
    QFETCH(http::HeaderList, headers);
    http::HttpRequest request;
    request.headers = headers;
    QJsonObject expected;
    for (const char *name : {"content-type", "user-agent", "content-length", "transfer-encoding",
                             "elevenlabs-signature", "x-forwarded-for"}) {
        const QByteArray value = request.header(name);
        if (!value.isEmpty())
            expected.insert(QLatin1StringView(name), QString::fromLatin1(value));
    }
    store::DeliveryRecord delivery;
    webhooks::WebhookService::recordHeaders(request, delivery);
    QVERIFY(delivery.headers.isEmpty()); // the text is what gets stored
    QCOMPARE(store::sql::jsonFromText(delivery.headersText), store::sql::json(expected));
}

void TestIngestWriter::storedAnswerTextMatchesObject_data()
{
    QTest::addColumn<QString>("outcome");
    QTest::addColumn<qint64>("deliveryId");
    QTest::addColumn<QString>("callSid");
    QTest::newRow("processed") << u"processed"_s << qint64(1) << u"CA_1"_s;
    QTest::newRow("no call_sid") << u"ignored"_s << qint64(42) << QString();
    QTest::newRow("large id") << u"duplicate"_s << qint64(9007199254740993LL) << u"x"_s;
    QTest::newRow("escaped call_sid") << u"processed"_s << qint64(7) << u"a\"b\\c\u00e9\n"_s;
}

void TestIngestWriter::storedAnswerTextMatchesObject()
{
    // A stored delivery's 200 is written by hand; it must read exactly like the QJsonObject form
    // every other answer takes, including escaping.
    QFETCH(QString, outcome);
    QFETCH(qint64, deliveryId);
    QFETCH(QString, callSid);
    webhooks::WorkResult result;
    result.stored = webhooks::WorkResult::Stored{outcome, deliveryId, callSid};
    QJsonObject expected{
        {u"status"_s, u"ok"_s}, {u"outcome"_s, outcome}, {u"delivery_id"_s, deliveryId}};
    if (!callSid.isEmpty())
        expected.insert(u"call_sid"_s, callSid);
    QCOMPARE(result.json(), QJsonDocument(expected).toJson(QJsonDocument::Compact));
    QCOMPARE(result.outcome(), outcome);
    QVERIFY(result.errorObject().isEmpty());
}

#include "tst_ingestwriter.moc"
