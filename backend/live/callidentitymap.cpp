// SPDX-License-Identifier: GPL-3.0-or-later
#include "live/callidentitymap.h"

namespace callwatch::live {

CallIdentityMap::CallIdentityMap(qsizetype capacity) : m_capacity(qMax<qsizetype>(1, capacity)) {}

bool CallIdentityMap::learn(const QString &callSid, const QString &conversationId)
{
    if (callSid.isEmpty() || conversationId.isEmpty())
        return false;
    const auto known = m_conversationBySid.constFind(callSid);
    if (known != m_conversationBySid.cend() && *known == conversationId)
        return false;
    // A sid or conversation re-paired (should not happen) replaces the old pairing.
    forget(callSid);
    forget(m_sidByConversation.value(conversationId));
    m_conversationBySid.insert(callSid, conversationId);
    m_sidByConversation.insert(conversationId, callSid);
    m_learnOrder.push_back(callSid);
    while (m_conversationBySid.size() > m_capacity && !m_learnOrder.empty()) {
        forget(m_learnOrder.front());
        m_learnOrder.pop_front();
    }
    // Stale order entries (re-paired sids) are skipped by forget(); keep the deque bounded too.
    if (static_cast<qsizetype>(m_learnOrder.size()) > 2 * m_capacity) {
        std::deque<QString> live;
        for (const QString &sid : m_learnOrder) {
            if (m_conversationBySid.contains(sid))
                live.push_back(sid);
        }
        m_learnOrder.swap(live);
    }
    return true;
}

QString CallIdentityMap::conversationIdFor(const QString &callSid) const
{
    return m_conversationBySid.value(callSid);
}

QString CallIdentityMap::callSidFor(const QString &conversationId) const
{
    return m_sidByConversation.value(conversationId);
}

void CallIdentityMap::forget(const QString &callSid)
{
    if (callSid.isEmpty())
        return;
    const QString conversationId = m_conversationBySid.take(callSid);
    if (!conversationId.isEmpty())
        m_sidByConversation.remove(conversationId);
}

} // namespace callwatch::live
