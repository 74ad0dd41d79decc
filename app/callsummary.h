// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/wiretypes.h"

#include <QDateTime>
#include <QObject>
#include <QtQml/qqmlregistration.h>
#include <QVariantList>

namespace callwatch::app {

/**
 * @brief The selected call's header and completion card: who, when, status, and once the call
 * is over its summary, duration, cost, success, evaluation criteria and collected data.
 * One `changed` signal, emitted only when a value actually differs.
 */
class CallSummary : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by the Dashboard")
    Q_PROPERTY(bool hasCall READ hasCall NOTIFY changed)
    Q_PROPERTY(bool loading READ loading NOTIFY loadingChanged)
    Q_PROPERTY(QString callSid READ callSid NOTIFY changed)
    Q_PROPERTY(QString conversationId READ conversationId NOTIFY changed)
    Q_PROPERTY(QString driverId READ driverId NOTIFY changed)
    Q_PROPERTY(QString toNumber READ toNumber NOTIFY changed)
    Q_PROPERTY(QString direction READ direction NOTIFY changed)
    Q_PROPERTY(QString status READ status NOTIFY changed)
    Q_PROPERTY(bool isLive READ isLive NOTIFY changed)
    Q_PROPERTY(bool finished READ finished NOTIFY changed)
    Q_PROPERTY(bool hasCompletion READ hasCompletion NOTIFY changed)
    Q_PROPERTY(QString failureReason READ failureReason NOTIFY changed)
    Q_PROPERTY(QDateTime startedAt READ startedAt NOTIFY changed)
    Q_PROPERTY(QDateTime endedAt READ endedAt NOTIFY changed)
    Q_PROPERTY(qint64 durationSeconds READ durationSeconds NOTIFY changed)
    Q_PROPERTY(double cost READ cost NOTIFY changed)
    Q_PROPERTY(QString callSuccessful READ callSuccessful NOTIFY changed)
    Q_PROPERTY(QString summary READ summary NOTIFY changed)
    Q_PROPERTY(QString terminationReason READ terminationReason NOTIFY changed)
    Q_PROPERTY(bool hasAudio READ hasAudio NOTIFY changed)
    Q_PROPERTY(QVariantList evaluationCriteria READ evaluationCriteria NOTIFY changed)
    Q_PROPERTY(QVariantList dataCollection READ dataCollection NOTIFY changed)
public:
    explicit CallSummary(QObject *parent = nullptr);

    void setCall(const CallRecord &call);
    void clear();
    void setLoading(bool loading);
    const CallRecord &call() const { return m_call; }

    bool hasCall() const { return !m_call.callSid.isEmpty(); }
    bool loading() const { return m_loading; }
    QString callSid() const { return m_call.callSid; }
    QString conversationId() const { return m_call.conversationId; }
    QString driverId() const { return m_call.driverId; }
    QString toNumber() const { return m_call.toNumber; }
    QString direction() const { return m_call.direction; }
    QString status() const { return m_call.status; }
    bool isLive() const { return isLiveStatus(m_call.status); }
    bool finished() const { return hasCall() && !isLive(); }
    /** The post-call data arrived (summary, success or analysis). */
    bool hasCompletion() const;
    QString failureReason() const { return m_call.failureReason; }
    QDateTime startedAt() const;
    QDateTime endedAt() const { return m_call.endedAt; }
    qint64 durationSeconds() const; ///< -1 while unknown
    double cost() const { return m_call.cost.value_or(-1.0); }
    QString callSuccessful() const { return m_call.callSuccessful; }
    QString summary() const { return m_call.transcriptSummary; }
    QString terminationReason() const { return m_call.terminationReason; }
    bool hasAudio() const { return m_call.hasAudio; }
    /** [{id, result, rationale, passed}] */
    QVariantList evaluationCriteria() const;
    /** [{id, value, isNull, rationale}] */
    QVariantList dataCollection() const;

Q_SIGNALS:
    void changed();
    void loadingChanged();

private:
    CallRecord m_call;
    bool m_loading = false;
};

} // namespace callwatch::app
