// SPDX-License-Identifier: GPL-3.0-or-later
#include "elevenlabs/elevenlabswire.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace callwatch::elevenlabs {

std::optional<Provider> providerFromName(const QString &name)
{
    if (name == u"twilio"_s)
        return Provider::Twilio;
    if (name == u"sip"_s || name == u"sip_trunk"_s || name == u"sip-trunk"_s)
        return Provider::Sip;
    return std::nullopt;
}

QString providerName(Provider provider)
{
    return provider == Provider::Sip ? u"sip"_s : u"twilio"_s;
}

bool BatchJob::isFinished() const
{
    return status == u"completed"_s || status == u"failed"_s || status == u"cancelled"_s;
}

bool Conversation::isFinal() const
{
    return status == u"done"_s || status == u"failed"_s;
}

namespace wire {

namespace {

Error missing(const QString &field)
{
    return Error{u"invalid_response"_s, u"the response has no %1"_s.arg(field)};
}

/** A string field; numbers are accepted as their text, null/absent as "". */
QString text(const QJsonObject &object, QLatin1StringView key)
{
    const QJsonValue value = object.value(key);
    if (value.isDouble())
        return QString::number(value.toInteger());
    return value.toString();
}

std::optional<qint64> integer(const QJsonObject &object, QLatin1StringView key)
{
    const QJsonValue value = object.value(key);
    if (value.isDouble())
        return value.toInteger();
    bool ok = false;
    const qint64 parsed = value.toString().toLongLong(&ok);
    return ok ? std::optional<qint64>(parsed) : std::nullopt;
}

QJsonObject clientData(const QJsonObject &dynamicVariables)
{
    return QJsonObject{{u"dynamic_variables"_s, dynamicVariables}};
}

QString pathSegment(const QString &value)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(value));
}

} // namespace

QString outboundCallPath(Provider provider)
{
    return provider == Provider::Sip ? u"/v1/convai/sip-trunk/outbound-call"_s
                                     : u"/v1/convai/twilio/outbound-call"_s;
}

QString batchPath(const QString &batchId)
{
    return u"/v1/convai/batch-calling/"_s + pathSegment(batchId);
}

QString conversationPath(const QString &conversationId)
{
    return u"/v1/convai/conversations/"_s + pathSegment(conversationId);
}

QJsonObject outboundCallBody(const OutboundCallRequest &request)
{
    return QJsonObject{
        {u"agent_id"_s, request.agentId},
        {u"agent_phone_number_id"_s, request.agentPhoneNumberId},
        {u"to_number"_s, request.toNumber},
        {u"conversation_initiation_client_data"_s, clientData(request.dynamicVariables)},
    };
}

QJsonObject batchSubmitBody(const BatchSubmitRequest &request)
{
    QJsonArray recipients;
    for (const BatchRecipient &recipient : request.recipients) {
        recipients.append(QJsonObject{
            {u"id"_s, recipient.id},
            {u"phone_number"_s, recipient.phoneNumber},
            {u"conversation_initiation_client_data"_s, clientData(recipient.dynamicVariables)},
        });
    }
    return QJsonObject{
        {u"call_name"_s, request.callName},
        {u"agent_id"_s, request.agentId},
        {u"agent_phone_number_id"_s, request.agentPhoneNumberId},
        {u"scheduled_time_unix"_s, QJsonValue(QJsonValue::Null)},
        {u"recipients"_s, recipients},
    };
}

QUrlQuery conversationListQuery(const ConversationQuery &query)
{
    QUrlQuery q;
    if (!query.agentId.isEmpty())
        q.addQueryItem(u"agent_id"_s, query.agentId);
    if (!query.cursor.isEmpty())
        q.addQueryItem(u"cursor"_s, QString::fromLatin1(QUrl::toPercentEncoding(query.cursor)));
    q.addQueryItem(u"page_size"_s, QString::number(qBound(1, query.pageSize, 100)));
    if (query.callStartAfterUnix)
        q.addQueryItem(u"call_start_after_unix"_s, QString::number(*query.callStartAfterUnix));
    return q;
}

Result<OutboundCallResponse> parseOutboundCallResponse(const QJsonObject &body, Provider provider)
{
    const QJsonValue success = body.value("success"_L1);
    if (!success.isBool())
        return missing(u"boolean \"success\""_s);
    OutboundCallResponse response;
    response.success = success.toBool();
    response.message = text(body, "message"_L1);
    response.conversationId = text(body, "conversation_id"_L1);
    response.providerCallId =
        text(body, provider == Provider::Sip ? "sip_call_id"_L1 : "callSid"_L1);
    if (response.success && response.conversationId.isEmpty())
        return missing(u"conversation_id although success is true"_s);
    return response;
}

Result<BatchJob> parseBatchJob(const QJsonObject &body)
{
    BatchJob job;
    job.id = text(body, "id"_L1);
    if (job.id.isEmpty())
        return missing(u"batch \"id\""_s);
    job.name = text(body, "name"_L1);
    job.agentId = text(body, "agent_id"_L1);
    job.status = text(body, "status"_L1);
    job.totalCallsDispatched = int(integer(body, "total_calls_dispatched"_L1).value_or(0));
    job.totalCallsScheduled = int(integer(body, "total_calls_scheduled"_L1).value_or(0));
    job.totalCallsFinished = int(integer(body, "total_calls_finished"_L1).value_or(0));
    const QJsonArray recipients = body.value("recipients"_L1).toArray();
    for (const QJsonValue &item : recipients) {
        const QJsonObject object = item.toObject();
        BatchRecipientStatus recipient;
        recipient.id = text(object, "id"_L1);
        recipient.phoneNumber = text(object, "phone_number"_L1);
        recipient.status = text(object, "status"_L1);
        recipient.conversationId = text(object, "conversation_id"_L1);
        job.recipients.append(recipient);
    }
    return job;
}

Result<Conversation> parseConversation(const QJsonObject &body)
{
    Conversation conversation;
    conversation.data = body;
    conversation.conversationId = text(body, "conversation_id"_L1);
    if (conversation.conversationId.isEmpty())
        return missing(u"conversation_id"_s);
    conversation.status = text(body, "status"_L1);
    const QJsonObject metadata = body.value("metadata"_L1).toObject();
    conversation.startTimeUnixSecs = integer(metadata, "start_time_unix_secs"_L1);
    conversation.callDurationSecs = integer(metadata, "call_duration_secs"_L1);
    return conversation;
}

Result<ConversationPage> parseConversationPage(const QJsonObject &body)
{
    if (!body.value("conversations"_L1).isArray())
        return missing(u"\"conversations\" array"_s);
    ConversationPage page;
    for (const QJsonValue &item : body.value("conversations"_L1).toArray()) {
        const QJsonObject object = item.toObject();
        ConversationSummary summary;
        summary.agentId = text(object, "agent_id"_L1);
        summary.conversationId = text(object, "conversation_id"_L1);
        summary.status = text(object, "status"_L1);
        summary.startTimeUnixSecs = integer(object, "start_time_unix_secs"_L1).value_or(0);
        summary.callDurationSecs = integer(object, "call_duration_secs"_L1).value_or(0);
        if (!summary.conversationId.isEmpty())
            page.conversations.append(summary);
    }
    page.nextCursor = text(body, "next_cursor"_L1);
    page.hasMore = body.value("has_more"_L1).toBool() && !page.nextCursor.isEmpty();
    return page;
}

QString errorDetail(const QByteArray &body)
{
    const QJsonValue detail = QJsonDocument::fromJson(body).object().value("detail"_L1);
    QString out;
    if (detail.isString()) {
        out = detail.toString();
    } else if (detail.isObject()) {
        out = detail.toObject().value("message"_L1).toString();
    } else if (detail.isArray() && !detail.toArray().isEmpty()) {
        const QJsonObject first = detail.toArray().first().toObject();
        QStringList location;
        for (const QJsonValue &part : first.value("loc"_L1).toArray())
            location.append(part.isString() ? part.toString() : QString::number(part.toInt()));
        out = location.join(u'.') + u": "_s + first.value("msg"_L1).toString();
    }
    return out.simplified().left(300);
}

} // namespace wire
} // namespace callwatch::elevenlabs
