// SPDX-License-Identifier: GPL-3.0-or-later
#include "live/websocketframes.h"

#include <QStringDecoder>
#include <QtEndian>

using namespace Qt::StringLiterals;

namespace callwatch::live {

namespace {

constexpr quint64 MaxControlPayload = 125;
constexpr qsizetype MaskBytes = 4;

bool isValidUtf8(QByteArrayView bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString decoded = decoder.decode(bytes);
    return !decoder.hasError();
}

} // namespace

void FrameReader::feed(QByteArrayView bytes, std::vector<IncomingFrame> &out)
{
    if (m_error)
        return;
    QByteArrayView input = bytes;
    if (!m_pending.isEmpty()) {
        m_pending.append(bytes);
        input = m_pending;
    }
    qsizetype offset = 0;
    while (offset < input.size()) {
        const qsizetype used = parseFrame(input.sliced(offset), out);
        if (used <= 0)
            break;
        offset += used;
    }
    if (m_error) {
        m_pending = {};
        m_message = {};
        return;
    }
    // Only an unfinished frame's bytes are kept; a null array when none (no memory held).
    QByteArray rest = offset < input.size() ? input.sliced(offset).toByteArray() : QByteArray();
    m_pending = std::move(rest);
}

qsizetype FrameReader::parseFrame(QByteArrayView bytes, std::vector<IncomingFrame> &out)
{
    if (bytes.size() < 2)
        return 0;
    const auto first = quint8(bytes[0]);
    const auto second = quint8(bytes[1]);
    const bool final = (first & 0x80) != 0;
    const int opcode = first & 0x0F;
    if ((first & 0x70) != 0) {
        fail(WsClose::ProtocolError, u"reserved bits set, but no extension was negotiated"_s);
        return -1;
    }
    if ((second & 0x80) == 0) {
        fail(WsClose::ProtocolError, u"client frames must be masked"_s);
        return -1;
    }
    const bool control = opcode >= WsOpcode::Close;
    if ((opcode > WsOpcode::Binary && opcode < WsOpcode::Close) || opcode > WsOpcode::Pong) {
        fail(WsClose::ProtocolError, u"unknown opcode %1"_s.arg(opcode));
        return -1;
    }
    quint64 length = second & 0x7F;
    qsizetype offset = 2;
    if (length == 126) {
        if (bytes.size() < 4)
            return 0;
        length = qFromBigEndian<quint16>(bytes.data() + 2);
        offset = 4;
    } else if (length == 127) {
        if (bytes.size() < 10)
            return 0;
        length = qFromBigEndian<quint64>(bytes.data() + 2);
        offset = 10;
    }
    if (control && (!final || length > MaxControlPayload)) {
        fail(WsClose::ProtocolError, u"control frames must be final and at most 125 bytes"_s);
        return -1;
    }
    // Refused from the header alone: nothing over the limit is ever buffered.
    const auto limit = quint64(m_maxMessageBytes);
    if (!control && (length > limit || quint64(m_message.size()) + length > limit)) {
        fail(WsClose::TooBig, u"message larger than %1 bytes"_s.arg(m_maxMessageBytes));
        return -1;
    }
    const qsizetype frameBytes = offset + MaskBytes + qsizetype(length);
    if (bytes.size() < frameBytes)
        return 0;
    const char *mask = bytes.data() + offset;
    QByteArray payload(bytes.data() + offset + MaskBytes, qsizetype(length));
    for (qsizetype i = 0; i < payload.size(); ++i)
        payload[i] = char(payload[i] ^ mask[i % MaskBytes]);
    if (control)
        acceptControlFrame(opcode, std::move(payload), out);
    else if (!acceptDataFrame(opcode, final, std::move(payload), out))
        return -1;
    return m_error ? -1 : frameBytes;
}

bool FrameReader::acceptDataFrame(int opcode, bool final, QByteArray payload,
                                  std::vector<IncomingFrame> &out)
{
    if (opcode == WsOpcode::Continuation && m_messageOpcode == 0) {
        fail(WsClose::ProtocolError, u"continuation frame without a message to continue"_s);
        return false;
    }
    if (opcode != WsOpcode::Continuation && m_messageOpcode != 0) {
        fail(WsClose::ProtocolError, u"new message before the previous one was finished"_s);
        return false;
    }
    if (opcode != WsOpcode::Continuation)
        m_messageOpcode = opcode;
    if (!final) {
        m_message.append(payload);
        return true;
    }
    QByteArray message = m_message.isEmpty() ? std::move(payload) : m_message.append(payload);
    const bool text = m_messageOpcode == WsOpcode::Text;
    m_message = {};
    m_messageOpcode = 0;
    if (text && !isValidUtf8(message)) {
        fail(WsClose::InvalidPayload, u"text message is not valid UTF-8"_s);
        return false;
    }
    out.push_back({text ? IncomingFrame::Kind::Text : IncomingFrame::Kind::Binary,
                   std::move(message), WsClose::NoStatus});
    return true;
}

void FrameReader::acceptControlFrame(int opcode, QByteArray payload,
                                     std::vector<IncomingFrame> &out)
{
    if (opcode == WsOpcode::Ping) {
        out.push_back({IncomingFrame::Kind::Ping, std::move(payload), WsClose::NoStatus});
        return;
    }
    if (opcode == WsOpcode::Pong) {
        out.push_back({IncomingFrame::Kind::Pong, std::move(payload), WsClose::NoStatus});
        return;
    }
    if (payload.size() == 1) {
        fail(WsClose::ProtocolError, u"close frame with a one-byte body"_s);
        return;
    }
    quint16 code = WsClose::NoStatus;
    QByteArray reason;
    if (payload.size() >= 2) {
        code = qFromBigEndian<quint16>(payload.constData());
        reason = payload.sliced(2);
        if (!isValidUtf8(reason)) {
            fail(WsClose::InvalidPayload, u"close reason is not valid UTF-8"_s);
            return;
        }
    }
    out.push_back({IncomingFrame::Kind::Close, std::move(reason), code});
}

void FrameReader::fail(quint16 code, const QString &reason)
{
    if (!m_error)
        m_error = FrameError{code, reason};
}

namespace WsFrame {

QByteArray header(int opcode, qsizetype payloadBytes)
{
    QByteArray header;
    header.append(char(0x80 | opcode)); // FIN: the server never fragments
    if (payloadBytes < 126) {
        header.append(char(payloadBytes));
    } else if (payloadBytes <= 0xFFFF) {
        header.append(char(126));
        const quint16 size = qToBigEndian(quint16(payloadBytes));
        header.append(reinterpret_cast<const char *>(&size), sizeof size);
    } else {
        header.append(char(127));
        const quint64 size = qToBigEndian(quint64(payloadBytes));
        header.append(reinterpret_cast<const char *>(&size), sizeof size);
    }
    return header;
}

QByteArray close(quint16 code, const QString &reason)
{
    QByteArray body(2, Qt::Uninitialized);
    qToBigEndian(code, body.data());
    // A control frame carries at most 125 bytes: cut the reason at a character boundary.
    QString text = reason;
    QByteArray utf8 = text.toUtf8();
    while (utf8.size() > qsizetype(MaxControlPayload) - 2) {
        text.chop(1);
        utf8 = text.toUtf8();
    }
    body.append(utf8);
    return header(WsOpcode::Close, body.size()) + body;
}

QByteArray pong(QByteArrayView payload)
{
    return header(WsOpcode::Pong, payload.size()) + payload.toByteArray();
}

QByteArray ping()
{
    return header(WsOpcode::Ping, 0);
}

} // namespace WsFrame

} // namespace callwatch::live
