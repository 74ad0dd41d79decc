// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/deliveryrepository.h"
#include "store/sql.h"
#include "testdatabase.h"

#include <QCryptographicHash>
#include <QTest>
#include <QThread>

using namespace Qt::StringLiterals;
using namespace callwatch::store;
using callwatch::store::test::TestDatabase;

class TestDeliveryRepository : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void recordAndGet_data() { TestDatabase::addDialectRows(); }
    void recordAndGet();
    void listNewestFirst_data() { TestDatabase::addDialectRows(); }
    void listNewestFirst();
    void claimDedupKey_data() { TestDatabase::addDialectRows(); }
    void claimDedupKey();
    void concurrentClaimsHaveOneWinner_data() { TestDatabase::addDialectRows(); }
    void concurrentClaimsHaveOneWinner();
    void headersTextStoredAsHeaders_data() { TestDatabase::addDialectRows(); }
    void headersTextStoredAsHeaders();
};

namespace {

DeliveryRecord delivery(const QByteArray &body = "{\"type\":\"post_call_transcription\"}")
{
    DeliveryRecord d;
    d.receivedAt = QDateTime(QDate(2024, 5, 1), QTime(12, 0, 0, 7), Qt::UTC);
    d.route = u"post-call"_s;
    d.eventType = u"post_call_transcription"_s;
    d.signatureHeader = u"t=1714564800,v0=abc"_s;
    d.headers =
        QJsonObject{{u"content-type"_s, u"application/json"_s}, {u"user-agent"_s, u"ElevenLabs"_s}};
    d.body = body;
    d.bodySize = body.size();
    d.bodySha256 =
        QString::fromLatin1(QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex());
    d.verification = u"valid"_s;
    d.outcome = u"pending"_s;
    return d;
}

} // namespace

void TestDeliveryRepository::recordAndGet()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    DeliveryRepository repo(fixture.connection());
    QByteArray binary("\x00\x01\xff\xfe{}\\x'\"", 10);
    DeliveryRecord input = delivery(binary);
    input.callSid = u"CA1"_s;
    input.httpStatus = 202;
    auto id = repo.record(input);
    QVERIFY2(id.ok(), qPrintable(id.error().message));
    QVERIFY(id.value() > 0);

    auto got = repo.get(id.value());
    QVERIFY(got.ok() && got->has_value());
    const DeliveryRecord &d = got->value();
    QCOMPARE(d.id, id.value());
    QCOMPARE(d.receivedAt, input.receivedAt);
    QCOMPARE(d.route, u"post-call"_s);
    QCOMPARE(d.eventType, input.eventType);
    QCOMPARE(d.signatureHeader, input.signatureHeader);
    QCOMPARE(d.headers, input.headers);
    QCOMPARE(d.body, binary);
    QCOMPARE(d.bodySize, 10);
    QCOMPARE(d.bodySha256, input.bodySha256);
    QCOMPARE(d.verification, u"valid"_s);
    QCOMPARE(d.outcome, u"pending"_s);
    QCOMPARE(d.httpStatus, std::optional<int>(202));
    QCOMPARE(d.callSid, u"CA1"_s);
    QVERIFY(d.conversationId.isEmpty());
    QVERIFY(!d.processedAt.isValid());

    // A large audio body stays on disk: only its path is stored.
    DeliveryRecord onDisk = delivery(QByteArray());
    onDisk.bodyPath = u"/var/lib/callwatch/inbox/42.bin"_s;
    onDisk.bodySize = 50 * 1024 * 1024;
    const qint64 diskId = repo.record(onDisk).value();
    const DeliveryRecord stored = repo.get(diskId).value().value();
    QVERIFY(stored.body.isEmpty());
    QCOMPARE(stored.bodyPath, onDisk.bodyPath);
    QCOMPARE(stored.bodySize, onDisk.bodySize);

    QVERIFY(!repo.get(999999).value().has_value());
    DeliveryRecord invalid = delivery();
    invalid.outcome = u"exploded"_s; // the schema refuses unknown outcomes
    QCOMPARE(repo.record(invalid).error().code, u"database_error"_s);
}

void TestDeliveryRepository::listNewestFirst()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    DeliveryRepository repo(fixture.connection());
    QList<qint64> ids;
    for (int i = 0; i < 7; ++i)
        ids << repo.record(delivery()).value();
    auto first = repo.list(3);
    QVERIFY(first.ok());
    QCOMPARE(first->size(), 3);
    QCOMPARE(first->at(0).id, ids.at(6));
    QCOMPARE(first->at(2).id, ids.at(4));
    QVERIFY(first->at(0).body.isEmpty()); // lists carry no bodies
    QCOMPARE(first->at(0).bodySize, delivery().bodySize);
    auto second = repo.list(3, first->last().id);
    QCOMPARE(second->size(), 3);
    QCOMPARE(second->at(0).id, ids.at(3));
    auto last = repo.list(3, second->last().id);
    QCOMPARE(last->size(), 1);
    QCOMPARE(last->at(0).id, ids.at(0));
    QCOMPARE(repo.list(0)->size(), 1); // clamped to at least one
}

void TestDeliveryRepository::claimDedupKey()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    DeliveryRepository repo(fixture.connection());
    const qint64 a = repo.record(delivery()).value();
    const qint64 b = repo.record(delivery()).value();
    QCOMPARE(repo.claimDedupKey(u"post_call:conv-1"_s, a).value(), true);
    QCOMPARE(repo.claimDedupKey(u"post_call:conv-1"_s, b).value(), false);
    QCOMPARE(repo.claimDedupKey(u"post_call:conv-2"_s, b).value(), true);
    QCOMPARE(repo.claimDedupKey(QString(), b).error().code, u"invalid_dedup_key"_s);

    // Claimed before the delivery is recorded (the ingest order), pointed at it afterwards.
    QCOMPARE(repo.claimDedupKey(u"post_call:conv-3"_s, 0).value(), true);
    auto linkedTo = [&](const QString &key) {
        return sql::scalar(fixture.connection(), u"read"_s,
                           u"SELECT delivery_id FROM webhook_dedup WHERE dedup_key = ?"_s, {key})
            .value()
            .value_or(QVariant());
    };
    QVERIFY(linkedTo(u"post_call:conv-3"_s).isNull());
    QVERIFY(repo.linkDedupKey(u"post_call:conv-3"_s, b).ok());
    QCOMPARE(linkedTo(u"post_call:conv-3"_s).toLongLong(), b);
    QCOMPARE(repo.linkDedupKey(u"post_call:nobody"_s, b).error().code, u"not_found"_s);
}

void TestDeliveryRepository::concurrentClaimsHaveOneWinner()
{
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    Database &database = fixture.database();
    constexpr int kThreads = 4;
    constexpr int kKeys = 15;
    QList<int> wins(kThreads, 0);
    QList<QString> errors(kThreads);
    std::vector<std::unique_ptr<QThread>> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back(QThread::create([&, t] {
            DeliveryRepository repo(database.connection());
            for (int k = 0; k < kKeys; ++k) {
                auto id = repo.record(delivery());
                auto first = id ? repo.claimDedupKey(u"key-%1"_s.arg(k), id.value())
                                : callwatch::Result<bool>(id.error());
                if (!first) {
                    errors[t] = first.error().message;
                    return;
                }
                wins[t] += first.value() ? 1 : 0;
            }
        }));
    }
    for (auto &thread : threads)
        thread->start();
    for (auto &thread : threads)
        QVERIFY(thread->wait(120000));
    int total = 0;
    for (int t = 0; t < kThreads; ++t) {
        QVERIFY2(errors.at(t).isEmpty(), qPrintable(errors.at(t)));
        total += wins.at(t);
    }
    QCOMPARE(total, kKeys);
}

QTEST_GUILESS_MAIN(TestDeliveryRepository)
void TestDeliveryRepository::headersTextStoredAsHeaders()
{
    // The HTTP thread hands over the headers already serialized: stored through record() and
    // recordAll(), they read back as the object they stand for.
    TestDatabase fixture;
    CW_OPEN_DB(fixture, true);
    DeliveryRepository repo(fixture.connection());
    DeliveryRecord input = delivery();
    const QJsonObject headers = input.headers;
    input.headers = {};
    input.headersText = sql::json(headers).toString().toUtf8();
    QVERIFY(!input.headersText.isEmpty());
    auto one = repo.record(input);
    QVERIFY2(one.ok(), qPrintable(one.error().message));
    auto many = repo.recordAll({input, delivery()});
    QVERIFY2(many.ok(), qPrintable(many.error().message));
    QCOMPARE(many->size(), 2);
    for (const qint64 id : {one.value(), many->at(0), many->at(1)}) {
        auto got = repo.get(id);
        QVERIFY(got.ok() && got->has_value());
        QCOMPARE(got->value().headers, headers);
    }
}

#include "tst_deliveryrepository.moc"
