// SPDX-License-Identifier: GPL-3.0-or-later
#include "elevenlabs/elevenlabsclient.h"

#include "elevenlabs/elevenlabswire.h"
#include "elevenlabs/logging.h"

#include <QJsonDocument>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace callwatch::elevenlabs {

namespace {

ElevenLabsError invalidResponse(const Error &error, int httpStatus)
{
    return ElevenLabsError{ElevenLabsError::Kind::InvalidResponse, httpStatus, error.message};
}

/** Parses a JSON body with @p parse and hands the typed outcome to @p done. */
template<typename T, typename Parse>
std::function<void(const ApiResult<QJsonObject> &)> typed(ElevenLabsClient::Callback<T> done,
                                                          Parse parse)
{
    return [done = std::move(done), parse](const ApiResult<QJsonObject> &json) {
        if (!json)
            return done(json.error());
        Result<T> parsed = parse(json.value());
        if (!parsed)
            return done(invalidResponse(parsed.error(), 200));
        done(std::move(parsed).value());
    };
}

} // namespace

ElevenLabsClient::ElevenLabsClient(ClientOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options))
{
    // Redirects would resend the API key to wherever they point: the API has none.
    m_network.setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

ElevenLabsClient::~ElevenLabsClient()
{
    // Replies die with m_network after this body; make sure none reaches a callback meanwhile.
    const auto replies = m_network.findChildren<QNetworkReply *>();
    for (QNetworkReply *reply : replies) {
        reply->disconnect(this);
        reply->abort();
    }
}

bool ElevenLabsClient::isConfigured() const
{
    return !m_options.apiKey.isEmpty() && m_options.baseUrl.isValid() &&
           !m_options.baseUrl.host().isEmpty();
}

void ElevenLabsClient::startOutboundCall(Provider provider, const OutboundCallRequest &request,
                                         QObject *context, Callback<OutboundCallResponse> done)
{
    const QJsonObject body = wire::outboundCallBody(request);
    auto onJson = [done = std::move(done), provider](const ApiResult<QJsonObject> &json) {
        if (!json)
            return done(json.error());
        auto parsed = wire::parseOutboundCallResponse(json.value(), provider);
        if (!parsed)
            return done(invalidResponse(parsed.error(), 200));
        if (!parsed->success)
            return done(ElevenLabsError{ElevenLabsError::Kind::Rejected, 200, parsed->message});
        done(parsed.value());
    };
    this->request("POST", wire::outboundCallPath(provider), {}, &body, context, std::move(onJson));
}

void ElevenLabsClient::submitBatch(const BatchSubmitRequest &request, QObject *context,
                                   Callback<BatchJob> done)
{
    const QJsonObject body = wire::batchSubmitBody(request);
    this->request("POST", QString::fromLatin1(wire::BatchSubmitPath), {}, &body, context,
                  typed<BatchJob>(std::move(done), &wire::parseBatchJob));
}

void ElevenLabsClient::getBatch(const QString &batchId, QObject *context, Callback<BatchJob> done)
{
    request("GET", wire::batchPath(batchId), {}, nullptr, context,
            typed<BatchJob>(std::move(done), &wire::parseBatchJob));
}

void ElevenLabsClient::getConversation(const QString &conversationId, QObject *context,
                                       Callback<Conversation> done)
{
    request("GET", wire::conversationPath(conversationId), {}, nullptr, context,
            typed<Conversation>(std::move(done), &wire::parseConversation));
}

void ElevenLabsClient::listConversations(const ConversationQuery &query, QObject *context,
                                         Callback<ConversationPage> done)
{
    request("GET", QString::fromLatin1(wire::ConversationsPath), wire::conversationListQuery(query),
            nullptr, context,
            typed<ConversationPage>(std::move(done), &wire::parseConversationPage));
}

void ElevenLabsClient::request(QByteArray method, const QString &path, const QUrlQuery &query,
                               const QJsonObject *body, QObject *context, JsonDone done)
{
    auto call = std::make_shared<Call>();
    call->method = std::move(method);
    call->path = path;
    call->query = query;
    if (body)
        call->body = QJsonDocument(*body).toJson(QJsonDocument::Compact);
    call->idempotent = call->method == "GET";
    call->context = context ? context : this;
    call->done = std::move(done);
    ++m_pending;
    send(call);
}

void ElevenLabsClient::send(const std::shared_ptr<Call> &call)
{
    ++call->attempt;
    QUrl url = m_options.baseUrl;
    url.setPath(url.path().chopped(url.path().endsWith(u'/') ? 1 : 0) + call->path);
    if (!call->query.isEmpty())
        url.setQuery(call->query);
    QNetworkRequest request(url);
    request.setRawHeader("xi-api-key", m_options.apiKey.toUtf8());
    request.setRawHeader("Accept", "application/json");
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("callwatch"));
    request.setTransferTimeout(m_options.timeoutMs);
    QNetworkReply *reply = nullptr;
    if (call->method == "GET") {
        reply = m_network.get(request);
    } else {
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        reply = m_network.sendCustomRequest(request, call->method, call->body);
    }
    connect(reply, &QNetworkReply::finished, this,
            [this, call, reply] { onFinished(call, reply); });
}

ElevenLabsError ElevenLabsClient::errorOf(QNetworkReply *reply, const QByteArray &body) const
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 200 && status < 300)
        return {};
    if (status != 0)
        return ElevenLabsError{ElevenLabsError::Kind::Http, status, wire::errorDetail(body)};
    // No HTTP answer. A transfer timeout aborts the reply (OperationCanceledError in Qt 6.4);
    // the client only aborts replies itself when it is destroyed, and then nobody listens.
    const auto code = reply->error();
    if (code == QNetworkReply::TimeoutError || code == QNetworkReply::OperationCanceledError)
        return ElevenLabsError{ElevenLabsError::Kind::Timeout, 0,
                               u"no answer within %1 ms"_s.arg(m_options.timeoutMs)};
    return ElevenLabsError{ElevenLabsError::Kind::Network, 0, reply->errorString()};
}

void ElevenLabsClient::onFinished(const std::shared_ptr<Call> &call, QNetworkReply *reply)
{
    reply->deleteLater();
    const QByteArray body = reply->isOpen() ? reply->readAll() : QByteArray(); // closed: aborted
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 200 && status < 300) {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
        if (!document.isObject())
            return complete(call,
                            ElevenLabsError{ElevenLabsError::Kind::InvalidResponse, status,
                                            u"the body is not a JSON object"_s, call->attempt});
        qCDebug(lcElevenLabs).noquote() << call->method << call->path << status;
        return complete(call, document.object());
    }
    ElevenLabsError error = errorOf(reply, body);
    error.attempts = call->attempt;
    const auto delay = m_options.retry.delayBeforeRetry(call->attempt, error, call->idempotent,
                                                        reply->rawHeader("Retry-After"),
                                                        QDateTime::currentDateTimeUtc());
    if (delay) {
        qCInfo(lcElevenLabs).noquote()
            << call->method << call->path << "attempt" << call->attempt
            << "failed:" << error.callFailureReason() << "- retrying in" << *delay << "ms";
        QTimer::singleShot(*delay, this, [this, call] { send(call); });
        return;
    }
    qCWarning(lcElevenLabs).noquote()
        << call->method << call->path << "failed after" << call->attempt
        << "attempt(s):" << error.callFailureReason();
    complete(call, error);
}

void ElevenLabsClient::complete(const std::shared_ptr<Call> &call,
                                const ApiResult<QJsonObject> &result)
{
    --m_pending;
    if (call->context && call->done)
        call->done(result);
}

} // namespace callwatch::elevenlabs
