// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QNetworkAccessManager>
#include <QObject>
#include <QUrl>

#include <functional>

namespace callwatch::elevenlabs {

/**
 * @brief Posts webhooks the way ElevenLabs does: JSON body, `ElevenLabs-Signature:
 * t=<now>,v0=<hex HMAC-SHA256(secret, t.body)>`, one attempt, success means 200.
 */
class WebhookSender : public QObject
{
    Q_OBJECT
public:
    /** Gets the HTTP status (0 without an answer). */
    using Done = std::function<void(int httpStatus)>;

    explicit WebhookSender(QUrl backendUrl, QObject *parent = nullptr);

    /** POSTs @p body to backendUrl + @p path, signed with @p secret (unsigned when empty). */
    void post(const QString &path, const QByteArray &body, const QByteArray &secret,
              QObject *context, Done done);

    int inFlight() const { return m_inFlight; }

private:
    QUrl m_backendUrl;
    QNetworkAccessManager m_network;
    int m_inFlight = 0;
};

} // namespace callwatch::elevenlabs
