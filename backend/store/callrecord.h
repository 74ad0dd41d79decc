// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

/// Plain structs going in and out of CallRepository. Empty strings stand for SQL NULL.
namespace callwatch::store {

namespace CallStatus {
inline constexpr auto Initiating = "initiating";
inline constexpr auto InProgress = "in_progress";
inline constexpr auto Completed = "completed";
inline constexpr auto Failed = "failed";
} // namespace CallStatus

namespace TurnSource {
inline constexpr auto Live = "live";
inline constexpr auto PostCall = "post_call";
} // namespace TurnSource

/** @brief One row of `calls`. Times are UTC; an invalid QDateTime is NULL. */
struct CallRecord
{
    qint64 id = 0;
    QString callSid;
    QString conversationId;
    QString providerCallId;
    QString agentId;
    QString driverId;
    QString toNumber;
    QString direction; ///< "outbound", "inbound" or empty
    QString status;    ///< CallStatus::*
    QString failureReason;
    QDateTime createdAt;
    QDateTime startedAt;
    QDateTime endedAt;
    QDateTime updatedAt;
    QString transcriptSummary;
    std::optional<qint64> callDurationSeconds;
    std::optional<double> cost;
    QString callSuccessful; ///< "success", "failure", "unknown" or empty
    QJsonObject analysis;
    QJsonObject metadata;
    QString terminationReason;
    QString audioPath;
    QString batchId;
    qint64 lastSequenceNumber = 0;
};

/** @brief What createCall() needs; an empty callSid is generated as EL_{driver}_{unix_ms}. */
struct NewCall
{
    QString callSid;
    QString agentId;
    QString driverId;
    QString toNumber;
    QString direction;
    QString status = QString::fromLatin1(CallStatus::Initiating);
    QString conversationId;
    QString providerCallId;
    QString batchId;
};

/** @brief The post-call fields completeCall() stores. */
struct CompletionData
{
    QString status = QString::fromLatin1(CallStatus::Completed); ///< completed or failed
    QString failureReason;
    QString transcriptSummary;
    std::optional<qint64> callDurationSeconds;
    std::optional<double> cost;
    QString callSuccessful;
    QJsonObject analysis;
    QJsonObject metadata;
    QString terminationReason;
    QDateTime startedAt; ///< invalid: keep the stored value
    QDateTime endedAt;   ///< invalid: keep the stored value, or now when there is none
};

/** @brief One row of `call_transcriptions`. */
struct TranscriptTurn
{
    qint64 id = 0;
    qint64 callId = 0;
    qint64 sequenceNumber = 0;
    QString speaker; ///< "agent" or "user"
    QString message;
    std::optional<double> timeInCallSecs;
    QDateTime receivedAt;
    QString source;  ///< TurnSource::*
    QString turnKey; ///< dedup key computed by the caller, unique per (call, source)
    QJsonArray toolCalls;
    QJsonArray toolResults;
};

/** @brief A turn to append; receivedAt defaults to now. */
struct NewTurn
{
    QString speaker;
    QString message;
    std::optional<double> timeInCallSecs;
    QString source = QString::fromLatin1(TurnSource::Live);
    QString turnKey;
    QJsonArray toolCalls;
    QJsonArray toolResults;
    QDateTime receivedAt;
    /// Optional: callevents::transcriptionFields(*this), serialized ahead (the HTTP thread does
    /// it for live turns, so the writer does not). Empty: built when the event is. Must match
    /// the fields above.
    QByteArray eventFields;
};

/**
 * @brief listCalls() criteria, newest first. `search` is a case-insensitive substring of
 * call_sid, driver_id, to_number or conversation_id; `from` ≤ created_at < `to`.
 */
struct CallFilter
{
    static constexpr int DefaultLimit = 50;
    static constexpr int MaxLimit = 500;

    QStringList statuses;
    QDateTime from;
    QDateTime to;
    QString search;
    QString driverId; ///< exact match
    int limit = DefaultLimit;
    QString after; ///< CallPage::nextCursor of the previous page
};

/** @brief One page of calls; nextCursor is empty on the last page. */
struct CallPage
{
    QList<CallRecord> calls;
    QString nextCursor;
};

/** @brief A call and its transcript (post-call turns when there are any, else live turns). */
struct CallWithTranscript
{
    CallRecord call;
    QList<TranscriptTurn> turns;
};

} // namespace callwatch::store
