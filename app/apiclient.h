// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/tokeninfo.h"
#include "app/wiretypes.h"
#include "core/result.h"

#include <QObject>
#include <QPointer>
#include <QUrl>

#include <functional>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;

namespace callwatch::app {

/**
 * @brief The dashboard's REST client: history, stats and the webhook inbox.
 *
 * Each request takes a context object and a typed callback; the callback is not called when the
 * context is gone. A 401 is retried once with a fresh token from the provider. Errors come back
 * as Error{code, message}: the server's `{"error":{…}}` when it sent one, else `network` or
 * `http_<status>`.
 */
class ApiClient : public QObject
{
    Q_OBJECT
public:
    /** `GET /api/calls` parameters; an empty list or string is left out of the query. */
    struct CallQuery
    {
        QStringList statuses;
        QString text;
        int limit = 50;
        QString cursor;
    };

    template<typename T> using Callback = std::function<void(Result<T>)>;

    explicit ApiClient(QNetworkAccessManager *network, QObject *parent = nullptr);

    void setBaseUrl(const QUrl &baseUrl);
    QUrl baseUrl() const { return m_baseUrl; }
    void setTokenProvider(TokenProvider provider);
    void setTimeoutMs(int timeoutMs) { m_timeoutMs = timeoutMs; }

    void fetchCalls(const CallQuery &query, QObject *context, Callback<CallPage> done);
    void fetchCall(const QString &callSid, QObject *context, Callback<CallDetail> done);
    void fetchStats(QObject *context, Callback<DashboardStats> done);
    void fetchDeliveries(int limit, std::optional<qint64> before, QObject *context,
                         Callback<DeliveryPage> done);
    void fetchDelivery(qint64 id, QObject *context, Callback<Delivery> done);
    void replayDelivery(qint64 id, QObject *context, Callback<ReplayResult> done);

    QUrl callsUrl(const CallQuery &query) const;

private:
    using RawCallback = std::function<void(Result<QByteArray>)>;
    void send(const QByteArray &verb, const QUrl &url, QObject *context, RawCallback done,
              bool retried = false);
    void finish(QNetworkReply *reply, const QByteArray &verb, RawCallback done);
    QUrl endpoint(const QString &path) const;

    template<typename T, typename Parse>
    void get(const QUrl &url, QObject *context, Callback<T> done, Parse parse);

    QNetworkAccessManager *m_network;
    QUrl m_baseUrl;
    TokenProvider m_tokenProvider;
    int m_timeoutMs = 15000;
};

} // namespace callwatch::app
