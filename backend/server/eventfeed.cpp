// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/eventfeed.h"

#include "store/database.h"
#include "store/eventlog.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcEventFeed, "callwatch.live.feed")

namespace callwatch::server {

namespace {
// Commits arrive up to ~2,000 times a second under load; reading once per commit cost the hub
// thread more than the events it read. Waiting this long first reads several commits at once
// (live delivery's budget is 50 ms at p99).
constexpr std::chrono::milliseconds kCoalesce{2};
} // namespace

EventFeed::EventFeed(store::Database *database, Sink sink, QObject *parent)
    : QObject(parent), m_database(database), m_sink(std::move(sink)), m_poll(this)
{
    connect(&m_poll, &QTimer::timeout, this, &EventFeed::pump);
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

void EventFeed::pump()
{
    constexpr int PageSize = 1000;
    store::EventLog log(m_database->connection());
    for (;;) {
        // Payload text as stored: the hub sends it on without parsing it (eventMessage()).
        auto page = log.readAfter(m_lastId, PageSize, store::EventLog::Payload::Text);
        if (!page) {
            qCWarning(lcEventFeed) << "could not read events:" << page.error().message;
            return;
        }
        if (page->isEmpty())
            return;
        m_lastId = page->last().id;
        m_sink(page.value());
        if (page->size() < PageSize)
            return;
    }
}

} // namespace callwatch::server
