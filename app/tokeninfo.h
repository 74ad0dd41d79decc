// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <functional>

namespace callwatch::app {

/**
 * Supplies the bearer token for REST and the WebSocket. `forceNew` asks for a token other than
 * the one just rejected (after a 401 or close code 4001); a provider that cannot make one
 * returns the same token again, and callers then stop instead of retrying blindly.
 */
using TokenProvider = std::function<QString(bool forceNew)>;

/**
 * @brief What the dashboard may know about its own token without verifying it: its scopes and
 * expiry, read from the JWT payload. Only used to adapt the UI (e.g. hide Replay without
 * calls:write); the server still decides.
 */
struct TokenInfo
{
    bool valid = false; ///< the text looked like a JWT with a JSON payload
    QString subject;
    QStringList scopes;
    QDateTime expiresAt; ///< invalid when the token has no exp

    bool hasScope(const QString &scope) const { return scopes.contains(scope); }

    static TokenInfo fromJwt(const QString &token);
};

} // namespace callwatch::app
