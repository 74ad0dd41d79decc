// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>

#include <functional>
#include <string>
#include <vector>

namespace callwatch::bench {

/** @brief What one load run measured. Latencies are per request, send to full response. */
struct LoadResult
{
    quint64 sent = 0;
    quint64 ok = 0;     ///< 2xx responses
    quint64 failed = 0; ///< other statuses
    quint64 connectionErrors = 0;
    double seconds = 0;
    std::vector<double> latenciesMs; ///< of the 2xx responses
    double requestsPerSecond() const { return seconds > 0 ? double(ok) / seconds : 0; }
    double percentile(double p) const;
};

/** Builds the bytes of request number `n` (a full HTTP/1.1 request). Called from the load thread.
 */
using RequestFactory = std::function<QByteArray(quint64 n)>;

/**
 * @brief A closed-loop HTTP/1.1 keep-alive load generator on epoll: `connections` sockets, each
 * sending its next request as soon as the previous response is complete. No Qt event loop, so it
 * costs the machine as little as possible while sharing the cores with the server.
 */
/** Told the request number and HTTP status of every complete response. */
using ResponseObserver = std::function<void(quint64 n, int status)>;

LoadResult runLoad(const std::string &host, int port, int connections, double seconds,
                   const RequestFactory &makeRequest, quint64 maxRequests = 0,
                   const ResponseObserver &observe = {});

/** A TCP connection to host:port with TCP_NODELAY; -1 on error. Non-blocking by default (the
 * connect then still in progress); `blocking` waits for it and leaves the socket blocking. */
int connectTo(const std::string &host, int port, bool blocking = false);

/** A POST with the given path, extra headers and body, keep-alive. */
QByteArray buildPost(const QByteArray &path, const QList<QByteArray> &headers,
                     const QByteArray &body);

} // namespace callwatch::bench
