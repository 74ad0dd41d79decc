// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QLatin1StringView>
#include <QString>
#include <QStringView>

namespace callwatch::webhooks {

/** The payload `type` values ElevenLabs sends (not the subscription event names). */
namespace WebhookType {
inline constexpr QLatin1StringView PostCallTranscription{"post_call_transcription"};
inline constexpr QLatin1StringView PostCallAudio{"post_call_audio"};
inline constexpr QLatin1StringView CallInitiationFailure{"call_initiation_failure"};
} // namespace WebhookType

/**
 * @brief The common part of every post-call webhook: `{type, event_timestamp, data}`.
 *
 * Parsing rules: the body must be a JSON object (else invalid_json); `type` is a required string;
 * `event_timestamp` is required and may be an integer, a float (cut to the second) or a numeric
 * string; for the three known types `data` must be an object, for other types it is kept when it
 * is an object and left empty otherwise, so the caller can record and ignore unknown events.
 * Do not send post_call_audio bodies here (they reach tens of MB): use AudioPayloadScanner.
 */
struct WebhookEnvelope
{
    QString type;
    qint64 eventTimestamp = 0; ///< unix seconds, UTC
    QJsonObject data;

    bool isKnownType() const;

    static Result<WebhookEnvelope> parse(const QByteArray &body);
    static Result<WebhookEnvelope> fromJson(const QJsonObject &root);
};

/**
 * Idempotency key of one delivery: "<type>|<conversation_id>|<event_timestamp>", e.g.
 * "post_call_transcription|conv_01…|1739537297". A retried delivery has exactly the same payload,
 * so it produces the same key (ElevenLabs suggests deduplicating on these two fields).
 */
QString webhookDedupKey(QStringView type, QStringView conversationId, qint64 eventTimestamp);
/** The same, for the WebhookType constants. */
QString webhookDedupKey(QLatin1StringView type, QStringView conversationId, qint64 eventTimestamp);

} // namespace callwatch::webhooks
