// SPDX-License-Identifier: GPL-3.0-or-later
#include "live/subscriptionset.h"

#include "live/callidentitymap.h"

namespace callwatch::live {

void SubscriptionSet::addEntry(QHash<QString, Entry> &entries, const QString &key, qint64 afterId,
                               const QString &partner)
{
    auto it = entries.find(key);
    if (it == entries.end()) {
        entries.insert(key, Entry{afterId, partner});
        return;
    }
    it->afterId = qMin(it->afterId, afterId);
    if (!partner.isEmpty())
        it->partner = partner;
}

void SubscriptionSet::add(const Selector &selector, qint64 afterId,
                          const CallIdentityMap &identities)
{
    switch (selector.kind) {
    case Selector::Kind::All:
        m_allAfterId = m_allAfterId ? qMin(*m_allAfterId, afterId) : afterId;
        return;
    case Selector::Kind::CallSid: {
        const QString conversationId = identities.conversationIdFor(selector.value);
        addEntry(m_callSids, selector.value, afterId, conversationId);
        if (!conversationId.isEmpty())
            addEntry(m_conversations, conversationId, afterId, selector.value);
        return;
    }
    case Selector::Kind::ConversationId: {
        const QString callSid = identities.callSidFor(selector.value);
        addEntry(m_conversations, selector.value, afterId, callSid);
        if (!callSid.isEmpty())
            addEntry(m_callSids, callSid, afterId, selector.value);
        return;
    }
    }
}

bool SubscriptionSet::contains(const Selector &selector) const
{
    switch (selector.kind) {
    case Selector::Kind::All:
        return m_allAfterId.has_value();
    case Selector::Kind::CallSid:
        return m_callSids.contains(selector.value);
    case Selector::Kind::ConversationId:
        return m_conversations.contains(selector.value);
    }
    return false;
}

void SubscriptionSet::remove(const Selector &selector)
{
    switch (selector.kind) {
    case Selector::Kind::All:
        m_allAfterId.reset();
        m_callSids.clear();
        m_conversations.clear();
        return;
    case Selector::Kind::CallSid: {
        const Entry entry = m_callSids.take(selector.value);
        if (!entry.partner.isEmpty())
            m_conversations.remove(entry.partner);
        return;
    }
    case Selector::Kind::ConversationId: {
        const Entry entry = m_conversations.take(selector.value);
        if (!entry.partner.isEmpty())
            m_callSids.remove(entry.partner);
        return;
    }
    }
}

void SubscriptionSet::link(const QString &callSid, const QString &conversationId)
{
    if (callSid.isEmpty() || conversationId.isEmpty())
        return;
    const auto bySid = m_callSids.find(callSid);
    if (bySid != m_callSids.end()) {
        bySid->partner = conversationId;
        addEntry(m_conversations, conversationId, bySid->afterId, callSid);
        return;
    }
    const auto byConversation = m_conversations.find(conversationId);
    if (byConversation != m_conversations.end()) {
        byConversation->partner = callSid;
        addEntry(m_callSids, callSid, byConversation->afterId, conversationId);
    }
}

bool SubscriptionSet::matches(qint64 eventId, const QString &callSid,
                              const QString &conversationId) const
{
    if (m_allAfterId && eventId > *m_allAfterId)
        return true;
    if (!callSid.isEmpty()) {
        const auto it = m_callSids.constFind(callSid);
        if (it != m_callSids.cend() && eventId > it->afterId)
            return true;
    }
    if (!conversationId.isEmpty()) {
        const auto it = m_conversations.constFind(conversationId);
        if (it != m_conversations.cend() && eventId > it->afterId)
            return true;
    }
    return false;
}

bool SubscriptionSet::isEmpty() const
{
    return !m_allAfterId && m_callSids.isEmpty() && m_conversations.isEmpty();
}

} // namespace callwatch::live
