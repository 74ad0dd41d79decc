// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/calllistmodel.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace callwatch::app {

namespace {

QDateTime sortTime(const CallRecord &call)
{
    if (call.createdAt.isValid())
        return call.createdAt;
    if (call.startedAt.isValid())
        return call.startedAt;
    return call.updatedAt;
}

/** Whether data stamped `incoming` may replace data stamped `existing`. */
bool notOlder(const QDateTime &incoming, const QDateTime &existing)
{
    return !incoming.isValid() || !existing.isValid() || incoming >= existing;
}

void touch(CallRecord &call, const QDateTime &timestamp)
{
    if (timestamp.isValid() && (!call.updatedAt.isValid() || timestamp > call.updatedAt))
        call.updatedAt = timestamp;
}

void fill(QString &target, const QString &value)
{
    if (!value.isEmpty())
        target = value;
}

} // namespace

CallListModel::CallListModel(QObject *parent) : QAbstractListModel(parent) {}

int CallListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_visible.size());
}

QVariant CallListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows[size_t(m_visible[size_t(index.row())])];
    const CallRecord &call = row.call;
    switch (role) {
    case Qt::DisplayRole:
    case DriverIdRole:
        return call.driverId;
    case CallSidRole:
        return call.callSid;
    case ConversationIdRole:
        return call.conversationId;
    case ToNumberRole:
        return call.toNumber;
    case DirectionRole:
        return call.direction;
    case StatusRole:
        return call.status;
    case IsLiveRole:
        return isLiveStatus(call.status);
    case FailureReasonRole:
        return call.failureReason;
    case CreatedAtRole:
        return call.createdAt;
    case StartedAtRole:
        return call.startedAt.isValid() ? call.startedAt : call.createdAt;
    case EndedAtRole:
        return call.endedAt;
    case UpdatedAtRole:
        return call.updatedAt;
    case DurationSecondsRole:
        if (call.durationSeconds)
            return *call.durationSeconds;
        if (call.startedAt.isValid() && call.endedAt.isValid())
            return call.startedAt.secsTo(call.endedAt);
        return -1;
    case CostRole:
        return call.cost.value_or(-1.0);
    case CallSuccessfulRole:
        return call.callSuccessful;
    case SummaryRole:
        return call.transcriptSummary;
    case TerminationReasonRole:
        return call.terminationReason;
    case LastMessageRole:
        return row.lastMessage;
    case LastSpeakerRole:
        return row.lastSpeaker;
    case HasAudioRole:
        return call.hasAudio;
    default:
        return {};
    }
}

QHash<int, QByteArray> CallListModel::roleNames() const
{
    return {
        {CallSidRole, "callSid"},
        {ConversationIdRole, "conversationId"},
        {DriverIdRole, "driverId"},
        {ToNumberRole, "toNumber"},
        {DirectionRole, "direction"},
        {StatusRole, "status"},
        {IsLiveRole, "isLive"},
        {FailureReasonRole, "failureReason"},
        {CreatedAtRole, "createdAt"},
        {StartedAtRole, "startedAt"},
        {EndedAtRole, "endedAt"},
        {UpdatedAtRole, "updatedAt"},
        {DurationSecondsRole, "durationSeconds"},
        {CostRole, "cost"},
        {CallSuccessfulRole, "callSuccessful"},
        {SummaryRole, "summary"},
        {TerminationReasonRole, "terminationReason"},
        {LastMessageRole, "lastMessage"},
        {LastSpeakerRole, "lastSpeaker"},
        {HasAudioRole, "hasAudio"},
    };
}

void CallListModel::mergeCalls(const QList<CallRecord> &calls)
{
    if (m_rows.empty() && !calls.isEmpty()) {
        // First page into an empty list: one reset instead of fifty inserts.
        beginResetModel();
        for (const CallRecord &call : calls) {
            if (m_index.contains(call.callSid))
                continue;
            m_index.insert(call.callSid, int(m_rows.size()));
            m_rows.push_back(Row{call, {}, {}});
        }
        m_visible.clear();
        for (int i = 0; i < int(m_rows.size()); ++i) {
            if (matches(m_rows[size_t(i)]))
                m_visible.push_back(i);
        }
        std::stable_sort(m_visible.begin(), m_visible.end(),
                         [this](int a, int b) { return displayedBefore(a, b); });
        endResetModel();
        Q_EMIT countChanged();
        Q_EMIT totalCountChanged();
        updateLiveCount();
        return;
    }
    beginBatch();
    for (const CallRecord &call : calls) {
        const int existing = storeIndexOf(call.callSid);
        if (existing >= 0 && !notOlder(call.updatedAt, m_rows[size_t(existing)].call.updatedAt))
            continue;
        bool created = false;
        const int index = ensureRow(call.callSid, call.updatedAt, &created);
        const int oldRow = visibleRowOf(index);
        if (!created && m_rows[size_t(index)].call == call)
            continue;
        m_rows[size_t(index)].call = call;
        place(index, oldRow);
    }
    endBatch();
}

bool CallListModel::applyStatus(const CallStatusEvent &event)
{
    bool created = false;
    const int index = ensureRow(event.callSid, event.timestamp, &created);
    const int oldRow = visibleRowOf(index);
    CallRecord &call = m_rows[size_t(index)].call;
    fill(call.conversationId, event.conversationId);
    fill(call.driverId, event.driverId);
    fill(call.toNumber, event.toNumber);
    if (created || notOlder(event.timestamp, call.updatedAt)) {
        call.status = event.status;
        fill(call.failureReason, event.failureReason);
        if (event.status == QLatin1StringView(CallStatus::InProgress) && !call.startedAt.isValid())
            call.startedAt = event.timestamp;
        if (!isLiveStatus(event.status) && !call.endedAt.isValid())
            call.endedAt = event.timestamp;
        touch(call, event.timestamp);
    }
    place(index, oldRow);
    return created;
}

bool CallListModel::applyCompleted(const CallCompletedEvent &event)
{
    bool created = false;
    const int index = ensureRow(event.callSid, event.timestamp, &created);
    const int oldRow = visibleRowOf(index);
    CallRecord &call = m_rows[size_t(index)].call;
    fill(call.conversationId, event.conversationId);
    // The post-call summary is final: it always fills in, but a newer status is kept.
    if (created || notOlder(event.timestamp, call.updatedAt) || isLiveStatus(call.status))
        call.status = event.status;
    call.transcriptSummary = event.transcriptSummary;
    if (event.durationSeconds)
        call.durationSeconds = event.durationSeconds;
    if (event.cost)
        call.cost = event.cost;
    call.callSuccessful = event.callSuccessful;
    call.analysis = event.analysis;
    fill(call.terminationReason, event.terminationReason);
    if (!call.endedAt.isValid())
        call.endedAt = event.timestamp;
    touch(call, event.timestamp);
    place(index, oldRow);
    return created;
}

bool CallListModel::applyTranscription(const TranscriptEvent &event)
{
    bool created = false;
    const int index = ensureRow(event.callSid, event.timestamp, &created);
    const int oldRow = visibleRowOf(index);
    Row &row = m_rows[size_t(index)];
    fill(row.call.conversationId, event.conversationId);
    if (created) {
        // Someone is talking, so the call is under way even if its status event is still due.
        row.call.status = QString::fromLatin1(CallStatus::InProgress);
        row.call.startedAt = event.timestamp;
    } else if (row.call.status == QLatin1StringView(CallStatus::Initiating)) {
        row.call.status = QString::fromLatin1(CallStatus::InProgress);
        if (!row.call.startedAt.isValid())
            row.call.startedAt = event.timestamp;
    }
    if (event.turn.source != QLatin1StringView(TurnSource::PostCall)) {
        row.lastMessage = event.turn.message;
        row.lastSpeaker = event.turn.speaker;
    }
    place(index, oldRow);
    return created;
}

void CallListModel::setFilter(const QString &text, const QString &status)
{
    const QString trimmed = text.trimmed();
    const QString normalized = status.isEmpty() ? u"all"_s : status;
    if (trimmed == m_filterText && normalized == m_filterStatus)
        return;
    m_filterText = trimmed;
    m_filterStatus = normalized;
    // A filter change is a user action, not an event: one reset is right here.
    beginResetModel();
    m_visible.clear();
    for (int i = 0; i < int(m_rows.size()); ++i) {
        if (matches(m_rows[size_t(i)]))
            m_visible.push_back(i);
    }
    std::stable_sort(m_visible.begin(), m_visible.end(),
                     [this](int a, int b) { return displayedBefore(a, b); });
    m_changed.clear();
    endResetModel();
    Q_EMIT countChanged();
}

void CallListModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_index.clear();
    m_visible.clear();
    m_changed.clear();
    endResetModel();
    Q_EMIT countChanged();
    Q_EMIT totalCountChanged();
    updateLiveCount();
}

int CallListModel::trimFinished(int keep, const QString &pinnedSid)
{
    std::vector<int> finished;
    for (int i = 0; i < int(m_rows.size()); ++i) {
        const CallRecord &call = m_rows[size_t(i)].call;
        if (!isLiveStatus(call.status) && call.callSid != pinnedSid)
            finished.push_back(i);
    }
    if (int(finished.size()) <= keep)
        return 0;
    std::sort(finished.begin(), finished.end(),
              [this](int a, int b) { return displayedBefore(a, b); });
    std::vector<bool> drop(m_rows.size(), false);
    for (size_t i = size_t(std::max(0, keep)); i < finished.size(); ++i)
        drop[size_t(finished[i])] = true;
    removeVisible(drop);
    compact(drop);
    Q_EMIT countChanged();
    Q_EMIT totalCountChanged();
    return int(finished.size()) - std::max(0, keep);
}

void CallListModel::removeVisible(const std::vector<bool> &drop)
{
    // Bottom-up, one removal per run of adjacent rows (the oldest calls are usually one run).
    for (int last = int(m_visible.size()) - 1; last >= 0; --last) {
        if (!drop[size_t(m_visible[size_t(last)])])
            continue;
        int first = last;
        while (first > 0 && drop[size_t(m_visible[size_t(first - 1)])])
            --first;
        beginRemoveRows(QModelIndex(), first, last);
        m_visible.erase(m_visible.begin() + first, m_visible.begin() + last + 1);
        endRemoveRows();
        last = first;
    }
}

void CallListModel::compact(const std::vector<bool> &drop)
{
    std::vector<int> renumbered(m_rows.size(), -1);
    std::vector<Row> kept;
    kept.reserve(m_rows.size());
    for (size_t i = 0; i < m_rows.size(); ++i) {
        if (drop[i])
            continue;
        renumbered[i] = int(kept.size());
        kept.push_back(std::move(m_rows[i]));
    }
    m_rows = std::move(kept);
    m_index.clear();
    for (int i = 0; i < int(m_rows.size()); ++i)
        m_index.insert(m_rows[size_t(i)].call.callSid, i);
    for (int &index : m_visible)
        index = renumbered[size_t(index)];
    QSet<int> changed;
    for (int index : std::as_const(m_changed)) {
        if (renumbered[size_t(index)] >= 0)
            changed.insert(renumbered[size_t(index)]);
    }
    m_changed = changed;
}

void CallListModel::beginBatch()
{
    ++m_batchDepth;
}

void CallListModel::endBatch()
{
    if (m_batchDepth > 0 && --m_batchDepth == 0)
        flushChanged();
}

const CallRecord *CallListModel::find(const QString &callSid) const
{
    const int index = storeIndexOf(callSid);
    return index >= 0 ? &m_rows[size_t(index)].call : nullptr;
}

QStringList CallListModel::liveCallSids() const
{
    QStringList sids;
    for (const Row &row : m_rows) {
        if (isLiveStatus(row.call.status))
            sids.append(row.call.callSid);
    }
    return sids;
}

int CallListModel::rowOf(const QString &callSid) const
{
    const int index = storeIndexOf(callSid);
    return index >= 0 ? visibleRowOf(index) : -1;
}

QString CallListModel::callSidAt(int row) const
{
    if (row < 0 || row >= int(m_visible.size()))
        return {};
    return m_rows[size_t(m_visible[size_t(row)])].call.callSid;
}

int CallListModel::visibleRowOf(int storeIndex) const
{
    const auto it = std::find(m_visible.begin(), m_visible.end(), storeIndex);
    return it == m_visible.end() ? -1 : int(it - m_visible.begin());
}

int CallListModel::ensureRow(const QString &callSid, const QDateTime &timestamp, bool *created)
{
    const int existing = storeIndexOf(callSid);
    *created = existing < 0;
    if (existing >= 0)
        return existing;
    Row row;
    row.call.callSid = callSid;
    row.call.createdAt = timestamp;
    row.call.updatedAt = timestamp;
    const int index = int(m_rows.size());
    m_rows.push_back(std::move(row));
    m_index.insert(callSid, index);
    Q_EMIT totalCountChanged();
    return index;
}

void CallListModel::place(int storeIndex, int oldRow)
{
    const bool visible = matches(m_rows[size_t(storeIndex)]);
    if (oldRow < 0) {
        if (visible) {
            const int position = insertPosition(storeIndex);
            beginInsertRows(QModelIndex(), position, position);
            m_visible.insert(m_visible.begin() + position, storeIndex);
            endInsertRows();
            Q_EMIT countChanged();
        }
    } else if (!visible) {
        beginRemoveRows(QModelIndex(), oldRow, oldRow);
        m_visible.erase(m_visible.begin() + oldRow);
        endRemoveRows();
        Q_EMIT countChanged();
    } else {
        // Find where the changed row belongs among the others (which are still sorted).
        m_visible.erase(m_visible.begin() + oldRow);
        const int position = insertPosition(storeIndex);
        m_visible.insert(m_visible.begin() + oldRow, storeIndex);
        if (position != oldRow) {
            beginMoveRows(QModelIndex(), oldRow, oldRow, QModelIndex(),
                          position > oldRow ? position + 1 : position);
            m_visible.erase(m_visible.begin() + oldRow);
            m_visible.insert(m_visible.begin() + position, storeIndex);
            endMoveRows();
        }
        markChanged(storeIndex);
    }
    updateLiveCount();
}

int CallListModel::insertPosition(int storeIndex) const
{
    const auto it = std::lower_bound(m_visible.begin(), m_visible.end(), storeIndex,
                                     [this](int a, int b) { return displayedBefore(a, b); });
    return int(it - m_visible.begin());
}

bool CallListModel::displayedBefore(int a, int b) const
{
    const CallRecord &left = m_rows[size_t(a)].call;
    const CallRecord &right = m_rows[size_t(b)].call;
    const bool leftLive = isLiveStatus(left.status);
    const bool rightLive = isLiveStatus(right.status);
    if (leftLive != rightLive)
        return leftLive;
    const QDateTime leftTime = sortTime(left);
    const QDateTime rightTime = sortTime(right);
    if (leftTime != rightTime)
        return leftTime > rightTime;
    return left.callSid > right.callSid;
}

bool CallListModel::matches(const Row &row) const
{
    const CallRecord &call = row.call;
    if (m_filterStatus == "live"_L1 && !isLiveStatus(call.status))
        return false;
    if ((m_filterStatus == "completed"_L1 || m_filterStatus == "failed"_L1) &&
        call.status != m_filterStatus)
        return false;
    if (m_filterText.isEmpty())
        return true;
    // The same fields the server's `q` searches, so local and server results agree.
    for (const QString *field :
         {&call.callSid, &call.driverId, &call.toNumber, &call.conversationId}) {
        if (field->contains(m_filterText, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

void CallListModel::markChanged(int storeIndex)
{
    m_changed.insert(storeIndex);
    if (m_batchDepth == 0)
        flushChanged();
}

void CallListModel::flushChanged()
{
    if (m_changed.isEmpty())
        return;
    std::vector<int> rows;
    rows.reserve(size_t(m_changed.size()));
    for (int storeIndex : std::as_const(m_changed)) {
        const int row = visibleRowOf(storeIndex);
        if (row >= 0)
            rows.push_back(row);
    }
    m_changed.clear();
    std::sort(rows.begin(), rows.end());
    // One dataChanged per contiguous range of rows.
    for (size_t i = 0; i < rows.size();) {
        size_t j = i;
        while (j + 1 < rows.size() && rows[j + 1] == rows[j] + 1)
            ++j;
        Q_EMIT dataChanged(index(rows[i]), index(rows[j]));
        i = j + 1;
    }
}

void CallListModel::updateLiveCount()
{
    int live = 0;
    for (const Row &row : m_rows)
        live += isLiveStatus(row.call.status) ? 1 : 0;
    if (live != m_liveCount) {
        m_liveCount = live;
        Q_EMIT liveCountChanged();
    }
}

} // namespace callwatch::app
