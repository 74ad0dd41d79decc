// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/flatjsonscanner.h"

#include "core/hexdigit.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace callwatch::webhooks {

namespace {

// Bigger bodies are not the hot case, and Qt 6.4's parser takes the length as an int.
constexpr qsizetype MaxDocumentSize = 1 << 20;
// Longer number texts are where two correct decimal converters might still disagree (Qt's
// double-conversion caps significant digits); no real turn sends one.
constexpr qsizetype MaxNumberLength = 40;

bool isSpace(uchar c)
{
    // Exactly the four bytes Qt's eatSpace() skips.
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Bytes that stand for themselves inside a string: printable ASCII except '"' and '\\'.
constexpr std::array<bool, 256> PlainStringByte = [] {
    std::array<bool, 256> table{};
    for (int c = 0x20; c < 0x80; ++c)
        table[size_t(c)] = c != '"' && c != '\\';
    return table;
}();

bool isDigit(uchar c)
{
    return c >= '0' && c <= '9';
}

bool isContinuation(uchar c)
{
    return (c & 0xc0) == 0x80;
}

/** Four hex digits at @p p (caller checked the length), or -1. */
int hex4(const uchar *p)
{
    int unit = 0;
    for (int i = 0; i < 4; ++i) {
        const int digit = hexDigitValue(char(p[i]));
        if (digit < 0)
            return -1;
        unit = (unit << 4) | digit;
    }
    return unit;
}

/** Length of the well-formed UTF-8 sequence at @p p (first byte ≥ 0x80), or 0 if invalid. */
qsizetype utf8SequenceLength(const uchar *p, const uchar *end)
{
    // The ranges of RFC 3629 / Unicode table 3-7: no overlong forms, no surrogates, nothing past
    // U+10FFFF. Qt's decoder rejects exactly these too (noncharacters are allowed by both).
    const uchar b = p[0];
    const qsizetype available = end - p;
    if (b >= 0xc2 && b <= 0xdf)
        return available >= 2 && isContinuation(p[1]) ? 2 : 0;
    if (b >= 0xe0 && b <= 0xef) {
        if (available < 3 || !isContinuation(p[1]) || !isContinuation(p[2]))
            return 0;
        if ((b == 0xe0 && p[1] < 0xa0) || (b == 0xed && p[1] > 0x9f))
            return 0;
        return 3;
    }
    if (b >= 0xf0 && b <= 0xf4) {
        if (available < 4 || !isContinuation(p[1]) || !isContinuation(p[2]) ||
            !isContinuation(p[3]))
            return 0;
        if ((b == 0xf0 && p[1] < 0x90) || (b == 0xf4 && p[1] > 0x8f))
            return 0;
        return 4;
    }
    return 0;
}

/** The scanning state; every method returns false when the fast path must give up. */
class Cursor
{
public:
    Cursor(const uchar *begin, const uchar *end) : m_p(begin), m_end(end) {}

    bool atEnd() const { return m_p == m_end; }

    void skipSpace()
    {
        while (m_p != m_end && isSpace(*m_p))
            ++m_p;
    }

    /** Consumes @p c if it is next. */
    bool take(uchar c)
    {
        if (m_p == m_end || *m_p != c)
            return false;
        ++m_p;
        return true;
    }

    bool string(FlatJsonScanner::Value *out);
    bool value(FlatJsonScanner::Value *out);

private:
    bool escape();
    bool number(double *out);
    bool literal(const char *rest, qsizetype size);

    const uchar *m_p;
    const uchar *m_end;
};

// Called after the opening quote; leaves the cursor after the closing one.
bool Cursor::string(FlatJsonScanner::Value *out)
{
    const uchar *start = m_p;
    bool escapes = false;
    bool ascii = true;
    for (;;) {
        while (m_p != m_end && PlainStringByte[*m_p])
            ++m_p;
        if (m_p == m_end)
            return false; // unterminated
        const uchar c = *m_p;
        if (c == '"') {
            out->kind = FlatJsonScanner::Kind::String;
            out->raw = QByteArrayView(reinterpret_cast<const char *>(start), m_p - start);
            out->hasEscapes = escapes;
            out->isAscii = ascii;
            ++m_p;
            return true;
        }
        if (c < 0x20) // Qt keeps raw control characters, strict JSON does not: let Qt decide
            return false;
        if (c == '\\') {
            escapes = true;
            if (!escape())
                return false;
        } else {
            ascii = false;
            const qsizetype length = utf8SequenceLength(m_p, m_end);
            if (length == 0)
                return false;
            m_p += length;
        }
    }
}

bool Cursor::escape()
{
    if (m_end - m_p < 2)
        return false;
    switch (m_p[1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
        m_p += 2;
        return true;
    case 'u':
        break;
    default: // Qt reads "\a" as "a"; leave such lenient input to Qt
        return false;
    }
    if (m_end - m_p < 6)
        return false;
    const int unit = hex4(m_p + 2);
    if (unit < 0 || (unit >= 0xdc00 && unit <= 0xdfff)) // lone low surrogate
        return false;
    if (unit < 0xd800 || unit > 0xdbff) {
        m_p += 6;
        return true;
    }
    // A high surrogate must be followed by an escaped low one (Qt would keep a lone one; we
    // simply do not answer for such text).
    if (m_end - m_p < 12 || m_p[6] != '\\' || m_p[7] != 'u')
        return false;
    const int low = hex4(m_p + 8);
    if (low < 0xdc00 || low > 0xdfff)
        return false;
    m_p += 12;
    return true;
}

bool Cursor::number(double *out)
{
    // Strict RFC 8259 grammar only; Qt also takes ".5", "1." and "-", which go to Qt.
    const uchar *start = m_p;
    const bool negative = take('-');
    bool nonZeroDigit = false;
    if (take('0')) {
    } else if (m_p != m_end && *m_p >= '1' && *m_p <= '9') {
        nonZeroDigit = true;
        while (m_p != m_end && isDigit(*m_p))
            ++m_p;
    } else {
        return false;
    }
    if (take('.')) {
        if (m_p == m_end || !isDigit(*m_p))
            return false;
        while (m_p != m_end && isDigit(*m_p)) {
            nonZeroDigit = nonZeroDigit || *m_p != '0';
            ++m_p;
        }
    }
    if (take('e') || take('E')) {
        if (!take('+'))
            take('-');
        if (m_p == m_end || !isDigit(*m_p))
            return false;
        while (m_p != m_end && isDigit(*m_p))
            ++m_p;
    }
    if (m_p - start > MaxNumberLength)
        return false;
    // Qt stores integers as qint64 and other numbers as the correctly rounded double; both give
    // the correctly rounded double of the text, which from_chars computes too.
    double d = 0;
    const auto [ptr, ec] = std::from_chars(reinterpret_cast<const char *>(start),
                                           reinterpret_cast<const char *>(m_p), d);
    if (ec != std::errc() || ptr != reinterpret_cast<const char *>(m_p) || !std::isfinite(d))
        return false;
    if (d == 0) {
        // "-0" becomes integer 0 in Qt (no sign); "1e-400" is an error in Qt.
        if (negative || nonZeroDigit)
            return false;
    } else if (std::fabs(d) < std::numeric_limits<double>::min()) {
        return false; // subnormal: where converters are most likely to differ
    }
    *out = d;
    return true;
}

bool Cursor::literal(const char *rest, qsizetype size)
{
    if (m_end - m_p < size || std::memcmp(m_p, rest, size_t(size)) != 0)
        return false;
    m_p += size;
    return true;
}

bool Cursor::value(FlatJsonScanner::Value *out)
{
    using Kind = FlatJsonScanner::Kind;
    if (m_p == m_end)
        return false;
    switch (*m_p) {
    case '"':
        ++m_p;
        return string(out);
    case 't':
        out->kind = Kind::True;
        return literal("true", 4);
    case 'f':
        out->kind = Kind::False;
        return literal("false", 5);
    case 'n':
        out->kind = Kind::Null;
        return literal("null", 4);
    default:
        out->kind = Kind::Number;
        return number(&out->number); // also rejects '{', '[' and anything else
    }
}

/** Index of @p key among @p keys, or -1. */
qsizetype indexOf(QByteArrayView key, std::span<const QLatin1StringView> keys)
{
    for (size_t i = 0; i < keys.size(); ++i) {
        if (keys[i].size() == key.size() &&
            std::memcmp(keys[i].data(), key.data(), size_t(key.size())) == 0)
            return qsizetype(i);
    }
    return -1;
}

/** Appends the UTF-16 of the well-formed UTF-8 sequence at @p p; returns its length. */
qsizetype appendUtf8(const uchar *p, QChar *&out)
{
    const uchar b = p[0];
    if (b < 0x80) {
        *out++ = QChar(char16_t(b));
        return 1;
    }
    if (b < 0xe0) {
        *out++ = QChar(char16_t(((b & 0x1f) << 6) | (p[1] & 0x3f)));
        return 2;
    }
    if (b < 0xf0) {
        *out++ = QChar(char16_t(((b & 0x0f) << 12) | ((p[1] & 0x3f) << 6) | (p[2] & 0x3f)));
        return 3;
    }
    const char32_t ucs4 = (char32_t(b & 0x07) << 18) | (char32_t(p[1] & 0x3f) << 12) |
                          (char32_t(p[2] & 0x3f) << 6) | char32_t(p[3] & 0x3f);
    *out++ = QChar(QChar::highSurrogate(ucs4));
    *out++ = QChar(QChar::lowSurrogate(ucs4));
    return 4;
}

QChar simpleEscape(uchar c)
{
    switch (c) {
    case 'b':
        return QChar(u'\b');
    case 'f':
        return QChar(u'\f');
    case 'n':
        return QChar(u'\n');
    case 'r':
        return QChar(u'\r');
    case 't':
        return QChar(u'\t');
    default: // '"', '\\', '/'
        return QChar(char16_t(c));
    }
}

/** Decodes text that scan() validated and that contains escapes. */
QString decodeEscaped(QByteArrayView raw)
{
    // Never more UTF-16 units than bytes: each escape or UTF-8 sequence is at least as long.
    QString text(raw.size(), Qt::Uninitialized);
    QChar *out = text.data();
    const auto *p = reinterpret_cast<const uchar *>(raw.data());
    const uchar *end = p + raw.size();
    while (p != end) {
        if (*p != '\\') {
            p += appendUtf8(p, out);
        } else if (p[1] == 'u') {
            // Qt appends each \uXXXX as one UTF-16 unit, so a surrogate pair stays a pair.
            *out++ = QChar(char16_t(hex4(p + 2)));
            p += 6;
        } else {
            *out++ = simpleEscape(p[1]);
            p += 2;
        }
    }
    text.resize(out - text.constData());
    return text;
}

} // namespace

QString FlatJsonScanner::Value::toString() const
{
    if (hasEscapes)
        return decodeEscaped(raw);
    // raw points into the document, so an empty text is "" (not null), as in QJsonValue.
    if (isAscii)
        return QString::fromLatin1(raw);
    return QString::fromUtf8(raw);
}

bool FlatJsonScanner::scan(QByteArrayView json, std::span<const QLatin1StringView> keys,
                           std::span<Value> values)
{
    Q_ASSERT(keys.size() == values.size());
    if (json.size() > MaxDocumentSize)
        return false;
    const auto *begin = reinterpret_cast<const uchar *>(json.data());
    Cursor cursor(begin, begin + json.size());
    cursor.skipSpace(); // a byte order mark is not space: Qt skips it, we leave it to Qt
    if (!cursor.take('{'))
        return false;
    cursor.skipSpace();
    if (!cursor.take('}')) {
        for (;;) {
            Value key;
            if (!cursor.take('"') || !cursor.string(&key) || key.hasEscapes)
                return false;
            cursor.skipSpace();
            if (!cursor.take(':'))
                return false;
            cursor.skipSpace();
            const qsizetype index = key.isAscii ? indexOf(key.raw, keys) : -1;
            Value ignored;
            Value *target = index < 0 ? &ignored : &values[size_t(index)];
            if (target->kind != Kind::Absent) // a wanted key twice: Qt keeps the last
                return false;
            if (!cursor.value(target))
                return false;
            cursor.skipSpace();
            if (cursor.take('}'))
                break;
            if (!cursor.take(','))
                return false;
            cursor.skipSpace();
        }
    }
    cursor.skipSpace();
    return cursor.atEnd();
}

} // namespace callwatch::webhooks
