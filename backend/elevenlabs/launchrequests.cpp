// SPDX-License-Identifier: GPL-3.0-or-later
#include "elevenlabs/launchrequests.h"

#include <QJsonArray>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace callwatch::elevenlabs {

namespace {

Error invalidField(const QString &field, const QString &must)
{
    return Error{u"invalid_field"_s, u"%1 must be %2"_s.arg(field, must)};
}

/** Reads a required string: absent/null/"" adds it to @p missing; another type is an error. */
std::optional<Error> readString(const QJsonObject &object, const QString &key, const QString &path,
                                QString *out, QStringList *missing)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull() || (value.isString() && value.toString().isEmpty())) {
        if (missing)
            missing->append(path);
        return std::nullopt;
    }
    if (!value.isString())
        return invalidField(path, u"a string"_s);
    *out = value.toString().trimmed();
    return std::nullopt;
}

std::optional<Error> checkPhone(const QString &number, const QString &path)
{
    static const QRegularExpression e164(u"^\\+[1-9][0-9]{6,14}$"_s);
    if (!number.isEmpty() && !e164.match(number).hasMatch())
        return invalidField(path, u"an E.164 phone number such as +13125550123"_s);
    return std::nullopt;
}

std::optional<Error> checkDriver(const QString &driverId, const QString &path)
{
    // The driver id becomes part of the call_sid, which appears in URLs and logs.
    static const QRegularExpression allowed(u"^[A-Za-z0-9_.:-]{1,64}$"_s);
    if (!driverId.isEmpty() && !allowed.match(driverId).hasMatch())
        return invalidField(path, u"1 to 64 letters, digits or _ . : -"_s);
    return std::nullopt;
}

std::optional<Error> readVariables(const QJsonObject &object, const QString &path, QJsonObject *out)
{
    const QJsonValue value = object.value("dynamic_variables"_L1);
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    if (!value.isObject())
        return invalidField(path, u"an object"_s);
    const QJsonObject variables = value.toObject();
    for (auto it = variables.begin(); it != variables.end(); ++it) {
        // ElevenLabs accepts string, number, boolean or null values only.
        if (it->isObject() || it->isArray())
            return invalidField(path + u'.' + it.key(), u"a string, number, boolean or null"_s);
    }
    *out = variables;
    return std::nullopt;
}

std::optional<Error> readOptionalIds(const QJsonObject &body, QString *agentId,
                                     QString *phoneNumberId)
{
    if (auto error = readString(body, u"agent_id"_s, u"agent_id"_s, agentId, nullptr))
        return error;
    return readString(body, u"agent_phone_number_id"_s, u"agent_phone_number_id"_s, phoneNumberId,
                      nullptr);
}

QStringList missingDefaults(const QString &agentId, const QString &phoneNumberId)
{
    QStringList missing;
    if (agentId.isEmpty())
        missing << u"agent_id"_s;
    if (phoneNumberId.isEmpty())
        missing << u"agent_phone_number_id"_s;
    return missing;
}

} // namespace

Error missingFieldsError(const QStringList &fields)
{
    return Error{u"missing_fields"_s, u"Missing required fields: "_s + fields.join(u", "_s)};
}

Result<CallLaunchRequest> CallLaunchRequest::fromJson(const QJsonObject &body)
{
    CallLaunchRequest request;
    QStringList missing;
    if (auto error = readString(body, u"to_number"_s, u"to_number"_s, &request.toNumber, &missing))
        return *error;
    if (auto error = readString(body, u"driver_id"_s, u"driver_id"_s, &request.driverId, &missing))
        return *error;
    if (!missing.isEmpty())
        return missingFieldsError(missing);
    if (auto error = checkPhone(request.toNumber, u"to_number"_s))
        return *error;
    if (auto error = checkDriver(request.driverId, u"driver_id"_s))
        return *error;
    if (auto error = readOptionalIds(body, &request.agentId, &request.agentPhoneNumberId))
        return *error;
    const QJsonValue provider = body.value("provider"_L1);
    if (!provider.isUndefined() && !provider.isNull()) {
        request.provider = providerFromName(provider.toString());
        if (!request.provider)
            return invalidField(u"provider"_s, u"\"twilio\" or \"sip\""_s);
    }
    if (auto error = readVariables(body, u"dynamic_variables"_s, &request.dynamicVariables))
        return *error;
    return request;
}

Result<CallLaunchRequest> CallLaunchRequest::resolved(const LaunchDefaults &defaults) const
{
    CallLaunchRequest out = *this;
    if (out.agentId.isEmpty())
        out.agentId = defaults.agentId;
    if (out.agentPhoneNumberId.isEmpty())
        out.agentPhoneNumberId = defaults.agentPhoneNumberId;
    if (!out.provider)
        out.provider = defaults.provider;
    if (auto missing = missingDefaults(out.agentId, out.agentPhoneNumberId); !missing.isEmpty())
        return missingFieldsError(missing);
    return out;
}

Result<BatchLaunchRequest> BatchLaunchRequest::fromJson(const QJsonObject &body)
{
    BatchLaunchRequest request;
    QStringList missing;
    if (auto error = readString(body, u"call_name"_s, u"call_name"_s, &request.callName, &missing))
        return *error;
    const QJsonValue recipients = body.value("recipients"_L1);
    if (recipients.isUndefined() || recipients.isNull() ||
        (recipients.isArray() && recipients.toArray().isEmpty()))
        missing << u"recipients"_s;
    else if (!recipients.isArray())
        return invalidField(u"recipients"_s, u"an array"_s);
    if (recipients.toArray().size() > MaxRecipients)
        return invalidField(u"recipients"_s, u"at most %1 entries"_s.arg(MaxRecipients));
    const QJsonArray items = recipients.toArray();
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QString path = u"recipients[%1]"_s.arg(i);
        if (!items.at(i).isObject())
            return invalidField(path, u"an object"_s);
        const QJsonObject item = items.at(i).toObject();
        BatchLaunchRecipient recipient;
        if (auto error = readString(item, u"to_number"_s, path + u".to_number"_s,
                                    &recipient.toNumber, &missing))
            return *error;
        if (auto error = readString(item, u"driver_id"_s, path + u".driver_id"_s,
                                    &recipient.driverId, &missing))
            return *error;
        if (auto error = checkPhone(recipient.toNumber, path + u".to_number"_s))
            return *error;
        if (auto error = checkDriver(recipient.driverId, path + u".driver_id"_s))
            return *error;
        if (auto error =
                readVariables(item, path + u".dynamic_variables"_s, &recipient.dynamicVariables))
            return *error;
        request.recipients.append(recipient);
    }
    if (!missing.isEmpty())
        return missingFieldsError(missing);
    if (auto error = readOptionalIds(body, &request.agentId, &request.agentPhoneNumberId))
        return *error;
    if (auto error = readVariables(body, u"dynamic_variables"_s, &request.dynamicVariables))
        return *error;
    return request;
}

Result<BatchLaunchRequest> BatchLaunchRequest::resolved(const LaunchDefaults &defaults) const
{
    BatchLaunchRequest out = *this;
    if (out.agentId.isEmpty())
        out.agentId = defaults.agentId;
    if (out.agentPhoneNumberId.isEmpty())
        out.agentPhoneNumberId = defaults.agentPhoneNumberId;
    if (auto missing = missingDefaults(out.agentId, out.agentPhoneNumberId); !missing.isEmpty())
        return missingFieldsError(missing);
    return out;
}

} // namespace callwatch::elevenlabs
