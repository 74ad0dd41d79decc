// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/apiroutes.h"

#include "http/httpserver.h"
#include "live/jwtverifier.h"
#include "server/bearerauth.h"
#include "server/calljson.h"
#include "store/callrepository.h"
#include "store/database.h"
#include "store/deliveryrepository.h"
#include "store/migrator.h"
#include "store/statsrepository.h"
#include "webhooks/webhookservice.h"

#include <QJsonArray>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace callwatch::server {

namespace {

using http::HttpRequest;
using http::HttpResponse;

constexpr auto ScopeRead = "calls:read";
constexpr auto ScopeWrite = "calls:write";

std::optional<HttpResponse> refuse(const HttpRequest &request, const ApiContext &context,
                                   const char *scope)
{
    return refuseBearer(request, *context.jwt, context.clock(), QLatin1StringView(scope));
}

HttpResponse storeError(const Error &error)
{
    if (error.code == u"invalid_cursor"_s || error.code.startsWith(u"invalid_"_s))
        return HttpResponse::error(400, error.code, error.message);
    return HttpResponse::error(503, u"database_unavailable"_s, error.message);
}

Result<store::CallFilter> callFilterFrom(const QUrlQuery &query)
{
    store::CallFilter filter;
    const QString statuses = query.queryItemValue(u"status"_s, QUrl::FullyDecoded);
    for (const QString &status : statuses.split(u',', Qt::SkipEmptyParts)) {
        static const QStringList known{u"initiating"_s, u"in_progress"_s, u"completed"_s,
                                       u"failed"_s};
        if (!known.contains(status))
            return Error{u"invalid_status"_s,
                         u"status must be a comma-separated list of %1"_s.arg(known.join(u", "))};
        filter.statuses.append(status);
    }
    filter.search = query.queryItemValue(u"q"_s, QUrl::FullyDecoded).trimmed();
    filter.after = query.queryItemValue(u"cursor"_s, QUrl::FullyDecoded);
    for (const auto &[name, target] :
         {std::pair{u"from"_s, &filter.from}, std::pair{u"to"_s, &filter.to}}) {
        const QString value = query.queryItemValue(name, QUrl::FullyDecoded);
        if (value.isEmpty())
            continue;
        *target = QDateTime::fromString(value, Qt::ISODateWithMs);
        if (!target->isValid())
            return Error{u"invalid_time"_s, u"%1 must be an ISO-8601 time"_s.arg(name)};
    }
    if (query.hasQueryItem(u"limit"_s)) {
        bool ok = false;
        filter.limit = query.queryItemValue(u"limit"_s).toInt(&ok);
        if (!ok || filter.limit < 1 || filter.limit > store::CallFilter::MaxLimit)
            return Error{u"invalid_limit"_s,
                         u"limit must be between 1 and %1"_s.arg(store::CallFilter::MaxLimit)};
    }
    return filter;
}

} // namespace

HttpResponse handleHealth(const HttpRequest &, const ApiContext &)
{
    return HttpResponse::json(QJsonObject{{u"status"_s, u"ok"_s}});
}

HttpResponse handleReady(const HttpRequest &, const ApiContext &context)
{
    if (auto pinged = context.database->ping(); !pinged)
        return HttpResponse::error(503, u"database_unavailable"_s, pinged.error().message);
    QSqlDatabase db = context.database->connection();
    store::Migrator migrator(db);
    auto current = migrator.isCurrent();
    if (!current)
        return HttpResponse::error(503, current.error().code, current.error().message);
    if (!current.value())
        return HttpResponse::error(503, u"migrations_pending"_s,
                                   u"The database schema is not current; run callwatchd migrate"_s);
    return HttpResponse::json(QJsonObject{{u"status"_s, u"ready"_s}});
}

HttpResponse handleListCalls(const HttpRequest &request, const ApiContext &context)
{
    if (auto refused = refuse(request, context, ScopeRead))
        return std::move(*refused);
    auto filter = callFilterFrom(request.query);
    if (!filter)
        return HttpResponse::error(400, filter.error().code, filter.error().message);
    auto page = store::CallRepository(context.database->connection()).listCalls(filter.value());
    if (!page)
        return storeError(page.error());
    QJsonArray calls;
    for (const store::CallRecord &call : page->calls)
        calls.append(callToJson(call));
    return HttpResponse::json(
        QJsonObject{{u"calls"_s, calls},
                    {u"next_cursor"_s, page->nextCursor.isEmpty() ? QJsonValue(QJsonValue::Null)
                                                                  : QJsonValue(page->nextCursor)}});
}

HttpResponse handleGetCall(const HttpRequest &request, const ApiContext &context)
{
    if (auto refused = refuse(request, context, ScopeRead))
        return std::move(*refused);
    const QString callSid = request.pathArgs.value(0);
    auto found =
        store::CallRepository(context.database->connection()).getCallWithTranscript(callSid);
    if (!found)
        return storeError(found.error());
    if (!found.value())
        return HttpResponse::error(404, u"call_not_found"_s,
                                   u"No call with call_sid \"%1\""_s.arg(callSid));
    QJsonArray transcript;
    for (const store::TranscriptTurn &turn : found.value()->turns)
        transcript.append(turnToJson(turn));
    return HttpResponse::json(
        QJsonObject{{u"call"_s, callToJson(found.value()->call)}, {u"transcript"_s, transcript}});
}

HttpResponse handleStats(const HttpRequest &request, const ApiContext &context)
{
    if (auto refused = refuse(request, context, ScopeRead))
        return std::move(*refused);
    const QDateTime startOfDay(QDate::currentDate(), QTime(0, 0)); // local midnight
    auto stats = store::StatsRepository(context.database->connection()).since(startOfDay.toUTC());
    if (!stats)
        return storeError(stats.error());
    const double finished = double(stats->completedToday + stats->failedToday);
    return HttpResponse::json(QJsonObject{
        {u"live_calls"_s, stats->liveCalls},
        {u"completed_today"_s, stats->completedToday},
        {u"failed_today"_s, stats->failedToday},
        {u"failure_rate"_s, finished > 0 ? double(stats->failedToday) / finished : 0.0},
        {u"cost_today"_s, stats->costToday},
        {u"last_event_id"_s, stats->lastEventId},
    });
}

HttpResponse handleListDeliveries(const HttpRequest &request, const ApiContext &context)
{
    if (auto refused = refuse(request, context, ScopeRead))
        return std::move(*refused);
    const int limit = qBound(1, request.query.queryItemValue(u"limit"_s).toInt(), 500);
    const qint64 before = request.query.queryItemValue(u"before"_s).toLongLong();
    auto page = store::DeliveryRepository(context.database->connection())
                    .list(request.query.hasQueryItem(u"limit"_s) ? limit : 50, before);
    if (!page)
        return storeError(page.error());
    QJsonArray deliveries;
    for (const store::DeliveryRecord &delivery : page.value())
        deliveries.append(deliveryToJson(delivery, false));
    const bool full = page->size() == (request.query.hasQueryItem(u"limit"_s) ? limit : 50);
    return HttpResponse::json(
        QJsonObject{{u"deliveries"_s, deliveries},
                    {u"next_before"_s, full && !page->isEmpty() ? QJsonValue(page->last().id)
                                                                : QJsonValue(QJsonValue::Null)}});
}

HttpResponse handleGetDelivery(const HttpRequest &request, const ApiContext &context)
{
    if (auto refused = refuse(request, context, ScopeRead))
        return std::move(*refused);
    bool ok = false;
    const qint64 id = request.pathArgs.value(0).toLongLong(&ok);
    if (!ok)
        return HttpResponse::error(400, u"invalid_id"_s, u"A delivery id is a number"_s);
    auto found = store::DeliveryRepository(context.database->connection()).get(id);
    if (!found)
        return storeError(found.error());
    if (!found.value())
        return HttpResponse::error(404, u"delivery_not_found"_s,
                                   u"No delivery with id %1"_s.arg(id));
    return HttpResponse::json(deliveryToJson(*found.value(), true));
}

void registerRoutes(http::HttpServer &server, const ApiContext &context)
{
    using Handler = HttpResponse (*)(const HttpRequest &, const ApiContext &);
    struct Route
    {
        const char *method;
        const char *pattern;
        Handler handler;
    };
    static constexpr Route routes[] = {
        {"GET", "/healthz", &handleHealth},
        {"GET", "/readyz", &handleReady},
        {"GET", "/api/calls", &handleListCalls},
        {"GET", "/api/calls/{call_sid}", &handleGetCall},
        {"GET", "/api/stats", &handleStats},
        {"GET", "/api/deliveries", &handleListDeliveries},
        {"GET", "/api/deliveries/{id}", &handleGetDelivery},
    };
    for (const Route &route : routes) {
        server.route(route.method, QString::fromLatin1(route.pattern),
                     [handler = route.handler, context](const HttpRequest &request) {
                         return handler(request, context);
                     });
    }
    webhooks::WebhookService *webhooks = context.webhooks;
    server.routeAsync(
        "POST", u"/webhooks/elevenlabs/post-call"_s,
        [webhooks](const HttpRequest &request, http::HttpResponder responder) {
            webhooks->handlePostCall(request, std::move(responder));
        },
        webhooks->postCallRoute());
    server.routeAsync(
        "POST", u"/webhooks/elevenlabs/transcription"_s,
        [webhooks](const HttpRequest &request, http::HttpResponder responder) {
            webhooks->handleTranscription(request, std::move(responder));
        },
        webhooks->transcriptionRoute());
    server.routeAsync("POST", u"/api/deliveries/{id}/replay"_s,
                      [context](const HttpRequest &request, http::HttpResponder responder) {
                          if (auto refused = refuse(request, context, ScopeWrite))
                              return responder.send(std::move(*refused));
                          context.webhooks->replay(request.pathArgs.value(0).toLongLong(),
                                                   std::move(responder));
                      });
}

} // namespace callwatch::server
