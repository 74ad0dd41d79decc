// SPDX-License-Identifier: GPL-3.0-or-later
#include "deliveryrecorder.h"

#include <algorithm>
#include <cmath>

namespace callwatch::bench {

namespace {

/** The unsigned integer right after `key` in `text`, or -1. */
std::int64_t numberAfter(std::string_view text, std::string_view key)
{
    const std::size_t at = text.find(key);
    if (at == std::string_view::npos)
        return -1;
    std::int64_t value = 0;
    std::size_t i = at + key.size();
    if (i >= text.size() || text[i] < '0' || text[i] > '9')
        return -1;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
        value = value * 10 + (text[i] - '0');
    return value;
}

} // namespace

DeliveryRecorder::DeliveryRecorder(int clients, std::size_t turns,
                                   const std::vector<std::atomic<std::int64_t>> &sentNs)
    : m_clients(clients), m_turns(turns), m_sentNs(sentNs), m_lastEventId(std::size_t(clients), 0),
      m_latencySumMs(std::size_t(clients), 0), m_count(std::size_t(clients), 0),
      m_turnFirstMs(turns, -1), m_turnLastMs(turns, -1), m_seen(std::size_t(clients) * turns, 0)
{
    latenciesMs.reserve(std::size_t(clients) * turns);
}

void DeliveryRecorder::onText(int client, std::string_view text, std::int64_t receivedNs)
{
    const std::int64_t turn = numberAfter(text, R"("message":"lb:)");
    if (client >= m_clients || turn < 0 || std::size_t(turn) >= m_turns ||
        text.find(R"("type":"transcription")") == std::string_view::npos) {
        ++otherMessages;
        return;
    }
    const std::int64_t eventId = numberAfter(text, R"("event_id":)");
    std::int64_t &last = m_lastEventId[std::size_t(client)];
    if (eventId <= last)
        ++outOfOrder;
    last = std::max(last, eventId);
    std::uint8_t &seen = m_seen[std::size_t(client) * m_turns + std::size_t(turn)];
    if (seen++ > 0)
        ++duplicates;
    ++delivered;
    if (firstReceiptNs == 0)
        firstReceiptNs = receivedNs;
    lastReceiptNs = receivedNs;
    const std::int64_t sent = m_sentNs[std::size_t(turn)].load(std::memory_order_acquire);
    const double ms = double(receivedNs - sent) / 1e6;
    latenciesMs.push_back(ms);
    m_latencySumMs[std::size_t(client)] += ms;
    ++m_count[std::size_t(client)];
    double &first = m_turnFirstMs[std::size_t(turn)];
    first = first < 0 ? ms : std::min(first, ms);
    m_turnLastMs[std::size_t(turn)] = std::max(m_turnLastMs[std::size_t(turn)], ms);
}

std::pair<std::vector<double>, std::vector<double>> DeliveryRecorder::turnFirstLastMs() const
{
    std::vector<double> first;
    std::vector<double> last;
    for (std::size_t turn = 0; turn < m_turns; ++turn) {
        if (m_turnFirstMs[turn] < 0)
            continue;
        first.push_back(m_turnFirstMs[turn]);
        last.push_back(m_turnLastMs[turn]);
    }
    std::sort(first.begin(), first.end());
    std::sort(last.begin(), last.end());
    return {first, last};
}

std::pair<double, double> DeliveryRecorder::clientMeanRangeMs() const
{
    double low = 0;
    double high = 0;
    bool first = true;
    for (std::size_t i = 0; i < m_count.size(); ++i) {
        if (m_count[i] == 0)
            continue;
        const double mean = m_latencySumMs[i] / m_count[i];
        low = first ? mean : std::min(low, mean);
        high = first ? mean : std::max(high, mean);
        first = false;
    }
    return {low, high};
}

std::uint64_t DeliveryRecorder::lost(const std::vector<std::atomic<int>> &status, int clients) const
{
    std::uint64_t missing = 0;
    for (std::size_t turn = 0; turn < m_turns; ++turn) {
        const int code = status[turn].load(std::memory_order_acquire);
        if (code < 200 || code >= 300)
            continue;
        for (int client = 0; client < clients && client < m_clients; ++client)
            missing += m_seen[std::size_t(client) * m_turns + turn] == 0 ? 1 : 0;
    }
    return missing;
}

std::uint64_t
DeliveryRecorder::unacknowledgedDelivered(const std::vector<std::atomic<int>> &status) const
{
    std::uint64_t count = 0;
    for (std::size_t turn = 0; turn < m_turns; ++turn) {
        const int code = status[turn].load(std::memory_order_acquire);
        if (code >= 200 && code < 300)
            continue;
        for (int client = 0; client < m_clients; ++client)
            count += m_seen[std::size_t(client) * m_turns + turn] > 0 ? 1 : 0;
    }
    return count;
}

double percentile(const std::vector<double> &sorted, double p)
{
    if (sorted.empty())
        return 0;
    const auto rank = std::size_t(std::ceil(p / 100.0 * double(sorted.size())));
    return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

} // namespace callwatch::bench
