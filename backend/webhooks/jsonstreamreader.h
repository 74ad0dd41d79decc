// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QIODevice>
#include <QString>

#include <functional>

namespace callwatch::webhooks {

/**
 * @brief A pull tokenizer over a QIODevice for JSON documents too large to load (RFC 8259).
 *
 * It reads the device in fixed blocks and never holds more than one block plus what the caller
 * asks to keep, so a multi-megabyte string can be consumed piece by piece with streamString().
 * Every method first skips insignificant whitespace. Syntax errors come back as
 * Error{"invalid_json", "body is not valid JSON: <what> at byte <n>"}; no payload text is quoted.
 * Strings are unescaped (including \uXXXX surrogate pairs, to UTF-8) but not checked for UTF-8
 * validity.
 */
class JsonStreamReader
{
public:
    /** Receives unescaped string content in pieces; an Error stops the reading and is returned. */
    using StringSink = std::function<Result<>(QByteArrayView piece)>;

    static constexpr int MaxDepth = 512;

    explicit JsonStreamReader(QIODevice &device, qsizetype blockSize = 64 * 1024);

    /** The next significant character, not consumed; '\0' at the end of the input. */
    Result<char> peek();
    /** Consumes @p expected, which must be the next significant character. */
    Result<> expect(char expected);
    /** True when nothing but whitespace is left. */
    Result<bool> atEnd();

    /** Reads a string value; keeps its first @p keep bytes and reports whether it was cut. */
    Result<QByteArray> readString(qsizetype keep = 4096, bool *truncated = nullptr);
    /** Reads a string value, handing its content to @p sink as it goes. */
    Result<> streamString(const StringSink &sink);
    /** Reads a number token and returns its text (validated against the JSON grammar). */
    Result<QByteArray> readNumber();
    /** Skips one value of any kind, nested containers included, validating it. */
    Result<> skipValue();

    qint64 offset() const { return m_base + m_pos; }
    Error syntaxError(const QString &what) const;

private:
    bool fill();            // false at end of input or on a read error
    Result<char> nextRaw(); // next byte, no whitespace skipping; error at end of input
    Result<> skipLiteral(); // true, false or null
    Result<> readEscape(QByteArray &out);
    Result<unsigned> readHex4();
    Result<> skipScalar(char first);
    Result<> skipMemberKey(); // a key and its ':'
    Error readError() const;

    QIODevice &m_device;
    qsizetype m_blockSize;
    QByteArray m_buffer;
    qsizetype m_pos = 0;
    qint64 m_base = 0;
    bool m_readFailed = false;
};

} // namespace callwatch::webhooks
