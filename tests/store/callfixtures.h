// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/eventrecord.h"
#include "store/callrecord.h"
#include "store/eventlog.h"
#include "store/sql.h"

#include <QSqlDatabase>

/// Small builders shared by the call repository tests.
namespace callwatch::store::test {

using namespace Qt::StringLiterals;

inline QList<EventRecord> allEvents(QSqlDatabase db)
{
    auto events = EventLog(db).readAfter(0, 1000);
    return events ? events.value() : QList<EventRecord>{};
}

inline NewCall newCall(const QString &sid, const QString &driver = u"drv-1"_s)
{
    NewCall call;
    call.callSid = sid;
    call.agentId = u"agent-1"_s;
    call.driverId = driver;
    call.toNumber = u"+15550001111"_s;
    call.direction = u"outbound"_s;
    return call;
}

inline NewTurn turn(const QString &key, const QString &message, const QString &speaker = u"agent"_s)
{
    NewTurn t;
    t.speaker = speaker;
    t.message = message;
    t.turnKey = key;
    return t;
}

inline int countRows(QSqlDatabase db, const QString &statement)
{
    auto value = sql::scalar(db, u"count"_s, statement);
    return value ? value->value_or(QVariant(-1)).toInt() : -1;
}

} // namespace callwatch::store::test
