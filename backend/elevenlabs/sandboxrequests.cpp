// SPDX-License-Identifier: GPL-3.0-or-later
#include "elevenlabs/sandboxrequests.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace callwatch::elevenlabs::sandboxrequests {

namespace {

QJsonObject item(const QJsonArray &location, const QString &message, const QString &type)
{
    return QJsonObject{{u"loc"_s, location}, {u"msg"_s, message}, {u"type"_s, type}};
}

void requireString(const QJsonObject &object, const QString &key, QJsonArray location,
                   QJsonArray *items)
{
    location.append(key);
    const QJsonValue value = object.value(key);
    if (value.isUndefined())
        items->append(item(location, u"field required"_s, u"value_error.missing"_s));
    else if (!value.isString())
        items->append(item(location, u"str type expected"_s, u"type_error.str"_s));
}

void checkClientData(const QJsonObject &object, QJsonArray location, QJsonArray *items)
{
    location.append(u"conversation_initiation_client_data"_s);
    const QJsonValue data = object.value(location.last().toString());
    if (data.isUndefined() || data.isNull())
        return;
    if (!data.isObject()) {
        items->append(item(location, u"value is not a valid dict"_s, u"type_error.dict"_s));
        return;
    }
    const QJsonValue variables = data.toObject().value("dynamic_variables"_L1);
    location.append(u"dynamic_variables"_s);
    if (variables.isUndefined() || variables.isNull())
        return;
    if (!variables.isObject()) {
        items->append(item(location, u"value is not a valid dict"_s, u"type_error.dict"_s));
        return;
    }
    const QJsonObject map = variables.toObject();
    for (auto it = map.begin(); it != map.end(); ++it) {
        if (it->isObject() || it->isArray()) {
            QJsonArray at = location;
            at.append(it.key());
            items->append(
                item(at, u"value is not a valid string, number or boolean"_s, u"type_error"_s));
        }
    }
}

} // namespace

std::optional<http::HttpResponse> checkApiKey(const http::HttpRequest &request,
                                              const QString &requiredKey)
{
    if (!request.hasHeader("xi-api-key"))
        return detailError(401, u"needs_authorization"_s,
                           u"Neither authorization header nor xi-api-key received, please "
                           u"provide one."_s);
    const QByteArray key = request.header("xi-api-key");
    if (key.isEmpty() || (!requiredKey.isEmpty() && key != requiredKey.toUtf8()))
        return detailError(401, u"invalid_api_key"_s, u"Invalid API key"_s);
    return std::nullopt;
}

std::optional<http::HttpResponse> parseBody(const http::HttpRequest &request, QJsonObject *body)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &error);
    if (!document.isObject())
        return validationError(QJsonArray{
            item(QJsonArray{u"body"_s},
                 document.isNull() ? error.errorString() : u"value is not a valid dict"_s,
                 u"value_error.jsondecode"_s)});
    *body = document.object();
    return std::nullopt;
}

QJsonArray validateOutboundCall(const QJsonObject &body)
{
    QJsonArray items;
    const QJsonArray at{u"body"_s};
    for (const QString &key : {u"agent_id"_s, u"agent_phone_number_id"_s, u"to_number"_s})
        requireString(body, key, at, &items);
    checkClientData(body, at, &items);
    return items;
}

QJsonArray validateBatchSubmit(const QJsonObject &body)
{
    QJsonArray items;
    const QJsonArray at{u"body"_s};
    for (const QString &key : {u"call_name"_s, u"agent_id"_s, u"agent_phone_number_id"_s})
        requireString(body, key, at, &items);
    const QJsonValue scheduled = body.value("scheduled_time_unix"_L1);
    if (!scheduled.isUndefined() && !scheduled.isNull() && !scheduled.isDouble())
        items.append(item(QJsonArray{u"body"_s, u"scheduled_time_unix"_s},
                          u"value is not a valid integer"_s, u"type_error.integer"_s));
    const QJsonValue recipients = body.value("recipients"_L1);
    if (!recipients.isArray()) {
        items.append(
            item(QJsonArray{u"body"_s, u"recipients"_s},
                 recipients.isUndefined() ? u"field required"_s : u"value is not a valid list"_s,
                 recipients.isUndefined() ? u"value_error.missing"_s : u"type_error.list"_s));
        return items;
    }
    const QJsonArray list = recipients.toArray();
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QJsonArray here{u"body"_s, u"recipients"_s, int(i)};
        if (!list.at(i).isObject()) {
            items.append(item(here, u"value is not a valid dict"_s, u"type_error.dict"_s));
            continue;
        }
        requireString(list.at(i).toObject(), u"phone_number"_s, here, &items);
        checkClientData(list.at(i).toObject(), here, &items);
    }
    return items;
}

http::HttpResponse validationError(const QJsonArray &items)
{
    return http::HttpResponse::json(QJsonObject{{u"detail"_s, items}}, 422);
}

http::HttpResponse detailError(int httpStatus, const QString &status, const QString &message)
{
    return http::HttpResponse::json(
        QJsonObject{{u"detail"_s, QJsonObject{{u"status"_s, status}, {u"message"_s, message}}}},
        httpStatus);
}

} // namespace callwatch::elevenlabs::sandboxrequests
