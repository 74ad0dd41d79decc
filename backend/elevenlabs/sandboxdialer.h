// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QNetworkAccessManager>
#include <QObject>
#include <QTimer>
#include <QUrl>

namespace callwatch::elevenlabs {

/**
 * @brief `callwatchd sandbox --rate N`: starts calls the realistic way, through the backend's
 * `POST /api/calls` (bearer token with calls:write). The backend then dials the sandbox, which
 * plays the conversation back as webhooks: the whole loop runs without ElevenLabs.
 * Drivers, numbers and violations come from the sample fleet, in order.
 */
class SandboxDialer : public QObject
{
    Q_OBJECT
public:
    SandboxDialer(QUrl backendUrl, QByteArray token, double callsPerMinute,
                  QObject *parent = nullptr);

    /** The first call goes out at once, then one every 60/rate seconds. */
    void start();
    void stop();
    int started() const { return m_index; }

Q_SIGNALS:
    /** One line per attempt: the call_sid and status, or why the backend refused. */
    void report(const QString &line);

private:
    void dialNext();

    QUrl m_backendUrl;
    QByteArray m_token;
    QNetworkAccessManager m_network;
    QTimer m_timer;
    int m_index = 0;
};

} // namespace callwatch::elevenlabs
