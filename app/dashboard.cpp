// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/dashboard.h"

#include "app/logging.h"

using namespace Qt::StringLiterals;

namespace callwatch::app {

namespace {
template<class... Ts> struct Overloaded : Ts...
{
    using Ts::operator()...;
};
template<class... Ts> Overloaded(Ts...) -> Overloaded<Ts...>;

QStringList statusesFor(const QString &filter)
{
    if (filter == "live"_L1)
        return {QString::fromLatin1(CallStatus::Initiating),
                QString::fromLatin1(CallStatus::InProgress)};
    if (filter == "completed"_L1 || filter == "failed"_L1)
        return {filter};
    return {};
}
} // namespace

Dashboard::Dashboard(QNetworkAccessManager *network, QObject *parent)
    : QObject(parent), m_api(network), m_context(new QObject(this))
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(FrameMs);
    m_flushTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_flushTimer, &QTimer::timeout, this, &Dashboard::flushEvents);

    m_statsTimer.setSingleShot(true);
    m_statsTimer.setInterval(750);
    connect(&m_statsTimer, &QTimer::timeout, this, &Dashboard::loadStats);
    m_statsPoll.setInterval(60000);
    connect(&m_statsPoll, &QTimer::timeout, this, &Dashboard::loadStats);

    m_filterTimer.setSingleShot(true);
    m_filterTimer.setInterval(300);
    connect(&m_filterTimer, &QTimer::timeout, this, &Dashboard::loadFirstPage);

    m_selectedReload.setSingleShot(true);
    m_selectedReload.setInterval(300);
    connect(&m_selectedReload, &QTimer::timeout, this, &Dashboard::loadSelectedCall);

    connect(&m_live, &LiveClient::transcriptionReceived, this,
            [this](const TranscriptEvent &event) { enqueue(event); });
    connect(&m_live, &LiveClient::callStatusChanged, this,
            [this](const CallStatusEvent &event) { enqueue(event); });
    connect(&m_live, &LiveClient::callCompleted, this,
            [this](const CallCompletedEvent &event) { enqueue(event); });
    connect(&m_live, &LiveClient::connectionStateChanged, this,
            &Dashboard::onConnectionStateChanged);
    connect(&m_live, &LiveClient::resyncRequired, this, [this] {
        // Events queued before the resync are older than what REST will return.
        flushEvents();
        reload();
    });
    connect(&m_live, &LiveClient::serverError, this,
            [this](const QString &, const QString &message) {
                Q_EMIT notify(tr("Live server: %1").arg(message), u"error"_s);
            });
    connect(&m_calls, &CallListModel::liveCountChanged, this, &Dashboard::statsChanged);
    connect(&m_inspector, &WebhookInspector::notify, this, &Dashboard::notify);
    m_inspector.setApi(&m_api);
}

Dashboard::~Dashboard()
{
    m_live.stop();
}

void Dashboard::attach(const ServerSession &session)
{
    detach();
    m_session = session;
    m_api.setBaseUrl(session.baseUrl);
    m_api.setTokenProvider(session.tokenProvider);
    m_live.setServerUrl(session.baseUrl);
    m_live.setTokenProvider(session.tokenProvider);
    const QString token = session.tokenProvider ? session.tokenProvider(false) : QString();
    const TokenInfo info = TokenInfo::fromJwt(token);
    // Without a readable token the server decides; the Replay button then reports its answer.
    m_canWrite = !info.valid || info.hasScope(u"calls:write"_s);
    m_inspector.setCanReplay(m_canWrite);
    Q_EMIT sessionChanged();
    setStartupState(u"ready"_s);
    m_live.start();
    m_statsPoll.start();
    reload();
}

void Dashboard::detach()
{
    m_live.stop();
    m_statsPoll.stop();
    m_pending.clear();
    m_flushTimer.stop();
    delete m_context; // drops every in-flight REST callback of the old session
    m_context = new QObject(this);
    m_fetchingRows.clear();
    m_loadingCalls = 0;
    m_nextCursor.clear();
    m_restartPaging = false;
    m_callsLoadedOnce = false;
    m_calls.clear();
    m_transcript.setCall({});
    m_summary.clear();
    m_selectedSid.clear();
    m_inspector.reset();
    m_stats = {};
    m_statsLoaded = false;
    Q_EMIT statsChanged();
    Q_EMIT selectionChanged();
    Q_EMIT callsStateChanged();
}

void Dashboard::setStartupState(const QString &phase, const QString &errorCode,
                                const QString &errorMessage, int suggestedPort)
{
    m_phase = phase;
    m_startupErrorCode = errorCode;
    m_startupError = errorMessage;
    m_suggestedPort = suggestedPort;
    Q_EMIT phaseChanged();
}

void Dashboard::setEmbeddedAvailable(bool available)
{
    m_embeddedAvailable = available;
    Q_EMIT phaseChanged();
}

QString Dashboard::connectionState() const
{
    switch (m_state) {
    case LiveClient::State::Connecting:
        return u"connecting"_s;
    case LiveClient::State::Live:
        return u"live"_s;
    case LiveClient::State::Reconnecting:
        return u"reconnecting"_s;
    case LiveClient::State::Unauthorized:
        return u"unauthorized"_s;
    case LiveClient::State::Offline:
        break;
    }
    return u"offline"_s;
}

void Dashboard::onConnectionStateChanged(LiveClient::State state, int secondsToRetry)
{
    if (m_state == LiveClient::State::Live && state != LiveClient::State::Live)
        m_dataAsOf = QDateTime::currentDateTimeUtc();
    if (state == LiveClient::State::Live)
        m_dataAsOf = {};
    m_state = state;
    m_secondsToRetry = secondsToRetry;
    Q_EMIT connectionChanged();
}

void Dashboard::retryNow()
{
    m_live.reconnectNow();
}

void Dashboard::startEmbedded(int port)
{
    Q_EMIT embeddedStartRequested(port);
}

void Dashboard::connectRemote(const QString &url, const QString &token)
{
    Q_EMIT remoteConnectRequested(QUrl::fromUserInput(url.trimmed()), token.trimmed());
}

// --- live events ----------------------------------------------------------------------------

void Dashboard::enqueue(QueuedEvent event)
{
    m_pending.append(std::move(event));
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void Dashboard::flushEvents()
{
    m_flushTimer.stop();
    if (m_pending.isEmpty())
        return;
    const QList<QueuedEvent> events = std::exchange(m_pending, {});
    QSet<QString> unknown;
    m_calls.beginBatch();
    for (const QueuedEvent &event : events)
        std::visit([&](const auto &e) { applyEvent(e, unknown); }, event);
    m_calls.endBatch();
    trimCalls();
    m_appliedEvents += events.size();
    refreshSummary();
    for (const QString &callSid : std::as_const(unknown))
        fetchCallRow(callSid);
    Q_EMIT eventsApplied();
}

void Dashboard::trimCalls()
{
    // Left open all day, the list would keep every call the live feed ever brought. Past the
    // cap (plus some slack, so this runs once per many calls) the oldest finished calls go;
    // "Load older calls" then pages from the top again, so no call in between is skipped
    // (rows still shown merge in place).
    constexpr int Slack = 50;
    if (m_calls.totalCount() - m_calls.liveCount() <= MaxFinishedCalls + Slack)
        return;
    if (m_calls.trimFinished(MaxFinishedCalls, m_selectedSid) > 0) {
        ++m_trims;
        m_restartPaging = true;
        Q_EMIT callsStateChanged();
    }
}

void Dashboard::applyEvent(const TranscriptEvent &event, QSet<QString> &unknown)
{
    if (m_calls.applyTranscription(event))
        unknown.insert(event.callSid);
    if (event.callSid == m_selectedSid)
        m_transcript.applyLive(event);
}

void Dashboard::applyEvent(const CallStatusEvent &event, QSet<QString> &unknown)
{
    if (m_calls.applyStatus(event))
        unknown.insert(event.callSid);
    if (!isLiveStatus(event.status))
        m_statsTimer.start();
}

void Dashboard::applyEvent(const CallCompletedEvent &event, QSet<QString> &unknown)
{
    if (m_calls.applyCompleted(event))
        unknown.insert(event.callSid);
    m_statsTimer.start();
    if (event.callSid == m_selectedSid)
        m_selectedReload.start(); // the post-call transcript replaces the live one
}

void Dashboard::refreshSummary()
{
    if (m_selectedSid.isEmpty())
        return;
    if (const CallRecord *record = m_calls.find(m_selectedSid))
        m_summary.setCall(*record);
}

// --- REST loads -----------------------------------------------------------------------------

void Dashboard::reload()
{
    if (!m_session.baseUrl.isValid())
        return;
    ++m_queryGeneration;
    loadLiveCalls(QString(), {});
    loadFirstPage();
    loadStats();
    loadSelectedCall();
}

void Dashboard::loadLiveCalls(const QString &cursor, QSet<QString> seen)
{
    // Every live call, whatever the first page holds: a supervisor must see all of them.
    ApiClient::CallQuery query;
    query.statuses = statusesFor(u"live"_s);
    query.limit = 500;
    query.cursor = cursor;
    setCallsLoading(true);
    m_api.fetchCalls(query, m_context, [this, seen](Result<CallPage> page) mutable {
        setCallsLoading(false);
        if (!page) {
            m_callsError = page.error().message;
            Q_EMIT callsStateChanged();
            return;
        }
        m_calls.mergeCalls(page->calls);
        for (const CallRecord &call : page->calls)
            seen.insert(call.callSid);
        if (!page->nextCursor.isEmpty() && seen.size() < MaxLiveCalls)
            return loadLiveCalls(page->nextCursor, seen);
        reconcileVanishedLiveCalls(seen);
        refreshSummary();
    });
}

void Dashboard::reconcileVanishedLiveCalls(const QSet<QString> &stillLive)
{
    // Calls we show as live that the server no longer lists as live ended during a gap.
    const QStringList shownLive = m_calls.liveCallSids();
    for (const QString &sid : shownLive) {
        if (!stillLive.contains(sid))
            fetchCallRow(sid);
    }
}

ApiClient::CallQuery Dashboard::currentQuery() const
{
    ApiClient::CallQuery query;
    query.statuses = statusesFor(m_calls.filterStatus());
    query.text = m_calls.filterText();
    query.limit = PageSize;
    return query;
}

void Dashboard::loadFirstPage()
{
    const int generation = ++m_queryGeneration;
    setCallsLoading(true);
    m_api.fetchCalls(currentQuery(), m_context, [this, generation](Result<CallPage> page) {
        setCallsLoading(false);
        if (generation != m_queryGeneration)
            return; // the filter changed meanwhile; a newer query is on its way
        if (!page) {
            m_callsError = page.error().message;
            Q_EMIT callsStateChanged();
            return;
        }
        m_callsError.clear();
        m_calls.mergeCalls(page->calls);
        m_nextCursor = page->nextCursor;
        m_restartPaging = false;
        m_callsLoadedOnce = true;
        refreshSummary();
        Q_EMIT callsStateChanged();
    });
}

void Dashboard::loadMoreCalls()
{
    if (!hasMoreCalls() || m_loadingCalls > 0)
        return;
    ApiClient::CallQuery query = currentQuery();
    query.cursor = m_restartPaging ? QString() : m_nextCursor;
    const int generation = m_queryGeneration;
    const int trims = m_trims;
    setCallsLoading(true);
    m_api.fetchCalls(query, m_context, [this, generation, trims](Result<CallPage> page) {
        setCallsLoading(false);
        if (generation != m_queryGeneration)
            return;
        if (!page) {
            Q_EMIT notify(tr("Could not load older calls: %1").arg(page.error().message),
                          u"error"_s);
            return;
        }
        const int before = m_calls.totalCount();
        m_calls.mergeCalls(page->calls);
        if (trims != m_trims) {
            // Calls above this page were trimmed meanwhile: its cursor would skip them.
            Q_EMIT callsStateChanged();
            return;
        }
        m_nextCursor = page->nextCursor;
        m_restartPaging = false;
        Q_EMIT callsStateChanged();
        // Paging again after a trim: skip the pages that only held rows still shown.
        if (m_calls.totalCount() == before && !m_nextCursor.isEmpty())
            loadMoreCalls();
    });
}

void Dashboard::loadStats()
{
    m_api.fetchStats(m_context, [this](Result<DashboardStats> stats) {
        if (!stats)
            return; // the header keeps the last known numbers; the connection pill tells why
        m_stats = stats.value();
        m_statsLoaded = true;
        Q_EMIT statsChanged();
    });
}

void Dashboard::fetchCallRow(const QString &callSid)
{
    if (m_fetchingRows.contains(callSid))
        return;
    m_fetchingRows.insert(callSid);
    m_api.fetchCall(callSid, m_context, [this, callSid](Result<CallDetail> detail) {
        m_fetchingRows.remove(callSid);
        if (!detail)
            return;
        m_calls.mergeCalls({detail->call});
        if (callSid == m_selectedSid)
            m_transcript.mergeHistory(detail->transcript);
        refreshSummary();
    });
}

void Dashboard::selectCall(const QString &callSid)
{
    if (callSid == m_selectedSid)
        return;
    m_selectedSid = callSid;
    m_transcript.setCall(callSid);
    if (const CallRecord *record = m_calls.find(callSid))
        m_summary.setCall(*record);
    else
        m_summary.clear();
    Q_EMIT selectionChanged();
    loadSelectedCall();
}

void Dashboard::loadSelectedCall()
{
    if (m_selectedSid.isEmpty())
        return;
    const QString callSid = m_selectedSid;
    m_summary.setLoading(true);
    m_api.fetchCall(callSid, m_context, [this, callSid](Result<CallDetail> detail) {
        if (callSid != m_selectedSid)
            return;
        m_summary.setLoading(false);
        if (!detail) {
            Q_EMIT notify(tr("Could not load the call: %1").arg(detail.error().message),
                          u"error"_s);
            return;
        }
        m_calls.mergeCalls({detail->call});
        m_transcript.mergeHistory(detail->transcript);
        refreshSummary();
    });
}

void Dashboard::setSearchText(const QString &text)
{
    if (text.trimmed() == m_calls.filterText())
        return;
    m_calls.setFilter(text, m_calls.filterStatus());
    Q_EMIT filterChanged();
    m_nextCursor.clear();
    m_restartPaging = false;
    m_filterTimer.start();
}

void Dashboard::setStatusFilter(const QString &status)
{
    if (status == m_calls.filterStatus())
        return;
    m_calls.setFilter(m_calls.filterText(), status);
    Q_EMIT filterChanged();
    m_nextCursor.clear();
    m_restartPaging = false;
    m_filterTimer.start();
}

void Dashboard::setCallsLoading(bool loading)
{
    m_loadingCalls = std::max(0, m_loadingCalls + (loading ? 1 : -1));
    Q_EMIT callsStateChanged();
}

} // namespace callwatch::app
