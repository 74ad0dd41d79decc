// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/callrows.h"

#include "store/sql.h"

using namespace Qt::StringLiterals;

namespace callwatch::store::callrows {

QString lastSequenceNumberColumn()
{
    // A correlated subquery rather than a join: it also works after UPDATE … RETURNING.
    return u"COALESCE((SELECT call_sequences.last_sequence_number FROM call_sequences "
           "WHERE call_sequences.call_id = calls.id), 0)"_s;
}

QString callColumns()
{
    return u"id, call_sid, conversation_id, provider_call_id, agent_id, driver_id, to_number, "
           "direction, status, failure_reason, created_at, started_at, ended_at, updated_at, "
           "transcript_summary, call_duration_seconds, cost, call_successful, analysis, metadata, "
           "termination_reason, audio_path, batch_id, "_s +
           lastSequenceNumberColumn();
}

CallRecord callFromRow(const QSqlQuery &row)
{
    CallRecord c;
    c.id = row.value(0).toLongLong();
    c.callSid = row.value(1).toString();
    c.conversationId = row.value(2).toString();
    c.providerCallId = row.value(3).toString();
    c.agentId = row.value(4).toString();
    c.driverId = row.value(5).toString();
    c.toNumber = row.value(6).toString();
    c.direction = row.value(7).toString();
    c.status = row.value(8).toString();
    c.failureReason = row.value(9).toString();
    c.createdAt = sql::toTime(row.value(10));
    c.startedAt = sql::toTime(row.value(11));
    c.endedAt = sql::toTime(row.value(12));
    c.updatedAt = sql::toTime(row.value(13));
    c.transcriptSummary = row.value(14).toString();
    c.callDurationSeconds = sql::toOptionalInt(row.value(15));
    c.cost = sql::toOptionalDouble(row.value(16));
    c.callSuccessful = row.value(17).toString();
    c.analysis = sql::toJsonObject(row.value(18));
    c.metadata = sql::toJsonObject(row.value(19));
    c.terminationReason = row.value(20).toString();
    c.audioPath = row.value(21).toString();
    c.batchId = row.value(22).toString();
    c.lastSequenceNumber = row.value(23).toLongLong();
    return c;
}

QString identityColumns()
{
    return u"id, call_sid, conversation_id, status, "_s + lastSequenceNumberColumn();
}

CallRecord identityFromRow(const QSqlQuery &row)
{
    CallRecord c;
    c.id = row.value(0).toLongLong();
    c.callSid = row.value(1).toString();
    c.conversationId = row.value(2).toString();
    c.status = row.value(3).toString();
    c.lastSequenceNumber = row.value(4).toLongLong();
    return c;
}

QString turnColumns()
{
    return u"id, call_id, sequence_number, speaker, message, time_in_call_secs, received_at, "
           "source, turn_key, tool_calls, tool_results"_s;
}

TranscriptTurn turnFromRow(const QSqlQuery &row)
{
    TranscriptTurn t;
    t.id = row.value(0).toLongLong();
    t.callId = row.value(1).toLongLong();
    t.sequenceNumber = row.value(2).toLongLong();
    t.speaker = row.value(3).toString();
    t.message = row.value(4).toString();
    t.timeInCallSecs = sql::toOptionalDouble(row.value(5));
    t.receivedAt = sql::toTime(row.value(6));
    t.source = row.value(7).toString();
    t.turnKey = row.value(8).toString();
    t.toolCalls = sql::toJsonArray(row.value(9));
    t.toolResults = sql::toJsonArray(row.value(10));
    return t;
}

TranscriptTurn turnRow(qint64 callId, qint64 sequenceNumber, const NewTurn &turn,
                       const QDateTime &now)
{
    TranscriptTurn row;
    row.callId = callId;
    row.sequenceNumber = sequenceNumber;
    row.speaker = turn.speaker;
    row.message = turn.message;
    row.timeInCallSecs = turn.timeInCallSecs;
    row.receivedAt = turn.receivedAt.isValid() ? turn.receivedAt : now;
    row.source = turn.source;
    row.turnKey = turn.turnKey;
    row.toolCalls = turn.toolCalls;
    row.toolResults = turn.toolResults;
    return row;
}

QString encodeCursor(const QDateTime &createdAt, qint64 id)
{
    const QString plain = sql::timeText(createdAt) + u'|' + QString::number(id);
    return QString::fromLatin1(
        plain.toUtf8().toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

Result<std::pair<QDateTime, qint64>> decodeCursor(const QString &cursor)
{
    const Error invalid{u"invalid_cursor"_s, u"The page cursor is not valid; start again from "
                                             "the first page."_s};
    const auto decoded = QByteArray::fromBase64Encoding(
        cursor.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals |
                               QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return invalid;
    const QString plain = QString::fromUtf8(decoded.decoded);
    const QStringList parts = plain.split(u'|');
    if (parts.size() != 2)
        return invalid;
    bool ok = false;
    const qint64 id = parts.at(1).toLongLong(&ok);
    // Strict: only what encodeCursor() writes, so the time compares exactly with stored values.
    const QDateTime createdAt = sql::toTime(parts.at(0));
    if (!ok || id <= 0 || !createdAt.isValid() || sql::timeText(createdAt) != parts.at(0))
        return invalid;
    return std::pair{createdAt, id};
}

} // namespace callwatch::store::callrows
