// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QObject>
#include <QPointer>
#include <QTcpServer>

class QTcpSocket;

namespace callwatch::app::test {

/**
 * @brief A loopback TCP relay between a client under test and a real server, so a test can
 * cut the connection the way a network does: cut() aborts both sides at once, dropping whatever
 * is still buffered in the relay; pause() also refuses new connections until resume().
 */
class TcpProxy : public QObject
{
    Q_OBJECT
public:
    explicit TcpProxy(quint16 targetPort, QObject *parent = nullptr);

    /** Listens on a free loopback port (remembered, so resume() reuses it). */
    bool start();
    quint16 port() const { return m_port; }
    /** Aborts every relayed connection. */
    void cut();
    /** cut() and stop accepting; clients trying to reconnect are refused. */
    void pause();
    bool resume();
    int accepted() const { return m_accepted; }
    int openConnections() const;

private:
    struct Pair
    {
        QPointer<QTcpSocket> client;
        QPointer<QTcpSocket> upstream;
    };

    void onNewConnection();

    quint16 m_targetPort;
    quint16 m_port = 0;
    QTcpServer m_server;
    QList<Pair> m_pairs;
    int m_accepted = 0;
};

} // namespace callwatch::app::test
