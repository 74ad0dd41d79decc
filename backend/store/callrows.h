// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"
#include "store/callrecord.h"

#include <QSqlQuery>

#include <utility>

/// Column lists and row mapping for `calls` and `call_transcriptions`, and the list cursor.
namespace callwatch::store::callrows {

/// The call's last turn number, from `call_sequences` (0 without a row there), as a column
/// expression of a statement on `calls`.
QString lastSequenceNumberColumn();

/// Every `calls` column, in the order callFromRow() reads them (usable after RETURNING too).
QString callColumns();
CallRecord callFromRow(const QSqlQuery &row);

/// The columns a live turn needs (id, call_sid, conversation_id, status, last_sequence_number),
/// read by identityFromRow() into a CallRecord with only those fields: no JSON to parse on the
/// hottest path.
QString identityColumns();
CallRecord identityFromRow(const QSqlQuery &row);

/// Every `call_transcriptions` column, in the order turnFromRow() reads them.
QString turnColumns();
TranscriptTurn turnFromRow(const QSqlQuery &row);

/// The row a new turn becomes with this call and number (received now when it has no time).
TranscriptTurn turnRow(qint64 callId, qint64 sequenceNumber, const NewTurn &turn,
                       const QDateTime &now);

/// Opaque keyset cursor for "after (created_at, id)", newest first.
QString encodeCursor(const QDateTime &createdAt, qint64 id);
Result<std::pair<QDateTime, qint64>> decodeCursor(const QString &cursor);

} // namespace callwatch::store::callrows
