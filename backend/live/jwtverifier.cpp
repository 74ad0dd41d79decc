// SPDX-License-Identifier: GPL-3.0-or-later
#include "live/jwtverifier.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <jwt.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <optional>

using namespace Qt::StringLiterals;

namespace callwatch::live {

namespace {

Error fail(const QString &code, const QString &message)
{
    return Error{code, message};
}

Error malformed(const QString &why)
{
    return fail(u"malformed_token"_s, u"The token is malformed: "_s + why + u'.');
}

/** The three dot-separated segments of a compact JWS, or nothing. */
std::optional<std::array<QByteArrayView, 3>> splitCompact(QByteArrayView token)
{
    const qsizetype first = token.indexOf('.');
    if (first < 0)
        return std::nullopt;
    const qsizetype second = token.indexOf('.', first + 1);
    if (second < 0 || token.indexOf('.', second + 1) >= 0)
        return std::nullopt;
    return std::array<QByteArrayView, 3>{
        token.first(first), token.sliced(first + 1, second - first - 1), token.sliced(second + 1)};
}

/** base64url (no padding) → JSON object, strictly: any decoding error means "not a JWT". */
std::optional<QJsonObject> decodeJsonSegment(QByteArrayView segment)
{
    if (segment.isEmpty())
        return std::nullopt;
    const auto decoded = QByteArray::fromBase64Encoding(
        segment.toByteArray(), QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals |
                                   QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(*decoded, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return document.object();
}

jwt_alg_t libjwtAlgorithm(const QString &name)
{
    if (name == "HS256"_L1)
        return JWT_ALG_HS256;
    if (name == "RS256"_L1)
        return JWT_ALG_RS256;
    if (name == "ES256"_L1)
        return JWT_ALG_ES256;
    return JWT_ALG_INVAL;
}

/** A NumericDate claim: absent, a number (fractions floored), or invalid. */
struct NumericClaim
{
    bool present = false;
    bool valid = true;
    qint64 value = 0;
};

NumericClaim numericClaim(const QJsonObject &payload, QLatin1StringView name)
{
    const QJsonValue value = payload.value(name);
    if (value.isUndefined())
        return {};
    if (!value.isDouble() || !std::isfinite(value.toDouble()))
        return {true, false, 0};
    // Clamp far beyond any real date so the conversion below is defined.
    constexpr double Limit = 4.0e15;
    const double seconds = std::floor(std::clamp(value.toDouble(), -Limit, Limit));
    return {true, true, static_cast<qint64>(seconds)};
}

std::optional<QStringList> parseScopes(const QJsonValue &value)
{
    if (value.isUndefined() || value.isNull())
        return QStringList{};
    if (value.isString())
        return value.toString().split(u' ', Qt::SkipEmptyParts);
    if (!value.isArray())
        return std::nullopt;
    QStringList scopes;
    const QJsonArray array = value.toArray();
    for (const QJsonValue &item : array) {
        if (!item.isString())
            return std::nullopt;
        scopes.append(item.toString());
    }
    return scopes;
}

Result<Claims> claimsFrom(const QJsonObject &payload, qint64 nowUnix, int leewaySecs)
{
    const NumericClaim exp = numericClaim(payload, "exp"_L1);
    const NumericClaim nbf = numericClaim(payload, "nbf"_L1);
    const NumericClaim iat = numericClaim(payload, "iat"_L1);
    if (!exp.present)
        return fail(u"missing_exp"_s, u"The token has no expiry (exp)."_s);
    if (!exp.valid || !nbf.valid || !iat.valid)
        return malformed(u"exp, nbf and iat must be numbers"_s);
    if (nowUnix >= exp.value)
        return fail(u"expired"_s, u"The token has expired."_s);
    if (nbf.present && nbf.value > nowUnix + leewaySecs)
        return fail(u"not_yet_valid"_s, u"The token is not valid yet (nbf)."_s);
    if (iat.present && iat.value > nowUnix + leewaySecs)
        return fail(u"not_yet_valid"_s, u"The token was issued in the future (iat)."_s);

    const QJsonValue sub = payload.value("sub"_L1);
    if (!sub.isUndefined() && !sub.isString())
        return malformed(u"sub must be a string"_s);
    const std::optional<QStringList> scopes = parseScopes(payload.value("scope"_L1));
    if (!scopes)
        return malformed(u"scope must be a string or an array of strings"_s);

    Claims claims;
    claims.subject = sub.toString();
    claims.scopes = *scopes;
    claims.expiresAt = exp.value;
    claims.issuedAt = iat.value;
    claims.notBefore = nbf.value;
    return claims;
}

} // namespace

JwtVerifier::JwtVerifier(JwtConfig config) : m_config(std::move(config)) {}

Result<> JwtVerifier::validateConfig(const JwtConfig &config)
{
    const jwt_alg_t alg = libjwtAlgorithm(config.algorithm);
    if (alg == JWT_ALG_INVAL)
        return fail(u"invalid_config"_s, u"JWT algorithm must be HS256, RS256 or ES256."_s);
    if (alg == JWT_ALG_HS256 && config.secretOrPublicKey.size() < 32)
        return fail(u"invalid_config"_s, u"The HS256 secret must be at least 32 bytes."_s);
    if (alg != JWT_ALG_HS256 && !config.secretOrPublicKey.contains("-----BEGIN"))
        return fail(u"invalid_config"_s, u"RS256/ES256 need a PEM public key."_s);
    if (config.leewaySecs < 0)
        return fail(u"invalid_config"_s, u"The JWT leeway cannot be negative."_s);
    return {};
}

Result<Claims> JwtVerifier::verify(QByteArrayView token, qint64 nowUnix) const
{
    if (const Result<> usable = validateConfig(m_config); !usable)
        return usable.error();
    if (token.isEmpty())
        return fail(u"missing_token"_s, u"No bearer token was given."_s);
    if (token.size() > MaxTokenBytes)
        return malformed(u"too long"_s);
    const auto segments = splitCompact(token);
    if (!segments)
        return malformed(u"a JWT has exactly three segments"_s);
    const std::optional<QJsonObject> header = decodeJsonSegment((*segments)[0]);
    if (!header)
        return malformed(u"the header is not base64url JSON"_s);
    const QJsonValue alg = header->value("alg"_L1);
    if (!alg.isString())
        return malformed(u"the header has no alg"_s);
    // Before any key is used: an attacker chooses the header, we choose the algorithm.
    if (alg.toString() != m_config.algorithm)
        return fail(u"wrong_algorithm"_s,
                    u"The token is not signed with "_s + m_config.algorithm + u'.');
    const std::optional<QJsonObject> payload = decodeJsonSegment((*segments)[1]);
    if (!payload)
        return malformed(u"the payload is not base64url JSON"_s);
    if ((*segments)[2].isEmpty())
        return fail(u"bad_signature"_s, u"The token has no signature."_s);
    if (const Result<> signature = verifySignature(token.toByteArray()); !signature)
        return signature.error();
    // The payload bytes decoded above are exactly the ones libjwt just verified.
    return claimsFrom(*payload, nowUnix, m_config.leewaySecs);
}

Result<> JwtVerifier::verifySignature(const QByteArray &token) const
{
    jwt_t *raw = nullptr;
    const QByteArray &key = m_config.secretOrPublicKey;
    const int rc = jwt_decode(&raw, token.constData(),
                              reinterpret_cast<const unsigned char *>(key.constData()),
                              static_cast<int>(key.size()));
    const std::unique_ptr<jwt_t, decltype(&jwt_free)> jwt(raw, &jwt_free);
    if (rc != 0 || !jwt)
        return fail(u"bad_signature"_s, u"The token signature does not verify."_s);
    // Belt and braces: libjwt must have used the algorithm we checked in the header.
    if (jwt_get_alg(jwt.get()) != libjwtAlgorithm(m_config.algorithm))
        return fail(u"wrong_algorithm"_s,
                    u"The token is not signed with "_s + m_config.algorithm + u'.');
    return {};
}

bool hasScope(const Claims &claims, QAnyStringView scope)
{
    for (const QString &granted : claims.scopes) {
        if (QAnyStringView(granted) == scope)
            return true;
    }
    return false;
}

} // namespace callwatch::live
