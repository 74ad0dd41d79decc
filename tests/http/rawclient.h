// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QTcpSocket>
#include <QTest>

#include <optional>

/** One HTTP response as a test client saw it on the wire. */
struct Reply
{
    int status = 0;
    QByteArray head;                      ///< status line and header lines, as received
    QMap<QByteArray, QByteArray> headers; ///< names lower-cased
    QByteArray body;

    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
    QString errorCode() const
    {
        return QJsonDocument::fromJson(body)
            .object()
            .value(QLatin1StringView("error"))
            .toObject()
            .value(QLatin1StringView("code"))
            .toString();
    }
};

/**
 * A client that writes raw bytes and parses replies (Content-Length framing) while the event
 * loop keeps running, so that the server in the same thread can answer.
 */
class RawClient
{
public:
    explicit RawClient(quint16 port)
    {
        QObject::connect(&socket, &QTcpSocket::readyRead, &socket,
                         [this] { m_buffer += socket.readAll(); });
        socket.connectToHost(QHostAddress::LocalHost, port);
    }

    bool waitConnected(int timeoutMs = 5000)
    {
        return QTest::qWaitFor([this] { return socket.state() == QAbstractSocket::ConnectedState; },
                               timeoutMs);
    }

    void send(const QByteArray &bytes) { socket.write(bytes); }

    /** The next complete reply (an interim 100 or 101 counts as one), or nothing on timeout. */
    std::optional<Reply> reply(int timeoutMs = 5000)
    {
        std::optional<Reply> result;
        const bool got = QTest::qWaitFor(
            [&] {
                result = take();
                return result.has_value();
            },
            timeoutMs);
        return got ? result : std::nullopt;
    }

    /** True once the server has closed the connection. */
    bool waitClosed(int timeoutMs = 5000)
    {
        return QTest::qWaitFor(
            [this] { return socket.state() == QAbstractSocket::UnconnectedState; }, timeoutMs);
    }

    QByteArray pending() const { return m_buffer; }

    QTcpSocket socket;

private:
    std::optional<Reply> take()
    {
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return std::nullopt;
        Reply reply;
        reply.head = m_buffer.first(end);
        const QList<QByteArray> lines = reply.head.split('\n');
        reply.status = lines.value(0).mid(9, 3).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            reply.headers.insert(line.first(colon).toLower(), line.sliced(colon + 1).trimmed());
        }
        const qsizetype length =
            reply.status < 200 ? 0 : reply.header("content-length").toLongLong();
        if (m_buffer.size() < end + 4 + length)
            return std::nullopt;
        reply.body = m_buffer.sliced(end + 4, length);
        m_buffer.remove(0, end + 4 + length);
        return reply;
    }

    QByteArray m_buffer;
};
