// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/wiretypes.h"
#include "core/result.h"

#include <QByteArrayView>
#include <QJsonObject>

#include <optional>

namespace callwatch::app {

/** @brief One message from the live WebSocket, parsed. Only the part named by `type` is filled. */
struct LiveMessage
{
    enum class Type {
        Transcription,
        CallStatus,
        CallCompleted,
        Subscribed,
        Pong,
        Error,
        TokenExpiring,
        Authenticated,
        Other,
    };
    Type type = Type::Other;
    QString typeName;
    TranscriptEvent transcription;
    CallStatusEvent callStatus;
    CallCompletedEvent callCompleted;
    std::optional<bool> recovered; ///< Subscribed: absent on a first subscribe (no "since")
    qint64 lastEventId = 0;        ///< Subscribed
    QString errorCode;             ///< Error
    QString errorMessage;          ///< Error
    qint64 expiresAt = 0;          ///< TokenExpiring, Authenticated (Unix seconds)

    qint64 eventId() const;
};

/**
 * @brief Turns the backend's JSON (REST bodies and live messages) into plain structs.
 *
 * Unknown fields are ignored and optional ones may be missing or null; a missing identifier
 * (call_sid, event_id, sequence_number, delivery id) is an `invalid_payload` error naming it,
 * because a row without its key could never be updated in place.
 */
class WireParser
{
public:
    static Result<CallRecord> call(const QJsonObject &object);
    static Result<TranscriptTurn> turn(const QJsonObject &object);
    static Result<CallPage> callPage(QByteArrayView body);
    static Result<CallDetail> callDetail(QByteArrayView body);
    static Result<DashboardStats> stats(QByteArrayView body);
    static Result<Delivery> delivery(const QJsonObject &object);
    static Result<DeliveryPage> deliveryPage(QByteArrayView body);
    /** `GET /api/deliveries/{id}`: the row plus its raw body. */
    static Result<Delivery> deliveryDetail(QByteArrayView body);
    static Result<ReplayResult> replayResult(QByteArrayView body);
    static Result<LiveMessage> liveMessage(QByteArrayView utf8);
    /** The `{"error":{"code","message"}}` of an error response, if the body is one. */
    static std::optional<Error> errorBody(QByteArrayView body);

    static CallAnalysis analysis(const QJsonObject &object);
    /** ISO-8601 text (or Unix seconds / milliseconds as a number) to a UTC QDateTime. */
    static QDateTime time(const QJsonValue &value);
};

} // namespace callwatch::app
