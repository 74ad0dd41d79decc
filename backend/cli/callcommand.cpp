// SPDX-License-Identifier: GPL-3.0-or-later
// `callwatchd call --to NUMBER --driver ID`: starts an outbound call through a running backend's
// POST /api/calls, so the call_sid workflow (row first, then ElevenLabs) is the server's.
#include "cli/commandline.h"
#include "cli/commands.h"
#include "live/jwtminter.h"
#include "server/jwtsetup.h"

#include <QDateTime>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcessEnvironment>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace callwatch::cli {

namespace {

/** --token, else $CALLWATCH_TOKEN, else a 5-minute calls:write token minted with the local key. */
Result<QByteArray> tokenFor(const QCommandLineParser &parser, const server::Config &config)
{
    if (parser.isSet(u"token"_s))
        return parser.value(u"token"_s).toUtf8();
    const QString fromEnvironment =
        QProcessEnvironment::systemEnvironment().value(u"CALLWATCH_TOKEN"_s);
    if (!fromEnvironment.isEmpty())
        return fromEnvironment.toUtf8();
    auto jwt = server::jwtConfigFor(config);
    if (!jwt)
        return jwt.error();
    return live::JwtMinter::mint(jwt.value(), u"callwatchd-call"_s, {u"calls:write"_s}, 300,
                                 QDateTime::currentSecsSinceEpoch());
}

Result<QJsonObject> requestBody(const QCommandLineParser &parser)
{
    QJsonObject body{{u"to_number"_s, parser.value(u"to"_s)},
                     {u"driver_id"_s, parser.value(u"driver"_s)}};
    if (parser.isSet(u"agent-id"_s))
        body.insert(u"agent_id"_s, parser.value(u"agent-id"_s));
    if (parser.isSet(u"agent-phone-number-id"_s))
        body.insert(u"agent_phone_number_id"_s, parser.value(u"agent-phone-number-id"_s));
    if (parser.isSet(u"provider"_s))
        body.insert(u"provider"_s, parser.value(u"provider"_s));
    QJsonObject variables;
    for (const QString &pair : parser.values(u"var"_s)) {
        const qsizetype equals = pair.indexOf(u'=');
        if (equals <= 0)
            return Error{u"invalid_var"_s, u"--var takes KEY=VALUE (got \"%1\")"_s.arg(pair)};
        variables.insert(pair.left(equals), pair.mid(equals + 1));
    }
    if (!variables.isEmpty())
        body.insert(u"dynamic_variables"_s, variables);
    return body;
}

} // namespace

int runCall(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Start an outbound ElevenLabs call through a running backend (POST /api/calls).\n"
        u"Exit status: 0 when the call is dialling, 1 when it failed, 2 on usage errors."_s);
    parser.addHelpOption();
    parser.addOption(
        {u"to"_s, u"The driver's phone number (E.164, e.g. +13125550123)."_s, u"NUMBER"_s});
    parser.addOption({u"driver"_s, u"The driver id."_s, u"ID"_s});
    parser.addOption(
        {u"url"_s, u"Backend base URL (default: from --listen / CALLWATCH_LISTEN)."_s, u"URL"_s});
    parser.addOption({u"token"_s,
                      u"Bearer token with calls:write (default: $CALLWATCH_TOKEN, else one "
                      u"minted with this data directory's key)."_s,
                      u"JWT"_s});
    parser.addOption({u"provider"_s, u"twilio or sip (default: twilio)."_s, u"NAME"_s});
    parser.addOption(
        {u"var"_s, u"A dynamic variable for the agent; repeatable."_s, u"KEY=VALUE"_s});
    parser.addOption({u"json"_s, u"Print the backend's JSON answer."_s});
    addConfigOptions(parser);
    parser.process(arguments);
    auto config = loadConfig(parser);
    if (!config)
        return fail(config.error());
    if (!parser.isSet(u"to"_s) || !parser.isSet(u"driver"_s))
        return fail({u"missing_arguments"_s, u"--to NUMBER and --driver ID are required"_s}, 2);
    auto body = requestBody(parser);
    if (!body)
        return fail(body.error(), 2);
    auto token = tokenFor(parser, config.value());
    if (!token)
        return fail(token.error());

    QNetworkAccessManager network;
    QString base = parser.value(u"url"_s);
    if (base.isEmpty()) {
        const auto listen = config->listenAddress(); // validated by loadConfig
        const QString host = listen->first.toString();
        base =
            u"http://%1:%2"_s.arg(host == u"0.0.0.0"_s || host == u"::"_s ? u"127.0.0.1"_s : host)
                .arg(listen->second);
    }
    QNetworkRequest request(QUrl(base + u"/api/calls"_s));
    request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json"_ba);
    request.setRawHeader("Authorization", "Bearer " + token.value());
    request.setTransferTimeout(120'000); // the server answers after ElevenLabs (and its retries)
    QNetworkReply *reply =
        network.post(request, QJsonDocument(body.value()).toJson(QJsonDocument::Compact));
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 0)
        return fail({u"unreachable"_s, reply->errorString()});
    const QByteArray answer = reply->readAll();
    const QJsonObject json = QJsonDocument::fromJson(answer).object();
    if (parser.isSet(u"json"_s))
        std::printf("%s\n", answer.constData());
    if (status != 201) {
        const QJsonObject error = json.value("error"_L1).toObject();
        return fail({error.value("code"_L1).toString(u"http_%1"_s.arg(status)),
                     error.value("message"_L1).toString(QString::fromUtf8(answer))});
    }
    const QJsonObject call = json.value("call"_L1).toObject();
    const QString callStatus = call.value("status"_L1).toString();
    if (!parser.isSet(u"json"_s)) {
        std::printf("call_sid         %s\nstatus           %s\n",
                    qUtf8Printable(call.value("call_sid"_L1).toString()),
                    qUtf8Printable(callStatus));
        if (callStatus == u"failed"_s)
            std::printf("failure_reason   %s\n",
                        qUtf8Printable(call.value("failure_reason"_L1).toString()));
        else
            std::printf("conversation_id  %s\n",
                        qUtf8Printable(call.value("conversation_id"_L1).toString()));
    }
    return callStatus == u"failed"_s ? 1 : 0;
}

} // namespace callwatch::cli
