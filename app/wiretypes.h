// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

/// Plain structs for what the backend sends over REST and the live WebSocket.
/// Empty strings stand for JSON null; an invalid QDateTime is a missing time.
namespace callwatch::app {

/** @brief One evaluation criterion of a completed call ("success", "failure" or "unknown"). */
struct EvaluationResult
{
    QString id;
    QString result;
    QString rationale;
    bool operator==(const EvaluationResult &) const = default;
};

/** @brief One data collection value; `value` is already rendered as text for display. */
struct DataCollectionResult
{
    QString id;
    QString value;
    bool isNull = false;
    QString rationale;
    bool operator==(const DataCollectionResult &) const = default;
};

/** @brief The parts of the post-call analysis the dashboard shows. */
struct CallAnalysis
{
    QList<EvaluationResult> evaluation;
    QList<DataCollectionResult> dataCollection;
    bool operator==(const CallAnalysis &) const = default;
};

namespace CallStatus {
inline constexpr auto Initiating = "initiating";
inline constexpr auto InProgress = "in_progress";
inline constexpr auto Completed = "completed";
inline constexpr auto Failed = "failed";
} // namespace CallStatus

/** Whether a call in this status is still going on (the dashboard shows it as live). */
inline bool isLiveStatus(const QString &status)
{
    return status == QLatin1StringView(CallStatus::Initiating) ||
           status == QLatin1StringView(CallStatus::InProgress);
}

/** @brief One call as `GET /api/calls` returns it. */
struct CallRecord
{
    QString callSid;
    QString conversationId;
    QString providerCallId;
    QString agentId;
    QString driverId;
    QString toNumber;
    QString direction;
    QString status;
    QString failureReason;
    QDateTime createdAt;
    QDateTime startedAt;
    QDateTime endedAt;
    QDateTime updatedAt;
    QString transcriptSummary;
    std::optional<qint64> durationSeconds;
    std::optional<double> cost;
    QString callSuccessful; ///< "success", "failure", "unknown" or empty
    CallAnalysis analysis;
    QString terminationReason;
    bool hasAudio = false;
    bool operator==(const CallRecord &) const = default;
};

/** @brief One transcript turn, from REST history or from a live event. */
struct TranscriptTurn
{
    qint64 sequenceNumber = 0;
    QString speaker; ///< "agent" or "user"
    QString message;
    double timeInCallSecs = 0;
    QString source; ///< "live" or "post_call"
    QDateTime receivedAt;
    QStringList toolNames; ///< names of the tools the agent called in this turn
    bool operator==(const TranscriptTurn &) const = default;
};

namespace TurnSource {
inline constexpr auto Live = "live";
inline constexpr auto PostCall = "post_call";
} // namespace TurnSource

/** @brief `{"type":"transcription"}`: one live turn. */
struct TranscriptEvent
{
    qint64 eventId = 0;
    QString callSid;
    QString conversationId;
    TranscriptTurn turn;
    QDateTime timestamp;
};

/** @brief `{"type":"call_status"}`: a status transition. */
struct CallStatusEvent
{
    qint64 eventId = 0;
    QString callSid;
    QString conversationId;
    QString status;
    QString previousStatus;
    QString failureReason;
    QString driverId;
    QString toNumber;
    QDateTime timestamp;
};

/** @brief `{"type":"call_completed"}`: the post-call summary arrived. */
struct CallCompletedEvent
{
    qint64 eventId = 0;
    QString callSid;
    QString conversationId;
    QString status;
    QString transcriptSummary;
    std::optional<qint64> durationSeconds;
    std::optional<double> cost;
    QString callSuccessful;
    CallAnalysis analysis;
    QString terminationReason;
    QDateTime timestamp;
};

/** @brief `GET /api/stats`. */
struct DashboardStats
{
    qint64 liveCalls = 0;
    qint64 completedToday = 0;
    qint64 failedToday = 0;
    double failureRate = 0; ///< 0..1
    double costToday = 0;
    qint64 lastEventId = 0;
};

/** @brief One row of the webhook inbox; `body` is only filled by the detail request. */
struct Delivery
{
    qint64 id = 0;
    QDateTime receivedAt;
    QString route;
    QString eventType;
    QString verification;
    QString outcome;
    int httpStatus = 0;
    QString errorCode;
    QString errorMessage;
    QString callSid;
    QString conversationId;
    qint64 bodySize = 0;
    QByteArray body;
    bool operator==(const Delivery &) const = default;
};

/** @brief One page of `GET /api/calls`; nextCursor is empty on the last page. */
struct CallPage
{
    QList<CallRecord> calls;
    QString nextCursor;
};

/** @brief `GET /api/calls/{call_sid}`. */
struct CallDetail
{
    CallRecord call;
    QList<TranscriptTurn> transcript;
};

/** @brief One page of `GET /api/deliveries`. */
struct DeliveryPage
{
    QList<Delivery> deliveries;
    std::optional<qint64> nextBefore;
};

/** @brief `POST /api/deliveries/{id}/replay`. */
struct ReplayResult
{
    QString outcome;
    int httpStatus = 0;
};

} // namespace callwatch::app
