// SPDX-License-Identifier: GPL-3.0-or-later
#include "live/livehubthread.h"

#include "live/livehub.h"

#include <QTcpSocket>

using namespace Qt::StringLiterals;

namespace callwatch::live {

LiveHubThread::LiveHubThread(JwtVerifier verifier, ReplayFunction replay, LiveHubOptions options)
    : m_hub(new LiveHub(std::move(verifier), std::move(replay), std::move(options)))
{
    m_thread.setObjectName(u"live-hub"_s);
    m_hub->moveToThread(&m_thread);
    m_thread.start();
}

LiveHubThread::~LiveHubThread()
{
    // The hub's sockets and timers belong to its thread: delete it there, then stop the thread.
    LiveHub *hub = std::exchange(m_hub, nullptr);
    QMetaObject::invokeMethod(
        hub, [hub] { delete hub; }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void LiveHubThread::handleUpgrade(QTcpSocket *socket)
{
    if (!socket)
        return;
    socket->setParent(nullptr);
    socket->moveToThread(&m_thread);
    QMetaObject::invokeMethod(
        m_hub, [hub = m_hub, socket] { hub->handleUpgrade(socket); }, Qt::QueuedConnection);
}

void LiveHubThread::publish(const QList<EventRecord> &events)
{
    QMetaObject::invokeMethod(
        m_hub, [hub = m_hub, events] { hub->publish(events); }, Qt::QueuedConnection);
}

} // namespace callwatch::live
