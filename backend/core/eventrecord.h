// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace callwatch {

/**
 * @brief One row of the append-only `events` table: a change a live client may be told about.
 *
 * `payload` is the live message body exactly as the WebSocket sends it, minus `event_id`
 * (which is this row's id). `type` is one of "transcription", "call_status", "call_completed".
 */
struct EventRecord
{
    qint64 id = 0;
    QString type;
    qint64 callId = 0;
    QString callSid;
    QString conversationId; ///< empty while the call has none yet
    QJsonObject payload;
    /// The payload's stored JSON text, when it was read for delivery only (see
    /// EventLog::Payload::Text); `payload` is then empty and nothing was parsed.
    QByteArray payloadJson;
    QDateTime createdAt; ///< UTC
};

namespace EventType {
inline constexpr auto Transcription = "transcription";
inline constexpr auto CallStatus = "call_status";
inline constexpr auto CallCompleted = "call_completed";
} // namespace EventType

} // namespace callwatch
