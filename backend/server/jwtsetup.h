// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"
#include "live/jwttypes.h"
#include "server/config.h"

namespace callwatch::server {

/**
 * @brief The token key from the configuration. With HS256 and no `jwt-secret`, a random secret
 * is generated once into `<data-dir>/jwt-secret` (mode 0600), so `callwatchd token` and the
 * server agree without the operator inventing a secret, and tokens survive restarts.
 */
Result<live::JwtConfig> jwtConfigFor(const Config &config);

} // namespace callwatch::server
