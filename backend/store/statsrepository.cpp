// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/statsrepository.h"

#include "store/sql.h"

using namespace Qt::StringLiterals;

namespace callwatch::store {

StatsRepository::StatsRepository(QSqlDatabase db) : m_db(std::move(db)) {}

Result<CallStats> StatsRepository::since(const QDateTime &since)
{
    // One pass over the calls index on (status, created_at) plus the events tail.
    auto query =
        sql::exec(m_db, u"stats"_s,
                  u"SELECT "
                  u"(SELECT COUNT(*) FROM calls WHERE status IN ('initiating', 'in_progress')), "
                  u"(SELECT COUNT(*) FROM calls WHERE status = 'completed' AND ended_at >= ?), "
                  u"(SELECT COUNT(*) FROM calls WHERE status = 'failed' AND ended_at >= ?), "
                  u"(SELECT COALESCE(SUM(cost), 0) FROM calls WHERE ended_at >= ?), "
                  u"(SELECT COALESCE(MAX(id), 0) FROM events)"_s,
                  {sql::time(since), sql::time(since), sql::time(since)});
    if (!query)
        return query.error();
    CallStats stats;
    if (query->next()) {
        stats.liveCalls = query->value(0).toLongLong();
        stats.completedToday = query->value(1).toLongLong();
        stats.failedToday = query->value(2).toLongLong();
        stats.costToday = query->value(3).toDouble();
        stats.lastEventId = query->value(4).toLongLong();
    }
    return stats;
}

} // namespace callwatch::store
