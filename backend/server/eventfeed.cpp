// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/eventfeed.h"

#include "store/database.h"
#include "store/eventlog.h"

#include <QLoggingCategory>
#include <QSqlDriver>

Q_LOGGING_CATEGORY(lcEventFeed, "callwatch.live.feed")

namespace callwatch::server {

namespace {
// Commits arrive up to ~2,000 times a second under load; reading once per commit cost the hub
// thread more than the events it read. Waiting this long first reads several commits at once
// (live delivery's budget is 50 ms at p99).
constexpr std::chrono::milliseconds kCoalesce{2};
// While an id is missing: how soon to look again (a transaction that took it usually commits
// within milliseconds).
constexpr std::chrono::milliseconds kGapRecheck{5};
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
    auto last = store::EventLog(m_database->connection()).lastId();
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
    // The driver object is new after a reconnect; a connection to it per driver, then.
    connect(driver, &QSqlDriver::notification, this, &EventFeed::onNotification,
            Qt::UniqueConnection);
    if (!driver->subscribeToNotification(channel))
        qCWarning(lcEventFeed) << "cannot LISTEN for other instances' events; they arrive at "
                                  "the next poll instead";
}

void EventFeed::onNotification(const QString &channel)
{
    if (channel == QLatin1StringView(NotifyChannel))
        requestPump();
}

void EventFeed::pump()
{
    constexpr int PageSize = 1000;
    QSqlDatabase db = m_database->connection();
    if (m_listening)
        subscribe(db);
    store::EventLog log(db);
    for (;;) {
        // Payload text as stored: the hub sends it on without parsing it (eventMessage()).
        auto page = log.readAfter(m_lastId, PageSize, store::EventLog::Payload::Text);
        if (!page) {
            qCWarning(lcEventFeed) << "could not read events:" << page.error().message;
            return;
        }
        if (page->isEmpty())
            return;
        const qsizetype ready = deliverable(page.value());
        if (ready > 0) {
            m_lastId = page->at(ready - 1).id;
            m_sink(ready == page->size() ? page.value() : page->first(ready));
        }
        if (ready < page->size()) {
            m_gapRecheck.start(kGapRecheck);
            return;
        }
        if (page->size() < PageSize)
            return;
    }
}

void EventFeed::keepDelivered(QList<EventRecord> &events) const
{
    const qint64 delivered = lastDeliveredId();
    while (!events.isEmpty() && events.last().id > delivered)
        events.removeLast();
}

qsizetype EventFeed::deliverable(const QList<EventRecord> &page)
{
    qint64 expected = m_lastId + 1;
    for (qsizetype i = 0; i < page.size(); ++i) {
        const qint64 id = page.at(i).id;
        if (id != expected) {
            if (m_awaitedId != expected) { // a new gap: wait for it
                m_awaitedId = expected;
                m_awaitedSince.start();
            }
            if (m_awaitedSince.elapsed() < m_gapWait.count())
                return i;
            ++m_gapsSkipped;
            qCDebug(lcEventFeed) << "event ids" << expected << "to" << id - 1
                                 << "never committed; going on from" << id;
        }
        expected = id + 1;
    }
    m_awaitedId = 0;
    return page.size();
}

} // namespace callwatch::server
