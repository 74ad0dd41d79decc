// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "live/websocketframes.h"
#include "live/websockethandshake.h"

#include <QHostAddress>
#include <QList>
#include <QObject>

class QSocketNotifier;
class QTcpSocket;
class QTimer;

namespace callwatch::live {

/**
 * @brief A server-side WebSocket served straight on its socket descriptor.
 *
 * Why not QWebSocket: Qt keeps a read buffer block (16 KiB) and a write buffer block (up to
 * 32 KiB) per QTcpSocket for the life of the connection once they have been used, plus the
 * QWebSocket and QTcpSocket objects themselves: about 28 KB per idle client, 287 MB for 10,000
 * (docs/performance.md). Here an idle connection holds two socket notifiers and no buffer:
 * bytes are read into a stack buffer and only an unfinished frame is kept; frames to send are
 * shared QByteArrays queued until the kernel takes them.
 *
 * Lifecycle: adopt() reads the upgrade request (handshakeCompleted(), or an HTTP refusal and
 * disconnected()); then messages arrive as signals and send()/flush() write. close() sends a
 * close frame and waits for the peer's; disconnected() is emitted exactly once, when the
 * descriptor has been closed. Single-threaded: lives in the thread that adopted the socket.
 */
class WebSocketConnection : public QObject
{
    Q_OBJECT

public:
    struct Limits
    {
        qint64 maxIncomingMessageBytes = 64 * 1024;
        int handshakeTimeoutMs = 10000;
        qsizetype maxHandshakeBytes = 16 * 1024;
        int closeTimeoutMs = 5000; ///< after our close frame, abort a peer that does not answer
    };

    /**
     * Takes over `socket`'s connection (its descriptor is duplicated and the QTcpSocket is
     * deleted; bytes it had already read are kept). Connect to the signals, then start().
     */
    WebSocketConnection(QTcpSocket *socket, Limits limits, QObject *parent = nullptr);
    /** Closes the descriptor without emitting anything. */
    ~WebSocketConnection() override;

    /** Starts reading the upgrade request (may emit at once: the request may be there). */
    void start();

    const UpgradeRequest &request() const { return m_request; }
    QHostAddress peerAddress() const { return m_peer; }
    /** Handshake done, no close frame sent or received, descriptor open. */
    bool isOpen() const { return m_state == State::Open; }
    /** Bytes queued that the kernel has not taken yet. */
    qint64 bufferedBytes() const { return m_queuedBytes; }

    /** Queues a complete frame (shared, not copied); written by the next flush(). */
    void queue(const QByteArray &frame);
    /** Writes what the kernel takes now; the rest goes when the socket is writable. */
    void flush();
    void sendPing();
    /** Sends a close frame after what is queued; the descriptor closes when the peer answers
     * (abort() if it never does). */
    void close(quint16 code, const QString &reason);
    /** Closes the descriptor now. */
    void abort();

Q_SIGNALS:
    void handshakeCompleted();
    void textMessageReceived(const QByteArray &utf8);
    void binaryMessageReceived();
    void pongReceived();
    /** The kernel took queued bytes after the socket had been full. */
    void bytesWritten();
    void disconnected();

private:
    /// Closing: our close frame (or HTTP refusal) is queued; nothing more is sent.
    enum class State { Handshake, Open, Closing, Closed };

    void onReadable();
    void onWritable();
    bool consume(QByteArrayView bytes);
    bool consumeHandshake(QByteArrayView bytes);
    bool dispatch(const IncomingFrame &frame);
    void failConnection(quint16 code, const QString &reason);
    enum class AfterFlush {
        Nothing,
        ShutDown, ///< we end the connection: FIN once written, then wait for the peer
        Close     ///< the peer ended it: drop the line once written
    };
    void beginClosing(const QByteArray &lastBytes, AfterFlush then);
    void afterQueueWritten();
    void advance(qint64 sent);
    void armDeadline(int ms);
    void closeDescriptor();

    int m_fd = -1;
    State m_state = State::Handshake;
    Limits m_limits;
    QHostAddress m_peer;
    UpgradeRequest m_request;
    QByteArray m_handshake; ///< request bytes until the head is complete
    FrameReader m_reader;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    QTimer *m_deadline = nullptr; ///< handshake, then closing handshake; null in between
    QList<QByteArray> m_queue;    ///< frames not (fully) written, in order
    qsizetype m_headOffset = 0;   ///< bytes of m_queue.front() already written
    qint64 m_queuedBytes = 0;
    AfterFlush m_afterFlush = AfterFlush::Nothing;
    bool m_discardInput = false; ///< after a refusal or protocol error
};

} // namespace callwatch::live
