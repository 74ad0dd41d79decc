// SPDX-License-Identifier: GPL-3.0-or-later
#include "servertestharness.h"

#include "store/eventlog.h"
#include "webhooks/signatureverifier.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QProcessEnvironment>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;

namespace callwatch::server::test {

QByteArray fixture(const QString &name)
{
    QFile file(QStringLiteral(CALLWATCH_TEST_DATA_DIR) + u'/' + name);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QJsonObject fixtureData(const QString &name)
{
    return QJsonDocument::fromJson(fixture(name)).object().value(u"data"_s).toObject();
}

QByteArray sign(const QByteArray &body, const QByteArray &secret, qint64 age)
{
    return webhooks::SignatureVerifier::sign(secret, QDateTime::currentSecsSinceEpoch() - age,
                                             body);
}

Reply post(quint16 port, const QByteArray &path, const QByteArray &body,
           const QByteArray &signature)
{
    RawClient client(port);
    if (!client.waitConnected())
        return {};
    QByteArray head = "POST " + path +
                      " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      "Content-Length: " +
                      QByteArray::number(body.size()) + "\r\nConnection: close\r\n";
    if (!signature.isNull())
        head += "ElevenLabs-Signature: " + signature + "\r\n";
    client.send(head + "\r\n" + body);
    return client.reply(60000).value_or(Reply{});
}

Reply request(quint16 port, const QByteArray &method, const QByteArray &target,
              const QByteArray &token)
{
    RawClient client(port);
    if (!client.waitConnected())
        return {};
    QByteArray head = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!token.isEmpty())
        head += "Authorization: Bearer " + token + "\r\n";
    client.send(head + "Connection: close\r\n\r\n");
    return client.reply(30000).value_or(Reply{});
}

QJsonObject json(const Reply &reply)
{
    return QJsonDocument::fromJson(reply.body).object();
}

qint64 count(QSqlDatabase db, const QString &statement)
{
    QSqlQuery query(db);
    if (!query.exec(statement) || !query.next())
        return -1;
    return query.value(0).toLongLong();
}

std::unique_ptr<Backend> makeBackend(const QString &dataDir, const QString &database,
                                     const QMap<QString, QString> &overrides)
{
    auto config = Config::load({}, QProcessEnvironment(), {});
    if (!config)
        return nullptr;
    config->set(u"data-dir"_s, dataDir);
    config->set(u"listen"_s, u"127.0.0.1:0"_s);
    config->set(u"webhook-secret"_s, QString::fromLatin1(PostCallSecret));
    config->set(u"transcription-secret"_s, QString::fromLatin1(TurnSecret));
    if (!database.isEmpty()) {
        config->set(u"database"_s, database);
        config->set(u"jwt-secret"_s, QString::fromLatin1(JwtSecret));
    }
    for (auto it = overrides.cbegin(); it != overrides.cend(); ++it)
        config->set(it.key(), it.value());
    return std::make_unique<Backend>(std::move(config).value());
}

QByteArray mintToken(const Backend &backend, const QStringList &scopes)
{
    auto minted = backend.mintToken(u"server-test"_s, scopes, 3600);
    return minted ? minted.value() : QByteArray();
}

void addDialectRows(const QList<QByteArray> &cases)
{
    QTest::addColumn<QString>("dialect");
    QTest::addColumn<QString>("name");
    for (const char *dialect : {"sqlite", "postgresql"})
        for (const QByteArray &name : cases)
            QTest::addRow("%s/%s", dialect, name.constData())
                << QString::fromLatin1(dialect) << QString::fromLatin1(name);
}

Result<> BackendHarness::start(const QMap<QString, QString> &overrides)
{
    backend = makeBackend(dataDir.path(), db.url().toString(), overrides);
    if (!backend)
        return Error{u"config"_s, u"the default configuration did not load"_s};
    return backend->start();
}

Reply BackendHarness::postCall(const QByteArray &body)
{
    return post(port(), PostCallPath, body, sign(body));
}

Reply BackendHarness::turn(const QByteArray &body)
{
    return post(port(), TurnPath, body, sign(body, TurnSecret));
}

std::optional<store::CallRecord> BackendHarness::call(const QString &conversationId)
{
    auto found = store::CallRepository(sql()).findByConversationId(conversationId);
    return found ? found.value() : std::nullopt;
}

QList<EventRecord> BackendHarness::eventsAfter(qint64 afterId)
{
    auto events = store::EventLog(sql()).readAfter(afterId, 1000);
    return events ? events.value() : QList<EventRecord>();
}

QList<EventRecord> BackendHarness::events(qint64 callId)
{
    QList<EventRecord> out;
    for (const EventRecord &event : eventsAfter(0))
        if (callId == 0 || event.callId == callId)
            out.append(event);
    return out;
}

store::DeliveryRecord BackendHarness::lastDelivery()
{
    store::DeliveryRepository deliveries(sql());
    auto newest = deliveries.list(1);
    if (!newest || newest->isEmpty())
        return {};
    auto full = deliveries.get(newest->first().id);
    return full && full.value() ? *full.value() : store::DeliveryRecord{};
}

void checkTranscript(const QList<store::TranscriptTurn> &turns, const QJsonArray &expected,
                     qint64 firstSequence)
{
    QCOMPARE(turns.size(), expected.size());
    for (qsizetype i = 0; i < turns.size(); ++i) {
        const store::TranscriptTurn &turn = turns.at(i);
        const QJsonObject e = expected.at(i).toObject();
        const QJsonValue time = e.value(u"time_in_call_secs"_s);
        QCOMPARE(turn.sequenceNumber, firstSequence + i);
        QCOMPARE(turn.source, u"post_call"_s);
        QCOMPARE(turn.turnKey, u"pc:"_s + QString::number(i));
        QCOMPARE(turn.speaker, e.value(u"role"_s).toString());
        QCOMPARE(turn.message, e.value(u"message"_s).toString());
        QCOMPARE(turn.timeInCallSecs,
                 time.isDouble() ? std::optional<double>(time.toDouble()) : std::nullopt);
        QCOMPARE(turn.toolCalls, e.value(u"tool_calls"_s).toArray());
        QCOMPARE(turn.toolResults, e.value(u"tool_results"_s).toArray());
    }
}

} // namespace callwatch::server::test
