// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/eventrecord.h"
#include "core/result.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <functional>

namespace callwatch::live {

/**
 * @brief One page of stored events for a resuming client.
 *
 * Contract for the ReplayFunction that returns it (the lead implements it over `events`):
 * - `events`: the stored events with id > afterId, in increasing id order, at most `limit`;
 *   fewer than `limit` means "nothing more after these".
 * - `oldestRetainedId`: the smallest id still stored; when the table is empty, the id the next
 *   event will get. 0 means "nothing was ever pruned" (treated as fully retained).
 * - `newestId`: optional, the largest id stored (0 = unknown). When known, a `since` beyond it
 *   (a client that saw another database) is answered with recovered:false.
 */
struct ReplayBatch
{
    QList<EventRecord> events;
    qint64 oldestRetainedId = 0;
    qint64 newestId = 0;
};

/** Synchronous; called in the hub's thread; must not call back into the hub. */
using ReplayFunction = std::function<Result<ReplayBatch>(qint64 afterId, int limit)>;

/** @brief Limits and timings of the live hub. The defaults are the production values. */
struct LiveHubOptions
{
    qint64 maxUnsentBytes = 1024 * 1024; ///< per client, queued + socket-buffered; above → 4008
    qint64 maxIncomingMessageBytes = 64 * 1024; ///< per frame and per message; above → 1009
    int pingIntervalMs = 30000;
    int pongTimeoutMs = 10000;
    int tokenExpiringNoticeSecs = 60;
    int replayPageSize = 256;
    /** Per client; more gets `too_many_subscriptions` (a client watching that many calls
     * should subscribe to `all`). Bounds the memory one client can make the hub hold. */
    int maxSubscribedIdentifiers = 2000;
    int closeTimeoutMs = 5000; ///< after our close frame, abort peers that don't finish closing
    int handshakeTimeoutMs = 10000; ///< WebSocket upgrade must complete within this
    /** Milliseconds since the Unix epoch; tests move it to reach token expiry quickly. */
    std::function<qint64()> clockMs = [] { return QDateTime::currentMSecsSinceEpoch(); };
};

/** @brief Counters for benchmarks and /metrics. Monotonic over the hub's life. */
struct LiveHubStats
{
    quint64 connectionsAccepted = 0; ///< authenticated sockets
    quint64 authFailures = 0;        ///< sockets closed with 4001 at the handshake
    quint64 eventsPublished = 0;     ///< events given to publish()
    quint64 eventsSent = 0;          ///< event messages handed to sockets (live and replayed)
    quint64 slowClientsDropped = 0;  ///< closed with 4008
    quint64 pongTimeouts = 0;        ///< dropped for not answering a ping
    quint64 replays = 0;             ///< resumes completed with recovered:true
};

} // namespace callwatch::live
