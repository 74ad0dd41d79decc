// SPDX-License-Identifier: GPL-3.0-or-later
#include "elevenlabs/backfill.h"

#include "elevenlabs/elevenlabsclient.h"
#include "elevenlabs/logging.h"
#include "store/callrepository.h"
#include "store/database.h"
#include "webhooks/ingestwriter.h"
#include "webhooks/postcalltranscription.h"
#include "webhooks/webhookprocessor.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QPointer>

using namespace Qt::StringLiterals;

namespace callwatch::elevenlabs {

namespace {

constexpr int MaxErrorMessages = 20;

bool isFinalCall(const QString &status)
{
    return status == QLatin1StringView(store::CallStatus::Completed) ||
           status == QLatin1StringView(store::CallStatus::Failed);
}

bool isFinalConversation(const QString &status)
{
    return status == u"done"_s || status == u"failed"_s;
}

} // namespace

QJsonObject BackfillReport::toJson() const
{
    return QJsonObject{{u"checked"_s, checked},
                       {u"filled"_s, filled},
                       {u"already_complete"_s, alreadyComplete},
                       {u"new"_s, newCalls},
                       {u"not_ready"_s, notReady},
                       {u"errors"_s, errors}};
}

struct Backfill::Run
{
    BackfillReport report;
    QPointer<QObject> context;
    Done done;
    QDateTime now;
    QStringList stuck;                 ///< conversation ids of stuck calls, not checked yet
    QList<ConversationSummary> listed; ///< listed conversations, not checked yet
    QSet<QString> seen;                ///< conversation ids already checked in this run
    bool wrote = false;
};

Backfill::Backfill(store::Database *database, ElevenLabsClient *client, BackfillOptions options,
                   QObject *parent)
    : QObject(parent), m_database(database), m_client(client), m_options(std::move(options))
{
    connect(&m_timer, &QTimer::timeout, this, [this] { run(this, {}); });
}

Backfill::~Backfill() = default;

void Backfill::start(int intervalMs)
{
    m_timer.start(intervalMs);
}

void Backfill::stop()
{
    m_timer.stop();
}

bool Backfill::run(QObject *context, Done done)
{
    if (m_run)
        return false;
    m_run = std::make_unique<Run>();
    m_run->context = context ? context : this;
    m_run->done = std::move(done);
    m_run->now = QDateTime::currentDateTimeUtc();
    collectStuckCalls();
    checkNextStuck();
    return true;
}

void Backfill::fail(const QString &message)
{
    ++m_run->report.errors;
    if (m_run->report.errorMessages.size() < MaxErrorMessages)
        m_run->report.errorMessages.append(message);
    qCWarning(lcElevenLabs).noquote() << "backfill:" << message;
}

void Backfill::collectStuckCalls()
{
    store::CallRepository calls(m_database->connection());
    store::CallFilter filter;
    filter.statuses = {QString::fromLatin1(store::CallStatus::Initiating),
                       QString::fromLatin1(store::CallStatus::InProgress)};
    filter.to = m_run->now.addSecs(-qint64(m_options.minAgeMinutes) * 60);
    filter.limit = store::CallFilter::MaxLimit;
    for (;;) {
        auto page = calls.listCalls(filter);
        if (!page)
            return fail(u"cannot list calls: "_s + page.error().message);
        for (const store::CallRecord &call : page->calls) {
            if (!call.conversationId.isEmpty())
                m_run->stuck.append(call.conversationId);
        }
        if (page->nextCursor.isEmpty())
            return;
        filter.after = page->nextCursor;
    }
}

void Backfill::checkNextStuck()
{
    if (m_run->stuck.isEmpty())
        return listPage({}, 0);
    const QString conversationId = m_run->stuck.takeFirst();
    m_run->seen.insert(conversationId);
    ++m_run->report.checked;
    m_client->getConversation(conversationId, this, [this, conversationId](const auto &result) {
        if (!result)
            fail(u"conversation %1: %2"_s.arg(conversationId, result.error().callFailureReason()));
        else if (!result->isFinal())
            ++m_run->report.notReady;
        else
            store(result.value(), true);
        checkNextStuck();
    });
}

void Backfill::listPage(const QString &cursor, int page)
{
    ConversationQuery query;
    query.agentId = m_options.agentId;
    query.cursor = cursor;
    query.callStartAfterUnix = m_run->now.toSecsSinceEpoch() - m_options.sinceSecs;
    m_client->listConversations(query, this, [this, page](const ApiResult<ConversationPage> &got) {
        if (!got) {
            fail(u"cannot list conversations: "_s + got.error().callFailureReason());
            return checkNextListed();
        }
        m_run->listed += got->conversations;
        if (got->hasMore && page + 1 < m_options.maxPages)
            return listPage(got->nextCursor, page + 1);
        checkNextListed();
    });
}

void Backfill::checkNextListed()
{
    store::CallRepository calls(m_database->connection());
    while (!m_run->listed.isEmpty()) {
        const ConversationSummary summary = m_run->listed.takeFirst();
        if (m_run->seen.contains(summary.conversationId))
            continue;
        m_run->seen.insert(summary.conversationId);
        ++m_run->report.checked;
        auto known = calls.findByConversationId(summary.conversationId);
        if (!known) {
            fail(u"cannot look up %1: %2"_s.arg(summary.conversationId, known.error().message));
            continue;
        }
        if (known.value()) {
            // A call that is not final here is younger than minAgeMinutes: its webhook may come.
            if (isFinalCall(known.value()->status))
                ++m_run->report.alreadyComplete;
            else
                ++m_run->report.notReady;
            continue;
        }
        if (!isFinalConversation(summary.status)) {
            ++m_run->report.notReady;
            continue;
        }
        const QString id = summary.conversationId;
        m_client->getConversation(id, this, [this, id](const ApiResult<Conversation> &result) {
            if (!result)
                fail(u"conversation %1: %2"_s.arg(id, result.error().callFailureReason()));
            else if (!result->isFinal())
                ++m_run->report.notReady;
            else
                store(result.value(), false);
            checkNextListed();
        });
        return;
    }
    finish();
}

void Backfill::store(const Conversation &conversation, bool knownCall)
{
    // Stable, so a second backfill of the same conversation is a duplicate.
    const qint64 eventTimestamp =
        conversation.startTimeUnixSecs.value_or(0) + conversation.callDurationSecs.value_or(0);
    auto payload = webhooks::PostCallTranscription::fromData(conversation.data, eventTimestamp);
    if (!payload)
        return fail(
            u"conversation %1: %2"_s.arg(conversation.conversationId, payload.error().message));
    QSqlDatabase db = m_database->connection();
    if (!knownCall && !payload->callSid.isEmpty()) {
        auto bySid = store::CallRepository(db).findByCallSid(payload->callSid);
        knownCall = bySid && bySid.value();
    }
    const QByteArray body = QJsonDocument(QJsonObject{{u"type"_s, u"post_call_transcription"_s},
                                                      {u"event_timestamp"_s, eventTimestamp},
                                                      {u"data"_s, conversation.data}})
                                .toJson(QJsonDocument::Compact);
    store::DeliveryRecord delivery;
    delivery.receivedAt = QDateTime::currentDateTimeUtc();
    delivery.route = u"backfill"_s;
    delivery.eventType = u"post_call_transcription"_s;
    delivery.verification = u"not_checked"_s; // fetched from the API with our key, not signed
    delivery.body = body;
    delivery.bodySize = body.size();
    delivery.bodySha256 =
        QString::fromLatin1(QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex());
    const webhooks::WorkResult result =
        webhooks::WebhookProcessor(db).applyPostCall(delivery, payload.value());
    if (result.httpStatus != 200) {
        const QJsonObject error = result.errorObject();
        return fail(u"conversation %1 not stored: %2"_s.arg(conversation.conversationId,
                                                            error.value("message"_L1).toString()));
    }
    if (result.outcome() == u"duplicate"_s) {
        ++m_run->report.alreadyComplete;
        return;
    }
    m_run->wrote = true;
    ++(knownCall ? m_run->report.filled : m_run->report.newCalls);
    qCInfo(lcElevenLabs).noquote() << "backfill stored conversation" << conversation.conversationId
                                   << (knownCall ? "for a known call" : "as a new call");
}

void Backfill::finish()
{
    std::unique_ptr<Run> run = std::move(m_run); // a callback may start the next run
    const BackfillReport &report = run->report;
    qCInfo(lcElevenLabs).noquote()
        << "backfill: checked" << report.checked << "filled" << report.filled << "already complete"
        << report.alreadyComplete << "new" << report.newCalls << "not ready" << report.notReady
        << "errors" << report.errors;
    if (run->wrote)
        Q_EMIT callsChanged();
    if (run->context && run->done)
        run->done(report);
    Q_EMIT finished(report);
}

} // namespace callwatch::elevenlabs
