// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QString>

#include <deque>

namespace callwatch::live {

/**
 * @brief The hub's memory of which call sid belongs to which conversation id.
 *
 * Learned from every event that carries both (live and replayed). Bounded: past `capacity`
 * pairs the oldest learned are forgotten (a forgotten pair only means a later subscription by
 * one identifier no longer picks up events that carry only the other).
 */
class CallIdentityMap
{
public:
    explicit CallIdentityMap(qsizetype capacity = 100000);

    /** Remembers the pair; true when it was not known yet. Ignores empty identifiers. */
    bool learn(const QString &callSid, const QString &conversationId);
    QString conversationIdFor(const QString &callSid) const;
    QString callSidFor(const QString &conversationId) const;
    qsizetype size() const { return m_conversationBySid.size(); }

private:
    void forget(const QString &callSid);

    QHash<QString, QString> m_conversationBySid;
    QHash<QString, QString> m_sidByConversation;
    std::deque<QString> m_learnOrder; ///< call sids, oldest first
    qsizetype m_capacity;
};

} // namespace callwatch::live
