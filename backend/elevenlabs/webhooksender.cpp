// SPDX-License-Identifier: GPL-3.0-or-later
#include "elevenlabs/webhooksender.h"

#include "elevenlabs/logging.h"
#include "webhooks/signatureverifier.h"

#include <QDateTime>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>

using namespace Qt::StringLiterals;

namespace callwatch::elevenlabs {

WebhookSender::WebhookSender(QUrl backendUrl, QObject *parent)
    : QObject(parent), m_backendUrl(std::move(backendUrl))
{}

void WebhookSender::post(const QString &path, const QByteArray &body, const QByteArray &secret,
                         QObject *context, Done done)
{
    QUrl url = m_backendUrl;
    url.setPath(url.path().chopped(url.path().endsWith(u'/') ? 1 : 0) + path);
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("ElevenLabs-Sandbox"));
    request.setTransferTimeout(30'000);
    if (!secret.isEmpty())
        request.setRawHeader(
            "ElevenLabs-Signature",
            webhooks::SignatureVerifier::sign(secret, QDateTime::currentSecsSinceEpoch(), body));
    ++m_inFlight;
    QNetworkReply *reply = m_network.post(request, body);
    QPointer<QObject> guard(context);
    connect(reply, &QNetworkReply::finished, this, [this, reply, path, guard, done] {
        --m_inFlight;
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status != 200)
            qCInfo(lcSandbox).noquote() << "webhook" << path << "answered" << status
                                        << (status == 0 ? reply->errorString() : QString());
        if (guard && done)
            done(status);
    });
}

} // namespace callwatch::elevenlabs
