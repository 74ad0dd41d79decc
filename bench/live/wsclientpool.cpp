// SPDX-License-Identifier: GPL-3.0-or-later
#include "wsclientpool.h"

#include "live/websocketframes.h"
#include "loadgen.h"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace callwatch::bench {

namespace {

constexpr std::string_view SubscribeAll = R"({"type":"subscribe","all":true})";
constexpr std::string_view SubscribedType = R"("type":"subscribed")";
constexpr int AbnormalClosure = 1006; ///< what we count when the server drops us without a close

std::uint64_t bigEndian(std::string_view bytes)
{
    std::uint64_t value = 0;
    for (char c : bytes)
        value = (value << 8) | std::uint8_t(c);
    return value;
}

} // namespace

WsClientPool::WsClientPool(std::string host, int port, std::string target)
    : m_host(std::move(host)), m_port(port), m_target(std::move(target)),
      m_epoll(::epoll_create1(EPOLL_CLOEXEC)), m_buffer(256 * 1024)
{}

WsClientPool::~WsClientPool()
{
    closeAll();
    ::close(m_epoll);
}

std::int64_t WsClientPool::nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

int WsClientPool::openSubscribed(int count, int inFlight, double timeoutSecs)
{
    const std::int64_t deadline = nowNs() + std::int64_t(timeoutSecs * 1e9);
    int toOpen = count;
    const TextHandler ignore = [](int, std::string_view, std::int64_t) {};
    while ((toOpen > 0 || m_pending > 0) && nowNs() < deadline) {
        while (toOpen > 0 && m_pending < inFlight) {
            open();
            --toOpen;
        }
        poll(20, ignore);
    }
    return m_subscribed;
}

void WsClientPool::open()
{
    Client client;
    client.fd = connectTo(m_host, m_port);
    const int index = int(m_clients.size());
    m_clients.push_back(std::move(client));
    if (m_clients.back().fd < 0) {
        m_clients.back().state = State::Closed;
        ++m_failed;
        ++m_closeCodes[AbnormalClosure];
        return;
    }
    ++m_pending;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u32 = std::uint32_t(index);
    ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_clients.back().fd, &ev);
}

void WsClientPool::poll(int timeoutMs, const TextHandler &handler)
{
    epoll_event events[512];
    const int n = ::epoll_wait(m_epoll, events, 512, timeoutMs);
    for (int i = 0; i < n; ++i)
        onEvent(int(events[i].data.u32), events[i].events, handler);
}

void WsClientPool::onEvent(int index, std::uint32_t events, const TextHandler &handler)
{
    Client &client = m_clients[std::size_t(index)];
    if (client.state == State::Closed)
        return;
    if (client.state == State::Connecting && (events & (EPOLLOUT | EPOLLERR))) {
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(client.fd, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0)
            return fail(client, AbnormalClosure);
        onConnected(client);
    } else if ((events & EPOLLOUT) && !client.out.empty()) {
        send(client, {});
    }
    if (client.state != State::Closed && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)))
        onReadable(index, handler);
}

void WsClientPool::onConnected(Client &client)
{
    client.state = State::Handshaking;
    const std::string request = "GET " + m_target + " HTTP/1.1\r\nHost: " + m_host + ":" +
                                std::to_string(m_port) +
                                "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                "Sec-WebSocket-Version: 13\r\n\r\n";
    send(client, request);
}

void WsClientPool::onReadable(int index, const TextHandler &handler)
{
    for (;;) {
        Client &client = m_clients[std::size_t(index)];
        const ssize_t got = ::recv(client.fd, m_buffer.data(), m_buffer.size(), 0);
        if (got <= 0) {
            if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
                fail(client, AbnormalClosure);
            return;
        }
        const std::int64_t now = nowNs();
        const std::string_view data(m_buffer.data(), std::size_t(got));
        if (client.in.empty()) {
            // The common case: whole frames straight from the read buffer, no copy.
            const std::size_t used = consume(index, data, now, handler);
            Client &after = m_clients[std::size_t(index)];
            if (after.state != State::Closed)
                after.in.assign(data.substr(used));
        } else {
            client.in.append(data);
            const std::string pending = std::move(client.in);
            const std::size_t used = consume(index, pending, now, handler);
            Client &after = m_clients[std::size_t(index)];
            if (after.state != State::Closed)
                after.in.assign(std::string_view(pending).substr(used));
        }
        if (m_clients[std::size_t(index)].state == State::Closed)
            return;
    }
}

std::size_t WsClientPool::consume(int index, std::string_view data, std::int64_t now,
                                  const TextHandler &handler)
{
    Client &client = m_clients[std::size_t(index)];
    std::size_t used = 0;
    if (client.state == State::Handshaking) {
        used = consumeHead(client, data);
        if (client.state == State::Handshaking || client.state == State::Closed)
            return used;
    }
    return used + consumeFrames(index, data.substr(used), now, handler);
}

std::size_t WsClientPool::consumeHead(Client &client, std::string_view data)
{
    const std::size_t end = data.find("\r\n\r\n");
    if (end == std::string_view::npos)
        return 0;
    if (!data.starts_with("HTTP/1.1 101")) {
        fail(client, live::WsClose::ProtocolError);
        return data.size();
    }
    client.state = State::Subscribing;
    sendFrame(client, live::WsOpcode::Text, SubscribeAll);
    return end + 4;
}

std::size_t WsClientPool::consumeFrames(int index, std::string_view data, std::int64_t now,
                                        const TextHandler &handler)
{
    std::size_t pos = 0;
    while (data.size() - pos >= 2) {
        const auto b0 = std::uint8_t(data[pos]);
        const auto b1 = std::uint8_t(data[pos + 1]);
        std::size_t header = 2;
        std::uint64_t length = b1 & 0x7F;
        if (length == 126)
            header = 4;
        else if (length == 127)
            header = 10;
        if (b1 & 0x80)
            header += 4; // a masking server would be a protocol error; skip the key anyway
        if (data.size() - pos < header)
            break;
        if (header >= 4)
            length = bigEndian(data.substr(pos + 2, (b1 & 0x7F) == 126 ? 2 : 8));
        if (data.size() - pos - header < length)
            break;
        const std::string_view payload = data.substr(pos + header, std::size_t(length));
        pos += header + std::size_t(length);
        Client &client = m_clients[std::size_t(index)];
        const int opcode = b0 & 0x0F;
        const bool fin = b0 & 0x80;
        if (opcode == live::WsOpcode::Text || opcode == live::WsOpcode::Continuation) {
            if (fin && client.fragment.empty()) {
                onText(index, payload, now, handler);
            } else {
                client.fragment.append(payload);
                if (fin)
                    onText(index, std::exchange(client.fragment, {}), now, handler);
            }
        } else if (opcode == live::WsOpcode::Ping) {
            sendFrame(client, live::WsOpcode::Pong, payload);
            ++m_pingsAnswered;
        } else if (opcode == live::WsOpcode::Close) {
            fail(client, payload.size() >= 2 ? int(bigEndian(payload.substr(0, 2))) : 1005);
        }
        if (m_clients[std::size_t(index)].state == State::Closed)
            return data.size();
    }
    return pos;
}

void WsClientPool::onText(int index, std::string_view text, std::int64_t now,
                          const TextHandler &handler)
{
    Client &client = m_clients[std::size_t(index)];
    if (client.state == State::Subscribing && text.find(SubscribedType) != std::string_view::npos) {
        client.state = State::Subscribed;
        ++m_subscribed;
        --m_pending;
        return;
    }
    handler(index, text, now);
}

void WsClientPool::sendFrame(Client &client, int opcode, std::string_view payload)
{
    // Client frames must be masked (RFC 6455 §5.3); our payloads are all under 126 bytes.
    static constexpr char Mask[4] = {0x37, char(0xfa), 0x21, 0x3d};
    std::string frame;
    frame.reserve(6 + payload.size());
    frame.push_back(char(0x80 | opcode));
    frame.push_back(char(0x80 | std::min<std::size_t>(payload.size(), 125)));
    frame.append(Mask, 4);
    for (std::size_t i = 0; i < payload.size() && i < 125; ++i)
        frame.push_back(char(payload[i] ^ Mask[i % 4]));
    send(client, frame);
}

void WsClientPool::send(Client &client, std::string_view bytes)
{
    client.out.append(bytes);
    while (!client.out.empty()) {
        const ssize_t n = ::send(client.fd, client.out.data(), client.out.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                fail(client, AbnormalClosure);
            return; // EPOLLOUT (edge-triggered) tells us when to continue
        }
        client.out.erase(0, std::size_t(n));
    }
}

void WsClientPool::fail(Client &client, int closeCode)
{
    if (client.state == State::Closed)
        return;
    if (client.state == State::Subscribed)
        --m_subscribed;
    else
        --m_pending;
    ++m_failed;
    ++m_closeCodes[closeCode];
    client.state = State::Closed;
    ::close(client.fd);
    client.fd = -1;
    client.in.clear();
    client.out.clear();
    client.fragment.clear();
}

void WsClientPool::closeAll()
{
    for (Client &client : m_clients) {
        if (client.fd >= 0)
            ::close(client.fd);
        client.fd = -1;
        client.state = State::Closed;
    }
    m_subscribed = 0;
    m_pending = 0;
}

} // namespace callwatch::bench
