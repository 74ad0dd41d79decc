// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>
#include <vector>

namespace callwatch::live {

/** RFC 6455 §5.2 opcodes. */
namespace WsOpcode {
constexpr int Continuation = 0x0;
constexpr int Text = 0x1;
constexpr int Binary = 0x2;
constexpr int Close = 0x8;
constexpr int Ping = 0x9;
constexpr int Pong = 0xA;
} // namespace WsOpcode

/** RFC 6455 §7.4.1 close codes the transport itself uses. */
namespace WsClose {
constexpr quint16 Normal = 1000;
constexpr quint16 ProtocolError = 1002;
constexpr quint16 NoStatus = 1005; ///< received close frame without a code (never sent)
constexpr quint16 InvalidPayload = 1007;
constexpr quint16 TooBig = 1009;
} // namespace WsClose

/** @brief One complete client message or control frame, unmasked. */
struct IncomingFrame
{
    enum class Kind { Text, Binary, Ping, Pong, Close };
    Kind kind = Kind::Text;
    QByteArray payload; ///< the whole message (fragments joined); close: the reason
    quint16 closeCode = WsClose::NoStatus; ///< Close only
};

/** @brief Why the peer broke the protocol: the close code and reason to answer with. */
struct FrameError
{
    quint16 code = WsClose::ProtocolError;
    QString reason;
};

/**
 * @brief Incremental parser of client-to-server WebSocket frames (RFC 6455 §5).
 *
 * feed() takes bytes as they arrive and appends every complete message to `out`; only an
 * incomplete frame's bytes and an unfinished fragmented message are kept, so an idle connection
 * holds no buffer at all. Sizes are checked from the frame header, before the payload arrives:
 * a peer announcing more than the limit is refused at once instead of being buffered.
 * After an error the parser stops; the connection is to be closed with error()->code.
 */
class FrameReader
{
public:
    explicit FrameReader(qint64 maxMessageBytes) : m_maxMessageBytes(maxMessageBytes) {}

    void feed(QByteArrayView bytes, std::vector<IncomingFrame> &out);
    const std::optional<FrameError> &error() const { return m_error; }
    /** Bytes held for unfinished frames and messages. */
    qsizetype bufferedBytes() const { return m_pending.size() + m_message.size(); }

private:
    /** Parses one frame at the start of `bytes`: its size, 0 if incomplete, -1 on error. */
    qsizetype parseFrame(QByteArrayView bytes, std::vector<IncomingFrame> &out);
    bool acceptDataFrame(int opcode, bool final, QByteArray payload,
                         std::vector<IncomingFrame> &out);
    void acceptControlFrame(int opcode, QByteArray payload, std::vector<IncomingFrame> &out);
    void fail(quint16 code, const QString &reason);

    qint64 m_maxMessageBytes;
    QByteArray m_pending;    ///< start of a frame whose rest has not arrived
    QByteArray m_message;    ///< fragments of an unfinished data message
    int m_messageOpcode = 0; ///< 1 text, 2 binary; 0 when no fragmented message is open
    std::optional<FrameError> m_error;
};

/** @brief Server-to-client frames (never masked). */
namespace WsFrame {
QByteArray header(int opcode, qsizetype payloadBytes);
QByteArray close(quint16 code, const QString &reason);
QByteArray pong(QByteArrayView payload);
QByteArray ping();
} // namespace WsFrame

} // namespace callwatch::live
