// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace callwatch::live {

/**
 * @brief How bearer tokens are signed and checked.
 *
 * HS256: `secretOrPublicKey` is the shared secret (at least 32 bytes, RFC 7518 §3.2).
 * RS256 / ES256: `secretOrPublicKey` is the PEM public key used to verify, `privateKey` the PEM
 * private key used to mint (only needed by whoever mints).
 */
struct JwtConfig
{
    QString algorithm =
        QStringLiteral("HS256"); ///< "HS256", "RS256" or "ES256"; a token must use exactly this
    QByteArray secretOrPublicKey;
    QByteArray privateKey;
    int leewaySecs = 60; ///< clock skew allowed for `nbf` and `iat` (not for `exp`)
};

/** @brief The claims of a verified token that Callwatch uses. */
struct Claims
{
    QString subject;      ///< `sub`; empty when absent
    QStringList scopes;   ///< `scope`: a space-separated string or a JSON array of strings
    qint64 expiresAt = 0; ///< `exp`, Unix seconds; always present in a verified token
    qint64 issuedAt = 0;  ///< `iat`, 0 when absent
    qint64 notBefore = 0; ///< `nbf`, 0 when absent
};

/** The scope a live client needs. */
inline constexpr auto ScopeCallsRead = "calls:read";

} // namespace callwatch::live
