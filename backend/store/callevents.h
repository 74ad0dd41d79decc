// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/eventrecord.h"
#include "store/callrecord.h"

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

} // namespace callwatch::store::callevents
