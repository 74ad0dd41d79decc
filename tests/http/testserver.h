// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/httpserver.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonObject>
#include <QTimer>
#include <QUrlQuery>

#include <memory>

using namespace Qt::StringLiterals;

/**
 * A server on 127.0.0.1:0 with the routes the HTTP tests use:
 *   GET  /ping                   -> {"ok":true}
 *   POST /echo                   -> the body back (1 MiB limit, the default)
 *   GET|POST /api/calls/{sid}    -> {"sid": <decoded segment>}
 *   GET  /slow?id=N&ms=M         -> async: {"id":N} after M ms
 *   GET  /drop                   -> async handler that never answers
 *   POST /spool                  -> spooled (64 MiB): {"sha256","size","bodyWasEmpty"}
 * Every finished request is appended to `log`.
 */
struct TestServer
{
    explicit TestServer(callwatch::http::HttpLimits limits = {})
        : server(std::make_unique<callwatch::http::HttpServer>(limits))
    {
        using namespace callwatch::http;
        server->setRequestLogger([this](const RequestLogEntry &entry) { log.append(entry); });
        server->route("GET", u"/ping"_s, [](const HttpRequest &) {
            return HttpResponse::json(QJsonObject{{u"ok"_s, true}});
        });
        server->route("POST", u"/echo"_s, [](const HttpRequest &request) {
            return HttpResponse{200, "application/octet-stream", {}, request.body};
        });
        const auto sid = [](const HttpRequest &request) {
            return HttpResponse::json(QJsonObject{{u"sid"_s, request.pathArgs.value(0)}});
        };
        server->route("GET", u"/api/calls/{call_sid}"_s, sid);
        server->route("POST", u"/api/calls/{call_sid}"_s, sid);
        HttpServer *context = server.get();
        server->routeAsync("GET", u"/slow"_s,
                           [context](const HttpRequest &request, HttpResponder r) {
                               const int id = request.query.queryItemValue(u"id"_s).toInt();
                               const int ms = request.query.queryItemValue(u"ms"_s).toInt();
                               QTimer::singleShot(ms, context, [r, id] {
                                   r.send(HttpResponse::json(QJsonObject{{u"id"_s, id}}));
                               });
                           });
        server->routeAsync("GET", u"/drop"_s, [](const HttpRequest &, HttpResponder) {});
        server->route(
            "POST", u"/spool"_s,
            [this](const HttpRequest &request) {
                spooledPath = request.bodyFilePath;
                QFile file(request.bodyFilePath);
                QCryptographicHash hash(QCryptographicHash::Sha256);
                if (!file.open(QIODevice::ReadOnly) || !hash.addData(&file))
                    return HttpResponse::error(500, u"test"_s, u"cannot read the spool file"_s);
                return HttpResponse::json(
                    QJsonObject{{u"sha256"_s, QString::fromLatin1(hash.result().toHex())},
                                {u"size"_s, file.size()},
                                {u"bodyWasEmpty"_s, request.body.isEmpty()}});
            },
            RouteOptions{64 * 1024 * 1024, true});
        listening = server->listen(QHostAddress::LocalHost, 0);
    }

    quint16 port() const { return server->port(); }

    std::unique_ptr<callwatch::http::HttpServer> server;
    QList<callwatch::http::RequestLogEntry> log;
    QString spooledPath;
    bool listening = false;
};

inline callwatch::http::HttpResponse statusOnly(int status)
{
    callwatch::http::HttpResponse response;
    response.status = status;
    return response;
}

inline QByteArray get(const QByteArray &target, const QByteArray &extra = {})
{
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

inline QByteArray post(const QByteArray &target, const QByteArray &body,
                       const QByteArray &extra = {})
{
    return "POST " + target +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + QByteArray::number(body.size()) +
           "\r\n" + extra + "\r\n" + body;
}

/** A chunked request body: `data` cut into `chunkSize` pieces, then the last chunk. */
inline QByteArray chunked(const QByteArray &data, qsizetype chunkSize)
{
    QByteArray out;
    for (qsizetype at = 0; at < data.size(); at += chunkSize) {
        const QByteArray piece = data.mid(at, chunkSize);
        out += QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n";
    }
    return out + "0\r\n\r\n";
}

inline QByteArray chunkedPost(const QByteArray &target, const QByteArray &body)
{
    return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n" +
           body;
}
