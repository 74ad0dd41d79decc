// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "elevenlabs/elevenlabserror.h"
#include "elevenlabs/elevenlabstypes.h"
#include "elevenlabs/retrypolicy.h"

#include <QByteArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QUrl>
#include <QUrlQuery>

#include <functional>
#include <memory>

QT_FORWARD_DECLARE_CLASS(QNetworkReply)

namespace callwatch::elevenlabs {

/** @brief Where and how the client talks to ElevenLabs. */
struct ClientOptions
{
    QString apiKey; ///< sent as xi-api-key, never logged
    QUrl baseUrl = QUrl(QStringLiteral("https://api.elevenlabs.io")); ///< or the local sandbox
    int timeoutMs = 15'000; ///< per attempt (QNetworkRequest::setTransferTimeout)
    RetryPolicy retry;
};

/**
 * @brief Asynchronous client of the ElevenLabs Conversational AI REST API (notes §8).
 *
 * Every method returns at once; the callback runs later on the client's thread, once, with a
 * typed value or an ElevenLabsError, and not at all if @p context was destroyed meanwhile (or
 * the client was). Failed attempts are retried as RetryPolicy says (429/5xx, and timeouts or
 * network errors of GETs), so the callback sees the final outcome and how many attempts it took.
 */
class ElevenLabsClient : public QObject
{
    Q_OBJECT
public:
    template<typename T> using Callback = std::function<void(const ApiResult<T> &)>;

    explicit ElevenLabsClient(ClientOptions options, QObject *parent = nullptr);
    ~ElevenLabsClient() override;

    const ClientOptions &options() const { return m_options; }
    /** An API key and a base URL are set. */
    bool isConfigured() const;
    /** Requests not finished yet (including those waiting for a retry). */
    int pendingRequests() const { return m_pending; }

    void startOutboundCall(Provider provider, const OutboundCallRequest &request, QObject *context,
                           Callback<OutboundCallResponse> done);
    void submitBatch(const BatchSubmitRequest &request, QObject *context, Callback<BatchJob> done);
    void getBatch(const QString &batchId, QObject *context, Callback<BatchJob> done);
    void getConversation(const QString &conversationId, QObject *context,
                         Callback<Conversation> done);
    void listConversations(const ConversationQuery &query, QObject *context,
                           Callback<ConversationPage> done);

private:
    using JsonDone = std::function<void(const ApiResult<QJsonObject> &)>;
    struct Call
    {
        QByteArray method;
        QString path;
        QUrlQuery query;
        QByteArray body;
        bool idempotent = false;
        int attempt = 0;
        QPointer<QObject> context;
        JsonDone done;
    };

    void request(QByteArray method, const QString &path, const QUrlQuery &query,
                 const QJsonObject *body, QObject *context, JsonDone done);
    void send(const std::shared_ptr<Call> &call);
    void onFinished(const std::shared_ptr<Call> &call, QNetworkReply *reply);
    ElevenLabsError errorOf(QNetworkReply *reply, const QByteArray &body) const;
    void complete(const std::shared_ptr<Call> &call, const ApiResult<QJsonObject> &result);

    ClientOptions m_options;
    QNetworkAccessManager m_network;
    int m_pending = 0;
};

} // namespace callwatch::elevenlabs
