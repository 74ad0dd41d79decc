// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"
#include "live/jwttypes.h"

#include <QByteArray>
#include <QStringList>

namespace callwatch::live {

/**
 * @brief Issues bearer tokens for live clients (`callwatchd token`, the dashboard's own token).
 *
 * Claims written: `sub`, `iat` = now, `exp` = now + ttl, `scope` = scopes joined by spaces.
 * HS256 signs with `secretOrPublicKey`; RS256/ES256 sign with `privateKey` (PEM).
 * Error codes: `invalid_config`, `invalid_argument`, `mint_failed`.
 */
class JwtMinter
{
public:
    static Result<QByteArray> mint(const JwtConfig &config, const QString &subject,
                                   const QStringList &scopes, qint64 ttlSecs, qint64 nowUnix);
};

} // namespace callwatch::live
