// SPDX-License-Identifier: GPL-3.0-or-later
#include "loadgen.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace callwatch::bench {

namespace {

using Clock = std::chrono::steady_clock;

struct Connection
{
    int fd = -1;
    QByteArray out;
    qsizetype written = 0;
    QByteArray in;
    Clock::time_point started;
    quint64 number = 0;
    bool busy = false;
};

// Returns the total length of the first complete response in `in`, or 0 if incomplete;
// sets status. Responses from our server always carry Content-Length.
qsizetype completeResponse(const QByteArray &in, int *status)
{
    const qsizetype headEnd = in.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return 0;
    *status = in.mid(9, 3).toInt();
    qsizetype length = 0;
    const qsizetype cl = in.indexOf("Content-Length:");
    if (cl >= 0 && cl < headEnd) {
        const qsizetype eol = in.indexOf("\r\n", cl);
        length = in.mid(cl + 15, eol - cl - 15).trimmed().toLongLong();
    }
    const qsizetype total = headEnd + 4 + length;
    return in.size() >= total ? total : 0;
}

bool flushOut(Connection &c)
{
    while (c.written < c.out.size()) {
        const ssize_t n = ::send(c.fd, c.out.constData() + c.written,
                                 size_t(c.out.size() - c.written), MSG_NOSIGNAL);
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK;
        c.written += n;
    }
    return true;
}

} // namespace

int connectTo(const std::string &host, int port, bool blocking)
{
    const int fd =
        ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (blocking ? 0 : SOCK_NONBLOCK), 0);
    if (fd < 0)
        return -1;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port));
    ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0 &&
        (blocking || errno != EINPROGRESS)) {
        ::close(fd);
        return -1;
    }
    return fd;
}

double LoadResult::percentile(double p) const
{
    if (latenciesMs.empty())
        return 0;
    std::vector<double> sorted = latenciesMs;
    const size_t index = std::min(sorted.size() - 1, size_t(p / 100.0 * double(sorted.size())));
    std::nth_element(sorted.begin(), sorted.begin() + qsizetype(index), sorted.end());
    return sorted[index];
}

QByteArray buildPost(const QByteArray &path, const QList<QByteArray> &headers,
                     const QByteArray &body)
{
    QByteArray request =
        "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
        "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
        "\r\n";
    for (const QByteArray &header : headers)
        request += header + "\r\n";
    return request + "\r\n" + body;
}

LoadResult runLoad(const std::string &host, int port, int connections, double seconds,
                   const RequestFactory &makeRequest, quint64 maxRequests,
                   const ResponseObserver &observe)
{
    LoadResult result;
    const int ep = ::epoll_create1(EPOLL_CLOEXEC);
    std::vector<Connection> conns(static_cast<size_t>(connections));
    quint64 next = 0;
    auto startRequest = [&](Connection &c) {
        if (maxRequests && next >= maxRequests)
            return false;
        c.number = next;
        c.out = makeRequest(next++);
        c.written = 0;
        c.busy = true;
        c.started = Clock::now();
        ++result.sent;
        return flushOut(c);
    };
    for (size_t i = 0; i < conns.size(); ++i) {
        conns[i].fd = connectTo(host, port);
        if (conns[i].fd < 0) {
            ++result.connectionErrors;
            continue;
        }
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
        ev.data.u64 = i;
        ::epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
    }
    const auto begin = Clock::now();
    const auto deadline = begin + std::chrono::duration<double>(seconds);
    std::vector<epoll_event> events(size_t(connections) + 1);
    char buffer[65536];
    bool stopping = false;
    for (;;) {
        const auto now = Clock::now();
        if (now >= deadline)
            stopping = true;
        bool anyBusy = false;
        bool anyOpen = false;
        for (auto &c : conns) {
            anyBusy |= c.busy && c.fd >= 0;
            anyOpen |= c.fd >= 0;
        }
        if ((stopping && !anyBusy) || !anyOpen)
            break; // done, or every connection is gone (the server died or closed them)
        if (now >= deadline + std::chrono::seconds(10))
            break; // give up on stuck requests
        const int n = ::epoll_wait(ep, events.data(), int(events.size()), 100);
        for (int e = 0; e < n; ++e) {
            Connection &c = conns[events[size_t(e)].data.u64];
            if (c.fd < 0)
                continue;
            if (!c.busy && !stopping && !startRequest(c))
                stopping = stopping || (maxRequests && next >= maxRequests);
            if (c.busy && !flushOut(c)) {
                ++result.connectionErrors;
                ::close(c.fd);
                c.fd = -1;
                continue;
            }
            for (;;) {
                const ssize_t got = ::recv(c.fd, buffer, sizeof buffer, 0);
                if (got > 0) {
                    c.in.append(buffer, got);
                    continue;
                }
                if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
                    ++result.connectionErrors;
                    ::close(c.fd);
                    c.fd = -1;
                }
                break;
            }
            if (c.fd < 0)
                continue;
            int status = 0;
            while (const qsizetype len = completeResponse(c.in, &status)) {
                c.in.remove(0, len);
                const double ms =
                    std::chrono::duration<double, std::milli>(Clock::now() - c.started).count();
                c.busy = false;
                if (observe)
                    observe(c.number, status);
                if (status >= 200 && status < 300) {
                    ++result.ok;
                    result.latenciesMs.push_back(ms);
                } else {
                    ++result.failed;
                }
                if (!stopping && !startRequest(c))
                    stopping = stopping || (maxRequests && next >= maxRequests);
            }
        }
    }
    result.seconds = std::chrono::duration<double>(Clock::now() - begin).count();
    for (auto &c : conns)
        if (c.fd >= 0)
            ::close(c.fd);
    ::close(ep);
    return result;
}

} // namespace callwatch::bench
