// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/eventrecord.h"
#include "live/jwtverifier.h"
#include "live/livetypes.h"

#include <QList>
#include <QThread>

class QTcpSocket;

namespace callwatch::live {

class LiveHub;

/**
 * @brief Runs a LiveHub in a thread of its own.
 *
 * Fanning one event out to a thousand sockets takes milliseconds of CPU; on the HTTP thread
 * that time would be added to every webhook waiting behind it (and so to the latency of the
 * very events being fanned out). Here the HTTP thread only hands over upgraded sockets and
 * committed events; the hub, its sessions and its sockets live and are written in the hub
 * thread. The replay function is called in the hub thread too (store::Database gives each
 * thread its own connection).
 */
class LiveHubThread
{
public:
    LiveHubThread(JwtVerifier verifier, ReplayFunction replay, LiveHubOptions options = {});
    /** Ends every session in the hub thread, then stops the thread. */
    ~LiveHubThread();
    LiveHubThread(const LiveHubThread &) = delete;
    LiveHubThread &operator=(const LiveHubThread &) = delete;

    /**
     * Takes over an upgraded connection (see LiveHub::handleUpgrade). Call it in the thread the
     * socket belongs to, with no parent set; the socket moves to the hub thread.
     */
    void handleUpgrade(QTcpSocket *socket);
    /** Thread-safe: queues committed events (in increasing id order) for the hub. */
    void publish(const QList<EventRecord> &events);
    /** The hub; it lives in the hub thread, so reach it only with QMetaObject::invokeMethod. */
    LiveHub *hub() const { return m_hub; }
    /** The hub's thread, for other live-side objects (the event feed) to run in. */
    QThread *thread() { return &m_thread; }

private:
    QThread m_thread;
    LiveHub *m_hub = nullptr;
};

} // namespace callwatch::live
