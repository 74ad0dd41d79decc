// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/transcriptmodel.h"

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace callwatch::app {

namespace {
bool bySequence(const TranscriptTurn &turn, qint64 sequence)
{
    return turn.sequenceNumber < sequence;
}
} // namespace

TranscriptModel::TranscriptModel(QObject *parent) : QAbstractListModel(parent) {}

int TranscriptModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_turns.size());
}

QVariant TranscriptModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TranscriptTurn &turn = m_turns[size_t(index.row())];
    switch (role) {
    case SequenceNumberRole:
        return turn.sequenceNumber;
    case SpeakerRole:
        return turn.speaker;
    case IsAgentRole:
        return turn.speaker == "agent"_L1;
    case Qt::DisplayRole:
    case MessageRole:
        return turn.message;
    case TimeInCallRole:
        return turn.timeInCallSecs;
    case TimeLabelRole:
        return timeLabel(turn.timeInCallSecs);
    case SourceRole:
        return turn.source;
    case ReceivedAtRole:
        return turn.receivedAt;
    case ToolNamesRole:
        return turn.toolNames;
    default:
        return {};
    }
}

QHash<int, QByteArray> TranscriptModel::roleNames() const
{
    return {
        {SequenceNumberRole, "sequenceNumber"},
        {SpeakerRole, "speaker"},
        {IsAgentRole, "isAgent"},
        {MessageRole, "message"},
        {TimeInCallRole, "timeInCall"},
        {TimeLabelRole, "timeLabel"},
        {SourceRole, "source"},
        {ReceivedAtRole, "receivedAt"},
        {ToolNamesRole, "toolNames"},
    };
}

QString TranscriptModel::timeLabel(double seconds)
{
    const qint64 total = std::max<qint64>(0, qint64(std::floor(seconds)));
    const qint64 hours = total / 3600;
    const qint64 minutes = (total % 3600) / 60;
    const qint64 secs = total % 60;
    if (hours > 0)
        return u"%1:%2:%3"_s.arg(hours)
            .arg(minutes, 2, 10, QLatin1Char('0'))
            .arg(secs, 2, 10, QLatin1Char('0'));
    return u"%1:%2"_s.arg(minutes).arg(secs, 2, 10, QLatin1Char('0'));
}

void TranscriptModel::setCall(const QString &callSid)
{
    if (callSid == m_callSid)
        return;
    beginResetModel();
    m_callSid = callSid;
    m_turns.clear();
    const bool wasPostCall = m_postCall;
    m_postCall = false;
    endResetModel();
    Q_EMIT callSidChanged();
    Q_EMIT countChanged();
    if (wasPostCall)
        Q_EMIT postCallChanged();
}

void TranscriptModel::mergeHistory(const QList<TranscriptTurn> &turns)
{
    const bool hasPostCall = std::any_of(turns.begin(), turns.end(), [](const TranscriptTurn &t) {
        return t.source == QLatin1StringView(TurnSource::PostCall);
    });
    if (!hasPostCall) {
        if (m_postCall)
            return; // live history cannot override the final transcript
        for (const TranscriptTurn &turn : turns)
            upsert(turn);
        return;
    }
    std::vector<TranscriptTurn> target;
    for (const TranscriptTurn &turn : turns) {
        if (turn.source == QLatin1StringView(TurnSource::PostCall))
            target.push_back(turn);
    }
    // Sorted and unique by sequence number; the later duplicate wins.
    std::stable_sort(target.begin(), target.end(), [](const auto &a, const auto &b) {
        return a.sequenceNumber < b.sequenceNumber;
    });
    std::vector<TranscriptTurn> unique;
    for (TranscriptTurn &turn : target) {
        if (!unique.empty() && unique.back().sequenceNumber == turn.sequenceNumber)
            unique.back() = std::move(turn);
        else
            unique.push_back(std::move(turn));
    }
    replaceAll(std::move(unique));
    if (!m_postCall) {
        m_postCall = true;
        Q_EMIT postCallChanged();
    }
}

bool TranscriptModel::applyLive(const TranscriptEvent &event)
{
    if (event.callSid != m_callSid || m_callSid.isEmpty() || m_postCall)
        return false;
    upsert(event.turn);
    return true;
}

void TranscriptModel::upsert(const TranscriptTurn &turn)
{
    const auto it =
        std::lower_bound(m_turns.begin(), m_turns.end(), turn.sequenceNumber, bySequence);
    const int row = int(it - m_turns.begin());
    if (it != m_turns.end() && it->sequenceNumber == turn.sequenceNumber) {
        if (*it == turn)
            return;
        *it = turn;
        Q_EMIT dataChanged(index(row), index(row));
        return;
    }
    beginInsertRows(QModelIndex(), row, row);
    m_turns.insert(it, turn);
    endInsertRows();
    Q_EMIT countChanged();
}

void TranscriptModel::replaceAll(std::vector<TranscriptTurn> target)
{
    // Walk both sorted lists: equal numbers update in place, missing ones are removed,
    // new ones inserted, so the view keeps its delegates and scroll position.
    size_t row = 0;
    size_t next = 0;
    const size_t before = m_turns.size();
    while (next < target.size() || row < m_turns.size()) {
        if (next == target.size()) {
            beginRemoveRows(QModelIndex(), int(row), int(m_turns.size()) - 1);
            m_turns.erase(m_turns.begin() + qsizetype(row), m_turns.end());
            endRemoveRows();
            break;
        }
        if (row == m_turns.size()) {
            beginInsertRows(QModelIndex(), int(row), int(row + target.size() - next) - 1);
            m_turns.insert(m_turns.end(), std::make_move_iterator(target.begin() + qsizetype(next)),
                           std::make_move_iterator(target.end()));
            endInsertRows();
            break;
        }
        const qint64 current = m_turns[row].sequenceNumber;
        const qint64 wanted = target[next].sequenceNumber;
        if (current == wanted) {
            if (!(m_turns[row] == target[next])) {
                m_turns[row] = std::move(target[next]);
                Q_EMIT dataChanged(index(int(row)), index(int(row)));
            }
            ++row;
            ++next;
        } else if (current < wanted) {
            beginRemoveRows(QModelIndex(), int(row), int(row));
            m_turns.erase(m_turns.begin() + qsizetype(row));
            endRemoveRows();
        } else {
            beginInsertRows(QModelIndex(), int(row), int(row));
            m_turns.insert(m_turns.begin() + qsizetype(row), std::move(target[next]));
            endInsertRows();
            ++row;
            ++next;
        }
    }
    if (m_turns.size() != before)
        Q_EMIT countChanged();
}

} // namespace callwatch::app
