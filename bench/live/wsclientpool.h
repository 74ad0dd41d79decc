// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace callwatch::bench {

/**
 * @brief Many lean WebSocket clients on one epoll thread, for load generation.
 *
 * Each client connects, sends the upgrade request, and on 101 subscribes with
 * `{"type":"subscribe","all":true}`. Server frames are parsed by hand (they are never masked);
 * pings are answered; close frames are recorded. No Qt event loop and no per-message allocation
 * when a frame arrives whole, so a thousand clients cost the shared cores as little as possible.
 * Not a general client: no TLS, no extensions, no Sec-WebSocket-Accept check.
 */
class WsClientPool
{
public:
    /** Called for every complete text message, with the steady-clock time of the read. */
    using TextHandler =
        std::function<void(int client, std::string_view text, std::int64_t receivedNs)>;

    /** `target` is the request-target of the upgrade, e.g. "/ws/calls/transcriptions?token=…". */
    WsClientPool(std::string host, int port, std::string target);
    ~WsClientPool();
    WsClientPool(const WsClientPool &) = delete;
    WsClientPool &operator=(const WsClientPool &) = delete;

    /**
     * Opens `count` more clients, at most `inFlight` of them between connect and `subscribed`
     * at a time (so the listen backlog never overflows), and waits until each is subscribed or
     * failed, or `timeoutSecs` pass. Returns how many clients are subscribed in total.
     */
    int openSubscribed(int count, int inFlight, double timeoutSecs);
    /** Waits up to `timeoutMs` for socket activity and handles it. */
    void poll(int timeoutMs, const TextHandler &handler);
    void closeAll();

    int size() const { return int(m_clients.size()); }
    int subscribedCount() const { return m_subscribed; }
    int failedCount() const { return m_failed; }
    /** Close codes received from the server (or 1006 for a dropped line), with their counts. */
    const std::map<int, int> &closeCodes() const { return m_closeCodes; }
    std::int64_t pingsAnswered() const { return m_pingsAnswered; }

    static std::int64_t nowNs();

private:
    enum class State { Connecting, Handshaking, Subscribing, Subscribed, Closed };
    struct Client
    {
        int fd = -1;
        State state = State::Connecting;
        std::string in;       ///< bytes of an incomplete frame or response head
        std::string out;      ///< bytes the socket did not take yet
        std::string fragment; ///< text message being reassembled from continuation frames
    };

    void open();
    void onEvent(int index, std::uint32_t events, const TextHandler &handler);
    void onConnected(Client &client);
    void onReadable(int index, const TextHandler &handler);
    std::size_t consume(int index, std::string_view data, std::int64_t now,
                        const TextHandler &handler);
    std::size_t consumeHead(Client &client, std::string_view data);
    std::size_t consumeFrames(int index, std::string_view data, std::int64_t now,
                              const TextHandler &handler);
    void onText(int index, std::string_view text, std::int64_t now, const TextHandler &handler);
    void sendFrame(Client &client, int opcode, std::string_view payload);
    void send(Client &client, std::string_view bytes);
    void fail(Client &client, int closeCode);

    std::string m_host;
    int m_port = 0;
    std::string m_target;
    int m_epoll = -1;
    std::vector<Client> m_clients;
    std::vector<char> m_buffer;
    int m_subscribed = 0;
    int m_failed = 0;
    int m_pending = 0; ///< between connect and subscribed
    std::map<int, int> m_closeCodes;
    std::int64_t m_pingsAnswered = 0;
};

} // namespace callwatch::bench
