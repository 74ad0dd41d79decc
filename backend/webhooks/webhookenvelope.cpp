// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/webhookenvelope.h"

#include "webhooks/jsonfieldreader.h"

#include <QJsonDocument>
#include <QJsonParseError>

using namespace Qt::StringLiterals;

namespace callwatch::webhooks {

bool WebhookEnvelope::isKnownType() const
{
    return type == WebhookType::PostCallTranscription || type == WebhookType::PostCallAudio ||
           type == WebhookType::CallInitiationFailure;
}

Result<WebhookEnvelope> WebhookEnvelope::parse(const QByteArray &body)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return Error{PayloadError::InvalidJson,
                     u"body is not valid JSON (%1 at byte %2)"_s.arg(parseError.errorString())
                         .arg(parseError.offset)};
    }
    if (!document.isObject())
        return Error{PayloadError::InvalidJson, u"body is not a JSON object"_s};
    return fromJson(document.object());
}

Result<WebhookEnvelope> WebhookEnvelope::fromJson(const QJsonObject &root)
{
    std::optional<Error> error;
    const JsonFieldReader reader(root, QString(), &error);

    WebhookEnvelope envelope;
    envelope.type = reader.requiredString("type"_L1);
    const std::optional<qint64> timestamp = reader.unixSeconds("event_timestamp"_L1);
    if (!timestamp)
        reader.fail(missingFieldError(u"event_timestamp"_s)); // unless it failed as invalid
    else
        envelope.eventTimestamp = *timestamp;

    const QJsonValue data = root.value("data"_L1);
    if (envelope.isKnownType()) {
        if (data.isUndefined() || data.isNull())
            reader.fail(missingFieldError(u"data"_s));
        else if (!data.isObject())
            reader.fail(invalidFieldError(u"data"_s, u"an object"_s));
    }
    envelope.data = data.toObject();

    if (error)
        return *error;
    return envelope;
}

QString webhookDedupKey(QStringView type, QStringView conversationId, qint64 eventTimestamp)
{
    return type % u'|' % conversationId % u'|' % QString::number(eventTimestamp);
}

QString webhookDedupKey(QLatin1StringView type, QStringView conversationId, qint64 eventTimestamp)
{
    return type % u'|' % conversationId % u'|' % QString::number(eventTimestamp);
}

} // namespace callwatch::webhooks
