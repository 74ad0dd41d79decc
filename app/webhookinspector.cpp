// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/webhookinspector.h"

#include "app/apiclient.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace callwatch::app {

WebhookInspector::WebhookInspector(QObject *parent) : QObject(parent), m_context(new QObject(this))
{
    m_refreshTimer.setInterval(RefreshIntervalMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &WebhookInspector::refresh);
}

void WebhookInspector::setApi(ApiClient *api)
{
    m_api = api;
}

void WebhookInspector::setCanReplay(bool canReplay)
{
    if (canReplay == m_canReplay)
        return;
    m_canReplay = canReplay;
    Q_EMIT canReplayChanged();
}

void WebhookInspector::reset()
{
    delete m_context;
    m_context = new QObject(this);
    m_deliveries.clear();
    m_nextBefore.reset();
    m_loadedOnce = false;
    m_error.clear();
    m_loading = false;
    m_selectedId = -1;
    m_body.clear();
    m_bodyLoading = false;
    Q_EMIT stateChanged();
    Q_EMIT selectionChanged();
    if (m_replaying) {
        m_replaying = false;
        Q_EMIT replayingChanged();
    }
}

void WebhookInspector::setActive(bool active)
{
    if (active == m_active)
        return;
    m_active = active;
    if (active) {
        refresh();
        m_refreshTimer.start();
    } else {
        m_refreshTimer.stop();
    }
    Q_EMIT activeChanged();
}

QVariantMap WebhookInspector::selected() const
{
    const Delivery *delivery = m_deliveries.find(m_selectedId);
    if (!delivery)
        return {};
    return {
        {u"id"_s, delivery->id},
        {u"receivedAt"_s, delivery->receivedAt},
        {u"route"_s, delivery->route},
        {u"eventType"_s, delivery->eventType},
        {u"verification"_s, delivery->verification},
        {u"outcome"_s, delivery->outcome},
        {u"httpStatus"_s, delivery->httpStatus},
        {u"errorCode"_s, delivery->errorCode},
        {u"errorMessage"_s, delivery->errorMessage},
        {u"callSid"_s, delivery->callSid},
        {u"conversationId"_s, delivery->conversationId},
        {u"bodySize"_s, delivery->bodySize},
    };
}

void WebhookInspector::refresh()
{
    if (!m_api || m_loading)
        return;
    setLoading(true);
    m_api->fetchDeliveries(PageSize, std::nullopt, m_context, [this](Result<DeliveryPage> page) {
        setLoading(false);
        if (!page) {
            m_error = page.error().message;
            Q_EMIT stateChanged();
            return;
        }
        m_error.clear();
        m_deliveries.merge(page->deliveries);
        if (!m_loadedOnce) {
            m_nextBefore = page->nextBefore;
            m_loadedOnce = true;
        }
        Q_EMIT stateChanged();
        Q_EMIT selectionChanged(); // the selected row's fields may have changed
    });
}

void WebhookInspector::loadMore()
{
    if (!m_api || m_loading || !m_nextBefore)
        return;
    setLoading(true);
    m_api->fetchDeliveries(PageSize, m_nextBefore, m_context, [this](Result<DeliveryPage> page) {
        setLoading(false);
        if (!page) {
            m_error = page.error().message;
            Q_EMIT stateChanged();
            return;
        }
        m_error.clear();
        m_deliveries.merge(page->deliveries);
        m_nextBefore = page->nextBefore;
        Q_EMIT stateChanged();
    });
}

void WebhookInspector::select(qint64 id)
{
    if (id == m_selectedId)
        return;
    m_selectedId = id;
    m_body.clear();
    m_bodyLoading = id >= 0 && m_api;
    Q_EMIT selectionChanged();
    if (!m_bodyLoading)
        return;
    m_api->fetchDelivery(id, m_context, [this, id](Result<Delivery> delivery) {
        if (id != m_selectedId)
            return;
        m_bodyLoading = false;
        if (!delivery) {
            m_body.clear();
            Q_EMIT notify(
                tr("Could not load delivery %1: %2").arg(id).arg(delivery.error().message),
                u"error"_s);
        } else {
            m_deliveries.merge({delivery.value()});
            m_body = displayBody(delivery->body);
        }
        Q_EMIT selectionChanged();
    });
}

void WebhookInspector::replay(qint64 id)
{
    if (!m_api || m_replaying)
        return;
    m_replaying = true;
    Q_EMIT replayingChanged();
    m_api->replayDelivery(id, m_context, [this, id](Result<ReplayResult> result) {
        m_replaying = false;
        Q_EMIT replayingChanged();
        if (!result) {
            Q_EMIT notify(
                tr("Replay of delivery %1 failed: %2").arg(id).arg(result.error().message),
                u"error"_s);
            return;
        }
        Q_EMIT notify(tr("Delivery %1 replayed: %2 (HTTP %3)")
                          .arg(id)
                          .arg(result->outcome)
                          .arg(result->httpStatus),
                      result->httpStatus >= 200 && result->httpStatus < 300 ? u"success"_s
                                                                            : u"error"_s);
        refresh();
    });
}

QString WebhookInspector::displayBody(const QByteArray &body)
{
    if (body.isEmpty())
        return {};
    const QJsonDocument document = QJsonDocument::fromJson(body);
    QString text = document.isNull() ? QString::fromUtf8(body)
                                     : QString::fromUtf8(document.toJson(QJsonDocument::Indented));
    if (text.size() > MaxShownBody) {
        text.truncate(MaxShownBody);
        text += u"\n… (cut: the body is %1 bytes)"_s.arg(body.size());
    }
    return text;
}

void WebhookInspector::setLoading(bool loading)
{
    if (loading == m_loading)
        return;
    m_loading = loading;
    Q_EMIT stateChanged();
}

} // namespace callwatch::app
