// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

QT_FORWARD_DECLARE_CLASS(QTcpSocket)

namespace callwatch::http {

/**
 * @brief Reads a socket inside a QIODevice transaction that always starts at the first byte not
 * yet known to belong to a plain HTTP request.
 *
 * This is what lets a WebSocket handshake be handed over unread: the connection parses bytes
 * as usual, confirms them once they are known to be plain HTTP (a finished head that is not an
 * upgrade, body bytes), and giveBack() leaves everything unconfirmed in the socket. In the
 * common case (everything read is confirmed) settle() just commits, which costs nothing.
 */
class ReadTransaction
{
public:
    explicit ReadTransaction(QTcpSocket *socket) : m_socket(socket) {}

    /** Reads up to @p max bytes, opening a transaction first when none is open. */
    qint64 read(char *buffer, qint64 max);
    /** The parser used @p bytes of what was read. */
    void consume(qint64 bytes) { m_consumed += bytes; }
    /** Every byte used so far belongs to plain HTTP requests: it never needs giving back. */
    void confirm() { m_confirmed = m_consumed; }
    /** Commits when everything read is confirmed, else restarts at the first unconfirmed byte. */
    void settle();
    /** Commits everything: nothing will be handed over from this socket any more. */
    void close();
    /** Leaves every unconfirmed byte unread in the socket and ends the transaction. */
    void giveBack();

private:
    void reset();

    QTcpSocket *m_socket;
    bool m_active = false;
    qint64 m_read = 0;      ///< bytes read inside the transaction
    qint64 m_consumed = 0;  ///< of those, bytes the parser used
    qint64 m_confirmed = 0; ///< of those, bytes known to be plain HTTP
};

} // namespace callwatch::http
