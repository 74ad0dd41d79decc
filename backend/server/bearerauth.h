// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/httptypes.h"

#include <QLatin1StringView>

#include <optional>

namespace callwatch::live {
class JwtVerifier;
}

namespace callwatch::server {

/**
 * nullopt when the request's `Authorization: Bearer <JWT>` verifies at `nowSecs` and grants
 * `scope`; otherwise the 401 (missing, malformed, wrongly signed, expired) or 403 (scope) to
 * answer. Shared by every REST route that needs a token.
 */
std::optional<http::HttpResponse> refuseBearer(const http::HttpRequest &request,
                                               const live::JwtVerifier &jwt, qint64 nowSecs,
                                               QLatin1StringView scope);

} // namespace callwatch::server
