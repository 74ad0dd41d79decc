// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/jsonstreamreader.h"

#include "webhooks/jsonfieldreader.h"

using namespace Qt::StringLiterals;

namespace callwatch::webhooks {

namespace {

constexpr qsizetype MaxNumberLength = 1024;

bool isWhitespace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool isNumberChar(char c)
{
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool isValidNumber(QByteArrayView s)
{
    qsizetype i = 0;
    const qsizetype n = s.size();
    auto digits = [&] {
        const qsizetype start = i;
        while (i < n && isDigit(s[i]))
            ++i;
        return i > start;
    };
    if (i < n && s[i] == '-')
        ++i;
    if (i < n && s[i] == '0')
        ++i;
    else if (!digits())
        return false;
    if (i < n && s[i] == '.') {
        ++i;
        if (!digits())
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            ++i;
        if (!digits())
            return false;
    }
    return i == n;
}

void appendUtf8(QByteArray &out, char32_t cp)
{
    if (cp < 0x80) {
        out.append(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.append(static_cast<char>(0xC0 | (cp >> 6)));
        out.append(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.append(static_cast<char>(0xE0 | (cp >> 12)));
        out.append(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.append(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.append(static_cast<char>(0xF0 | (cp >> 18)));
        out.append(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.append(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.append(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

} // namespace

JsonStreamReader::JsonStreamReader(QIODevice &device, qsizetype blockSize)
    : m_device(device), m_blockSize(qMax<qsizetype>(blockSize, 16))
{}

Error JsonStreamReader::syntaxError(const QString &what) const
{
    return Error{PayloadError::InvalidJson,
                 u"body is not valid JSON: %1 at byte %2"_s.arg(what).arg(offset())};
}

Error JsonStreamReader::readError() const
{
    return Error{u"io_error"_s, u"could not read the body at byte %1"_s.arg(offset())};
}

bool JsonStreamReader::fill()
{
    if (m_pos < m_buffer.size())
        return true;
    if (m_readFailed)
        return false;
    m_base += m_buffer.size();
    m_pos = 0;
    m_buffer.resize(m_blockSize);
    const qint64 n = m_device.read(m_buffer.data(), m_blockSize);
    if (n < 0) {
        m_readFailed = true;
        m_buffer.clear();
        return false;
    }
    m_buffer.resize(n);
    return n > 0;
}

Result<char> JsonStreamReader::peek()
{
    for (;;) {
        if (!fill()) {
            if (m_readFailed)
                return readError();
            return '\0';
        }
        const char c = m_buffer.at(m_pos);
        if (c == '\0')
            return syntaxError(u"NUL byte"_s);
        if (!isWhitespace(c))
            return c;
        ++m_pos;
    }
}

Result<> JsonStreamReader::expect(char expected)
{
    const Result<char> c = peek();
    if (!c)
        return c.error();
    if (c.value() != expected)
        return syntaxError(u"expected '%1'"_s.arg(QLatin1Char(expected)));
    ++m_pos;
    return {};
}

Result<bool> JsonStreamReader::atEnd()
{
    const Result<char> c = peek();
    if (!c)
        return c.error();
    return c.value() == '\0';
}

Result<char> JsonStreamReader::nextRaw()
{
    if (!fill())
        return m_readFailed ? readError() : syntaxError(u"unexpected end of input"_s);
    return m_buffer.at(m_pos++);
}

Result<unsigned> JsonStreamReader::readHex4()
{
    unsigned value = 0;
    for (int i = 0; i < 4; ++i) {
        const Result<char> c = nextRaw();
        if (!c)
            return c.error();
        const char h = c.value();
        unsigned digit = 0;
        if (h >= '0' && h <= '9')
            digit = unsigned(h - '0');
        else if (h >= 'a' && h <= 'f')
            digit = unsigned(h - 'a' + 10);
        else if (h >= 'A' && h <= 'F')
            digit = unsigned(h - 'A' + 10);
        else
            return syntaxError(u"bad \\u escape"_s);
        value = value * 16 + digit;
    }
    return value;
}

Result<> JsonStreamReader::readEscape(QByteArray &out)
{
    const Result<char> c = nextRaw();
    if (!c)
        return c.error();
    switch (c.value()) {
    case '"':
    case '\\':
    case '/':
        out.append(c.value());
        return {};
    case 'b':
        out.append('\b');
        return {};
    case 'f':
        out.append('\f');
        return {};
    case 'n':
        out.append('\n');
        return {};
    case 'r':
        out.append('\r');
        return {};
    case 't':
        out.append('\t');
        return {};
    case 'u':
        break;
    default:
        return syntaxError(u"bad escape in a string"_s);
    }
    const Result<unsigned> unit = readHex4();
    if (!unit)
        return unit.error();
    char32_t cp = unit.value();
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        // A high surrogate must be followed by an escaped low surrogate.
        const Result<char> backslash = nextRaw();
        const Result<char> u = backslash ? nextRaw() : backslash;
        if (!backslash || !u || backslash.value() != '\\' || u.value() != 'u')
            return syntaxError(u"unpaired surrogate in a string"_s);
        const Result<unsigned> low = readHex4();
        if (!low)
            return low.error();
        if (low.value() < 0xDC00 || low.value() > 0xDFFF)
            return syntaxError(u"unpaired surrogate in a string"_s);
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low.value() - 0xDC00);
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        cp = 0xFFFD;
    }
    appendUtf8(out, cp);
    return {};
}

Result<> JsonStreamReader::streamString(const StringSink &sink)
{
    const Result<char> open = peek();
    if (!open)
        return open.error();
    if (open.value() != '"')
        return syntaxError(u"expected a string"_s);
    ++m_pos;
    QByteArray escaped;
    for (;;) {
        if (!fill())
            return m_readFailed ? readError() : syntaxError(u"unterminated string"_s);
        const char *data = m_buffer.constData();
        const qsizetype start = m_pos;
        const qsizetype end = m_buffer.size();
        qsizetype i = start;
        while (i < end) {
            const auto ch = static_cast<unsigned char>(data[i]);
            if (ch == '"' || ch == '\\' || ch < 0x20)
                break;
            ++i;
        }
        m_pos = i;
        if (i > start) {
            if (const Result<> taken = sink(QByteArrayView(data + start, i - start)); !taken)
                return taken;
        }
        if (i == end)
            continue;
        const char ch = data[i];
        ++m_pos;
        if (ch == '"')
            return {};
        if (ch != '\\') {
            --m_pos;
            return syntaxError(u"control character in a string"_s);
        }
        escaped.clear();
        if (const Result<> escape = readEscape(escaped); !escape)
            return escape;
        if (const Result<> taken = sink(escaped); !taken)
            return taken;
    }
}

Result<QByteArray> JsonStreamReader::readString(qsizetype keep, bool *truncated)
{
    QByteArray text;
    bool cut = false;
    const Result<> read = streamString([&](QByteArrayView piece) -> Result<> {
        const qsizetype room = keep - text.size();
        if (piece.size() > room) {
            cut = true;
            piece = piece.first(qMax<qsizetype>(room, 0));
        }
        text.append(piece);
        return {};
    });
    if (!read)
        return read.error();
    if (truncated)
        *truncated = cut;
    return text;
}

Result<QByteArray> JsonStreamReader::readNumber()
{
    if (const Result<char> first = peek(); !first)
        return first.error();
    QByteArray text;
    while (fill() && isNumberChar(m_buffer.at(m_pos))) {
        if (text.size() >= MaxNumberLength)
            return syntaxError(u"number too long"_s);
        text.append(m_buffer.at(m_pos++));
    }
    if (m_readFailed)
        return readError();
    if (!isValidNumber(text))
        return syntaxError(u"malformed number"_s);
    return text;
}

Result<> JsonStreamReader::skipLiteral()
{
    const Result<char> first = peek();
    if (!first)
        return first.error();
    const QByteArrayView word = first.value() == 't'   ? "true"
                                : first.value() == 'f' ? "false"
                                                       : "null";
    for (const char expected : word) {
        const Result<char> c = nextRaw();
        if (!c)
            return c.error();
        if (c.value() != expected)
            return syntaxError(u"unexpected character"_s);
    }
    return {};
}

Result<> JsonStreamReader::skipScalar(char first)
{
    switch (first) {
    case '"':
        return streamString([](QByteArrayView) -> Result<> { return {}; });
    case 't':
    case 'f':
    case 'n':
        return skipLiteral();
    case '\0':
        return syntaxError(u"unexpected end of input"_s);
    default:
        break;
    }
    if (first == '-' || isDigit(first)) {
        const Result<QByteArray> number = readNumber();
        if (!number)
            return number.error();
        return {};
    }
    return syntaxError(u"unexpected character"_s);
}

Result<> JsonStreamReader::skipMemberKey()
{
    if (const Result<> key = skipScalar('"'); !key)
        return key;
    return expect(':');
}

Result<> JsonStreamReader::skipValue()
{
    QByteArray closers; // closing characters of the open containers, innermost last
    bool expectValue = true;
    for (;;) {
        if (expectValue) {
            const Result<char> c = peek();
            if (!c)
                return c.error();
            if (c.value() == '{' || c.value() == '[') {
                if (closers.size() >= MaxDepth)
                    return syntaxError(u"nesting too deep"_s);
                ++m_pos;
                closers.append(c.value() == '{' ? '}' : ']');
                const Result<char> next = peek();
                if (!next)
                    return next.error();
                if (next.value() == closers.back()) {
                    ++m_pos;
                    closers.chop(1);
                    expectValue = false;
                } else if (c.value() == '{') {
                    if (const Result<> key = skipMemberKey(); !key)
                        return key;
                }
                continue;
            }
            if (const Result<> scalar = skipScalar(c.value()); !scalar)
                return scalar;
            expectValue = false;
        }
        if (closers.isEmpty())
            return {};
        const Result<char> c = peek();
        if (!c)
            return c.error();
        if (c.value() == ',') {
            ++m_pos;
            if (closers.back() == '}') {
                if (const Result<> key = skipMemberKey(); !key)
                    return key;
            }
            expectValue = true;
        } else if (c.value() == closers.back()) {
            ++m_pos;
            closers.chop(1);
        } else {
            return syntaxError(u"expected ',' or a closing bracket"_s);
        }
    }
}

} // namespace callwatch::webhooks
