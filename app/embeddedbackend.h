// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"

#include <QObject>
#include <QStringList>
#include <QUrl>

#include <memory>

namespace callwatch::app {

/**
 * @brief The backend running inside the dashboard process (the default mode).
 *
 * The dashboard still talks to it only over REST and the WebSocket on 127.0.0.1, exactly as a
 * remote client would; this class only starts it and mints the dashboard's token
 * (calls:read calls:write, 12 h, minted again an hour before it expires). When the build has
 * no backend (callwatch_server not built) start() fails with `embedded_unavailable`.
 */
class EmbeddedBackend : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        int port = 8750;
        QString dataDir; ///< empty: the backend's default
    };

    static bool isAvailable();
    /** Whether 127.0.0.1:port can be bound right now. */
    static bool isPortFree(int port);

    explicit EmbeddedBackend(QObject *parent = nullptr);
    ~EmbeddedBackend() override;

    /** Error codes: `port_in_use`, `embedded_unavailable`, or the backend's own. */
    Result<> start(const Settings &settings);
    /** Stops and waits (at most timeoutMs) until the database is closed. */
    void stop(int timeoutMs = 5000);

    QUrl baseUrl() const;
    QStringList webhookUrls() const;
    QString token(bool forceNew);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace callwatch::app
