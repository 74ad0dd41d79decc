// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/callroutes.h"

#include "elevenlabs/calllauncher.h"
#include "http/httpserver.h"
#include "live/jwtverifier.h"
#include "server/bearerauth.h"
#include "server/calljson.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace callwatch::server {

namespace {

using http::HttpRequest;
using http::HttpResponse;

constexpr auto ScopeWrite = "calls:write";

std::optional<HttpResponse> refuse(const HttpRequest &request, const CallRoutesContext &context,
                                   const char *scope)
{
    return refuseBearer(request, *context.jwt, context.clock(), QLatin1StringView(scope));
}

/** The request body as an object, or the 400 to answer. */
std::optional<HttpResponse> readBody(const HttpRequest &request, QJsonObject *body)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &error);
    if (!document.isObject())
        return HttpResponse::error(400, u"invalid_json"_s, u"The body must be a JSON object"_s);
    *body = document.object();
    return std::nullopt;
}

HttpResponse errorResponse(const Error &error)
{
    if (error.code == u"missing_fields"_s || error.code == u"invalid_field"_s)
        return HttpResponse::error(400, error.code, error.message);
    if (error.code == u"elevenlabs_not_configured"_s)
        return HttpResponse::error(503, error.code, error.message);
    if (error.code == u"call_exists"_s || error.code == u"conversation_in_use"_s)
        return HttpResponse::error(409, error.code, error.message);
    return HttpResponse::error(503, u"database_unavailable"_s, error.message);
}

QJsonValue textOrNull(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

} // namespace

void handleStartCall(const HttpRequest &request, http::HttpResponder responder,
                     const CallRoutesContext &context)
{
    if (auto refused = refuse(request, context, ScopeWrite))
        return responder.send(std::move(*refused));
    QJsonObject body;
    if (auto invalid = readBody(request, &body))
        return responder.send(std::move(*invalid));
    auto parsed = elevenlabs::CallLaunchRequest::fromJson(body);
    if (!parsed)
        return responder.send(errorResponse(parsed.error()));
    context.launcher->launch(
        parsed.value(), context.launcher, [responder](const Result<store::CallRecord> &call) {
            responder.send(
                call ? HttpResponse::json(QJsonObject{{u"call"_s, callToJson(call.value())}}, 201)
                     : errorResponse(call.error()));
        });
}

void handleStartBatch(const HttpRequest &request, http::HttpResponder responder,
                      const CallRoutesContext &context)
{
    if (auto refused = refuse(request, context, ScopeWrite))
        return responder.send(std::move(*refused));
    QJsonObject body;
    if (auto invalid = readBody(request, &body))
        return responder.send(std::move(*invalid));
    auto parsed = elevenlabs::BatchLaunchRequest::fromJson(body);
    if (!parsed)
        return responder.send(errorResponse(parsed.error()));
    context.launcher->launchBatch(
        parsed.value(), context.launcher,
        [responder](const Result<elevenlabs::BatchLaunchResult> &result) {
            if (!result)
                return responder.send(errorResponse(result.error()));
            QJsonArray calls;
            for (const store::CallRecord &call : result->calls)
                calls.append(callToJson(call));
            const QJsonObject batch{
                {u"id"_s, result->batchId},
                {u"elevenlabs_batch_id"_s, textOrNull(result->elevenLabsBatchId)},
                {u"status"_s, result->status},
                {u"failure_reason"_s, textOrNull(result->failureReason)}};
            responder.send(
                HttpResponse::json(QJsonObject{{u"batch"_s, batch}, {u"calls"_s, calls}}, 201));
        });
}

void registerCallRoutes(http::HttpServer &server, const CallRoutesContext &context)
{
    server.routeAsync("POST", u"/api/calls"_s,
                      [context](const HttpRequest &request, http::HttpResponder responder) {
                          handleStartCall(request, std::move(responder), context);
                      });
    http::RouteOptions batchOptions;
    batchOptions.maxBodyBytes = 4 * 1024 * 1024; // 10,000 recipients
    server.routeAsync(
        "POST", u"/api/calls/batch"_s,
        [context](const HttpRequest &request, http::HttpResponder responder) {
            handleStartBatch(request, std::move(responder), context);
        },
        batchOptions);
}

elevenlabs::ClientOptions elevenLabsClientOptions(const Config &config)
{
    elevenlabs::ClientOptions options;
    options.apiKey = config.value(u"elevenlabs-api-key"_s);
    if (config.has(u"elevenlabs-base-url"_s))
        options.baseUrl = QUrl(config.value(u"elevenlabs-base-url"_s));
    return options;
}

elevenlabs::LaunchDefaults launchDefaults(const Config &config)
{
    elevenlabs::LaunchDefaults defaults;
    defaults.agentId = config.value(u"agent-id"_s);
    defaults.agentPhoneNumberId = config.value(u"agent-phone-number-id"_s);
    return defaults;
}

} // namespace callwatch::server
