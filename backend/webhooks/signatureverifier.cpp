// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/signatureverifier.h"

#include "webhooks/digest.h"

using namespace Qt::StringLiterals;

namespace callwatch::webhooks {

namespace {

struct ParsedHeader
{
    QByteArrayView timestampText; ///< exactly as in the header: it is part of the signed message
    qint64 timestamp = 0;
    QList<QByteArrayView> signatures; ///< the v0 values, without the "v0=" prefix
    QString error;                    ///< set when the header is malformed
};

bool isOptionalWhitespace(char c)
{
    return c == ' ' || c == '\t';
}

QByteArrayView trimmed(QByteArrayView part)
{
    while (!part.isEmpty() && isOptionalWhitespace(part.front()))
        part = part.sliced(1);
    while (!part.isEmpty() && isOptionalWhitespace(part.back()))
        part.chop(1);
    return part;
}

bool isDigits(QByteArrayView text)
{
    if (text.isEmpty() || text.size() > 18) // 18 digits always fit in qint64
        return false;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

bool isLowercaseHex(QByteArrayView text)
{
    for (const char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

// Stores one "key=value" part into @p parsed; returns false (with parsed.error) when malformed.
bool takePart(QByteArrayView part, ParsedHeader &parsed)
{
    const qsizetype eq = part.indexOf('=');
    if (eq <= 0) {
        parsed.error = u"signature header has a part that is not key=value"_s;
        return false;
    }
    const QByteArrayView key = part.first(eq);
    const QByteArrayView value = part.sliced(eq + 1);
    if (key == "t") {
        if (!parsed.timestampText.isNull()) {
            parsed.error = u"signature header has more than one t="_s;
            return false;
        }
        if (!isDigits(value)) {
            parsed.error = u"signature header t= is not a unix timestamp"_s;
            return false;
        }
        parsed.timestampText = value;
        parsed.timestamp = value.toLongLong();
    } else if (key == "v0") {
        if (value.isEmpty() || value.size() % 2 != 0 || !isLowercaseHex(value)) {
            parsed.error = u"signature header v0= is not lowercase hex of even length"_s;
            return false;
        }
        parsed.signatures.append(value);
    }
    // Other schemes (v1=, future keys) are ignored: only v0 is defined by ElevenLabs.
    return true;
}

ParsedHeader parseHeader(QByteArrayView header)
{
    ParsedHeader parsed;
    qsizetype start = 0;
    while (start <= header.size()) {
        qsizetype comma = header.indexOf(',', start);
        if (comma < 0)
            comma = header.size();
        const QByteArrayView part = trimmed(header.sliced(start, comma - start));
        if (!part.isEmpty() && !takePart(part, parsed))
            return parsed;
        start = comma + 1;
    }
    if (parsed.timestampText.isNull())
        parsed.error = u"signature header has no t="_s;
    else if (parsed.signatures.isEmpty())
        parsed.error = u"signature header has no signature with scheme v0"_s;
    return parsed;
}

// Runs over the whole of @p expected whatever the content, so the time taken does not reveal
// how many leading characters of a guess were right.
bool constantTimeEquals(QByteArrayView expected, QByteArrayView given)
{
    unsigned diff = expected.size() == given.size() ? 0U : 1U;
    for (qsizetype i = 0; i < expected.size(); ++i) {
        const char g = i < given.size() ? given[i] : '\0';
        diff |= static_cast<unsigned char>(expected[i] ^ g);
    }
    return diff == 0U;
}

QByteArray macHex(QByteArrayView secret, QByteArrayView timestampText, QByteArrayView body)
{
    return digest::hmacSha256Hex(secret, {timestampText, ".", body});
}

} // namespace

SignatureVerifier::SignatureVerifier(const QList<QByteArray> &secrets)
{
    for (const QByteArray &secret : secrets) {
        if (!secret.isEmpty())
            m_secrets.append(secret);
    }
}

SignatureVerifier SignatureVerifier::fromConfigValue(QStringView commaSeparated)
{
    QList<QByteArray> secrets;
    for (const QStringView entry : commaSeparated.split(u',')) {
        const QStringView secret = entry.trimmed();
        if (!secret.isEmpty())
            secrets.append(secret.toUtf8());
    }
    return SignatureVerifier(secrets);
}

SignatureVerifier::Verification
SignatureVerifier::verify(QByteArrayView header, QByteArrayView rawBody, qint64 nowUnixSecs) const
{
    if (m_secrets.isEmpty())
        return {Outcome::NoSecretConfigured, u"no webhook secret is configured"_s};
    if (trimmed(header).isEmpty())
        return {Outcome::MissingHeader, u"the signature header is missing or empty"_s};

    const ParsedHeader parsed = parseHeader(header);
    if (!parsed.error.isEmpty())
        return {Outcome::Malformed, parsed.error};

    // No early exit: every secret against every v0 value.
    bool matched = false;
    for (const QByteArray &secret : m_secrets) {
        const QByteArray expected = macHex(secret, parsed.timestampText, rawBody);
        for (const QByteArrayView given : parsed.signatures)
            matched |= constantTimeEquals(expected, given);
    }
    if (!matched)
        return {Outcome::Mismatch, u"the signature does not match any configured secret"_s};

    if (parsed.timestamp < nowUnixSecs - MaxAgeSecs) {
        return {Outcome::Expired, u"the signature timestamp is %1 s old (limit %2 s)"_s
                                      .arg(nowUnixSecs - parsed.timestamp)
                                      .arg(MaxAgeSecs)};
    }
    if (parsed.timestamp > nowUnixSecs + MaxFutureSkewSecs) {
        return {Outcome::FromFuture, u"the signature timestamp is %1 s in the future (limit %2 s)"_s
                                         .arg(parsed.timestamp - nowUnixSecs)
                                         .arg(MaxFutureSkewSecs)};
    }
    return {Outcome::Valid, u"signature valid"_s};
}

QByteArray SignatureVerifier::sign(QByteArrayView secret, qint64 t, QByteArrayView body)
{
    const QByteArray timestampText = QByteArray::number(t);
    return "t=" + timestampText + ",v0=" + macHex(secret, timestampText, body);
}

QString SignatureVerifier::outcomeCode(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Valid:
        return u"valid"_s;
    case Outcome::MissingHeader:
        return u"missing_signature"_s;
    case Outcome::Malformed:
        return u"malformed_signature"_s;
    case Outcome::Expired:
        return u"expired"_s;
    case Outcome::FromFuture:
        return u"from_future"_s;
    case Outcome::Mismatch:
        return u"invalid_signature"_s;
    case Outcome::NoSecretConfigured:
        return u"no_secret"_s;
    }
    return u"invalid_signature"_s;
}

} // namespace callwatch::webhooks
