// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace callwatch::bench {

/** @brief What a paced run of webhook POSTs did. */
struct PostResult
{
    std::uint64_t sent = 0;
    std::uint64_t ok = 0;      ///< 2xx
    std::uint64_t failed = 0;  ///< other statuses or no response
    std::uint64_t late = 0;    ///< sent more than 5 ms after their slot (no idle connection)
    double seconds = 0;        ///< first send to last response
    std::vector<double> ackMs; ///< POST to response, of the 2xx ones
};

/**
 * @brief Sends pre-built HTTP requests at a fixed rate (open loop) over a few keep-alive
 * connections, so a slow response delays no later request: request i leaves at start + i/rate.
 *
 * `sentNs[i]` (steady clock) is stored just before request i's first byte is written, so a
 * thread receiving the resulting live event can compute POST-to-receipt latency; `status[i]` is
 * stored when its response arrives (0 = none).
 */
class TurnPoster
{
public:
    TurnPoster(std::string host, int port, int connections);

    PostResult run(const QList<QByteArray> &requests, double ratePerSecond,
                   std::vector<std::atomic<std::int64_t>> &sentNs,
                   std::vector<std::atomic<int>> &status);

private:
    std::string m_host;
    int m_port = 0;
    int m_connections = 0;
};

} // namespace callwatch::bench
