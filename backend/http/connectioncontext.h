// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/httptypes.h"
#include "http/router.h"

#include <QElapsedTimer>
#include <QSet>
#include <QString>

#include <functional>

namespace callwatch::http {

class HttpConnection;

/** @brief What the connections share with their HttpServer, which owns it and outlives them. */
struct ConnectionContext
{
    HttpLimits limits;
    Router router;
    QString upgradePath;
    UpgradeHandler upgradeHandler;
    QString spoolDirectory;
    RequestLogger logger;
    std::function<void()> allFinished; ///< called when requestsInFlight drops to zero
    QElapsedTimer clock;               ///< the time base of every connection deadline
    QSet<HttpConnection *> connections;
    int openSockets = 0;
    int requestsInFlight = 0;
    qint64 bufferedBodyBytes = 0;
    qint64 peakBufferedBodyBytes = 0;

    void addBuffered(qint64 bytes)
    {
        bufferedBodyBytes += bytes;
        peakBufferedBodyBytes = qMax(peakBufferedBodyBytes, bufferedBodyBytes);
    }

    void finishRequests(int count)
    {
        if (count <= 0)
            return;
        requestsInFlight -= count;
        if (requestsInFlight == 0 && allFinished)
            allFinished();
    }
};

} // namespace callwatch::http
