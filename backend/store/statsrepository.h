// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QSqlDatabase>

namespace callwatch::store {

/** @brief The dashboard header's counts. */
struct CallStats
{
    qint64 liveCalls = 0; ///< initiating or in_progress
    qint64 completedToday = 0;
    qint64 failedToday = 0;
    double costToday = 0;
    qint64 lastEventId = 0;
};

/** @brief Aggregate reads over `calls` and `events` for the dashboard header. */
class StatsRepository
{
public:
    explicit StatsRepository(QSqlDatabase db);
    /** Counts of calls that ended at or after `since` (UTC), and the calls live now. */
    Result<CallStats> since(const QDateTime &since);

private:
    QSqlDatabase m_db;
};

} // namespace callwatch::store
