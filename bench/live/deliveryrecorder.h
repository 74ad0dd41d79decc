// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace callwatch::bench {

/**
 * @brief Checks and times what the live clients receive.
 *
 * Bench turns carry "lb:<n>:" at the start of their message text, n being the request's index;
 * the recorder reads it back from each `transcription` event, takes POST-to-receipt latency from
 * the poster's send times, and checks per client that every event id is larger than the last
 * (order, no duplicates) and which turns arrived (so lost ones can be counted afterwards).
 */
class DeliveryRecorder
{
public:
    DeliveryRecorder(int clients, std::size_t turns,
                     const std::vector<std::atomic<std::int64_t>> &sentNs);

    void onText(int client, std::string_view text, std::int64_t receivedNs);

    /** Turns answered 2xx that some client never received. */
    std::uint64_t lost(const std::vector<std::atomic<int>> &status, int clients) const;
    /** Deliveries of turns that were not answered 2xx (timeouts that still committed). */
    std::uint64_t unacknowledgedDelivered(const std::vector<std::atomic<int>> &status) const;

    std::uint64_t delivered = 0;  ///< bench transcription events received, all clients
    std::uint64_t duplicates = 0; ///< the same turn twice on one client
    std::uint64_t outOfOrder = 0; ///< an event id not larger than the previous one
    std::uint64_t otherMessages = 0;
    std::int64_t firstReceiptNs = 0;
    std::int64_t lastReceiptNs = 0;
    std::vector<double> latenciesMs;
    /** Per client mean latency (ms): the spread shows how long one fan-out round takes. */
    std::pair<double, double> clientMeanRangeMs() const;
    /** Per turn, the latency of its first and of its last delivery (sorted, ms). */
    std::pair<std::vector<double>, std::vector<double>> turnFirstLastMs() const;

private:
    int m_clients;
    std::size_t m_turns;
    const std::vector<std::atomic<std::int64_t>> &m_sentNs;
    std::vector<std::int64_t> m_lastEventId; ///< per client
    std::vector<double> m_latencySumMs;      ///< per client
    std::vector<std::uint32_t> m_count;      ///< per client
    std::vector<double> m_turnFirstMs;       ///< per turn, -1 = none yet
    std::vector<double> m_turnLastMs;        ///< per turn
    std::vector<std::uint8_t> m_seen;        ///< client * turns + turn → times received
};

/** The p-th percentile (0..100) of `sorted`; 0 when empty. */
double percentile(const std::vector<double> &sorted, double p);

} // namespace callwatch::bench
