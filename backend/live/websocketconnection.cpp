// SPDX-License-Identifier: GPL-3.0-or-later
#include "live/websocketconnection.h"

#include <QSocketNotifier>
#include <QTcpSocket>
#include <QTimer>

#include <array>
#include <cerrno>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace callwatch::live {

namespace {

/** Read in slices of this much, on the stack: nothing is allocated for a small message. */
constexpr size_t ReadSliceBytes = 16 * 1024;
/** Slices read per wake-up before the event loop gets a turn (a flooding peer is not served
 * ahead of everyone else). */
constexpr int MaxSlicesPerWakeup = 16;
/** Frames gathered into one sendmsg() (well under IOV_MAX). */
constexpr qsizetype MaxFramesPerWrite = 64;
/** Above this many unsent bytes, pings are not answered (see dispatch()). */
constexpr qint64 MaxQueuedBeforePong = 64 * 1024;

} // namespace

WebSocketConnection::WebSocketConnection(QTcpSocket *socket, Limits limits, QObject *parent)
    : QObject(parent), m_limits(limits), m_peer(socket->peerAddress()),
      m_reader(limits.maxIncomingMessageBytes)
{
    // What the HTTP layer gave back unread is in Qt's buffer; the rest is still in the kernel.
    m_handshake = socket->readAll();
    const qintptr descriptor = socket->socketDescriptor();
    if (descriptor >= 0)
        m_fd = ::fcntl(int(descriptor), F_DUPFD_CLOEXEC, 0);
    // Closing Qt's descriptor leaves the connection open on ours (no shutdown() is involved).
    socket->abort();
    socket->deleteLater();
    if (m_fd < 0)
        return;
    ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) | O_NONBLOCK);
    m_readNotifier = new QSocketNotifier(qintptr(m_fd), QSocketNotifier::Read, this);
    m_readNotifier->setEnabled(false);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &WebSocketConnection::onReadable);
    m_writeNotifier = new QSocketNotifier(qintptr(m_fd), QSocketNotifier::Write, this);
    m_writeNotifier->setEnabled(false);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &WebSocketConnection::onWritable);
}

WebSocketConnection::~WebSocketConnection()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

void WebSocketConnection::start()
{
    if (m_fd < 0) {
        m_state = State::Closed;
        Q_EMIT disconnected();
        return;
    }
    armDeadline(m_limits.handshakeTimeoutMs);
    m_readNotifier->setEnabled(true);
    if (!m_handshake.isEmpty())
        consumeHandshake({});
}

// --- reading ---------------------------------------------------------------------------------

void WebSocketConnection::onReadable()
{
    std::array<char, ReadSliceBytes> slice;
    for (int round = 0; round < MaxSlicesPerWakeup && m_fd >= 0; ++round) {
        const ssize_t received = ::recv(m_fd, slice.data(), slice.size(), MSG_DONTWAIT);
        if (received > 0) {
            if (!consume(QByteArrayView(slice.data(), received)) || size_t(received) < slice.size())
                return;
            continue;
        }
        if (received < 0 && errno == EINTR)
            continue;
        if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        closeDescriptor(); // end of stream or a reset
        return;
    }
}

bool WebSocketConnection::consume(QByteArrayView bytes)
{
    if (m_discardInput)
        return true; // keep reading until the peer closes, so our last bytes are not reset
    if (m_state == State::Handshake)
        return consumeHandshake(bytes);
    std::vector<IncomingFrame> frames;
    m_reader.feed(bytes, frames);
    for (const IncomingFrame &frame : frames) {
        if (!dispatch(frame))
            return false;
    }
    if (const std::optional<FrameError> &error = m_reader.error()) {
        failConnection(error->code, error->reason);
        return false;
    }
    return m_fd >= 0;
}

bool WebSocketConnection::consumeHandshake(QByteArrayView bytes)
{
    m_handshake.append(bytes);
    const HandshakeParse parsed = WsHandshake::parse(m_handshake, m_limits.maxHandshakeBytes);
    if (parsed.kind == HandshakeParse::Kind::Incomplete)
        return true;
    if (parsed.kind == HandshakeParse::Kind::Refused) {
        m_handshake = {};
        m_discardInput = true;
        beginClosing(WsHandshake::refusalResponse(parsed), AfterFlush::ShutDown);
        return false;
    }
    const QByteArray afterHead = m_handshake.sliced(parsed.consumed);
    m_handshake = {};
    m_request = parsed.request;
    m_state = State::Open;
    delete std::exchange(m_deadline, nullptr);
    queue(WsHandshake::acceptResponse(m_request.key));
    flush();
    if (m_fd < 0)
        return false;
    Q_EMIT handshakeCompleted();
    // Whatever followed the request head is frames.
    return afterHead.isEmpty() ? m_fd >= 0 : consume(afterHead);
}

bool WebSocketConnection::dispatch(const IncomingFrame &frame)
{
    switch (frame.kind) {
    case IncomingFrame::Kind::Text:
        if (m_state == State::Open)
            Q_EMIT textMessageReceived(frame.payload);
        break;
    case IncomingFrame::Kind::Binary:
        if (m_state == State::Open)
            Q_EMIT binaryMessageReceived();
        break;
    case IncomingFrame::Kind::Ping:
        // A peer that pings without reading gets no more pongs once our queue is this long:
        // otherwise a ping flood would grow the queue without bound.
        if (m_state == State::Open && m_queuedBytes <= MaxQueuedBeforePong) {
            queue(WsFrame::pong(frame.payload));
            flush();
        }
        break;
    case IncomingFrame::Kind::Pong:
        Q_EMIT pongReceived();
        break;
    case IncomingFrame::Kind::Close:
        if (m_state == State::Closing) { // the answer to ours: the closing handshake is complete
            closeDescriptor();
            return false;
        }
        // RFC 6455 §5.5.1: echo the code; 1005 only says none was given, it is never sent.
        beginClosing(
            WsFrame::close(frame.closeCode == WsClose::NoStatus ? WsClose::Normal : frame.closeCode,
                           {}),
            AfterFlush::Close);
        return false;
    }
    return m_fd >= 0;
}

void WebSocketConnection::failConnection(quint16 code, const QString &reason)
{
    m_discardInput = true;
    close(code, reason);
}

// --- writing ---------------------------------------------------------------------------------

void WebSocketConnection::queue(const QByteArray &frame)
{
    if (m_fd < 0 || m_state == State::Closing || frame.isEmpty())
        return;
    m_queue.append(frame);
    m_queuedBytes += frame.size();
}

void WebSocketConnection::flush()
{
    while (m_fd >= 0 && !m_queue.isEmpty()) {
        std::array<iovec, MaxFramesPerWrite> parts{};
        const qsizetype count = qMin(m_queue.size(), MaxFramesPerWrite);
        qint64 offered = 0;
        for (qsizetype i = 0; i < count; ++i) {
            const qsizetype skip = i == 0 ? m_headOffset : 0;
            parts[size_t(i)].iov_base = const_cast<char *>(m_queue[i].constData() + skip);
            parts[size_t(i)].iov_len = size_t(m_queue[i].size() - skip);
            offered += qint64(parts[size_t(i)].iov_len);
        }
        msghdr header{};
        header.msg_iov = parts.data();
        header.msg_iovlen = size_t(count);
        const ssize_t sent = ::sendmsg(m_fd, &header, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (sent < 0) {
            closeDescriptor(); // the peer is gone (EPIPE, ECONNRESET)
            return;
        }
        advance(sent);
        if (sent < offered)
            break; // the kernel's buffer is full
    }
    if (m_fd < 0)
        return;
    if (m_queue.isEmpty()) {
        m_queue = {}; // an idle connection keeps no array
        afterQueueWritten();
    }
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(m_fd >= 0 && !m_queue.isEmpty());
}

void WebSocketConnection::advance(qint64 sent)
{
    m_queuedBytes -= sent;
    while (sent > 0) {
        const qsizetype remaining = m_queue.front().size() - m_headOffset;
        if (sent < remaining) {
            m_headOffset += qsizetype(sent);
            return;
        }
        sent -= remaining;
        m_queue.removeFirst();
        m_headOffset = 0;
    }
}

void WebSocketConnection::onWritable()
{
    const qint64 before = m_queuedBytes;
    flush();
    if (m_fd >= 0 && m_queuedBytes < before)
        Q_EMIT bytesWritten();
}

void WebSocketConnection::sendPing()
{
    queue(WsFrame::ping());
    flush();
}

// --- closing ---------------------------------------------------------------------------------

void WebSocketConnection::close(quint16 code, const QString &reason)
{
    if (m_fd < 0 || m_state == State::Closing)
        return;
    if (m_state == State::Handshake) {
        abort();
        return;
    }
    beginClosing(WsFrame::close(code, reason), AfterFlush::ShutDown);
}

void WebSocketConnection::beginClosing(const QByteArray &lastBytes, AfterFlush then)
{
    queue(lastBytes); // before the state change: nothing is queued once Closing
    m_state = State::Closing;
    m_afterFlush = then;
    armDeadline(m_limits.closeTimeoutMs);
    flush();
}

void WebSocketConnection::afterQueueWritten()
{
    switch (std::exchange(m_afterFlush, AfterFlush::Nothing)) {
    case AfterFlush::Nothing:
        return;
    case AfterFlush::Close:
        closeDescriptor();
        return;
    case AfterFlush::ShutDown:
        // Our last bytes are out: FIN, then read until the peer closes too. Closing at once
        // could turn unread input into a reset that destroys what we just sent.
        ::shutdown(m_fd, SHUT_WR);
        return;
    }
}

void WebSocketConnection::abort()
{
    closeDescriptor();
}

void WebSocketConnection::armDeadline(int ms)
{
    if (!m_deadline) {
        m_deadline = new QTimer(this);
        m_deadline->setSingleShot(true);
        connect(m_deadline, &QTimer::timeout, this, &WebSocketConnection::abort);
    }
    m_deadline->start(ms);
}

void WebSocketConnection::closeDescriptor()
{
    if (m_fd < 0)
        return;
    // Deleted later: this may run inside one of their own activations.
    for (QSocketNotifier *notifier : {m_readNotifier, m_writeNotifier}) {
        notifier->setEnabled(false);
        notifier->deleteLater();
    }
    m_readNotifier = m_writeNotifier = nullptr;
    if (m_deadline)
        m_deadline->stop();
    ::close(m_fd);
    m_fd = -1;
    m_state = State::Closed;
    m_queue = {};
    m_queuedBytes = 0;
    m_headOffset = 0;
    Q_EMIT disconnected();
}

} // namespace callwatch::live
