// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/transcriptionturn.h"

#include "webhooks/digest.h"
#include "webhooks/jsonfieldreader.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QTimeZone>

#include <cmath>

using namespace Qt::StringLiterals;

namespace callwatch::webhooks {

namespace {

// Unix times at or above this are milliseconds: 1e11 seconds is in the year 5138.
constexpr double MillisecondsThreshold = 1e11;

QString normalisedSpeaker(const QString &raw)
{
    const QString speaker = raw.trimmed().toLower();
    if (speaker == "agent"_L1)
        return u"agent"_s;
    if (speaker == "user"_L1 || speaker == "driver"_L1 || speaker == "customer"_L1)
        return u"user"_s;
    return {};
}

void readSpeaker(const JsonFieldReader &reader, TranscriptionTurn &turn)
{
    const QJsonValue speaker = reader.object().value("speaker"_L1);
    const bool hasSpeaker = !speaker.isUndefined() && !speaker.isNull();
    const QLatin1StringView key = hasSpeaker ? "speaker"_L1 : "role"_L1;
    const QString raw = reader.string(key);
    if (raw.isEmpty() && reader.ok()) {
        reader.fail(missingFieldError(u"speaker (or role)"_s));
        return;
    }
    turn.speaker = normalisedSpeaker(raw);
    if (turn.speaker.isEmpty() && reader.ok())
        reader.fail(invalidFieldError(key, u"one of agent, user, driver, customer"_s));
}

std::optional<QDateTime> readTimestamp(const JsonFieldReader &reader)
{
    const QJsonValue value = reader.object().value("timestamp"_L1);
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    const Error invalid =
        invalidFieldError(u"timestamp"_s, u"an ISO 8601 date-time or a unix time"_s);
    if (const std::optional<double> unix = JsonFieldReader::toNumber(value)) {
        if (*unix < 0) {
            reader.fail(invalid);
            return std::nullopt;
        }
        const double millis = *unix >= MillisecondsThreshold ? *unix : *unix * 1000.0;
        return QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(std::llround(millis)),
                                              QTimeZone::utc())
            .toUTC();
    }
    if (value.isString()) {
        QDateTime parsed = QDateTime::fromString(value.toString().trimmed(), Qt::ISODateWithMs);
        if (parsed.isValid()) {
            if (parsed.timeSpec() == Qt::LocalTime) // no offset given: the feed speaks UTC
                parsed.setTimeZone(QTimeZone::utc());
            return parsed.toUTC();
        }
    }
    reader.fail(invalid);
    return std::nullopt;
}

} // namespace

QString TranscriptionTurn::turnKey() const
{
    if (!turnId.isEmpty())
        return u"id:"_s % turnId;
    const QString time = timeInCallSecs ? QString::number(*timeInCallSecs, 'f', 3) : QString();
    // U+001F (unit separator) cannot be confused with text inside the parts.
    const QString material = speaker % QChar(0x1f) % time % QChar(0x1f) % message;
    return u"h:"_s % QString::fromLatin1(digest::sha256Hex(material.toUtf8()));
}

Result<TranscriptionTurn> TranscriptionTurn::parse(const QByteArray &body)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return Error{PayloadError::InvalidJson,
                     u"body is not valid JSON (%1 at byte %2)"_s.arg(parseError.errorString())
                         .arg(parseError.offset)};
    }
    if (!document.isObject())
        return Error{PayloadError::InvalidJson, u"body is not a JSON object"_s};
    return fromJson(document.object());
}

Result<TranscriptionTurn> TranscriptionTurn::fromJson(const QJsonObject &object)
{
    std::optional<Error> error;
    const JsonFieldReader reader(object, QString(), &error);

    TranscriptionTurn turn;
    turn.callSid = reader.requiredString("call_sid"_L1);
    readSpeaker(reader, turn);
    if (!object.contains("message"_L1))
        reader.fail(missingFieldError(u"message"_s));
    turn.message = reader.string("message"_L1);
    turn.timeInCallSecs = reader.number("time_in_call_secs"_L1);
    if (turn.timeInCallSecs && *turn.timeInCallSecs < 0)
        reader.fail(invalidFieldError(u"time_in_call_secs"_s, u"zero or more seconds"_s));
    turn.turnId = reader.string("turn_id"_L1);
    turn.conversationId = reader.string("conversation_id"_L1);
    turn.timestamp = readTimestamp(reader);

    if (error)
        return *error;
    return turn;
}

} // namespace callwatch::webhooks
