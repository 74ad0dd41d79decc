// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/requestparser.h"

#include "core/hexdigit.h"

#include <array>
#include <cstring>

using namespace Qt::StringLiterals;

namespace callwatch::http {

namespace {

constexpr qsizetype kMaxLeadingBytes = 1024; ///< empty lines tolerated before a request line
constexpr int kMaxChunkExtBytes = 4096;
constexpr int kMaxChunkDigits = 15; ///< 2^60: cannot overflow, far beyond any body limit

// RFC 9110 §5.6.2 tchar.
constexpr std::array<bool, 256> makeTokenTable()
{
    std::array<bool, 256> table{};
    for (int c = '0'; c <= '9'; ++c)
        table[c] = true;
    for (int c = 'a'; c <= 'z'; ++c)
        table[c] = table[c - 'a' + 'A'] = true;
    for (char c : std::string_view("!#$%&'*+-.^_`|~"))
        table[uchar(c)] = true;
    return table;
}
constexpr std::array<bool, 256> kTokenChars = makeTokenTable();

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (char c : text) {
        if (!kTokenChars[uchar(c)])
            return false;
    }
    return true;
}

// field-value: visible characters, obs-text, SP and HTAB; no other control characters.
bool isFieldValue(QByteArrayView text)
{
    for (char c : text) {
        const uchar u = uchar(c);
        if ((u < 0x20 && u != '\t') || u == 0x7f)
            return false;
    }
    return true;
}

QByteArrayView trimOws(QByteArrayView text)
{
    while (!text.isEmpty() && (text.front() == ' ' || text.front() == '\t'))
        text = text.sliced(1);
    while (!text.isEmpty() && (text.back() == ' ' || text.back() == '\t'))
        text.chop(1);
    return text;
}

// Case-insensitive search of a comma-separated token list (Connection, Upgrade).
bool hasToken(QByteArrayView list, QByteArrayView token)
{
    while (!list.isEmpty()) {
        const qsizetype comma = list.indexOf(',');
        const QByteArrayView item = trimOws(comma < 0 ? list : list.first(comma));
        if (item.compare(token, Qt::CaseInsensitive) == 0)
            return true;
        if (comma < 0)
            break;
        list = list.sliced(comma + 1);
    }
    return false;
}

// 1*DIGIT, nothing else (no sign, no spaces, no list); 18 digits cannot overflow qint64.
bool parseDecimal(QByteArrayView text, qint64 *value)
{
    if (text.isEmpty() || text.size() > 18)
        return false;
    qint64 result = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return false;
        result = result * 10 + (c - '0');
    }
    *value = result;
    return true;
}

bool isAbsoluteHttp(QByteArrayView target)
{
    return target.size() > 7 && (target.first(7).compare("http://", Qt::CaseInsensitive) == 0 ||
                                 target.first(8).compare("https://", Qt::CaseInsensitive) == 0);
}

} // namespace

RequestParser::RequestParser(const HttpLimits &limits) : m_limits(limits)
{
    m_buf.reserve(1024);
}

bool RequestParser::percentDecode(QByteArrayView in, QByteArray *out)
{
    out->resize(0);
    out->reserve(in.size());
    for (qsizetype i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out->append(in[i]);
            continue;
        }
        const int hi = i + 2 < in.size() ? hexDigitValue(in[i + 1]) : -1;
        const int lo = hi >= 0 ? hexDigitValue(in[i + 2]) : -1;
        if (lo < 0 || (hi == 0 && lo == 0))
            return false;
        out->append(char(hi * 16 + lo));
        i += 2;
    }
    return true;
}

RequestParser::Step RequestParser::feed(QByteArrayView input)
{
    switch (m_state) {
    case State::Start:
        return feedStart(input);
    case State::Head:
        return feedHead(input);
    case State::Length:
        return feedLength(input);
    case State::Trailer:
        return feedTrailer(input);
    case State::Done:
        return complete(0);
    case State::Failed:
        return {Event::Error, 0, {}};
    default:
        return feedChunked(input);
    }
}

bool RequestParser::setBodyLimit(qint64 maxBytes)
{
    m_bodyLimit = maxBytes;
    if (m_state == State::Length && m_remaining > maxBytes)
        return reject(413, u"payload_too_large"_s,
                      u"The request body is larger than this endpoint accepts."_s);
    return true;
}

RequestParser::Step RequestParser::feedStart(QByteArrayView in)
{
    // RFC 9112 §2.2: empty lines before a request line are ignored (old clients send one
    // after a body). They are bounded so that a stream of CRLFs cannot hold a connection.
    qsizetype i = 0;
    while (i < in.size() && (in[i] == '\r' || in[i] == '\n'))
        ++i;
    m_leadingBytes += i;
    if (m_leadingBytes > kMaxLeadingBytes)
        return fail(400, u"bad_request"_s, u"Too many empty lines before the request."_s, i);
    if (i == in.size())
        return {Event::NeedMore, i, {}};
    resetMessage();
    m_state = State::Head;
    Step step = feedHead(in.sliced(i));
    step.consumed += i;
    return step;
}

RequestParser::Step RequestParser::feedHead(QByteArrayView in)
{
    qsizetype used = 0;
    switch (scanBlock(in, m_limits.maxHeaderCount + 1, &used)) {
    case Scan::Failed:
        return {Event::Error, used, {}};
    case Scan::TooLarge:
        return headTooLarge(used);
    case Scan::More:
        if (m_lines == 0 && targetTooLong())
            return fail(414, u"uri_too_long"_s, u"The request target is too long."_s, used);
        return {Event::NeedMore, used, {}};
    case Scan::Done:
        break;
    }
    if (!parseHead())
        return {Event::Error, used, {}};
    return {Event::Head, used, {}};
}

RequestParser::Step RequestParser::headTooLarge(qsizetype used)
{
    // An unfinished request line this long is almost always an oversized URL: say so.
    if (m_lines == 0 && targetTooLong())
        return fail(414, u"uri_too_long"_s, u"The request target is too long."_s, used);
    return fail(431, u"header_too_large"_s, u"The request head is too large."_s, used);
}

bool RequestParser::targetTooLong() const
{
    if (m_buf.size() <= m_limits.maxUrlBytes)
        return false;
    const qsizetype space = m_buf.indexOf(' ');
    if (space < 0)
        return false;
    qsizetype end = m_buf.indexOf(' ', space + 1);
    if (end < 0)
        end = m_buf.size();
    return end - space - 1 > m_limits.maxUrlBytes;
}

// Finds the empty line that ends a head or trailer block and appends what it scanned to m_buf,
// never more than maxHeaderBytes in all and never a byte past the block. Lines must end in CRLF.
RequestParser::Scan RequestParser::scanBlock(QByteArrayView in, int maxLines, qsizetype *consumed)
{
    const qsizetype room = qMax<qsizetype>(0, m_limits.maxHeaderBytes - m_buf.size());
    const qsizetype limit = qMin(in.size(), room);
    const char *data = in.data();
    qsizetype pos = 0;
    Scan result = Scan::More;
    while (pos < limit) {
        const void *hit = std::memchr(data + pos, '\n', size_t(limit - pos));
        if (!hit) {
            m_lineLen += limit - pos;
            pos = limit;
            break;
        }
        const qsizetype lf = static_cast<const char *>(hit) - data;
        const qsizetype lineLen = m_lineLen + (lf - pos);
        const char before = lf > 0 ? data[lf - 1] : m_lastByte;
        pos = lf + 1;
        m_lineLen = 0;
        if (lineLen == 0 || before != '\r') {
            *consumed = pos;
            reject(400, u"bad_request"_s, u"Lines must end with CRLF."_s);
            return Scan::Failed;
        }
        if (lineLen == 1) {
            result = Scan::Done;
            break;
        }
        if (++m_lines > maxLines) {
            *consumed = pos;
            reject(431, u"too_many_headers"_s, u"The request has too many header fields."_s);
            return Scan::Failed;
        }
    }
    m_buf.append(data, pos);
    if (pos > 0)
        m_lastByte = data[pos - 1];
    *consumed = pos;
    if (result == Scan::More && limit < in.size())
        return Scan::TooLarge;
    return result;
}

bool RequestParser::parseHead()
{
    m_head.headBytes = m_buf.size();
    const QByteArrayView all(m_buf);
    const qsizetype lineEnd = all.indexOf("\r\n");
    if (!parseRequestLine(all.first(lineEnd)))
        return false;
    m_head.request.headers.reserve(m_lines - 1);
    if (!parseFieldLines(all, lineEnd + 2, true))
        return false;
    m_buf.resize(0);
    return finishHead();
}

// Parses every "name: value" line of block from `from` up to the final empty line.
bool RequestParser::parseFieldLines(QByteArrayView block, qsizetype from, bool keep)
{
    qsizetype pos = from;
    while (pos < block.size() - 2) {
        const qsizetype end = block.indexOf("\r\n", pos);
        if (!parseHeaderLine(block.sliced(pos, end - pos), keep))
            return false;
        pos = end + 2;
    }
    return true;
}

bool RequestParser::parseRequestLine(QByteArrayView line)
{
    const qsizetype sp1 = line.indexOf(' ');
    const qsizetype sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0 || !isToken(line.first(sp1)))
        return reject(400, u"bad_request_line"_s, u"The request line is malformed."_s);
    const QByteArrayView target = line.sliced(sp1 + 1, sp2 - sp1 - 1);
    if (target.size() > m_limits.maxUrlBytes)
        return reject(414, u"uri_too_long"_s, u"The request target is too long."_s);
    const QByteArrayView version = line.sliced(sp2 + 1);
    if (version.size() != 8 || !version.startsWith("HTTP/1.") || version[7] < '0' ||
        version[7] > '9')
        return reject(400, u"unsupported_http_version"_s, u"Only HTTP/1.x is supported."_s);
    m_head.minorVersion = version[7] - '0';
    m_head.request.method = line.first(sp1).toByteArray();
    return parseTarget(target);
}

bool RequestParser::parseTarget(QByteArrayView target)
{
    for (char c : target) {
        if (uchar(c) <= 0x20 || uchar(c) == 0x7f || c == '#')
            return reject(400, u"bad_target"_s, u"The request target is malformed."_s);
    }
    QByteArrayView rest = target; // path and query
    if (!target.startsWith('/')) {
        // absolute-form (RFC 9112 §3.2.2): servers must accept it; the authority is ignored.
        if (!isAbsoluteHttp(target))
            return reject(400, u"bad_target"_s, u"The request target is malformed."_s);
        qsizetype i = target.indexOf("//") + 2;
        while (i < target.size() && target[i] != '/' && target[i] != '?')
            ++i;
        rest = target.sliced(i);
    }
    const qsizetype question = rest.indexOf('?');
    QByteArrayView rawPath = question < 0 ? rest : rest.first(question);
    if (rawPath.isEmpty())
        rawPath = "/";
    QByteArray decoded;
    if (!percentDecode(rawPath, &decoded))
        return reject(400, u"bad_target"_s, u"The request path has a malformed escape."_s);
    m_head.request.target = target.toByteArray();
    m_head.rawPath = rawPath.toByteArray();
    m_head.request.path = QString::fromUtf8(decoded);
    if (question >= 0 && question + 1 < rest.size())
        m_head.request.query.setQuery(QString::fromUtf8(rest.sliced(question + 1)));
    return true;
}

bool RequestParser::parseHeaderLine(QByteArrayView line, bool keep)
{
    // A leading space (obs-fold) or a space before the colon makes the name a non-token.
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0 || !isToken(line.first(colon)))
        return reject(400, u"bad_header"_s, u"A header field is malformed."_s);
    const QByteArrayView value = trimOws(line.sliced(colon + 1));
    if (!isFieldValue(value))
        return reject(400, u"bad_header"_s, u"A header field value has a control character."_s);
    if (!keep)
        return true;
    QByteArray name = line.first(colon).toByteArray().toLower();
    if (!applyHeader(name, value))
        return false;
    m_head.request.headers.append({std::move(name), value.toByteArray()});
    return true;
}

bool RequestParser::applyHeader(QByteArrayView name, QByteArrayView value)
{
    switch (name.size()) { // cheap pre-dispatch: this runs for every header of every request
    case 4:
        if (name == "host")
            ++m_hostCount;
        break;
    case 6:
        if (name == "expect") {
            if (value.compare("100-continue", Qt::CaseInsensitive) != 0)
                return reject(417, u"expectation_failed"_s,
                              u"Only Expect: 100-continue is supported."_s);
            m_head.expectContinue = true;
        }
        break;
    case 7:
        if (name == "upgrade")
            m_head.upgradeWebSocket = m_head.upgradeWebSocket || hasToken(value, "websocket");
        break;
    case 10:
        if (name == "connection") {
            m_connectionClose = m_connectionClose || hasToken(value, "close");
            m_connectionKeepAlive = m_connectionKeepAlive || hasToken(value, "keep-alive");
        }
        break;
    case 14:
        if (name == "content-length")
            return applyContentLength(value);
        break;
    case 17:
        if (name == "transfer-encoding") {
            if (m_head.chunked || value.compare("chunked", Qt::CaseInsensitive) != 0)
                return reject(400, u"unsupported_transfer_encoding"_s,
                              u"Only Transfer-Encoding: chunked is supported."_s);
            m_head.chunked = true;
        }
        break;
    default:
        break;
    }
    return true;
}

bool RequestParser::applyContentLength(QByteArrayView value)
{
    qint64 length = 0;
    if (!parseDecimal(value, &length))
        return reject(400, u"bad_content_length"_s, u"Content-Length is not a valid length."_s);
    if (m_head.contentLength >= 0 && m_head.contentLength != length)
        return reject(400, u"bad_content_length"_s, u"Content-Length headers disagree."_s);
    m_head.contentLength = length;
    return true;
}

bool RequestParser::finishHead()
{
    if (m_head.minorVersion >= 1 && m_hostCount != 1)
        return reject(400, u"bad_host"_s, u"HTTP/1.1 requests need exactly one Host header."_s);
    // RFC 9112 §6.3: both framings at once is how requests get smuggled; refuse.
    if (m_head.chunked && m_head.contentLength >= 0)
        return reject(400, u"conflicting_framing"_s,
                      u"Content-Length and Transfer-Encoding must not both be sent."_s);
    if (m_head.chunked && m_head.minorVersion == 0)
        return reject(400, u"unsupported_transfer_encoding"_s, u"Chunked bodies need HTTP/1.1."_s);
    m_head.keepAlive =
        m_head.minorVersion >= 1 ? !m_connectionClose : m_connectionKeepAlive && !m_connectionClose;
    m_head.expectContinue = m_head.expectContinue && m_head.minorVersion >= 1;
    if (m_head.chunked) {
        m_state = State::ChunkSize;
    } else if (m_head.contentLength > 0) {
        m_remaining = m_head.contentLength;
        m_state = State::Length;
    } else {
        m_state = State::Done;
    }
    return true;
}

RequestParser::Step RequestParser::feedLength(QByteArrayView in)
{
    const qsizetype take = qsizetype(qMin<qint64>(in.size(), m_remaining));
    if (take == 0)
        return {Event::NeedMore, 0, {}};
    m_remaining -= take;
    m_bodyBytes += take;
    if (m_remaining == 0)
        m_state = State::Done;
    return {Event::Body, take, in.first(take)};
}

RequestParser::Step RequestParser::feedChunked(QByteArrayView in)
{
    qsizetype i = 0;
    while (i < in.size()) {
        if (m_state == State::ChunkData) {
            const qsizetype take = qsizetype(qMin<qint64>(in.size() - i, m_remaining));
            m_remaining -= take;
            m_bodyBytes += take;
            if (m_remaining == 0)
                m_state = State::ChunkDataCr;
            return {Event::Body, i + take, in.sliced(i, take)};
        }
        if (m_state == State::Trailer) {
            Step step = feedTrailer(in.sliced(i));
            step.consumed += i;
            return step;
        }
        if (!chunkByte(in[i++]))
            return {Event::Error, i, {}};
    }
    return {Event::NeedMore, i, {}};
}

// The framing bytes around chunk data: size, extensions and CRLFs, one byte at a time.
bool RequestParser::chunkByte(char c)
{
    switch (m_state) {
    case State::ChunkSize:
        return chunkSizeByte(c);
    case State::ChunkExt:
        if (c == '\r') {
            m_state = State::ChunkSizeLf;
            return true;
        }
        if ((uchar(c) < 0x20 && c != '\t') || c == 0x7f || ++m_chunkExtBytes > kMaxChunkExtBytes)
            return reject(400, u"bad_chunk"_s, u"A chunk extension is malformed or too long."_s);
        return true;
    case State::ChunkSizeLf:
        if (c != '\n')
            return reject(400, u"bad_chunk"_s, u"A chunk size line is malformed."_s);
        return startChunk();
    case State::ChunkDataCr:
    case State::ChunkDataLf:
        if (c != (m_state == State::ChunkDataCr ? '\r' : '\n'))
            return reject(400, u"bad_chunk"_s, u"Chunk data is not followed by CRLF."_s);
        m_state = m_state == State::ChunkDataCr ? State::ChunkDataLf : State::ChunkSize;
        return true;
    default:
        return false;
    }
}

bool RequestParser::chunkSizeByte(char c)
{
    const int digit = hexDigitValue(c);
    if (digit >= 0) {
        if (++m_chunkDigits > kMaxChunkDigits)
            return reject(400, u"bad_chunk"_s, u"A chunk size is too large."_s);
        m_chunkSize = m_chunkSize * 16 + digit;
        return true;
    }
    if (m_chunkDigits > 0 && c == '\r') {
        m_state = State::ChunkSizeLf;
        return true;
    }
    if (m_chunkDigits > 0 && (c == ';' || c == ' ' || c == '\t')) {
        m_state = State::ChunkExt;
        return true;
    }
    return reject(400, u"bad_chunk"_s, u"A chunk size line is malformed."_s);
}

bool RequestParser::startChunk()
{
    const qint64 size = m_chunkSize;
    m_chunkSize = 0;
    m_chunkDigits = 0;
    m_chunkExtBytes = 0;
    if (size == 0) {
        m_state = State::Trailer;
        m_lines = 0;
        m_lineLen = 0;
        m_buf.resize(0);
        return true;
    }
    // Refuse as soon as a chunk announces bytes past the limit, before any of them is read.
    if (size > m_bodyLimit - m_bodyBytes)
        return reject(413, u"payload_too_large"_s,
                      u"The request body is larger than this endpoint accepts."_s);
    m_remaining = size;
    m_state = State::ChunkData;
    return true;
}

RequestParser::Step RequestParser::feedTrailer(QByteArrayView in)
{
    qsizetype used = 0;
    switch (scanBlock(in, m_limits.maxHeaderCount, &used)) {
    case Scan::Failed:
        return {Event::Error, used, {}};
    case Scan::TooLarge:
        return fail(431, u"header_too_large"_s, u"The trailer section is too large."_s, used);
    case Scan::More:
        return {Event::NeedMore, used, {}};
    case Scan::Done:
        break;
    }
    // Trailer fields are validated like headers, then dropped: no route here needs them.
    if (!parseFieldLines(m_buf, 0, false))
        return {Event::Error, used, {}};
    m_buf.resize(0);
    return complete(used);
}

RequestParser::Step RequestParser::complete(qsizetype consumed)
{
    m_state = State::Start;
    m_leadingBytes = 0;
    return {Event::Complete, consumed, {}};
}

RequestParser::Step RequestParser::fail(int status, const QString &code, const QString &message,
                                        qsizetype consumed)
{
    reject(status, code, message);
    return {Event::Error, consumed, {}};
}

bool RequestParser::reject(int status, const QString &code, const QString &message)
{
    m_error = {status, code, message};
    m_state = State::Failed;
    return false;
}

void RequestParser::resetMessage()
{
    m_head = RequestHead{};
    m_buf.resize(0);
    m_lineLen = 0;
    m_lastByte = 0;
    m_lines = 0;
    m_leadingBytes = 0;
    m_hostCount = 0;
    m_connectionClose = false;
    m_connectionKeepAlive = false;
    m_bodyLimit = std::numeric_limits<qint64>::max();
    m_bodyBytes = 0;
    m_remaining = 0;
    m_chunkSize = 0;
    m_chunkDigits = 0;
    m_chunkExtBytes = 0;
}

} // namespace callwatch::http
