// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/audiopayloadscanner.h"

#include "webhooks/base64streamdecoder.h"
#include "webhooks/jsonfieldreader.h"
#include "webhooks/jsonstreamreader.h"

#include <cmath>
#include <optional>

using namespace Qt::StringLiterals;

namespace callwatch::webhooks {

namespace {

constexpr qsizetype MaxKeyLength = 64;    // longer keys are never ones we look for
constexpr qsizetype MaxTextLength = 1024; // ids and type names are far shorter

Error ioError(const QString &message)
{
    return Error{u"io_error"_s, message};
}

/** One scan: the reader, the decoder and what has been found so far. */
class Scan
{
public:
    Scan(QIODevice &body, QIODevice &audioOut, qsizetype chunkSize)
        : m_reader(body, chunkSize), m_decoder(audioOut, chunkSize)
    {}

    Result<AudioPayloadInfo> run();

private:
    Result<> readRoot();
    Result<> readRootMember(const QByteArray &key);
    Result<> readData();
    Result<> readDataMember(const QByteArray &key);
    Result<> readAudio();
    Result<std::optional<QString>> readText(const QString &path);
    Result<> readTimestamp();
    Result<> checkComplete() const;

    JsonStreamReader m_reader;
    Base64StreamDecoder m_decoder;
    AudioPayloadInfo m_info;
    bool m_hasType = false;
    bool m_hasTimestamp = false;
    bool m_hasData = false;
    bool m_hasAudio = false;
};

Result<AudioPayloadInfo> Scan::run()
{
    const Result<char> first = m_reader.peek();
    if (!first)
        return first.error();
    if (first.value() == '\0')
        return Error{PayloadError::InvalidJson, u"body is empty"_s};
    if (first.value() != '{')
        return Error{PayloadError::InvalidJson, u"body is not a JSON object"_s};
    if (const Result<> root = readRoot(); !root)
        return root.error();
    const Result<bool> end = m_reader.atEnd();
    if (!end)
        return end.error();
    if (!end.value())
        return m_reader.syntaxError(u"unexpected content after the object"_s);
    if (const Result<> complete = checkComplete(); !complete)
        return complete.error();
    m_info.audioBytes = m_decoder.bytesDecoded();
    return m_info;
}

// Walks the members of an object whose '{' is next, calling @p member for each key; the value
// must be consumed by the callback.
template<typename MemberFn> Result<> readObject(JsonStreamReader &reader, MemberFn &&member)
{
    if (const Result<> open = reader.expect('{'); !open)
        return open;
    const Result<char> next = reader.peek();
    if (!next)
        return next.error();
    if (next.value() == '}')
        return reader.expect('}');
    for (;;) {
        bool truncated = false;
        Result<QByteArray> key = reader.readString(MaxKeyLength, &truncated);
        if (!key)
            return key.error();
        if (const Result<> colon = reader.expect(':'); !colon)
            return colon;
        const Result<> value = truncated ? reader.skipValue() : member(key.value());
        if (!value)
            return value;
        const Result<char> separator = reader.peek();
        if (!separator)
            return separator.error();
        if (separator.value() == '}')
            return reader.expect('}');
        if (separator.value() != ',')
            return reader.syntaxError(u"expected ',' or '}'"_s);
        if (const Result<> comma = reader.expect(','); !comma)
            return comma;
    }
}

Result<> Scan::readRoot()
{
    return readObject(m_reader, [this](const QByteArray &key) { return readRootMember(key); });
}

Result<> Scan::readRootMember(const QByteArray &key)
{
    if (key == "type") {
        const Result<std::optional<QString>> type = readText(u"type"_s);
        if (!type)
            return type.error();
        m_hasType = type.value().has_value();
        m_info.type = type.value().value_or(QString());
        return {};
    }
    if (key == "event_timestamp")
        return readTimestamp();
    if (key == "data")
        return readData();
    return m_reader.skipValue();
}

Result<> Scan::readData()
{
    const Result<char> first = m_reader.peek();
    if (!first)
        return first.error();
    if (first.value() == 'n') { // null: absent
        return m_reader.skipValue();
    }
    if (first.value() != '{')
        return invalidFieldError(u"data"_s, u"an object"_s);
    m_hasData = true;
    return readObject(m_reader, [this](const QByteArray &key) { return readDataMember(key); });
}

Result<> Scan::readDataMember(const QByteArray &key)
{
    if (key == "full_audio")
        return readAudio();
    const bool agent = key == "agent_id";
    if (agent || key == "conversation_id") {
        const QString path = agent ? u"data.agent_id"_s : u"data.conversation_id"_s;
        const Result<std::optional<QString>> text = readText(path);
        if (!text)
            return text.error();
        (agent ? m_info.agentId : m_info.conversationId) = text.value().value_or(QString());
        return {};
    }
    return m_reader.skipValue();
}

Result<> Scan::readAudio()
{
    const QString path = u"data.full_audio"_s;
    const Result<char> first = m_reader.peek();
    if (!first)
        return first.error();
    if (first.value() == 'n') // null: absent, reported by checkComplete()
        return m_reader.skipValue();
    if (first.value() != '"')
        return invalidFieldError(path, u"a base64 string"_s);
    if (m_hasAudio)
        return Error{PayloadError::InvalidField, path % u" appears more than once"_s};
    m_hasAudio = true;

    const Result<> streamed = m_reader.streamString([this](QByteArrayView piece) -> Result<> {
        if (m_decoder.feed(piece))
            return {};
        if (m_decoder.failure() == Base64StreamDecoder::Failure::WriteFailed)
            return ioError(u"could not write the decoded audio"_s);
        return Error{PayloadError::InvalidField,
                     u"data.full_audio is not valid base64: "_s % m_decoder.errorString()};
    });
    if (!streamed)
        return streamed;
    if (!m_decoder.finish()) {
        if (m_decoder.failure() == Base64StreamDecoder::Failure::WriteFailed)
            return ioError(u"could not write the decoded audio"_s);
        return Error{PayloadError::InvalidField,
                     path % u" is not valid base64: "_s % m_decoder.errorString()};
    }
    if (m_decoder.bytesDecoded() == 0)
        return Error{PayloadError::InvalidField, path % u" is empty"_s};
    return {};
}

// A short string value; null gives nullopt; numbers are not accepted for ids.
Result<std::optional<QString>> Scan::readText(const QString &path)
{
    const Result<char> first = m_reader.peek();
    if (!first)
        return first.error();
    if (first.value() == 'n') {
        if (const Result<> skipped = m_reader.skipValue(); !skipped)
            return skipped.error();
        return std::optional<QString>();
    }
    if (first.value() != '"')
        return invalidFieldError(path, u"a string"_s);
    bool truncated = false;
    const Result<QByteArray> text = m_reader.readString(MaxTextLength, &truncated);
    if (!text)
        return text.error();
    if (truncated)
        return invalidFieldError(path, u"at most %1 bytes long"_s.arg(MaxTextLength));
    return std::optional<QString>(QString::fromUtf8(text.value()));
}

// Integer, float (cut to the second) or numeric string, as WebhookEnvelope accepts.
Result<> Scan::readTimestamp()
{
    const QString path = u"event_timestamp"_s;
    const Result<char> first = m_reader.peek();
    if (!first)
        return first.error();
    QByteArray text;
    if (first.value() == 'n') {
        return m_reader.skipValue();
    } else if (first.value() == '"') {
        const Result<QByteArray> quoted = m_reader.readString(64);
        if (!quoted)
            return quoted.error();
        text = quoted.value().trimmed();
    } else if (first.value() == '-' || (first.value() >= '0' && first.value() <= '9')) {
        const Result<QByteArray> number = m_reader.readNumber();
        if (!number)
            return number.error();
        text = number.value();
    } else {
        return invalidFieldError(path, u"a number"_s);
    }
    bool ok = false;
    const double value = text.toDouble(&ok);
    if (!ok || !std::isfinite(value))
        return invalidFieldError(path, u"a number"_s);
    if (value < 0 || value >= double(JsonFieldReader::MaxUnixSeconds + 1))
        return invalidFieldError(path, u"a unix time in seconds, from 1970 to 9999"_s);
    m_info.eventTimestamp = static_cast<qint64>(std::trunc(value));
    m_hasTimestamp = true;
    return {};
}

Result<> Scan::checkComplete() const
{
    if (!m_hasType || m_info.type.isEmpty())
        return missingFieldError(u"type"_s);
    if (!m_hasTimestamp)
        return missingFieldError(u"event_timestamp"_s);
    if (!m_hasData)
        return missingFieldError(u"data"_s);
    if (m_info.conversationId.isEmpty())
        return missingFieldError(u"data.conversation_id"_s);
    if (!m_hasAudio)
        return missingFieldError(u"data.full_audio"_s);
    return {};
}

} // namespace

AudioPayloadScanner::AudioPayloadScanner(qsizetype chunkSize)
    : m_chunkSize(qMax<qsizetype>(chunkSize, 16))
{}

Result<AudioPayloadInfo> AudioPayloadScanner::scan(QIODevice &body, QIODevice &audioOut) const
{
    Scan scan(body, audioOut, m_chunkSize);
    return scan.run();
}

} // namespace callwatch::webhooks
