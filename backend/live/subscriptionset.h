// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "live/liveprotocol.h"

#include <QHash>
#include <QString>

#include <optional>

namespace callwatch::live {

class CallIdentityMap;

/**
 * @brief What one live client is subscribed to, and from which event id on.
 *
 * An event matches when `all` is subscribed, or its call sid is subscribed, or its conversation
 * id is subscribed — each entry only for events with an id above that entry's `afterId`.
 * A call subscribed by one identifier is also subscribed by the other as soon as the pair is
 * known (at subscribe time from the hub's CallIdentityMap, later through link()).
 */
class SubscriptionSet
{
public:
    /** Subscribes; when already subscribed, the lower `afterId` wins (never loses events). */
    void add(const Selector &selector, qint64 afterId, const CallIdentityMap &identities);
    /** Unsubscribes the call under both its identifiers; `all` clears every subscription. */
    void remove(const Selector &selector);
    /** A newly learned pair: whichever side is subscribed brings in the other. */
    void link(const QString &callSid, const QString &conversationId);

    bool matches(qint64 eventId, const QString &callSid, const QString &conversationId) const;
    bool isEmpty() const;
    /** Whether this exact selector is subscribed already. */
    bool contains(const Selector &selector) const;
    /** Call sids and conversation ids held (a call counts once per identifier known for it). */
    qsizetype identifierCount() const { return m_callSids.size() + m_conversations.size(); }

private:
    struct Entry
    {
        qint64 afterId = 0;
        QString partner; ///< the other identifier of the same call, when known
    };
    static void addEntry(QHash<QString, Entry> &entries, const QString &key, qint64 afterId,
                         const QString &partner);

    std::optional<qint64> m_allAfterId;
    QHash<QString, Entry> m_callSids;
    QHash<QString, Entry> m_conversations;
};

} // namespace callwatch::live
