// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "elevenlabs/elevenlabstypes.h"
#include "elevenlabs/sandboxconversation.h"
#include "elevenlabs/sandboxtypes.h"
#include "http/httptypes.h"

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QStringList>
#include <QUrl>

#include <memory>

namespace callwatch::http {
class HttpServer;
}

namespace callwatch::elevenlabs {

class SandboxBatches;
class WebhookSender;

/**
 * @brief A local stand-in for ElevenLabs: the API endpoints Callwatch uses, with the real field
 * names and status codes, on our own HTTP server, and phone calls played as signed webhooks.
 *
 * API: POST /v1/convai/twilio/outbound-call, POST /v1/convai/sip-trunk/outbound-call,
 * POST /v1/convai/batch-calling/submit, GET /v1/convai/batch-calling/{id},
 * GET /v1/convai/conversations/{id}, GET /v1/convai/conversations (401 without xi-api-key, 422
 * FastAPI-style on invalid bodies).
 * Test controls (no key needed; also callable from C++): POST /sandbox/controls
 * `{"fail_next_outbound": {"kind": "http_error"|"timeout"|"rejected", "http_status": 500,
 * "message": "...", "count": 1}, "drop_next_post_calls": 1}`, GET /sandbox/requests,
 * GET /sandbox/stats. State is in memory; the same seed gives the same ids, failures and pauses.
 */
class SandboxServer : public QObject
{
    Q_OBJECT
public:
    explicit SandboxServer(SandboxOptions options, QObject *parent = nullptr);
    ~SandboxServer() override;

    bool listen(const QHostAddress &address = QHostAddress::LocalHost, quint16 port = 0);
    quint16 port() const;
    QUrl baseUrl() const;
    QString errorString() const;
    const SandboxOptions &options() const { return m_options; }

    /** The next outbound-call request(s) fail this way (queued after earlier faults). */
    void injectOutboundFault(const OutboundFault &fault);
    /** The next @p count conversations end without sending their post-call webhook. */
    void dropNextPostCalls(int count = 1);

    QList<RecordedRequest> received() const { return m_received; }
    void clearReceived() { m_received.clear(); }
    SandboxStats stats() const { return m_stats; }
    /** Conversations that have not sent their last webhook yet. */
    int activeConversations() const { return m_active; }
    QStringList conversationIds() const { return m_order; }
    const SandboxConversation *conversation(const QString &conversationId) const;

Q_SIGNALS:
    void callStarted(const QString &conversationId, const QString &callSid);
    /** @p status: done or failed. */
    void conversationFinished(const QString &conversationId, const QString &status);

private:
    struct Dial
    {
        Provider provider = Provider::Twilio;
        QString agentId;
        QString agentPhoneNumberId;
        QString toNumber;
        QJsonObject dynamicVariables;
        QString batchId;
        QString recipientId;
    };

    void registerRoutes();
    int record(const http::HttpRequest &request);
    void answered(int recordIndex, int status);
    std::optional<http::HttpResponse> admit(const http::HttpRequest &request, int recordIndex);
    void handleOutboundCall(const http::HttpRequest &request, http::HttpResponder responder,
                            Provider provider);
    /** True when an injected fault answered (or held) the request. */
    bool applyFault(http::HttpResponder &responder, int recordIndex);
    http::HttpResponse handleBatchSubmit(const http::HttpRequest &request);
    http::HttpResponse handleBatchGet(const http::HttpRequest &request);
    http::HttpResponse handleConversationGet(const http::HttpRequest &request);
    http::HttpResponse handleConversationList(const http::HttpRequest &request);
    http::HttpResponse handleControls(const http::HttpRequest &request);
    http::HttpResponse handleRequests() const;
    http::HttpResponse handleStats() const;
    /** Ids, provider call id and fate (failure, dropped post-call) of the next call. */
    ConversationSetup setupFor(const Dial &dial);
    SandboxConversation *dial(const Dial &dial);

    SandboxOptions m_options;
    std::unique_ptr<http::HttpServer> m_http;
    WebhookSender *m_sender;
    SandboxBatches *m_batches;
    QHash<QString, SandboxConversation *> m_conversations;
    QStringList m_order; ///< conversation ids, oldest first
    QList<OutboundFault> m_faults;
    QList<http::HttpResponder> m_held; ///< outbound calls that "time out": never answered
    QList<RecordedRequest> m_received;
    SandboxStats m_stats;
    int m_dropPostCalls = 0;
    int m_callCounter = 0;
    int m_active = 0;
};

} // namespace callwatch::elevenlabs
