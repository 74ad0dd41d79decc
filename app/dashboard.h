// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/apiclient.h"
#include "app/calllistmodel.h"
#include "app/callsummary.h"
#include "app/liveclient.h"
#include "app/tokeninfo.h"
#include "app/transcriptmodel.h"
#include "app/webhookinspector.h"

#include <QDateTime>
#include <QObject>
#include <QSet>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

#include <variant>

class QNetworkAccessManager;

namespace callwatch::app {

/** @brief How to reach a backend: embedded (in-process) or a remote callwatchd. */
struct ServerSession
{
    QString mode; ///< "embedded" or "remote"
    QUrl baseUrl;
    TokenProvider tokenProvider;
    QStringList webhookUrls;
};

/**
 * @brief The controller QML talks to: wires the REST and live clients to the models.
 *
 * Live events are queued and applied once per frame (~16 ms), inside one model batch, so a
 * burst of hundreds of events costs one pass and one dataChanged per touched row. Only the
 * selected call's transcript is kept. A resync (first subscribe, or a resume the server could
 * not serve) reloads live calls, the first page, the stats and the selected call over REST.
 */
class Dashboard : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Created by the application")
    Q_PROPERTY(callwatch::app::CallListModel *calls READ calls CONSTANT)
    Q_PROPERTY(callwatch::app::TranscriptModel *transcript READ transcript CONSTANT)
    Q_PROPERTY(callwatch::app::CallSummary *selectedCall READ selectedCall CONSTANT)
    Q_PROPERTY(callwatch::app::WebhookInspector *inspector READ inspector CONSTANT)

    Q_PROPERTY(QString phase READ phase NOTIFY phaseChanged)
    Q_PROPERTY(QString startupError READ startupError NOTIFY phaseChanged)
    Q_PROPERTY(QString startupErrorCode READ startupErrorCode NOTIFY phaseChanged)
    Q_PROPERTY(int suggestedPort READ suggestedPort NOTIFY phaseChanged)
    Q_PROPERTY(bool embeddedAvailable READ embeddedAvailable NOTIFY phaseChanged)
    Q_PROPERTY(QString mode READ mode NOTIFY sessionChanged)
    Q_PROPERTY(QString serverUrl READ serverUrl NOTIFY sessionChanged)
    Q_PROPERTY(QStringList webhookUrls READ webhookUrls NOTIFY sessionChanged)
    Q_PROPERTY(bool canWrite READ canWrite NOTIFY sessionChanged)

    Q_PROPERTY(QString connectionState READ connectionState NOTIFY connectionChanged)
    Q_PROPERTY(int secondsToRetry READ secondsToRetry NOTIFY connectionChanged)
    Q_PROPERTY(QString connectionDetail READ connectionDetail NOTIFY connectionChanged)
    Q_PROPERTY(QDateTime dataAsOf READ dataAsOf NOTIFY connectionChanged)

    Q_PROPERTY(bool statsLoaded READ statsLoaded NOTIFY statsChanged)
    Q_PROPERTY(qint64 completedToday READ completedToday NOTIFY statsChanged)
    Q_PROPERTY(qint64 failedToday READ failedToday NOTIFY statsChanged)
    Q_PROPERTY(double failureRate READ failureRate NOTIFY statsChanged)
    Q_PROPERTY(double costToday READ costToday NOTIFY statsChanged)

    Q_PROPERTY(QString searchText READ searchText WRITE setSearchText NOTIFY filterChanged)
    Q_PROPERTY(QString statusFilter READ statusFilter WRITE setStatusFilter NOTIFY filterChanged)
    Q_PROPERTY(bool loadingCalls READ loadingCalls NOTIFY callsStateChanged)
    Q_PROPERTY(bool hasMoreCalls READ hasMoreCalls NOTIFY callsStateChanged)
    Q_PROPERTY(QString callsError READ callsError NOTIFY callsStateChanged)
    Q_PROPERTY(bool callsLoadedOnce READ callsLoadedOnce NOTIFY callsStateChanged)
    Q_PROPERTY(QString selectedCallSid READ selectedCallSid NOTIFY selectionChanged)

public:
    static constexpr int FrameMs = 16;
    static constexpr int PageSize = 50;
    static constexpr int MaxLiveCalls = 2000;
    /** Finished calls kept in the list; older ones are paged in again on demand. */
    static constexpr int MaxFinishedCalls = 500;

    explicit Dashboard(QNetworkAccessManager *network, QObject *parent = nullptr);
    ~Dashboard() override;

    /** Connect to a backend: starts the live connection and the REST loads. */
    void attach(const ServerSession &session);
    void detach();
    /** "starting", "ready" or "failed" (the startup screen offers another port or --connect). */
    void setStartupState(const QString &phase, const QString &errorCode = {},
                         const QString &errorMessage = {}, int suggestedPort = 0);
    void setEmbeddedAvailable(bool available);
    void setLiveTiming(const LiveClient::Timing &timing) { m_live.setTiming(timing); }

    CallListModel *calls() { return &m_calls; }
    TranscriptModel *transcript() { return &m_transcript; }
    CallSummary *selectedCall() { return &m_summary; }
    WebhookInspector *inspector() { return &m_inspector; }
    LiveClient *liveClient() { return &m_live; }
    ApiClient *api() { return &m_api; }

    QString phase() const { return m_phase; }
    QString startupError() const { return m_startupError; }
    QString startupErrorCode() const { return m_startupErrorCode; }
    int suggestedPort() const { return m_suggestedPort; }
    bool embeddedAvailable() const { return m_embeddedAvailable; }
    QString mode() const { return m_session.mode; }
    QString serverUrl() const { return m_session.baseUrl.toDisplayString(); }
    QStringList webhookUrls() const { return m_session.webhookUrls; }
    bool canWrite() const { return m_canWrite; }

    QString connectionState() const;
    int secondsToRetry() const { return m_secondsToRetry; }
    QString connectionDetail() const { return m_live.lastError(); }
    QDateTime dataAsOf() const { return m_dataAsOf; }

    bool statsLoaded() const { return m_statsLoaded; }
    qint64 completedToday() const { return m_stats.completedToday; }
    qint64 failedToday() const { return m_stats.failedToday; }
    double failureRate() const { return m_stats.failureRate; }
    double costToday() const { return m_stats.costToday; }

    QString searchText() const { return m_calls.filterText(); }
    void setSearchText(const QString &text);
    QString statusFilter() const { return m_calls.filterStatus(); }
    void setStatusFilter(const QString &status);
    bool loadingCalls() const { return m_loadingCalls > 0; }
    bool hasMoreCalls() const { return !m_nextCursor.isEmpty() || m_restartPaging; }
    QString callsError() const { return m_callsError; }
    bool callsLoadedOnce() const { return m_callsLoadedOnce; }
    QString selectedCallSid() const { return m_selectedSid; }

    Q_INVOKABLE void selectCall(const QString &callSid);
    Q_INVOKABLE void loadMoreCalls();
    Q_INVOKABLE void reload();
    Q_INVOKABLE void retryNow();
    Q_INVOKABLE void startEmbedded(int port);
    Q_INVOKABLE void connectRemote(const QString &url, const QString &token);

    /** Events applied so far (tests and the debug overlay). */
    qint64 appliedEvents() const { return m_appliedEvents; }

Q_SIGNALS:
    void phaseChanged();
    void sessionChanged();
    void connectionChanged();
    void statsChanged();
    void filterChanged();
    void callsStateChanged();
    void selectionChanged();
    /** A short message for a toast: kind is "info", "success" or "error". */
    void notify(const QString &message, const QString &kind);
    void embeddedStartRequested(int port);
    void remoteConnectRequested(const QUrl &url, const QString &token);
    /** Emitted after each applied frame of events (tests wait on it). */
    void eventsApplied();

private:
    using QueuedEvent = std::variant<TranscriptEvent, CallStatusEvent, CallCompletedEvent>;

    void enqueue(QueuedEvent event);
    void flushEvents();
    void applyEvent(const TranscriptEvent &event, QSet<QString> &unknown);
    void applyEvent(const CallStatusEvent &event, QSet<QString> &unknown);
    void applyEvent(const CallCompletedEvent &event, QSet<QString> &unknown);
    void onConnectionStateChanged(LiveClient::State state, int secondsToRetry);
    void loadLiveCalls(const QString &cursor, QSet<QString> seen);
    void reconcileVanishedLiveCalls(const QSet<QString> &stillLive);
    void loadFirstPage();
    void loadStats();
    void loadSelectedCall();
    void fetchCallRow(const QString &callSid);
    void refreshSummary();
    ApiClient::CallQuery currentQuery() const;
    void setCallsLoading(bool loading);
    void trimCalls();

    ApiClient m_api;
    LiveClient m_live;
    CallListModel m_calls;
    TranscriptModel m_transcript;
    CallSummary m_summary;
    WebhookInspector m_inspector;
    ServerSession m_session;
    QObject *m_context = nullptr; ///< parent of in-flight callbacks; replaced on attach/detach

    QList<QueuedEvent> m_pending;
    QTimer m_flushTimer;
    QTimer m_statsTimer;     ///< debounce after completions
    QTimer m_statsPoll;      ///< "today" counters also move without events (midnight)
    QTimer m_filterTimer;    ///< debounce the server-side search
    QTimer m_selectedReload; ///< the post-call transcript after call_completed
    QSet<QString> m_fetchingRows;

    QString m_phase = QStringLiteral("starting");
    QString m_startupError;
    QString m_startupErrorCode;
    int m_suggestedPort = 0;
    bool m_embeddedAvailable = false;
    bool m_canWrite = false;
    LiveClient::State m_state = LiveClient::State::Offline;
    int m_secondsToRetry = 0;
    QDateTime m_dataAsOf;
    DashboardStats m_stats;
    bool m_statsLoaded = false;
    int m_loadingCalls = 0;
    QString m_nextCursor;
    bool m_restartPaging = false; ///< older calls were trimmed: page again from the top
    int m_trims = 0;              ///< a page requested before a trim must not set the cursor
    QString m_callsError;
    bool m_callsLoadedOnce = false;
    int m_queryGeneration = 0;
    QString m_selectedSid;
    qint64 m_appliedEvents = 0;
};

} // namespace callwatch::app
