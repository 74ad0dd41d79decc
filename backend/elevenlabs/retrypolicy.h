// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "elevenlabs/elevenlabserror.h"

#include <QByteArray>
#include <QDateTime>

#include <functional>
#include <optional>

namespace callwatch::elevenlabs {

/**
 * @brief When to try an ElevenLabs request again, and after how long.
 *
 * Retried: HTTP 429 and 5xx (any method: the API refused or failed before acting, by its own
 * account), and, for idempotent requests (GET) only, timeouts and network errors: a POST that
 * timed out may have dialled, so sending it again could ring the driver twice.
 * Delay: `Retry-After` when the server sent one (seconds or an HTTP date, capped at
 * maxDelayMs), else exponential backoff baseDelayMs·2^(attempt-1) plus up to 50% jitter.
 */
class RetryPolicy
{
public:
    int maxAttempts = 3;
    int baseDelayMs = 500;
    int maxDelayMs = 30'000;
    /** A number in [0, 1) for the jitter; defaults to QRandomGenerator::global(). */
    std::function<double()> random;

    /** Whether a failed attempt of this kind may be repeated at all. */
    static bool isRetryable(const ElevenLabsError &error, bool idempotent);

    /**
     * The delay before attempt `attempt + 1`, or nullopt to give up. @p attempt counts from 1.
     * @p retryAfter is the raw header value (empty when absent).
     */
    std::optional<int> delayBeforeRetry(int attempt, const ElevenLabsError &error, bool idempotent,
                                        const QByteArray &retryAfter, const QDateTime &now) const;

    /** Seconds or an IMF-fixdate; nullopt when absent or unreadable. */
    static std::optional<qint64> parseRetryAfterMs(const QByteArray &value, const QDateTime &now);
};

} // namespace callwatch::elevenlabs
