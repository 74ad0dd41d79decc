// SPDX-License-Identifier: GPL-3.0-or-later
#include "elevenlabs/sandboxdialer.h"

#include "webhooks/samplepayloads.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QNetworkRequest>

using namespace Qt::StringLiterals;
namespace samples = callwatch::webhooks::samples;

namespace callwatch::elevenlabs {

SandboxDialer::SandboxDialer(QUrl backendUrl, QByteArray token, double callsPerMinute,
                             QObject *parent)
    : QObject(parent), m_backendUrl(std::move(backendUrl)), m_token(std::move(token))
{
    m_timer.setInterval(int(60'000.0 / qMax(0.01, callsPerMinute)));
    connect(&m_timer, &QTimer::timeout, this, &SandboxDialer::dialNext);
}

void SandboxDialer::start()
{
    m_timer.start();
    dialNext();
}

void SandboxDialer::stop()
{
    m_timer.stop();
}

void SandboxDialer::dialNext()
{
    const samples::SampleCall sample =
        samples::sampleCall(m_index++, QDateTime::currentSecsSinceEpoch());
    const QJsonObject body{
        {u"to_number"_s, sample.toNumber},
        {u"driver_id"_s, sample.driverId},
        {u"dynamic_variables"_s,
         QJsonObject{{u"driver_name"_s, sample.driverName}, {u"violation"_s, sample.violation}}},
    };
    QUrl url = m_backendUrl;
    url.setPath(url.path().chopped(url.path().endsWith(u'/') ? 1 : 0) + u"/api/calls"_s);
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("Authorization", "Bearer " + m_token);
    request.setTransferTimeout(60'000);
    QNetworkReply *reply =
        m_network.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
    const QString who = sample.driverName + u" ("_s + sample.driverId + u')';
    connect(reply, &QNetworkReply::finished, this, [this, reply, who] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray answer = reply->readAll();
        const QJsonObject call =
            QJsonDocument::fromJson(answer).object().value("call"_L1).toObject();
        if (status == 201) {
            Q_EMIT report(u"call %1 to %2: %3"_s.arg(call.value("call_sid"_L1).toString(), who,
                                                     call.value("status"_L1).toString()));
            return;
        }
        const QJsonObject error =
            QJsonDocument::fromJson(answer).object().value("error"_L1).toObject();
        Q_EMIT report(u"call to %1 refused by the backend: %2 %3"_s.arg(
            who, status == 0 ? reply->errorString() : QString::number(status),
            error.value("message"_L1).toString()));
    });
}

} // namespace callwatch::elevenlabs
