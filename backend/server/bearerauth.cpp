// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/bearerauth.h"

#include "live/jwtverifier.h"

using namespace Qt::StringLiterals;

namespace callwatch::server {

std::optional<http::HttpResponse> refuseBearer(const http::HttpRequest &request,
                                               const live::JwtVerifier &jwt, qint64 nowSecs,
                                               QLatin1StringView scope)
{
    const QByteArray authorization = request.header("authorization");
    if (!authorization.startsWith("Bearer "))
        return http::HttpResponse::error(
            401, u"unauthorized"_s,
            u"Send a token as \"Authorization: Bearer <JWT>\" (mint one with `callwatchd token "
            "--scope %1`)"_s.arg(scope));
    auto claims = jwt.verify(authorization.mid(7).trimmed(), nowSecs);
    if (!claims)
        return http::HttpResponse::error(401, claims.error().code, claims.error().message);
    if (!live::hasScope(claims.value(), scope))
        return http::HttpResponse::error(403, u"insufficient_scope"_s,
                                         u"This token lacks the %1 scope"_s.arg(scope));
    return std::nullopt;
}

} // namespace callwatch::server
