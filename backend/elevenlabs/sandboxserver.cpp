// SPDX-License-Identifier: GPL-3.0-or-later
#include "elevenlabs/sandboxserver.h"

#include "elevenlabs/logging.h"
#include "elevenlabs/sandboxbatches.h"
#include "elevenlabs/sandboxconversation.h"
#include "elevenlabs/sandboxrequests.h"
#include "elevenlabs/webhooksender.h"
#include "http/httpserver.h"
#include "webhooks/samplepayloads.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>

using namespace Qt::StringLiterals;
namespace samples = callwatch::webhooks::samples;

namespace callwatch::elevenlabs {

namespace {

using http::HttpRequest;
using http::HttpResponse;
using namespace sandboxrequests;

QString hexOf(const QByteArray &seed, int length)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(seed, QCryptographicHash::Sha256).toHex().left(length));
}

QString faultKindName(OutboundFault::Kind kind)
{
    switch (kind) {
    case OutboundFault::Kind::Timeout:
        return u"timeout"_s;
    case OutboundFault::Kind::Rejected:
        return u"rejected"_s;
    case OutboundFault::Kind::HttpError:
        break;
    }
    return u"http_error"_s;
}

QJsonObject recordToJson(const RecordedRequest &request)
{
    return QJsonObject{{u"method"_s, QString::fromLatin1(request.method)},
                       {u"path"_s, request.path},
                       {u"query"_s, request.query},
                       {u"had_api_key"_s, request.hadApiKey},
                       {u"body"_s, request.body},
                       {u"status"_s, request.status}};
}

} // namespace

SandboxServer::SandboxServer(SandboxOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_http(std::make_unique<http::HttpServer>()),
      m_sender(new WebhookSender(m_options.backendUrl, this)),
      m_batches(new SandboxBatches(
          m_options.batchConcurrency,
          [this](const BatchDial &batch) {
              return dial(Dial{Provider::Twilio, batch.agentId, batch.agentPhoneNumberId,
                               batch.phoneNumber, batch.dynamicVariables, batch.batchId,
                               batch.recipientId});
          },
          this))
{
    if (m_options.ringMs < 0)
        m_options.ringMs = m_options.turnIntervalMaxMs;
    registerRoutes();
}

SandboxServer::~SandboxServer()
{
    // Conversations talk to the sender; stop them before it goes.
    qDeleteAll(m_conversations);
    m_conversations.clear();
}

bool SandboxServer::listen(const QHostAddress &address, quint16 port)
{
    return m_http->listen(address, port);
}

quint16 SandboxServer::port() const
{
    return m_http->port();
}

QUrl SandboxServer::baseUrl() const
{
    QUrl url;
    url.setScheme(u"http"_s);
    url.setHost(u"127.0.0.1"_s);
    url.setPort(port());
    return url;
}

QString SandboxServer::errorString() const
{
    return m_http->errorString();
}

void SandboxServer::injectOutboundFault(const OutboundFault &fault)
{
    if (fault.count > 0)
        m_faults.append(fault);
}

void SandboxServer::dropNextPostCalls(int count)
{
    m_dropPostCalls += qMax(0, count);
}

const SandboxConversation *SandboxServer::conversation(const QString &conversationId) const
{
    return m_conversations.value(conversationId);
}

void SandboxServer::registerRoutes()
{
    http::HttpServer &server = *m_http;
    server.routeAsync("POST", u"/v1/convai/twilio/outbound-call"_s,
                      [this](const HttpRequest &request, http::HttpResponder responder) {
                          handleOutboundCall(request, std::move(responder), Provider::Twilio);
                      });
    server.routeAsync("POST", u"/v1/convai/sip-trunk/outbound-call"_s,
                      [this](const HttpRequest &request, http::HttpResponder responder) {
                          handleOutboundCall(request, std::move(responder), Provider::Sip);
                      });
    const http::RouteOptions large{16 * 1024 * 1024, false};
    server.route(
        "POST", u"/v1/convai/batch-calling/submit"_s,
        [this](const HttpRequest &request) { return handleBatchSubmit(request); }, large);
    server.route("GET", u"/v1/convai/batch-calling/{batch_id}"_s,
                 [this](const HttpRequest &request) { return handleBatchGet(request); });
    server.route("GET", u"/v1/convai/conversations/{conversation_id}"_s,
                 [this](const HttpRequest &request) { return handleConversationGet(request); });
    server.route("GET", u"/v1/convai/conversations"_s,
                 [this](const HttpRequest &request) { return handleConversationList(request); });
    server.route("POST", u"/sandbox/controls"_s,
                 [this](const HttpRequest &request) { return handleControls(request); });
    server.route("GET", u"/sandbox/requests"_s,
                 [this](const HttpRequest &) { return handleRequests(); });
    server.route("GET", u"/sandbox/stats"_s, [this](const HttpRequest &) { return handleStats(); });
}

int SandboxServer::record(const HttpRequest &request)
{
    RecordedRequest recorded;
    recorded.method = request.method;
    recorded.path = request.path;
    recorded.query = request.query.toString(QUrl::FullyDecoded);
    recorded.hadApiKey = request.hasHeader("xi-api-key");
    recorded.body = QJsonDocument::fromJson(request.body).object();
    m_received.append(recorded);
    return int(m_received.size() - 1);
}

void SandboxServer::answered(int recordIndex, int status)
{
    if (recordIndex >= 0 && recordIndex < m_received.size())
        m_received[recordIndex].status = status;
}

std::optional<HttpResponse> SandboxServer::admit(const HttpRequest &request, int recordIndex)
{
    auto refused = checkApiKey(request, m_options.apiKey);
    if (refused)
        answered(recordIndex, refused->status);
    return refused;
}

bool SandboxServer::applyFault(http::HttpResponder &responder, int recordIndex)
{
    if (m_faults.isEmpty())
        return false;
    OutboundFault &fault = m_faults.first();
    const OutboundFault applied = fault;
    if (--fault.count <= 0)
        m_faults.removeFirst();
    qCInfo(lcSandbox).noquote() << "outbound call: injected fault" << faultKindName(applied.kind);
    HttpResponse response;
    switch (applied.kind) {
    case OutboundFault::Kind::Timeout:
        m_held.removeIf([](const http::HttpResponder &held) { return !held.isConnected(); });
        m_held.append(responder); // never answered: the client's timeout has to fire
        return true;
    case OutboundFault::Kind::Rejected:
        response = HttpResponse::json(QJsonObject{
            {u"success"_s, false},
            {u"message"_s, applied.message.isEmpty()
                               ? u"Failed to initiate call: the destination is unreachable"_s
                               : applied.message},
            {u"conversation_id"_s, QJsonValue(QJsonValue::Null)},
            {u"callSid"_s, QJsonValue(QJsonValue::Null)}});
        break;
    case OutboundFault::Kind::HttpError:
        response = detailError(applied.httpStatus, u"sandbox_fault"_s,
                               applied.message.isEmpty() ? u"Injected failure"_s : applied.message);
        if (applied.httpStatus == 429)
            response.headers.append({QByteArrayLiteral("Retry-After"), QByteArrayLiteral("0")});
        break;
    }
    answered(recordIndex, response.status);
    responder.send(std::move(response));
    return true;
}

void SandboxServer::handleOutboundCall(const HttpRequest &request, http::HttpResponder responder,
                                       Provider provider)
{
    const int index = record(request);
    if (auto refused = admit(request, index))
        return responder.send(std::move(*refused));
    QJsonObject body;
    auto invalid = parseBody(request, &body);
    if (!invalid) {
        if (const QJsonArray items = validateOutboundCall(body); !items.isEmpty())
            invalid = validationError(items);
    }
    if (invalid) {
        answered(index, invalid->status);
        return responder.send(std::move(*invalid));
    }
    if (applyFault(responder, index))
        return;
    Dial call;
    call.provider = provider;
    call.agentId = body.value("agent_id"_L1).toString();
    call.agentPhoneNumberId = body.value("agent_phone_number_id"_L1).toString();
    call.toNumber = body.value("to_number"_L1).toString();
    call.dynamicVariables = body.value("conversation_initiation_client_data"_L1)
                                .toObject()
                                .value("dynamic_variables"_L1)
                                .toObject();
    SandboxConversation *conversation = dial(call);
    QJsonObject answer{{u"success"_s, true},
                       {u"message"_s, u"Success"_s},
                       {u"conversation_id"_s, conversation->setup().conversationId}};
    answer.insert(provider == Provider::Sip ? u"sip_call_id"_s : u"callSid"_s,
                  conversation->setup().providerCallId);
    answered(index, 200);
    responder.send(HttpResponse::json(answer));
}

ConversationSetup SandboxServer::setupFor(const Dial &dial)
{
    const int n = m_callCounter++;
    const QByteArray seed =
        "sandbox|" + QByteArray::number(m_options.seed) + '|' + QByteArray::number(n);
    ConversationSetup setup;
    setup.index = n;
    setup.conversationId = u"conv_"_s + hexOf(seed, 26);
    setup.agentId = dial.agentId;
    setup.agentPhoneNumberId = dial.agentPhoneNumberId;
    setup.toNumber = dial.toNumber;
    setup.provider = dial.provider;
    samples::SampleCall forId;
    forId.conversationId = setup.conversationId;
    setup.providerCallId = dial.provider == Provider::Sip ? u"SCL_"_s + hexOf("sip|" + seed, 12)
                                                          : samples::providerCallSid(forId);
    setup.dynamicVariables = dial.dynamicVariables;
    setup.batchId = dial.batchId;
    setup.recipientId = dial.recipientId;
    // Deterministic per call: the same seed fails the same calls for the same reason.
    QRandomGenerator fate(quint32(m_options.seed * 7919u + quint64(n) * 104729u));
    if (fate.generateDouble() < m_options.failureRate)
        setup.failureReason = fate.bounded(2) == 0 ? u"busy"_s : u"no-answer"_s;
    if (setup.failureReason.isEmpty() && m_dropPostCalls > 0) {
        --m_dropPostCalls;
        setup.dropPostCall = true;
    }
    setup.seed = m_options.seed;
    setup.turnMinMs = m_options.turnIntervalMinMs;
    setup.turnMaxMs = m_options.turnIntervalMaxMs;
    setup.ringMs = m_options.ringMs;
    setup.webhookSecret = m_options.webhookSecret;
    setup.transcriptionSecret = m_options.transcriptionSecret;
    return setup;
}

SandboxConversation *SandboxServer::dial(const Dial &dial)
{
    const ConversationSetup setup = setupFor(dial);
    auto *conversation = new SandboxConversation(setup, m_sender, this);
    const QString id = setup.conversationId;
    m_conversations.insert(id, conversation);
    m_order.append(id);
    ++m_stats.callsStarted;
    ++m_active;
    connect(conversation, &SandboxConversation::webhookSent, this, [this](int status) {
        ++(status == 200 ? m_stats.webhooksSent : m_stats.webhooksFailed);
    });
    connect(conversation, &SandboxConversation::postCallDropped, this,
            [this] { ++m_stats.postCallsDropped; });
    connect(conversation, &SandboxConversation::finished, this, [this, conversation, id] {
        --m_active;
        ++m_stats.conversationsFinished;
        if (conversation->status() == u"failed"_s)
            ++m_stats.initiationFailures;
        Q_EMIT conversationFinished(id, conversation->status());
    });
    const QString callSid = setup.dynamicVariables.value("call_sid"_L1).toString();
    qCInfo(lcSandbox).noquote() << "dialling" << setup.toNumber << "as" << id << "call_sid"
                                << callSid
                                << (setup.failureReason.isEmpty()
                                        ? QString()
                                        : u"(will fail: "_s + setup.failureReason + u')');
    conversation->start();
    Q_EMIT callStarted(id, callSid);
    return conversation;
}

HttpResponse SandboxServer::handleBatchSubmit(const HttpRequest &request)
{
    const int index = record(request);
    if (auto refused = admit(request, index))
        return std::move(*refused);
    QJsonObject body;
    auto invalid = parseBody(request, &body);
    if (!invalid) {
        if (const QJsonArray items = validateBatchSubmit(body); !items.isEmpty())
            invalid = validationError(items);
    }
    if (invalid) {
        answered(index, invalid->status);
        return std::move(*invalid);
    }
    answered(index, 200);
    return HttpResponse::json(m_batches->submit(body));
}

HttpResponse SandboxServer::handleBatchGet(const HttpRequest &request)
{
    const int index = record(request);
    if (auto refused = admit(request, index))
        return std::move(*refused);
    const auto batch = m_batches->get(request.pathArgs.value(0));
    HttpResponse response = batch
                                ? HttpResponse::json(*batch)
                                : detailError(404, u"batch_not_found"_s, u"Batch call not found"_s);
    answered(index, response.status);
    return response;
}

HttpResponse SandboxServer::handleConversationGet(const HttpRequest &request)
{
    const int index = record(request);
    if (auto refused = admit(request, index))
        return std::move(*refused);
    const SandboxConversation *conversation = m_conversations.value(request.pathArgs.value(0));
    HttpResponse response =
        conversation ? HttpResponse::json(conversation->data())
                     : detailError(404, u"conversation_not_found"_s, u"Conversation not found"_s);
    answered(index, response.status);
    return response;
}

HttpResponse SandboxServer::handleConversationList(const HttpRequest &request)
{
    const int index = record(request);
    if (auto refused = admit(request, index))
        return std::move(*refused);
    const QUrlQuery &query = request.query;
    bool ok = true;
    const int pageSize =
        query.hasQueryItem(u"page_size"_s) ? query.queryItemValue(u"page_size"_s).toInt(&ok) : 30;
    if (!ok || pageSize < 1 || pageSize > 100) {
        answered(index, 422);
        return validationError(
            QJsonArray{QJsonObject{{u"loc"_s, QJsonArray{u"query"_s, u"page_size"_s}},
                                   {u"msg"_s, u"ensure this value is between 1 and 100"_s},
                                   {u"type"_s, u"value_error.number"_s}}});
    }
    const QString agentId = query.queryItemValue(u"agent_id"_s, QUrl::FullyDecoded);
    const qint64 after = query.queryItemValue(u"call_start_after_unix"_s).toLongLong();
    const QByteArray cursor =
        QByteArray::fromBase64(query.queryItemValue(u"cursor"_s, QUrl::FullyDecoded).toLatin1());
    const qsizetype offset = cursor.startsWith("o=") ? cursor.mid(2).toLongLong() : 0;
    QJsonArray page;
    qsizetype matched = 0;
    bool more = false;
    for (qsizetype i = m_order.size() - 1; i >= 0; --i) { // newest first
        const SandboxConversation *conversation = m_conversations.value(m_order.at(i));
        if ((!agentId.isEmpty() && conversation->setup().agentId != agentId) ||
            (after > 0 && conversation->startUnix() <= after))
            continue;
        if (matched++ < offset)
            continue;
        if (page.size() == pageSize) {
            more = true;
            break;
        }
        page.append(conversation->summary());
    }
    const QString next =
        more ? QString::fromLatin1(
                   QByteArray(QByteArrayLiteral("o=") + QByteArray::number(offset + pageSize))
                       .toBase64())
             : QString();
    answered(index, 200);
    return HttpResponse::json(
        QJsonObject{{u"conversations"_s, page},
                    {u"next_cursor"_s, more ? QJsonValue(next) : QJsonValue(QJsonValue::Null)},
                    {u"has_more"_s, more}});
}

HttpResponse SandboxServer::handleControls(const HttpRequest &request)
{
    const QJsonObject body = QJsonDocument::fromJson(request.body).object();
    const QJsonObject fail = body.value("fail_next_outbound"_L1).toObject();
    if (!fail.isEmpty()) {
        OutboundFault fault;
        const QString kind = fail.value("kind"_L1).toString(u"http_error"_s);
        if (kind == u"timeout"_s)
            fault.kind = OutboundFault::Kind::Timeout;
        else if (kind == u"rejected"_s)
            fault.kind = OutboundFault::Kind::Rejected;
        else if (kind != u"http_error"_s)
            return HttpResponse::error(400, u"invalid_field"_s,
                                       u"kind must be http_error, timeout or rejected"_s);
        fault.httpStatus = fail.value("http_status"_L1).toInt(500);
        fault.message = fail.value("message"_L1).toString();
        fault.count = fail.value("count"_L1).toInt(1);
        injectOutboundFault(fault);
    }
    dropNextPostCalls(body.value("drop_next_post_calls"_L1).toInt(0));
    return HttpResponse::json(QJsonObject{{u"pending_faults"_s, int(m_faults.size())},
                                          {u"drop_next_post_calls"_s, m_dropPostCalls}});
}

HttpResponse SandboxServer::handleRequests() const
{
    QJsonArray requests;
    for (const RecordedRequest &request : m_received)
        requests.append(recordToJson(request));
    return HttpResponse::json(QJsonObject{{u"requests"_s, requests}});
}

HttpResponse SandboxServer::handleStats() const
{
    return HttpResponse::json(QJsonObject{
        {u"calls_started"_s, m_stats.callsStarted},
        {u"conversations_finished"_s, m_stats.conversationsFinished},
        {u"initiation_failures"_s, m_stats.initiationFailures},
        {u"webhooks_sent"_s, m_stats.webhooksSent},
        {u"webhooks_failed"_s, m_stats.webhooksFailed},
        {u"post_calls_dropped"_s, m_stats.postCallsDropped},
        {u"active_conversations"_s, m_active},
    });
}

} // namespace callwatch::elevenlabs
