// SPDX-License-Identifier: GPL-3.0-or-later
#include "live/outgoingmessage.h"

#include "live/liveprotocol.h"

#include <QtEndian>

namespace callwatch::live {

namespace {

/** RFC 6455 §5.2 header of a final, unmasked text frame carrying `length` bytes. */
QByteArray textFrameHeader(qsizetype length)
{
    QByteArray header;
    header.append(char(0x81)); // FIN + opcode 1 (text)
    if (length < 126) {
        header.append(char(length));
    } else if (length <= 0xFFFF) {
        header.append(char(126));
        const quint16 size = qToBigEndian(quint16(length));
        header.append(reinterpret_cast<const char *>(&size), sizeof size);
    } else {
        header.append(char(127));
        const quint64 size = qToBigEndian(quint64(length));
        header.append(reinterpret_cast<const char *>(&size), sizeof size);
    }
    return header;
}

} // namespace

OutgoingMessage OutgoingMessage::control(const QByteArray &utf8)
{
    OutgoingMessage message;
    message.frame = textFrameHeader(utf8.size());
    message.headerBytes = message.frame.size();
    message.frame.append(utf8);
    message.bytes = utf8.size();
    return message;
}

OutgoingMessage OutgoingMessage::ping()
{
    OutgoingMessage message;
    message.frame = QByteArray("\x89\x00", 2); // FIN + opcode 9 (ping), no payload
    message.headerBytes = message.frame.size();
    return message;
}

OutgoingMessage OutgoingMessage::event(const EventRecord &record)
{
    OutgoingMessage message = control(LiveProtocol::eventMessage(record));
    message.eventId = record.id;
    message.callSid = record.callSid;
    message.conversationId = record.conversationId;
    return message;
}

} // namespace callwatch::live
