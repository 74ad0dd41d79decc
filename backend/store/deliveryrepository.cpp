// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/deliveryrepository.h"

#include "store/database.h"
#include "store/sql.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace callwatch::store {

namespace {

constexpr int kMaxList = 500;

// Columns in the order fromRow() reads them; the body is appended when wanted.
const QString kColumns =
    u"id, received_at, route, event_type, signature_header, headers, body_path, body_size, "
    "body_sha256, verification, outcome, http_status, error_code, error_message, dedup_key, "
    "call_sid, conversation_id, processed_at"_s;

DeliveryRecord fromRow(const QSqlQuery &row)
{
    DeliveryRecord d;
    d.id = row.value(0).toLongLong();
    d.receivedAt = sql::toTime(row.value(1));
    d.route = row.value(2).toString();
    d.eventType = row.value(3).toString();
    d.signatureHeader = row.value(4).toString();
    d.headers = sql::toJsonObject(row.value(5));
    d.bodyPath = row.value(6).toString();
    d.bodySize = row.value(7).toLongLong();
    d.bodySha256 = row.value(8).toString();
    d.verification = row.value(9).toString();
    d.outcome = row.value(10).toString();
    if (const auto status = sql::toOptionalInt(row.value(11)))
        d.httpStatus = int(*status);
    d.errorCode = row.value(12).toString();
    d.errorMessage = row.value(13).toString();
    d.dedupKey = row.value(14).toString();
    d.callSid = row.value(15).toString();
    d.conversationId = row.value(16).toString();
    d.processedAt = sql::toTime(row.value(17));
    return d;
}

QVariant optionalInt(const std::optional<int> &value)
{
    return value ? QVariant(*value) : QVariant();
}

} // namespace

DeliveryRepository::DeliveryRepository(QSqlDatabase db) : m_db(std::move(db)) {}

namespace {

const QString kInsertColumns =
    u"INSERT INTO webhook_deliveries (received_at, route, event_type, signature_header, "
    "headers, body, body_path, body_size, body_sha256, verification, outcome, http_status, "
    "error_code, error_message, dedup_key, call_sid, conversation_id, processed_at) VALUES "_s;
constexpr int kInsertColumnCount = 18;

void appendRowValues(QVariantList &values, const DeliveryRecord &d)
{
    const QDateTime receivedAt = d.receivedAt.isValid() ? d.receivedAt : sql::nowUtc();
    values << sql::timeText(receivedAt) << d.route << sql::text(d.eventType)
           << sql::text(d.signatureHeader)
           << (d.headersText.isEmpty() ? sql::json(d.headers) : sql::jsonFromText(d.headersText))
           << (d.body.isEmpty() ? QVariant() : QVariant(d.body)) << sql::text(d.bodyPath)
           << d.bodySize << sql::text(d.bodySha256) << d.verification << d.outcome
           << optionalInt(d.httpStatus) << sql::text(d.errorCode) << sql::text(d.errorMessage)
           << sql::text(d.dedupKey) << sql::text(d.callSid) << sql::text(d.conversationId)
           << sql::time(d.processedAt);
}

} // namespace

Result<qint64> DeliveryRepository::record(const DeliveryRecord &d)
{
    QVariantList values;
    appendRowValues(values, d);
    auto id = sql::scalar(
        m_db, u"record_delivery"_s,
        kInsertColumns + sql::valueRows(1, kInsertColumnCount) + u" RETURNING id"_s, values);
    if (!id)
        return id.error();
    if (!id->has_value())
        return Error{u"database_error"_s, u"Statement record_delivery returned no id."_s};
    return id->value().toLongLong();
}

Result<QList<qint64>> DeliveryRepository::recordAll(const QList<DeliveryRecord> &deliveries)
{
    QList<qint64> ids;
    ids.reserve(deliveries.size());
    for (qsizetype from = 0; from < deliveries.size(); from += sql::kRowsPerStatement) {
        const qsizetype rows = std::min(sql::kRowsPerStatement, deliveries.size() - from);
        QVariantList values;
        values.reserve(rows * kInsertColumnCount);
        for (qsizetype i = from; i < from + rows; ++i)
            appendRowValues(values, deliveries.at(i));
        if (Database::dialectOf(m_db) == Dialect::Sqlite) {
            // No RETURNING: the statement runs through SQLite's C API (sql::runWithLastId), and
            // an AUTOINCREMENT table gives one statement's rows consecutive ids in VALUES order.
            auto ran = sql::runWithLastId(m_db, u"record_deliveries"_s,
                                          kInsertColumns + sql::valueRows(rows, kInsertColumnCount),
                                          values);
            if (!ran)
                return ran.error();
            if (ran->affected != rows || ran->lastInsertId < rows)
                return Error{
                    u"database_error"_s,
                    u"Statement record_deliveries wrote %1 rows of %2."_s.arg(ran->affected)
                        .arg(rows)};
            for (qint64 id = ran->lastInsertId - rows + 1; id <= ran->lastInsertId; ++id)
                ids << id;
            continue;
        }
        auto query = sql::exec(
            m_db, u"record_deliveries"_s,
            kInsertColumns + sql::valueRows(rows, kInsertColumnCount) + u" RETURNING id"_s, values);
        if (!query)
            return query.error();
        QList<qint64> chunk;
        while (query->next())
            chunk << query->value(0).toLongLong();
        query->finish();
        if (chunk.size() != rows)
            return Error{u"database_error"_s, u"Statement record_deliveries returned %1 ids for "
                                              "%2 rows."_s.arg(chunk.size())
                                                  .arg(rows)};
        // RETURNING order is unspecified, but one statement's rows take ascending ids in
        // VALUES order (SQLite: max+1 per row; PostgreSQL: nextval per row, in order).
        std::sort(chunk.begin(), chunk.end());
        ids << chunk;
    }
    return ids;
}

Result<QList<DeliveryRecord>> DeliveryRepository::list(int limit, qint64 beforeId)
{
    QString statement = u"SELECT "_s + kColumns + u" FROM webhook_deliveries"_s;
    QVariantList values;
    if (beforeId > 0) {
        statement += u" WHERE id < ?"_s;
        values << beforeId;
    }
    statement += u" ORDER BY id DESC LIMIT ?"_s;
    values << std::clamp(limit, 1, kMaxList);
    auto query = sql::exec(m_db, u"list_deliveries"_s, statement, values);
    if (!query)
        return query.error();
    QList<DeliveryRecord> deliveries;
    while (query->next())
        deliveries << fromRow(query.value());
    return deliveries;
}

Result<std::optional<DeliveryRecord>> DeliveryRepository::get(qint64 id)
{
    auto query =
        sql::exec(m_db, u"get_delivery"_s,
                  u"SELECT "_s + kColumns + u", body FROM webhook_deliveries WHERE id = ?"_s, {id});
    if (!query)
        return query.error();
    std::optional<DeliveryRecord> delivery;
    if (query->next()) {
        delivery = fromRow(query.value());
        delivery->body = query->value(18).toByteArray();
    }
    return delivery;
}

Result<> DeliveryRepository::linkDedupKey(const QString &key, qint64 deliveryId)
{
    auto updated = sql::run(m_db, u"link_dedup_key"_s,
                            u"UPDATE webhook_dedup SET delivery_id = ? WHERE dedup_key = ?"_s,
                            {deliveryId, key});
    if (!updated)
        return updated.error();
    if (updated.value() != 1)
        return Error{u"not_found"_s, u"No dedup key %1 to link."_s.arg(key)};
    return {};
}

Result<bool> DeliveryRepository::claimDedupKey(const QString &key, qint64 deliveryId)
{
    if (key.isEmpty())
        return Error{u"invalid_dedup_key"_s, u"A dedup key must not be empty."_s};
    auto inserted = sql::run(
        m_db, u"claim_dedup_key"_s,
        u"INSERT INTO webhook_dedup (dedup_key, delivery_id, created_at) "
        "VALUES (?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING"_s,
        {key, deliveryId > 0 ? QVariant(deliveryId) : QVariant(), sql::timeText(sql::nowUtc())});
    if (!inserted)
        return inserted.error();
    return inserted.value() == 1;
}

Result<DeliveryRepository::DroppedBodies> DeliveryRepository::dropBodies(const QDateTime &olderThan,
                                                                         qint64 afterId, int limit,
                                                                         qint64 maxBytes)
{
    DroppedBodies dropped;
    qint64 lastOld = 0;
    qint64 bytes = 0;
    int walked = 0;
    bool stopped = false; // a newer delivery, or the byte budget
    auto read = sql::forEachRow(
        m_db, u"inbox_bodies_after"_s,
        // length(body), not body_size: SQLite reads a blob's length from the row's header, but
        // body_size comes after body, and reading it walks the body's overflow pages (a
        // 200 KB body is ~50 of them). PostgreSQL reads it from the TOAST header.
        u"SELECT id, CASE WHEN received_at < ? THEN 1 ELSE 0 END, COALESCE(length(body), 0) "
        u"FROM webhook_deliveries WHERE id > ? ORDER BY id LIMIT ?"_s,
        {sql::timeText(olderThan), afterId, std::max(limit, 1)}, [&](const sql::RowView &row) {
            if (stopped)
                return;
            if (row.integer(1) == 0 || (bytes >= maxBytes && lastOld > 0)) {
                stopped = true;
                dropped.more = row.integer(1) != 0;
                return;
            }
            lastOld = row.integer(0);
            bytes += row.integer(2);
            ++walked;
        });
    if (!read)
        return read.error();
    if (!stopped && walked == std::max(limit, 1))
        dropped.more = true;
    if (lastOld == 0)
        return dropped;
    auto cleared = sql::run(m_db, u"drop_inbox_bodies"_s,
                            u"UPDATE webhook_deliveries SET body = NULL WHERE id > ? AND id <= ? "
                            u"AND body IS NOT NULL"_s,
                            {afterId, lastOld});
    if (!cleared)
        return cleared.error();
    dropped.cleared = cleared.value();
    dropped.lastId = lastOld;
    return dropped;
}

} // namespace callwatch::store
