// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/apiclient.h"

#include "app/logging.h"
#include "app/wireparser.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace callwatch::app {

ApiClient::ApiClient(QNetworkAccessManager *network, QObject *parent)
    : QObject(parent), m_network(network)
{}

void ApiClient::setBaseUrl(const QUrl &baseUrl)
{
    m_baseUrl = baseUrl;
}

void ApiClient::setTokenProvider(TokenProvider provider)
{
    m_tokenProvider = std::move(provider);
}

QUrl ApiClient::endpoint(const QString &path) const
{
    QUrl url = m_baseUrl;
    QString base = m_baseUrl.path();
    while (base.endsWith(u'/'))
        base.chop(1);
    url.setPath(base + path);
    url.setQuery(QString());
    return url;
}

QUrl ApiClient::callsUrl(const CallQuery &query) const
{
    QUrl url = endpoint(u"/api/calls"_s);
    QUrlQuery items;
    if (!query.statuses.isEmpty())
        items.addQueryItem(u"status"_s, query.statuses.join(u','));
    if (!query.text.isEmpty())
        items.addQueryItem(u"q"_s, QString::fromUtf8(QUrl::toPercentEncoding(query.text)));
    items.addQueryItem(u"limit"_s, QString::number(query.limit));
    if (!query.cursor.isEmpty())
        items.addQueryItem(u"cursor"_s, QString::fromUtf8(QUrl::toPercentEncoding(query.cursor)));
    url.setQuery(items);
    return url;
}

template<typename T, typename Parse>
void ApiClient::get(const QUrl &url, QObject *context, Callback<T> done, Parse parse)
{
    send("GET", url, context, [done = std::move(done), parse](Result<QByteArray> body) {
        if (!body)
            return done(body.error());
        done(parse(body.value()));
    });
}

void ApiClient::fetchCalls(const CallQuery &query, QObject *context, Callback<CallPage> done)
{
    get<CallPage>(callsUrl(query), context, std::move(done),
                  [](const QByteArray &body) { return WireParser::callPage(body); });
}

void ApiClient::fetchCall(const QString &callSid, QObject *context, Callback<CallDetail> done)
{
    const QString path = u"/api/calls/"_s + QString::fromUtf8(QUrl::toPercentEncoding(callSid));
    get<CallDetail>(endpoint(path), context, std::move(done),
                    [](const QByteArray &body) { return WireParser::callDetail(body); });
}

void ApiClient::fetchStats(QObject *context, Callback<DashboardStats> done)
{
    get<DashboardStats>(endpoint(u"/api/stats"_s), context, std::move(done),
                        [](const QByteArray &body) { return WireParser::stats(body); });
}

void ApiClient::fetchDeliveries(int limit, std::optional<qint64> before, QObject *context,
                                Callback<DeliveryPage> done)
{
    QUrl url = endpoint(u"/api/deliveries"_s);
    QUrlQuery items;
    items.addQueryItem(u"limit"_s, QString::number(limit));
    if (before)
        items.addQueryItem(u"before"_s, QString::number(*before));
    url.setQuery(items);
    get<DeliveryPage>(url, context, std::move(done),
                      [](const QByteArray &body) { return WireParser::deliveryPage(body); });
}

void ApiClient::fetchDelivery(qint64 id, QObject *context, Callback<Delivery> done)
{
    get<Delivery>(endpoint(u"/api/deliveries/%1"_s.arg(id)), context, std::move(done),
                  [](const QByteArray &body) { return WireParser::deliveryDetail(body); });
}

void ApiClient::replayDelivery(qint64 id, QObject *context, Callback<ReplayResult> done)
{
    send("POST", endpoint(u"/api/deliveries/%1/replay"_s.arg(id)), context,
         [done = std::move(done)](Result<QByteArray> body) {
             if (!body)
                 return done(body.error());
             done(WireParser::replayResult(body.value()));
         });
}

void ApiClient::send(const QByteArray &verb, const QUrl &url, QObject *context, RawCallback done,
                     bool retried)
{
    QNetworkRequest request(url);
    request.setTransferTimeout(m_timeoutMs);
    request.setRawHeader("Accept", "application/json");
    const QString token = m_tokenProvider ? m_tokenProvider(retried) : QString();
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    QNetworkReply *reply = nullptr;
    if (verb == "POST") {
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        reply = m_network->post(request, QByteArray("{}"));
    } else {
        reply = m_network->get(request);
    }
    QPointer<QObject> guard(context);
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, verb, guard, done = std::move(done), retried, token]() mutable {
                reply->deleteLater();
                if (!guard)
                    return;
                const int status =
                    reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                if (status == 401 && !retried && m_tokenProvider) {
                    // One retry with a fresh token; a provider that has none returns the same.
                    if (m_tokenProvider(true) != token)
                        return send(verb, reply->url(), guard.data(), std::move(done), true);
                }
                finish(reply, verb, std::move(done));
            });
}

void ApiClient::finish(QNetworkReply *reply, const QByteArray &verb, RawCallback done)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    if (status >= 200 && status < 300)
        return done(body);
    if (auto error = WireParser::errorBody(body)) {
        qCInfo(lcApp) << verb << reply->url().path() << "failed:" << status << error->code;
        return done(*error);
    }
    if (status == 0) {
        qCInfo(lcApp) << verb << reply->url().path() << "failed:" << reply->errorString();
        return done(
            Error{u"network"_s, tr("Could not reach the server (%1)").arg(reply->errorString())});
    }
    return done(
        Error{u"http_%1"_s.arg(status),
              tr("The server answered %1 %2")
                  .arg(status)
                  .arg(reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString())});
}

} // namespace callwatch::app
