// SPDX-License-Identifier: GPL-3.0-or-later
#include "live/outgoingmessage.h"

#include "live/liveprotocol.h"
#include "live/websocketframes.h"

namespace callwatch::live {

OutgoingMessage OutgoingMessage::control(const QByteArray &utf8)
{
    OutgoingMessage message;
    message.frame = WsFrame::header(WsOpcode::Text, utf8.size());
    message.headerBytes = message.frame.size();
    message.frame.append(utf8);
    message.bytes = utf8.size();
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
