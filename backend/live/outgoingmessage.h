// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/eventrecord.h"

#include <QByteArray>
#include <QString>

namespace callwatch::live {

/**
 * @brief One message ready for the wire. Copies share their text (implicit sharing), so an
 * event serialized once in publish() costs one pointer per subscribed client, not one copy.
 */
struct OutgoingMessage
{
    qint64 eventId = 0; ///< 0 for control messages (subscribed, pong, error, ...)
    QString callSid;    ///< event messages: kept to re-check the match after an unsubscribe
    QString conversationId;
    QString text;     ///< the JSON text; QWebSocket 6.4 only sends text frames from a QString
    qint64 bytes = 0; ///< UTF-8 size, what the backpressure limit counts

    static OutgoingMessage control(const QByteArray &utf8);
    static OutgoingMessage event(const EventRecord &record);
};

} // namespace callwatch::live
