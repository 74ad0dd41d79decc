// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/deliverymodel.h"

#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QtQml/qqmlregistration.h>
#include <QVariantMap>

namespace callwatch::app {

class ApiClient;

/**
 * @brief The webhook inspector: the recorded deliveries (refreshed while visible), the selected
 * delivery's raw body pretty-printed, and Replay (needs the calls:write scope).
 */
class WebhookInspector : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by the Dashboard")
    Q_PROPERTY(callwatch::app::DeliveryModel *deliveries READ deliveries CONSTANT)
    Q_PROPERTY(bool active READ active WRITE setActive NOTIFY activeChanged)
    Q_PROPERTY(bool loading READ loading NOTIFY stateChanged)
    Q_PROPERTY(bool hasMore READ hasMore NOTIFY stateChanged)
    Q_PROPERTY(QString error READ error NOTIFY stateChanged)
    Q_PROPERTY(qint64 selectedId READ selectedId NOTIFY selectionChanged)
    Q_PROPERTY(QVariantMap selected READ selected NOTIFY selectionChanged)
    Q_PROPERTY(QString body READ body NOTIFY selectionChanged)
    Q_PROPERTY(bool bodyLoading READ bodyLoading NOTIFY selectionChanged)
    Q_PROPERTY(bool canReplay READ canReplay NOTIFY canReplayChanged)
    Q_PROPERTY(bool replaying READ replaying NOTIFY replayingChanged)
public:
    static constexpr int PageSize = 50;
    static constexpr int RefreshIntervalMs = 10000;
    /** Bodies past this size are cut for display; the inspector is not a file viewer. */
    static constexpr qsizetype MaxShownBody = 512 * 1024;

    explicit WebhookInspector(QObject *parent = nullptr);

    void setApi(ApiClient *api);
    void setCanReplay(bool canReplay);
    /** Forget everything (another server). */
    void reset();

    DeliveryModel *deliveries() { return &m_deliveries; }
    bool active() const { return m_active; }
    void setActive(bool active);
    bool loading() const { return m_loading; }
    bool hasMore() const { return m_nextBefore.has_value(); }
    QString error() const { return m_error; }
    qint64 selectedId() const { return m_selectedId; }
    QVariantMap selected() const;
    QString body() const { return m_body; }
    bool bodyLoading() const { return m_bodyLoading; }
    bool canReplay() const { return m_canReplay; }
    bool replaying() const { return m_replaying; }

    Q_INVOKABLE void refresh();
    Q_INVOKABLE void loadMore();
    Q_INVOKABLE void select(qint64 id);
    Q_INVOKABLE void replay(qint64 id);

    /** Pretty-printed JSON when the body is JSON, else the text as received. */
    static QString displayBody(const QByteArray &body);

Q_SIGNALS:
    void activeChanged();
    void stateChanged();
    void selectionChanged();
    void canReplayChanged();
    void replayingChanged();
    void notify(const QString &message, const QString &kind);

private:
    void setLoading(bool loading);

    QPointer<ApiClient> m_api;
    DeliveryModel m_deliveries;
    QTimer m_refreshTimer;
    QObject *m_context = nullptr; ///< replies for a reset inspector are dropped with it
    bool m_active = false;
    bool m_loading = false;
    std::optional<qint64> m_nextBefore;
    bool m_loadedOnce = false;
    QString m_error;
    qint64 m_selectedId = -1;
    QString m_body;
    bool m_bodyLoading = false;
    bool m_canReplay = false;
    bool m_replaying = false;
};

} // namespace callwatch::app
