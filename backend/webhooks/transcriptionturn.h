// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace callwatch::webhooks {

/**
 * @brief One live turn posted to `POST /webhooks/elevenlabs/transcription` (Callwatch's own feed).
 *
 * Body: `{call_sid, speaker|role, message, time_in_call_secs?, turn_id?, timestamp?,
 * conversation_id?}`.
 * - call_sid: required, non-empty (string or number);
 * - speaker, else role: required; "agent" → agent; "user", "driver", "customer" → user
 *   (case-insensitive); anything else is invalid_field;
 * - message: the key is required; a string, possibly empty; null is read as "" because
 *   ElevenLabs itself sends null for turns that only call a tool;
 * - time_in_call_secs: number or numeric string, ≥ 0;
 * - turn_id: string or number;
 * - timestamp: ISO 8601 text (no offset means UTC) or unix time as a number or numeric string;
 *   a number ≥ 1e11 is read as milliseconds (what JavaScript's Date.now() gives).
 */
struct TranscriptionTurn
{
    QString callSid;
    QString conversationId; ///< optional
    QString speaker;        ///< normalised: "agent" | "user"
    QString message;
    std::optional<double> timeInCallSecs;
    QString turnId;                     ///< as sent; empty when absent
    std::optional<QDateTime> timestamp; ///< UTC

    /**
     * Idempotency key, unique per call (the caller scopes it by call): "id:<turn_id>" when a
     * turn id was sent, else "h:" + hex SHA-256 of speaker, message and time_in_call_secs
     * (time written with 3 decimals, so 12, 12.0 and "12" give the same key).
     */
    QString turnKey() const;

    /**
     * Parses a body; same result as parseWithQJson() for every input. The common flat body is
     * read straight from its bytes (parseFlat()); anything else, and every error, goes through
     * QJsonDocument.
     */
    static Result<TranscriptionTurn> parse(const QByteArray &body);
    static Result<TranscriptionTurn> fromJson(const QJsonObject &object);

    /**
     * The reference: QJsonDocument::fromJson, then fromJson(). parse() must give exactly its
     * result, which the tests check.
     */
    static Result<TranscriptionTurn> parseWithQJson(const QByteArray &body);
    /**
     * The fast path alone: the turn when @p body is a flat object whose fields are all valid
     * and of their plain type (strings, and numbers for time and timestamp), else nullopt
     * ("not handled"; never an error, those come from parseWithQJson()).
     */
    static std::optional<TranscriptionTurn> parseFlat(const QByteArray &body);
};

} // namespace callwatch::webhooks
