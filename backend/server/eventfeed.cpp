// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/eventfeed.h"

#include "store/database.h"
#include "store/eventlog.h"

#include <QLoggingCategory>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

Q_LOGGING_CATEGORY(lcEventFeed, "callwatch.live.feed")

using namespace Qt::StringLiterals;

namespace callwatch::server {

namespace {
// Commits arrive up to ~2,000 times a second under load; reading once per commit cost the hub
// thread more than the events it read. Waiting this long first reads several commits at once
// (live delivery's budget is 50 ms at p99).
constexpr std::chrono::milliseconds kCoalesce{2};
// While an id is missing: how soon to look again (a transaction that took it usually commits
// within milliseconds).
constexpr std::chrono::milliseconds kGapRecheck{5};
constexpr int PageSize = 1000;
} // namespace

EventFeed::EventFeed(store::Database *database, Sink sink, QObject *parent)
    : QObject(parent), m_database(database), m_sink(std::move(sink)), m_poll(this),
      m_gapRecheck(this)
{
    connect(&m_poll, &QTimer::timeout, this, &EventFeed::pump);
    m_gapRecheck.setSingleShot(true);
    connect(&m_gapRecheck, &QTimer::timeout, this, &EventFeed::pump);
}

Result<> EventFeed::start(int pollIntervalMs)
{
    auto last = store::EventLog(m_database->connection()).liveStartId();
    if (!last)
        return last.error();
    m_lastId = last.value();
    m_poll.start(pollIntervalMs);
    return {};
}

void EventFeed::requestPump()
{
    if (m_pending)
        return;
    m_pending = true;
    QTimer::singleShot(kCoalesce, this, [this] {
        m_pending = false;
        pump();
    });
}

void EventFeed::localCommit()
{
    m_notifyOthers = m_listening;
    requestPump();
}

void EventFeed::listenForOtherWriters()
{
    m_listening = true;
    QSqlDatabase db = m_database->connection();
    subscribe(db);
}

void EventFeed::subscribe(QSqlDatabase &db)
{
    QSqlDriver *driver = db.driver();
    if (store::Database::dialectOf(db) != store::Dialect::Postgresql || !driver ||
        !driver->hasFeature(QSqlDriver::EventNotifications))
        return;
    const QString channel = QString::fromLatin1(NotifyChannel);
    if (driver->subscribedToNotifications().contains(channel))
        return;
    // The driver unsubscribes when its connection is reopened; the signal connection stays
    // (UniqueConnection: one, however often this runs).
    connect(driver, &QSqlDriver::notification, this, &EventFeed::onNotification,
            Qt::UniqueConnection);
    if (!driver->subscribeToNotification(channel))
        qCWarning(lcEventFeed) << "cannot LISTEN for other instances' events; they arrive at "
                                  "the next poll instead";
}

void EventFeed::onNotification(const QString &channel, QSqlDriver::NotificationSource source)
{
    // Our own NOTIFY comes back too; what it announces was read already.
    if (channel == QLatin1StringView(NotifyChannel) && source != QSqlDriver::SelfSource)
        requestPump();
}

void EventFeed::wakeOtherInstances(QSqlDatabase &db)
{
    if (store::Database::dialectOf(db) != store::Dialect::Postgresql)
        return;
    // One statement, its own transaction; set_config(…, true) lasts for that transaction only.
    QSqlQuery notify(db);
    if (!notify.exec(
            u"SELECT set_config('synchronous_commit', 'off', true), pg_notify('%1', '')"_s.arg(
                QLatin1StringView(NotifyChannel))))
        qCWarning(lcEventFeed) << "could not wake the other instances' feeds:"
                               << notify.lastError().text();
}

void EventFeed::pump()
{
    QSqlDatabase db = m_database->connection();
    if (m_listening)
        subscribe(db);
    if (m_notifyOthers) {
        m_notifyOthers = false;
        wakeOtherInstances(db);
    }
    store::EventLog log(db);
    for (;;) {
        if (m_awaiting) {
            if (!pumpPastGap(log))
                return;
            continue;
        }
        // Payload text as stored: the hub sends it on without parsing it (eventMessage()).
        auto page = log.readAfter(m_lastId, PageSize, store::EventLog::Payload::Text);
        if (!page) {
            qCWarning(lcEventFeed) << "could not read events:" << page.error().message;
            return;
        }
        QList<qint64> ids;
        ids.reserve(page->size());
        for (const EventRecord &event : std::as_const(page.value()))
            ids << event.id;
        const qsizetype ready = deliverable(ids, log);
        const bool full = page->size() == PageSize;
        page->resize(ready);
        deliver(std::move(page.value()));
        if (m_awaiting) {
            m_gapRecheck.start(kGapRecheck);
            return;
        }
        if (!full)
            return;
    }
}

bool EventFeed::pumpPastGap(store::EventLog &log)
{
    auto ids = log.idsAfter(m_lastId, PageSize);
    if (!ids) {
        qCWarning(lcEventFeed) << "could not read event ids:" << ids.error().message;
        return false;
    }
    const qsizetype ready = deliverable(ids.value(), log);
    if (ready == 0) {
        if (m_awaiting)
            m_gapRecheck.start(kGapRecheck);
        return false;
    }
    // Up to the last id that may go out; a missing one that commits meanwhile comes along.
    const qint64 upTo = ids->at(ready - 1);
    auto page = log.readAfter(m_lastId, int(ready), store::EventLog::Payload::Text);
    if (!page) {
        qCWarning(lcEventFeed) << "could not read events:" << page.error().message;
        return false;
    }
    while (!page->isEmpty() && page->last().id > upTo)
        page->removeLast();
    deliver(std::move(page.value()));
    return true;
}

void EventFeed::deliver(QList<EventRecord> events)
{
    if (events.isEmpty())
        return;
    m_lastId = events.last().id;
    const auto passed = std::find_if(m_sightings.begin(), m_sightings.end(),
                                     [this](const Sighting &s) { return s.id > m_lastId; });
    m_sightings.erase(m_sightings.begin(), passed);
    m_sink(events);
}

void EventFeed::keepDelivered(QList<EventRecord> &events) const
{
    const qint64 delivered = lastDeliveredId();
    while (!events.isEmpty() && events.last().id > delivered)
        events.removeLast();
}

qsizetype EventFeed::deliverable(const QList<qint64> &ids, store::EventLog &log)
{
    qint64 expected = m_lastId + 1;
    bool noted = false;
    m_awaiting = false;
    for (qsizetype i = 0; i < ids.size(); ++i) {
        const qint64 id = ids.at(i);
        if (id > expected) {
            if (!noted) { // holes: since when has a newer id been stored, beyond this read too?
                noteNewest(log, ids.constLast());
                noted = true;
            }
            if (missingForMs(id - 1) < m_gapWait.count()) {
                m_awaiting = true;
                return i; // everything from here on waits
            }
            ++m_gapsSkipped;
            qCDebug(lcEventFeed) << "event ids" << expected << "to" << id - 1
                                 << "never committed; going on from" << id;
        }
        expected = id + 1;
    }
    return ids.size();
}

void EventFeed::noteNewest(store::EventLog &log, qint64 atLeast)
{
    auto newest = log.lastId();
    const qint64 id = std::max(atLeast, newest ? newest.value() : 0);
    if (!m_sightings.empty() && id <= m_sightings.back().id)
        return;
    Sighting sighting{id, {}};
    sighting.since.start();
    m_sightings.push_back(sighting);
}

qint64 EventFeed::missingForMs(qint64 lastMissing) const
{
    // Sightings ascend in id and in time: the first one above the hole is the earliest.
    for (const Sighting &sighting : m_sightings) {
        if (sighting.id > lastMissing)
            return sighting.since.elapsed();
    }
    return 0;
}

} // namespace callwatch::server
