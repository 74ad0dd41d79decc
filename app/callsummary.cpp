// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/callsummary.h"

#include <QVariantMap>

using namespace Qt::StringLiterals;

namespace callwatch::app {

CallSummary::CallSummary(QObject *parent) : QObject(parent) {}

void CallSummary::setCall(const CallRecord &call)
{
    if (call == m_call)
        return;
    m_call = call;
    Q_EMIT changed();
}

void CallSummary::clear()
{
    setCall(CallRecord());
    setLoading(false);
}

void CallSummary::setLoading(bool loading)
{
    if (loading == m_loading)
        return;
    m_loading = loading;
    Q_EMIT loadingChanged();
}

bool CallSummary::hasCompletion() const
{
    return !m_call.transcriptSummary.isEmpty() || !m_call.callSuccessful.isEmpty() ||
           !m_call.analysis.evaluation.isEmpty() || !m_call.analysis.dataCollection.isEmpty();
}

QDateTime CallSummary::startedAt() const
{
    return m_call.startedAt.isValid() ? m_call.startedAt : m_call.createdAt;
}

qint64 CallSummary::durationSeconds() const
{
    if (m_call.durationSeconds)
        return *m_call.durationSeconds;
    if (m_call.startedAt.isValid() && m_call.endedAt.isValid())
        return m_call.startedAt.secsTo(m_call.endedAt);
    return -1;
}

QVariantList CallSummary::evaluationCriteria() const
{
    QVariantList list;
    for (const EvaluationResult &item : m_call.analysis.evaluation) {
        list.append(QVariantMap{{u"id"_s, item.id},
                                {u"result"_s, item.result},
                                {u"rationale"_s, item.rationale},
                                {u"passed"_s, item.result == "success"_L1}});
    }
    return list;
}

QVariantList CallSummary::dataCollection() const
{
    QVariantList list;
    for (const DataCollectionResult &item : m_call.analysis.dataCollection) {
        list.append(QVariantMap{{u"id"_s, item.id},
                                {u"value"_s, item.value},
                                {u"isNull"_s, item.isNull},
                                {u"rationale"_s, item.rationale}});
    }
    return list;
}

} // namespace callwatch::app
