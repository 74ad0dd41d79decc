// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"
#include "live/jwttypes.h"

#include <QAnyStringView>
#include <QByteArrayView>

namespace callwatch::live {

/**
 * @brief Checks a compact JWS bearer token (signature via libjwt, then time claims and scope).
 *
 * The algorithm in the token header must equal the configured one exactly; this is checked on the
 * raw header BEFORE libjwt sees the key, so neither `alg: none` nor an HS256 token "signed" with
 * an RS/ES public key PEM used as HMAC secret can pass.
 *
 * Time rules (all in Unix seconds):
 * - `exp` is required; the token is expired when `now >= exp` (no leeway: a live socket is
 *   closed exactly at expiry, so the verifier must agree with it).
 * - `nbf` and `iat`, when present, may be up to `leewaySecs` in the future (clock skew).
 *
 * Error codes: `missing_token`, `malformed_token`, `wrong_algorithm`, `bad_signature`,
 * `missing_exp`, `expired`, `not_yet_valid`, `invalid_config`.
 * Cheap to copy; thread-safe (const, no shared state).
 */
class JwtVerifier
{
public:
    explicit JwtVerifier(JwtConfig config);

    Result<Claims> verify(QByteArrayView token, qint64 nowUnix) const;

    const JwtConfig &config() const { return m_config; }

    /** Whether `config` can verify tokens at all (known algorithm, usable key). */
    static Result<> validateConfig(const JwtConfig &config);

    /** Tokens longer than this are refused as malformed before any decoding. */
    static constexpr qsizetype MaxTokenBytes = 8192;

private:
    Result<> verifySignature(const QByteArray &token) const;

    JwtConfig m_config;
};

/** True when `claims` grants `scope` (exact, case-sensitive match). */
bool hasScope(const Claims &claims, QAnyStringView scope);

} // namespace callwatch::live
