// SPDX-License-Identifier: GPL-3.0-or-later
#include "tcpproxy.h"

#include <QTcpSocket>

namespace callwatch::app::test {

TcpProxy::TcpProxy(quint16 targetPort, QObject *parent) : QObject(parent), m_targetPort(targetPort)
{
    connect(&m_server, &QTcpServer::newConnection, this, &TcpProxy::onNewConnection);
}

bool TcpProxy::start()
{
    if (!m_server.listen(QHostAddress::LocalHost, m_port))
        return false;
    m_port = m_server.serverPort();
    return true;
}

void TcpProxy::cut()
{
    const QList<Pair> pairs = std::exchange(m_pairs, {});
    for (const Pair &pair : pairs) {
        // abort(), not close(): nothing buffered may still reach either side.
        if (pair.client) {
            pair.client->abort();
            pair.client->deleteLater();
        }
        if (pair.upstream) {
            pair.upstream->abort();
            pair.upstream->deleteLater();
        }
    }
}

void TcpProxy::pause()
{
    m_server.close();
    cut();
}

bool TcpProxy::resume()
{
    return m_server.isListening() || start();
}

int TcpProxy::openConnections() const
{
    int open = 0;
    for (const Pair &pair : m_pairs)
        open += pair.client && pair.client->state() == QAbstractSocket::ConnectedState;
    return open;
}

void TcpProxy::onNewConnection()
{
    while (QTcpSocket *client = m_server.nextPendingConnection()) {
        ++m_accepted;
        auto *upstream = new QTcpSocket(this);
        client->setParent(this);
        m_pairs.append(Pair{client, upstream});
        // Bytes from the client wait in its buffer until the upstream is connected.
        const auto relay = [](QTcpSocket *from, QTcpSocket *to) {
            if (to->state() == QAbstractSocket::ConnectedState)
                to->write(from->readAll());
        };
        connect(client, &QTcpSocket::readyRead, upstream,
                [client, upstream, relay] { relay(client, upstream); });
        connect(upstream, &QTcpSocket::readyRead, client,
                [client, upstream, relay] { relay(upstream, client); });
        connect(upstream, &QTcpSocket::connected, client,
                [client, upstream, relay] { relay(client, upstream); });
        // One side gone: the other goes too (a half-open relay would hide the cut).
        connect(client, &QTcpSocket::disconnected, upstream, &QTcpSocket::disconnectFromHost);
        connect(upstream, &QTcpSocket::disconnected, client, &QTcpSocket::disconnectFromHost);
        upstream->connectToHost(QHostAddress::LocalHost, m_targetPort);
    }
}

} // namespace callwatch::app::test
