// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/httptypes.h"

#include <functional>

namespace callwatch::store {
class Database;
}
namespace callwatch::live {
class JwtVerifier;
}
namespace callwatch::webhooks {
class WebhookService;
}
namespace callwatch::http {
class HttpServer;
}

namespace callwatch::server {

/** @brief What the REST handlers need; passed in, so a test can build them around a temp DB. */
struct ApiContext
{
    store::Database *database = nullptr;
    const live::JwtVerifier *jwt = nullptr;
    webhooks::WebhookService *webhooks = nullptr;
    std::function<qint64()> clock; ///< unix seconds, for token checks
};

/** Registers every route of the backend in one table: health, REST, webhooks. */
void registerRoutes(http::HttpServer &server, const ApiContext &context);

// The handlers, plain functions of (request, context), testable without a socket.
http::HttpResponse handleHealth(const http::HttpRequest &request, const ApiContext &context);
http::HttpResponse handleReady(const http::HttpRequest &request, const ApiContext &context);
http::HttpResponse handleListCalls(const http::HttpRequest &request, const ApiContext &context);
http::HttpResponse handleGetCall(const http::HttpRequest &request, const ApiContext &context);
http::HttpResponse handleStats(const http::HttpRequest &request, const ApiContext &context);
http::HttpResponse handleListDeliveries(const http::HttpRequest &request,
                                        const ApiContext &context);
http::HttpResponse handleGetDelivery(const http::HttpRequest &request, const ApiContext &context);

} // namespace callwatch::server
