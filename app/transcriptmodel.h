// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/wiretypes.h"

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

#include <vector>

namespace callwatch::app {

/**
 * @brief The turns of the selected call only, ordered by sequence_number, one row per number.
 *
 * REST history and live events merge without duplicates: a sequence number already present is
 * updated in place (dataChanged) only if its content differs. Once a history containing
 * post-call turns arrives (the call completed) those are the transcript: live turns are
 * replaced row by row and late live events are ignored.
 */
class TranscriptModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by the Dashboard")
    Q_PROPERTY(QString callSid READ callSid NOTIFY callSidChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(bool postCall READ isPostCall NOTIFY postCallChanged)
public:
    enum Roles {
        SequenceNumberRole = Qt::UserRole + 1,
        SpeakerRole,
        IsAgentRole,
        MessageRole,
        TimeInCallRole,
        TimeLabelRole, ///< "m:ss" into the call (h:mm:ss past an hour)
        SourceRole,
        ReceivedAtRole,
        ToolNamesRole,
    };
    Q_ENUM(Roles)

    explicit TranscriptModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    /** Shows another call: clears the rows (a reset, since everything changes). */
    void setCall(const QString &callSid);
    void mergeHistory(const QList<TranscriptTurn> &turns);
    /** Returns false when the event is for another call or arrives after the post-call set. */
    bool applyLive(const TranscriptEvent &event);

    QString callSid() const { return m_callSid; }
    int count() const { return rowCount(); }
    bool isPostCall() const { return m_postCall; }
    const std::vector<TranscriptTurn> &turns() const { return m_turns; }

    static QString timeLabel(double seconds);

Q_SIGNALS:
    void callSidChanged();
    void countChanged();
    void postCallChanged();

private:
    void upsert(const TranscriptTurn &turn);
    void replaceAll(std::vector<TranscriptTurn> target);

    QString m_callSid;
    std::vector<TranscriptTurn> m_turns;
    bool m_postCall = false;
};

} // namespace callwatch::app
