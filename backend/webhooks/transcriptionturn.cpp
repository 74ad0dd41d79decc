// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/transcriptionturn.h"

#include "webhooks/digest.h"
#include "webhooks/flatjsonscanner.h"
#include "webhooks/jsonfieldreader.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QTimeZone>

#include <array>
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

/** A unix time in seconds, or milliseconds from 1e11 on; nullopt when negative or past the
 * year 9999 (llround() of a larger one overflows into a time with no text). */
std::optional<QDateTime> timestampFromUnix(double unix)
{
    constexpr double Year10000Ms = 253402300800000.0;
    if (unix < 0)
        return std::nullopt;
    const double millis = unix >= MillisecondsThreshold ? unix : unix * 1000.0;
    if (!(millis < Year10000Ms))
        return std::nullopt;
    return QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(std::llround(millis)),
                                          QTimeZone::utc())
        .toUTC();
}

/** ISO 8601 text in UTC; nullopt when it is not one. */
std::optional<QDateTime> timestampFromIso(const QString &text)
{
    QDateTime parsed = QDateTime::fromString(text.trimmed(), Qt::ISODateWithMs);
    if (!parsed.isValid())
        return std::nullopt;
    if (parsed.timeSpec() == Qt::LocalTime) // no offset given: the feed speaks UTC
        parsed.setTimeZone(QTimeZone::utc());
    return parsed.toUTC();
}

Error invalidTimestampError()
{
    return invalidFieldError(u"timestamp"_s, u"an ISO 8601 date-time or a unix time"_s);
}

std::optional<QDateTime> readTimestamp(const JsonFieldReader &reader)
{
    const QJsonValue value = reader.object().value("timestamp"_L1);
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    std::optional<QDateTime> timestamp;
    if (const std::optional<double> unix = JsonFieldReader::toNumber(value))
        timestamp = timestampFromUnix(*unix);
    else if (value.isString())
        timestamp = timestampFromIso(value.toString());
    if (!timestamp)
        reader.fail(invalidTimestampError());
    return timestamp;
}

// --- The fast path: the flat body read by FlatJsonScanner. It answers only with a complete,
// valid turn and returns nullopt on anything that would be an error or that it does not
// convert itself, so errors and their messages always come from the QJsonDocument path.

enum FlatField : size_t {
    CallSid,
    Speaker,
    Role,
    Message,
    TimeInCall,
    TurnId,
    ConversationId,
    Timestamp,
    FlatFieldCount
};

constexpr std::array<QLatin1StringView, FlatFieldCount> FlatKeys{
    "call_sid"_L1, "speaker"_L1,         "role"_L1,     "message"_L1, "time_in_call_secs"_L1,
    "turn_id"_L1,  "conversation_id"_L1, "timestamp"_L1};

using FlatValue = FlatJsonScanner::Value;
using FlatKind = FlatJsonScanner::Kind;

/** JsonFieldReader::toNumber() of a string value: the same conversion, not a copy of it. */
std::optional<double> numberFromText(const QString &text)
{
    return JsonFieldReader::toNumber(QJsonValue(text));
}

/** JsonFieldReader::toText(): a string, or a number as text; nullopt for anything else. */
std::optional<QString> flatText(const FlatValue &value)
{
    if (value.kind == FlatKind::String)
        return value.toString();
    if (value.kind == FlatKind::Number) // the same conversion, on the same double
        return JsonFieldReader::toText(QJsonValue(value.number));
    return std::nullopt;
}

/** JsonFieldReader::string(): absent or null is a null QString. */
std::optional<QString> flatOptionalText(const FlatValue &value)
{
    if (value.isAbsentOrNull())
        return QString();
    return flatText(value);
}

/** JsonFieldReader::number(); nullopt also for absent. */
std::optional<double> flatNumber(const FlatValue &value)
{
    if (value.kind == FlatKind::Number)
        return value.number;
    if (value.kind == FlatKind::String)
        return numberFromText(value.toString());
    return std::nullopt;
}

/** The normalised speaker, or "" when readSpeaker() would fail. */
QString flatSpeaker(const FlatValue &speaker, const FlatValue &role)
{
    const FlatValue &value = speaker.isAbsentOrNull() ? role : speaker;
    if (value.kind == FlatKind::String && !value.hasEscapes) {
        // The usual spellings, without building a string to trim and lower-case.
        if (value.raw == QByteArrayView("user"))
            return u"user"_s;
        if (value.raw == QByteArrayView("agent"))
            return u"agent"_s;
    }
    const std::optional<QString> raw = flatText(value);
    return raw ? normalisedSpeaker(*raw) : QString();
}

/** readTimestamp(); false when it would fail. */
bool flatTimestamp(const FlatValue &value, std::optional<QDateTime> *timestamp)
{
    if (value.isAbsentOrNull())
        return true;
    if (value.kind == FlatKind::Number) {
        *timestamp = timestampFromUnix(value.number);
    } else if (value.kind == FlatKind::String) {
        const QString text = value.toString();
        // QString::toDouble() (C locale) takes only digits, signs, '.', 'e', "inf"/"nan" and
        // spaces, never a ':', which every ISO time has; skipping the attempt for such text
        // gives the same answer and halves the cost of the typical body.
        const std::optional<double> unix =
            text.contains(u':') ? std::nullopt : numberFromText(text);
        *timestamp = unix ? timestampFromUnix(*unix) : timestampFromIso(text);
    }
    return timestamp->has_value();
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
    // The hot path of live turns: most bodies are flat and valid, and reading them from the
    // bytes skips building Qt's JSON tree. Everything else gets the reference path.
    if (std::optional<TranscriptionTurn> turn = parseFlat(body))
        return std::move(*turn);
    return parseWithQJson(body);
}

Result<TranscriptionTurn> TranscriptionTurn::parseWithQJson(const QByteArray &body)
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

std::optional<TranscriptionTurn> TranscriptionTurn::parseFlat(const QByteArray &body)
{
    std::array<FlatValue, FlatFieldCount> values;
    if (!FlatJsonScanner::scan(body, FlatKeys, values))
        return std::nullopt;

    // The checks of fromJson(), in its order; any failure hands over to it.
    TranscriptionTurn turn;
    const std::optional<QString> callSid = flatText(values[CallSid]);
    if (!callSid || callSid->isEmpty())
        return std::nullopt;
    turn.callSid = *callSid;
    turn.speaker = flatSpeaker(values[Speaker], values[Role]);
    if (turn.speaker.isEmpty())
        return std::nullopt;
    if (values[Message].kind == FlatKind::Absent)
        return std::nullopt;
    const std::optional<QString> message = flatOptionalText(values[Message]);
    if (!message)
        return std::nullopt;
    turn.message = *message;
    if (!values[TimeInCall].isAbsentOrNull()) {
        turn.timeInCallSecs = flatNumber(values[TimeInCall]);
        if (!turn.timeInCallSecs || *turn.timeInCallSecs < 0)
            return std::nullopt;
    }
    const std::optional<QString> turnId = flatOptionalText(values[TurnId]);
    const std::optional<QString> conversationId = flatOptionalText(values[ConversationId]);
    if (!turnId || !conversationId)
        return std::nullopt;
    turn.turnId = *turnId;
    turn.conversationId = *conversationId;
    if (!flatTimestamp(values[Timestamp], &turn.timestamp))
        return std::nullopt;
    return turn;
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
