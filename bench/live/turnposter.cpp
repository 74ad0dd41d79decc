// SPDX-License-Identifier: GPL-3.0-or-later
#include "turnposter.h"

#include "loadgen.h"
#include "wsclientpool.h"

#include <cerrno>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace callwatch::bench {

namespace {

constexpr std::int64_t LateNs = 5'000'000;
constexpr std::int64_t GiveUpAfterNs = 30'000'000'000;

struct Connection
{
    int fd = -1;
    bool busy = false;
    std::size_t request = 0;
    std::string in;
};

/** Length of the first complete response in `in` (0 if incomplete); sets `status`. */
std::size_t completeResponse(const std::string &in, int *status)
{
    const std::size_t headEnd = in.find("\r\n\r\n");
    if (headEnd == std::string::npos || in.size() < 12)
        return 0;
    *status = std::atoi(in.substr(9, 3).c_str());
    std::size_t length = 0;
    const std::size_t cl = in.find("Content-Length:");
    if (cl != std::string::npos && cl < headEnd)
        length = std::size_t(std::atoll(in.c_str() + cl + 15));
    const std::size_t total = headEnd + 4 + length;
    return in.size() >= total ? total : 0;
}

bool sendAll(int fd, const QByteArray &bytes)
{
    qsizetype written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::send(fd, bytes.constData() + written,
                                 std::size_t(bytes.size() - written), MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        written += n;
    }
    return true;
}

} // namespace

TurnPoster::TurnPoster(std::string host, int port, int connections)
    : m_host(std::move(host)), m_port(port), m_connections(connections)
{}

PostResult TurnPoster::run(const QList<QByteArray> &requests, double ratePerSecond,
                           std::vector<std::atomic<std::int64_t>> &sentNs,
                           std::vector<std::atomic<int>> &status)
{
    PostResult result;
    const int ep = ::epoll_create1(EPOLL_CLOEXEC);
    std::vector<Connection> conns(static_cast<std::size_t>(m_connections));
    for (std::size_t i = 0; i < conns.size(); ++i) {
        conns[i].fd = connectTo(m_host, m_port, true); // small requests: send() returns at once
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = i;
        if (conns[i].fd >= 0)
            ::epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
    }
    const auto interval = std::int64_t(1e9 / ratePerSecond);
    const std::size_t total = std::size_t(requests.size());
    const std::int64_t start = WsClientPool::nowNs();
    std::int64_t lastResponse = start;
    std::size_t next = 0;
    std::size_t busy = 0;
    char buffer[16384];
    for (;;) {
        std::int64_t now = WsClientPool::nowNs();
        bool blocked = false;
        while (next < total && now >= start + std::int64_t(next) * interval) {
            Connection *idle = nullptr;
            for (Connection &c : conns)
                if (c.fd >= 0 && !c.busy && !idle)
                    idle = &c;
            if (!idle) {
                blocked = true;
                break;
            }
            if (now - (start + std::int64_t(next) * interval) > LateNs)
                ++result.late;
            sentNs[next].store(now, std::memory_order_release);
            ++result.sent;
            if (!sendAll(idle->fd, requests.at(qsizetype(next)))) {
                ++result.failed;
                ::close(idle->fd);
                idle->fd = -1;
            } else {
                idle->busy = true;
                idle->request = next;
                ++busy;
            }
            ++next;
            now = WsClientPool::nowNs();
        }
        if ((next == total && busy == 0) ||
            now - start > std::int64_t(total) * interval + GiveUpAfterNs)
            break;
        int timeoutMs = 100;
        if (next < total && !blocked)
            timeoutMs = int(std::max<std::int64_t>(0, start + std::int64_t(next) * interval - now) /
                            1'000'000);
        epoll_event events[64];
        const int n = ::epoll_wait(ep, events, 64, timeoutMs);
        for (int e = 0; e < n; ++e) {
            Connection &c = conns[events[e].data.u64];
            const ssize_t got = ::recv(c.fd, buffer, sizeof buffer, MSG_DONTWAIT);
            if (got <= 0) {
                if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
                    if (c.busy) {
                        ++result.failed;
                        --busy;
                    }
                    ::epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
                    ::close(c.fd);
                    c.fd = -1;
                    c.busy = false;
                }
                continue;
            }
            c.in.append(buffer, std::size_t(got));
            int code = 0;
            while (const std::size_t length = completeResponse(c.in, &code)) {
                c.in.erase(0, length);
                if (!c.busy)
                    continue;
                lastResponse = WsClientPool::nowNs();
                status[c.request].store(code, std::memory_order_release);
                if (code >= 200 && code < 300) {
                    ++result.ok;
                    result.ackMs.push_back(
                        double(lastResponse - sentNs[c.request].load(std::memory_order_relaxed)) /
                        1e6);
                } else {
                    ++result.failed;
                }
                c.busy = false;
                --busy;
            }
        }
    }
    result.failed += busy; // never answered
    result.seconds = double(lastResponse - start) / 1e9;
    for (Connection &c : conns)
        if (c.fd >= 0)
            ::close(c.fd);
    ::close(ep);
    return result;
}

} // namespace callwatch::bench
