// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/wiretypes.h"

#include <QAbstractListModel>
#include <QHash>
#include <QSet>
#include <QtQml/qqmlregistration.h>

#include <vector>

namespace callwatch::app {

/**
 * @brief One row per call, updated in place as events arrive.
 *
 * Order: live calls (initiating, in progress) first, then newest first. Every change is a
 * row-level signal (insert, move, remove, dataChanged); only a filter change resets the model.
 * Filtering is built in (search text and status) so a call leaving or entering the filter
 * because of an event is one insert or remove, not a re-sort of a proxy.
 * Between beginBatch() and endBatch() dataChanged is coalesced per row, so a frame's worth of
 * events touches each delegate once.
 */
class CallListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by the Dashboard")
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(int liveCount READ liveCount NOTIFY liveCountChanged)
    Q_PROPERTY(int totalCount READ totalCount NOTIFY totalCountChanged)
public:
    enum Roles {
        CallSidRole = Qt::UserRole + 1,
        ConversationIdRole,
        DriverIdRole,
        ToNumberRole,
        DirectionRole,
        StatusRole,
        IsLiveRole,
        FailureReasonRole,
        CreatedAtRole,
        StartedAtRole,
        EndedAtRole,
        UpdatedAtRole,
        DurationSecondsRole, ///< -1 while unknown (live calls: the view counts from startedAt)
        CostRole,            ///< -1 while unknown
        CallSuccessfulRole,
        SummaryRole,
        TerminationReasonRole,
        LastMessageRole, ///< the latest live turn, for a glance at what is being said
        LastSpeakerRole,
        HasAudioRole,
    };
    Q_ENUM(Roles)

    /** Status filter values: "all", "live", "completed", "failed". */
    explicit CallListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    /** REST rows; a row is replaced only by data at least as recent (updated_at). */
    void mergeCalls(const QList<CallRecord> &calls);
    /** Returns true when the call was unknown (the caller may fetch its details). */
    bool applyStatus(const CallStatusEvent &event);
    bool applyCompleted(const CallCompletedEvent &event);
    bool applyTranscription(const TranscriptEvent &event);

    void setFilter(const QString &text, const QString &status);
    /** Forget every call (another server). */
    void clear();
    /**
     * Forgets the oldest finished calls beyond the @p keep newest (live calls and @p pinnedSid,
     * the open call, always stay), as row removals. Returns how many were dropped.
     */
    int trimFinished(int keep, const QString &pinnedSid = {});
    QString filterText() const { return m_filterText; }
    QString filterStatus() const { return m_filterStatus; }

    void beginBatch();
    void endBatch();

    const CallRecord *find(const QString &callSid) const;
    /** Every call shown as live, filtered out or not. */
    QStringList liveCallSids() const;
    Q_INVOKABLE int rowOf(const QString &callSid) const;
    Q_INVOKABLE QString callSidAt(int row) const;

    int count() const { return rowCount(); }
    int liveCount() const { return m_liveCount; }
    int totalCount() const { return int(m_rows.size()); }

Q_SIGNALS:
    void countChanged();
    void liveCountChanged();
    void totalCountChanged();

private:
    struct Row
    {
        CallRecord call;
        QString lastMessage;
        QString lastSpeaker;
    };

    int storeIndexOf(const QString &callSid) const { return m_index.value(callSid, -1); }
    int visibleRowOf(int storeIndex) const;
    int ensureRow(const QString &callSid, const QDateTime &timestamp, bool *created);
    /** After row `storeIndex` changed: insert, remove or move it and mark it changed. */
    void place(int storeIndex, int oldRow);
    int insertPosition(int storeIndex) const;
    bool displayedBefore(int a, int b) const;
    bool matches(const Row &row) const;
    void markChanged(int storeIndex);
    void removeVisible(const std::vector<bool> &drop);
    /** Drops the flagged rows from the store and renumbers the indices that point into it. */
    void compact(const std::vector<bool> &drop);
    void flushChanged();
    void updateLiveCount();

    std::vector<Row> m_rows;     ///< every known call, in arrival order (stable indices)
    QHash<QString, int> m_index; ///< call_sid → index in m_rows
    std::vector<int> m_visible;  ///< indices into m_rows, in display order
    QSet<int> m_changed;         ///< store indices changed during the current batch
    int m_batchDepth = 0;
    int m_liveCount = 0;
    QString m_filterText;
    QString m_filterStatus = QStringLiteral("all");
};

} // namespace callwatch::app
