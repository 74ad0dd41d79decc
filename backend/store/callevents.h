// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/eventrecord.h"
#include "store/callrecord.h"

#include <utility>

/**
 * @brief The live messages the repository stores with each change: the one place where their
 * snake_case JSON is produced. Missing values are JSON null.
 */
namespace callwatch::store::callevents {

/// `call_status`: status change (previousStatus empty → null, e.g. on creation).
EventRecord status(const CallRecord &call, const QString &previousStatus, const QDateTime &at);
/// `call_completed`: the post-call results; `analysis` is always an object.
EventRecord completed(const CallRecord &call, const QDateTime &at);
/// `transcription`: one new turn; its timestamp is the turn's receivedAt.
EventRecord transcription(const CallRecord &call, const TranscriptTurn &turn);

/// The turn's own fields of its `transcription` payload (message, source, speaker,
/// time_in_call_secs) as JSON members without braces: serialized once, on any thread.
QByteArray transcriptionFields(const NewTurn &turn);
/**
 * transcription() as stored, for the writer's hot path: the record without `payload`, and the
 * payload's JSON text, put together from `fields` (transcriptionFields(); empty: built here)
 * without a QJsonObject. Parses to the same object as transcription()'s payload.
 */
std::pair<EventRecord, QByteArray> transcriptionText(const CallRecord &call,
                                                     const TranscriptTurn &turn, QByteArray fields);

} // namespace callwatch::store::callevents
