// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace callwatch::live {

/** @brief What the live hub needs from a client's upgrade request. */
struct UpgradeRequest
{
    QByteArray target;        ///< request target as sent: path and query, percent-encoded
    QByteArray authorization; ///< the Authorization header, if any
    QByteArray key;           ///< Sec-WebSocket-Key
};

/** @brief Result of reading an upgrade request from the first bytes of a connection. */
struct HandshakeParse
{
    enum class Kind { Incomplete, Accepted, Refused };
    Kind kind = Kind::Incomplete;
    UpgradeRequest request; ///< Accepted
    qsizetype consumed = 0; ///< Accepted: bytes of the request head (frames may follow)
    int status = 0;         ///< Refused: HTTP status to answer with
    QString code;           ///< Refused: machine-readable error code
    QString message;        ///< Refused: what was wrong, for the developer reading the body
};

/**
 * @brief The server side of the RFC 6455 §4.2 opening handshake, as plain functions.
 *
 * The hub serves WebSocket connections on raw descriptors (see WebSocketConnection), so it reads
 * the upgrade request itself. Refusals are HTTP answers with a JSON error body like every other
 * route's, so a developer pointing curl or a misconfigured proxy at the endpoint learns why.
 */
namespace WsHandshake {

/** Reads the request head at the start of `bytes` (up to `maxHeadBytes`). */
HandshakeParse parse(QByteArrayView bytes, qsizetype maxHeadBytes);
/** `101 Switching Protocols` with the Sec-WebSocket-Accept for `key`. */
QByteArray acceptResponse(const QByteArray &key);
/** The HTTP answer for a refused upgrade; the connection is closed after it. */
QByteArray refusalResponse(const HandshakeParse &refusal);

} // namespace WsHandshake

} // namespace callwatch::live
