// SPDX-License-Identifier: GPL-3.0-or-later
#include "elevenlabs/retrypolicy.h"

#include <QLocale>
#include <QRandomGenerator>
#include <QTimeZone>

#include <cmath>

using namespace Qt::StringLiterals;

namespace callwatch::elevenlabs {

bool RetryPolicy::isRetryable(const ElevenLabsError &error, bool idempotent)
{
    switch (error.kind) {
    case ElevenLabsError::Kind::Http:
        return error.httpStatus == 429 || error.httpStatus >= 500;
    case ElevenLabsError::Kind::Timeout:
    case ElevenLabsError::Kind::Network:
        return idempotent;
    case ElevenLabsError::Kind::InvalidResponse:
    case ElevenLabsError::Kind::Rejected:
        return false;
    }
    return false;
}

std::optional<int> RetryPolicy::delayBeforeRetry(int attempt, const ElevenLabsError &error,
                                                 bool idempotent, const QByteArray &retryAfter,
                                                 const QDateTime &now) const
{
    if (attempt >= maxAttempts || !isRetryable(error, idempotent))
        return std::nullopt;
    if (auto asked = parseRetryAfterMs(retryAfter, now))
        return int(qBound<qint64>(0, *asked, qint64(maxDelayMs)));
    const double backoff = double(baseDelayMs) * std::pow(2.0, attempt - 1);
    const double jitter =
        backoff * 0.5 * (random ? random() : QRandomGenerator::global()->generateDouble());
    return int(qMin<double>(backoff + jitter, maxDelayMs));
}

std::optional<qint64> RetryPolicy::parseRetryAfterMs(const QByteArray &value, const QDateTime &now)
{
    const QByteArray trimmed = value.trimmed();
    if (trimmed.isEmpty())
        return std::nullopt;
    bool ok = false;
    const double seconds = trimmed.toDouble(&ok);
    if (ok)
        return seconds < 0 ? std::nullopt : std::optional<qint64>(qint64(seconds * 1000));
    // IMF-fixdate, e.g. "Wed, 21 Oct 2015 07:28:00 GMT".
    const QDateTime at =
        QLocale::c().toDateTime(QString::fromLatin1(trimmed), u"ddd, dd MMM yyyy HH:mm:ss 'GMT'"_s);
    if (!at.isValid())
        return std::nullopt;
    QDateTime utc = at;
    utc.setTimeZone(QTimeZone::utc());
    return qMax<qint64>(0, now.msecsTo(utc));
}

} // namespace callwatch::elevenlabs
