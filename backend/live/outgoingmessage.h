// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/eventrecord.h"

#include <QByteArray>
#include <QString>

namespace callwatch::live {

/**
 * @brief One message ready for the wire. Copies share their bytes (implicit sharing), so an
 * event serialized once in publish() costs one pointer per subscribed client, not one copy.
 *
 * The message is kept as a complete WebSocket text frame (server frames are never masked), so
 * sending it to a thousand clients writes the same bytes a thousand times instead of asking
 * a WebSocket library to re-encode and copy the text per client.
 */
struct OutgoingMessage
{
    qint64 eventId = 0; ///< 0 for control messages (subscribed, pong, error, ...)
    QString callSid;    ///< event messages: kept to re-check the match after an unsubscribe
    QString conversationId;
    QByteArray frame;          ///< the whole frame: header, then the JSON text as UTF-8
    qsizetype headerBytes = 0; ///< where the JSON starts in `frame`
    qint64 bytes = 0;          ///< UTF-8 size of the JSON, what the backpressure limit counts

    QByteArrayView payload() const { return QByteArrayView(frame).sliced(headerBytes); }

    static OutgoingMessage control(const QByteArray &utf8);
    static OutgoingMessage event(const EventRecord &record);
};

} // namespace callwatch::live
