// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace callwatch::store {

/** @brief One row of `webhook_deliveries` (the inbox). Empty strings stand for NULL. */
struct DeliveryRecord
{
    qint64 id = 0;
    QDateTime receivedAt; ///< invalid: now
    QString route;        ///< "post-call", "transcription", …
    QString eventType;
    QString signatureHeader;
    QJsonObject headers; ///< only the ones that matter (content-type, user-agent, …)
    /// Optional: `headers` already serialized (QJsonDocument's compact text), ahead on the HTTP
    /// thread; when set it is stored (through sql::jsonFromText) and `headers` is not read.
    QByteArray headersText;
    QByteArray body; ///< empty when the body stays on disk (bodyPath) or was not loaded
    QString bodyPath;
    qint64 bodySize = 0;
    QString bodySha256;
    QString verification = QStringLiteral("not_checked");
    QString outcome = QStringLiteral("pending");
    std::optional<int> httpStatus;
    QString errorCode;
    QString errorMessage;
    QString dedupKey;
    QString callSid;
    QString conversationId;
    QDateTime processedAt;
};

/**
 * @brief The webhook inbox and the "first delivery wins" table, for ingest, the inspector and
 * Replay. Methods run in the caller's transaction when there is one.
 */
class DeliveryRepository
{
public:
    explicit DeliveryRepository(QSqlDatabase db);

    Result<qint64> record(const DeliveryRecord &delivery);
    /// record() for many deliveries in few statements; ids in input order.
    Result<QList<qint64>> recordAll(const QList<DeliveryRecord> &deliveries);
    /// Newest first, without bodies; beforeId > 0 continues an earlier page. limit 1..500.
    Result<QList<DeliveryRecord>> list(int limit, qint64 beforeId = 0);
    /// One delivery with its body.
    Result<std::optional<DeliveryRecord>> get(qint64 id);
    /// True when this delivery is the first to claim `key` (atomic, also across instances).
    /// `deliveryId` 0: not recorded yet (linkDedupKey() later).
    Result<bool> claimDedupKey(const QString &key, qint64 deliveryId);
    /// Points a claimed dedup key at the delivery that claimed it (recorded after processing).
    Result<> linkDedupKey(const QString &key, qint64 deliveryId);

    /** What dropBodies() did. */
    struct DroppedBodies
    {
        int cleared = 0;   ///< bodies set to NULL
        qint64 lastId = 0; ///< the last delivery it walked (0: none)
        bool more = false; ///< stopped at `limit` or `maxBytes` with older ones left
    };
    /**
     * Deletes the raw bodies (the row, its outcome, size and hash stay) of deliveries received
     * before `olderThan`, walking ids after `afterId` in order and stopping at the first newer
     * one, after `limit` rows, or once `maxBytes` of bodies are cleared (a 200 KB post-call's
     * body frees ~50 pages; one step must stay a small piece of the writer's work).
     */
    Result<DroppedBodies> dropBodies(const QDateTime &olderThan, qint64 afterId, int limit,
                                     qint64 maxBytes);

private:
    QSqlDatabase m_db;
};

} // namespace callwatch::store
