// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/jsonfieldreader.h"

#include <QLocale>

#include <cmath>

using namespace Qt::StringLiterals;

namespace callwatch::webhooks {

namespace {

bool isAbsent(const QJsonValue &value)
{
    return value.isUndefined() || value.isNull();
}

// Largest magnitude a double holds exactly as an integer; beyond it "integer" is meaningless.
constexpr double MaxExactInteger = 9007199254740992.0; // 2^53

} // namespace

Error missingFieldError(const QString &path)
{
    return Error{PayloadError::MissingField, path % u" is required"_s};
}

Error invalidFieldError(const QString &path, const QString &must)
{
    return Error{PayloadError::InvalidField, path % u" must be "_s % must};
}

JsonFieldReader::JsonFieldReader(const QJsonObject &object, const QString &path,
                                 std::optional<Error> *errorSlot)
    : m_object(object), m_path(path), m_error(errorSlot)
{}

QString JsonFieldReader::pathOf(QLatin1StringView key) const
{
    return m_path.isEmpty() ? QString(key) : m_path % u'.' % key;
}

void JsonFieldReader::fail(Error error) const
{
    if (!m_error->has_value())
        *m_error = std::move(error);
}

JsonFieldReader JsonFieldReader::child(QLatin1StringView key) const
{
    return JsonFieldReader(objectValue(key), pathOf(key), m_error);
}

JsonFieldReader JsonFieldReader::withObject(const QJsonObject &object, const QString &path) const
{
    return JsonFieldReader(object, path, m_error);
}

std::optional<QString> JsonFieldReader::toText(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isDouble()) {
        const double d = value.toDouble();
        if (std::trunc(d) == d && std::fabs(d) <= MaxExactInteger)
            return QString::number(static_cast<qint64>(d));
        return QString::number(d, 'g', QLocale::FloatingPointShortest);
    }
    return std::nullopt;
}

std::optional<double> JsonFieldReader::toNumber(const QJsonValue &value)
{
    if (value.isDouble())
        return value.toDouble();
    if (value.isString()) {
        bool ok = false;
        const double d = value.toString().trimmed().toDouble(&ok);
        if (ok && std::isfinite(d))
            return d;
    }
    return std::nullopt;
}

QString JsonFieldReader::string(QLatin1StringView key) const
{
    const QJsonValue value = m_object.value(key);
    if (isAbsent(value))
        return {};
    if (std::optional<QString> text = toText(value))
        return *text;
    fail(invalidFieldError(pathOf(key), u"a string"_s));
    return {};
}

QString JsonFieldReader::requiredString(QLatin1StringView key) const
{
    const QJsonValue value = m_object.value(key);
    QString text = string(key);
    if (text.isEmpty() && (isAbsent(value) || value.isString()))
        fail(missingFieldError(pathOf(key)));
    return text;
}

std::optional<double> JsonFieldReader::number(QLatin1StringView key) const
{
    const QJsonValue value = m_object.value(key);
    if (isAbsent(value))
        return std::nullopt;
    if (std::optional<double> d = toNumber(value))
        return d;
    fail(invalidFieldError(pathOf(key), u"a number"_s));
    return std::nullopt;
}

std::optional<qint64> JsonFieldReader::integer(QLatin1StringView key) const
{
    const std::optional<double> d = number(key);
    if (!d)
        return std::nullopt;
    // Fractions are cut off (a float timestamp still names the same second); within 2^53 the
    // conversion is exact.
    if (std::fabs(*d) > MaxExactInteger) {
        fail(invalidFieldError(pathOf(key), u"an integer within range"_s));
        return std::nullopt;
    }
    return static_cast<qint64>(std::trunc(*d));
}

std::optional<qint64> JsonFieldReader::unixSeconds(QLatin1StringView key) const
{
    const std::optional<qint64> seconds = integer(key);
    if (seconds && (*seconds < 0 || *seconds > MaxUnixSeconds)) {
        fail(invalidFieldError(pathOf(key), u"a unix time in seconds, from 1970 to 9999"_s));
        return std::nullopt;
    }
    return seconds;
}

QJsonObject JsonFieldReader::objectValue(QLatin1StringView key) const
{
    const QJsonValue value = m_object.value(key);
    if (isAbsent(value))
        return {};
    if (!value.isObject()) {
        fail(invalidFieldError(pathOf(key), u"an object"_s));
        return {};
    }
    return value.toObject();
}

QJsonArray JsonFieldReader::arrayValue(QLatin1StringView key) const
{
    const QJsonValue value = m_object.value(key);
    if (isAbsent(value))
        return {};
    if (!value.isArray()) {
        fail(invalidFieldError(pathOf(key), u"an array"_s));
        return {};
    }
    return value.toArray();
}

bool JsonFieldReader::boolean(QLatin1StringView key, bool fallback) const
{
    const QJsonValue value = m_object.value(key);
    if (isAbsent(value))
        return fallback;
    if (!value.isBool()) {
        fail(invalidFieldError(pathOf(key), u"true or false"_s));
        return fallback;
    }
    return value.toBool();
}

} // namespace callwatch::webhooks
