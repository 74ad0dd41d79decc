// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QLatin1StringView>
#include <QString>

#include <optional>

namespace callwatch::webhooks {

/** Error codes of the payload parsers. */
namespace PayloadError {
inline constexpr QLatin1StringView InvalidJson{"invalid_json"};
inline constexpr QLatin1StringView MissingField{"missing_field"};
inline constexpr QLatin1StringView InvalidField{"invalid_field"};
} // namespace PayloadError

Error missingFieldError(const QString &path);                      ///< "<path> is required"
Error invalidFieldError(const QString &path, const QString &must); ///< "<path> must be <must>"

/**
 * @brief Lenient, path-aware reading of one JSON object for the payload parsers.
 *
 * Absent and null mean "not given" everywhere (ElevenLabs sends null for many optional fields);
 * numbers are accepted where text is expected and numeric strings where numbers are expected.
 * A value of a type that cannot be read records an invalid_field error naming the full path
 * ("data.metadata.call_duration_secs must be a number"); readers made with child() share the
 * error slot, which keeps the FIRST error, so a parser reads every field straight through and
 * checks ok() once at the end.
 */
class JsonFieldReader
{
public:
    /** @p path is the path of @p object itself ("data"), or empty for the document root. */
    JsonFieldReader(const QJsonObject &object, const QString &path,
                    std::optional<Error> *errorSlot);

    bool ok() const { return !m_error->has_value(); }
    const QString &path() const { return m_path; }
    QString pathOf(QLatin1StringView key) const;
    const QJsonObject &object() const { return m_object; }

    /** Reader over a nested object; absent or null gives an empty reader. */
    JsonFieldReader child(QLatin1StringView key) const;
    /** Reader over any other object (e.g. an array item) sharing this reader's error slot. */
    JsonFieldReader withObject(const QJsonObject &object, const QString &path) const;

    QString string(QLatin1StringView key) const; ///< absent/null → ""; number → its text
    QString requiredString(QLatin1StringView key) const;        ///< also "" → missing_field
    std::optional<qint64> integer(QLatin1StringView key) const; ///< number or numeric string
    std::optional<double> number(QLatin1StringView key) const;  ///< number or numeric string
    /** integer() that must be a time from 1970 to the end of 9999 (invalid_field otherwise):
     * later years are no time a database column (PostgreSQL) or ISO 8601 text can hold, and
     * such a delivery would be refused by the database (503) at every retry instead of once. */
    std::optional<qint64> unixSeconds(QLatin1StringView key) const;
    QJsonObject objectValue(QLatin1StringView key) const; ///< absent/null → {}
    QJsonArray arrayValue(QLatin1StringView key) const;   ///< absent/null → []
    bool boolean(QLatin1StringView key, bool fallback = false) const;

    /** Records @p error unless an earlier one was recorded. */
    void fail(Error error) const;

    // The same conversions for a value that is not under a key (array items, the root).
    static std::optional<QString> toText(const QJsonValue &value);
    static std::optional<double> toNumber(const QJsonValue &value);

    /// 9999-12-31T23:59:59Z, the last second unixSeconds() accepts.
    static constexpr qint64 MaxUnixSeconds = 253402300799;

private:
    QJsonObject m_object;
    QString m_path;
    std::optional<Error> *m_error;
};

} // namespace callwatch::webhooks
