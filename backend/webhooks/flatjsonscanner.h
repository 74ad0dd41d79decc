// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QLatin1StringView>
#include <QString>

#include <span>

namespace callwatch::webhooks {

/**
 * @brief One-pass reader of ONE flat JSON object straight from its UTF-8 bytes, the fast path in
 * front of QJsonDocument::fromJson for small hot payloads.
 *
 * It answers only where it is sure to see exactly what Qt 6.4's parser would see: a strict
 * RFC 8259 object whose values are strings, numbers, true, false or null. Everything else makes
 * scan() return false so the caller takes the QJsonDocument path, which then produces the
 * values or the error: nested objects or arrays, a byte order mark, anything Qt accepts
 * leniently (".5", "1.", "\a", raw control characters), any invalid JSON or UTF-8, a key with
 * escapes, a wanted key given twice (Qt keeps the last one), lone surrogate escapes, and numbers
 * whose value is in doubt (negative zero, which Qt stores as integer 0; overflow; underflow;
 * subnormals; texts longer than 40 characters).
 */
class FlatJsonScanner
{
public:
    enum class Kind : quint8 { Absent, Null, False, True, Number, String };

    /** One wanted member as found in the document. */
    struct Value
    {
        Kind kind = Kind::Absent;
        bool hasEscapes = false; ///< Kind::String: contains backslash escapes
        bool isAscii = true;     ///< Kind::String: only 7-bit bytes
        double number = 0;       ///< Kind::Number: what QJsonValue::toDouble() gives
        QByteArrayView raw;      ///< Kind::String: the bytes between the quotes, still encoded

        /** Absent or null: what JsonFieldReader treats as "not given". */
        bool isAbsentOrNull() const { return kind == Kind::Absent || kind == Kind::Null; }
        /**
         * Kind::String only: the text, exactly as QJsonValue::toString() gives it (an empty
         * string is empty, not null). Only for values filled by scan(), which validated them.
         */
        QString toString() const;
    };

    /**
     * Scans @p json. For each key in @p keys, the Value at the same index in @p values is set
     * (Kind::Absent when the key is not in the object); @p values must be default-constructed
     * and as long as @p keys. Members with other keys are checked but not kept.
     * Returns false when the fast path cannot answer; @p values are then meaningless.
     */
    static bool scan(QByteArrayView json, std::span<const QLatin1StringView> keys,
                     std::span<Value> values);
};

} // namespace callwatch::webhooks
