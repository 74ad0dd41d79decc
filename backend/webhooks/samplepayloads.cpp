// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/samplepayloads.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonValue>
#include <QLocale>
#include <QTimeZone>

#include <array>

using namespace Qt::StringLiterals;

namespace callwatch::webhooks::samples {

namespace {

constexpr auto PhoneNumberId = "phnum_01jf8k2m7x9q4w3e5r6t7y8u9v";
constexpr auto AgentName = "Northline Fleet Safety";

// Stable pseudo-random hex derived from @p seed, so identifiers look real and never change.
QString hexFrom(const QString &seed, int length)
{
    QByteArray hex;
    QByteArray block = seed.toUtf8();
    while (hex.size() < length) {
        block = QCryptographicHash::hash(block, QCryptographicHash::Sha256);
        hex += block.toHex();
    }
    return QString::fromLatin1(hex.left(length));
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// A JSON string literal (quotes included) for hand-built bodies.
QByteArray jsonString(const QString &text)
{
    const QByteArray array = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
    return array.sliced(1, array.size() - 2);
}

QJsonValue nullValue()
{
    return QJsonValue(QJsonValue::Null);
}

QJsonObject turnJson(const ScriptedTurn &turn, int timeInCall, const SampleCall &call)
{
    const bool agent = turn.role == "agent"_L1;
    QJsonObject metrics;
    if (agent) {
        // The docs' flat shape; the value varies a little per turn like real latencies.
        const double ttfb = 0.28 + 0.01 * (timeInCall % 17);
        metrics = QJsonObject{
            {u"convai_llm_service_ttfb"_s, QJsonObject{{u"elapsed_time"_s, ttfb}}},
            {u"convai_llm_service_ttf_sentence"_s, QJsonObject{{u"elapsed_time"_s, ttfb + 0.21}}},
        };
    }
    return QJsonObject{
        {u"role"_s, turn.role},
        {u"agent_metadata"_s, agent ? QJsonValue(QJsonObject{{u"agent_id"_s, call.agentId},
                                                             {u"workflow_node_id"_s, nullValue()}})
                                    : nullValue()},
        {u"message"_s, turn.message.isEmpty() ? nullValue() : QJsonValue(turn.message)},
        {u"multivoice_message"_s, nullValue()},
        {u"tool_calls"_s, turn.toolCalls},
        {u"tool_results"_s, turn.toolResults},
        {u"feedback"_s, nullValue()},
        {u"llm_override"_s, nullValue()},
        {u"time_in_call_secs"_s, timeInCall},
        {u"conversation_turn_metrics"_s, agent ? QJsonValue(metrics) : nullValue()},
        {u"rag_retrieval_info"_s, nullValue()},
        {u"llm_usage"_s, nullValue()},
        {u"interrupted"_s, false},
        {u"original_message"_s, nullValue()},
        {u"source_medium"_s, u"audio"_s},
    };
}

QJsonArray transcriptJson(const SampleCall &call)
{
    const QList<ScriptedTurn> script = violationScript(call.driverName, call.violation);
    const int scriptLength = script.isEmpty() ? 1 : qMax(1, script.back().timeInCallSecs + 4);
    QJsonArray turns;
    for (const ScriptedTurn &turn : script) {
        // Stretch or squeeze the script to the call's duration.
        const int at =
            call.durationSecs > 0
                ? static_cast<int>(qint64(turn.timeInCallSecs) * call.durationSecs / scriptLength)
                : turn.timeInCallSecs;
        turns.append(turnJson(turn, at, call));
    }
    return turns;
}

QJsonObject metadataJson(const SampleCall &call)
{
    const QJsonObject phoneCall{
        {u"type"_s, u"twilio"_s},
        {u"direction"_s, u"outbound"_s},
        {u"phone_number_id"_s, QLatin1StringView(PhoneNumberId)},
        {u"agent_number"_s, QLatin1StringView(AgentNumber)},
        {u"external_number"_s, call.toNumber},
        {u"stream_sid"_s, QString(u"MZ"_s % hexFrom(u"stream|"_s % call.conversationId, 32))},
        {u"call_sid"_s, providerCallSid(call)},
    };
    return QJsonObject{
        {u"start_time_unix_secs"_s, call.startUnix},
        {u"accepted_time_unix_secs"_s, call.startUnix + 6},
        {u"call_duration_secs"_s, call.durationSecs},
        {u"cost"_s, call.cost},
        {u"deletion_settings"_s,
         QJsonObject{{u"deletion_time_unix_secs"_s, nullValue()},
                     {u"deleted_logs_at_time_unix_secs"_s, nullValue()},
                     {u"deleted_audio_at_time_unix_secs"_s, nullValue()},
                     {u"deleted_transcript_at_time_unix_secs"_s, nullValue()},
                     {u"delete_transcript_and_pii"_s, false},
                     {u"delete_audio"_s, false}}},
        {u"feedback"_s,
         QJsonObject{{u"overall_score"_s, nullValue()}, {u"likes"_s, 0}, {u"dislikes"_s, 0}}},
        {u"authorization_method"_s, u"authorization_header"_s},
        {u"charging"_s, QJsonObject{{u"dev_discount"_s, false},
                                    {u"tier"_s, u"business"_s},
                                    {u"llm_price"_s, 0.0041},
                                    {u"llm_charge"_s, 23},
                                    {u"call_charge"_s, call.cost}}},
        {u"phone_call"_s, phoneCall},
        {u"batch_call"_s, nullValue()},
        {u"termination_reason"_s,
         call.successful ? u"end_call tool was called."_s : u"Call ended by remote party"_s},
        {u"error"_s, nullValue()},
        {u"main_language"_s, u"en"_s},
        {u"conversation_initiation_source"_s, u"twilio"_s},
        {u"text_only"_s, false},
        {u"warnings"_s, QJsonArray()},
        {u"timezone"_s, nullValue()},
    };
}

QJsonObject criterion(const QString &id, bool ok, const QString &rationale)
{
    return QJsonObject{{u"criteria_id"_s, id},
                       {u"result"_s, ok ? u"success"_s : u"failure"_s},
                       {u"rationale"_s, rationale}};
}

QJsonObject collected(const QString &id, const QJsonValue &value, const QString &type,
                      const QString &description, const QString &rationale)
{
    return QJsonObject{
        {u"data_collection_id"_s, id},
        {u"value"_s, value},
        {u"json_schema"_s, QJsonObject{{u"type"_s, type},
                                       {u"description"_s, description},
                                       {u"dynamic_variable"_s, u""_s},
                                       {u"constant_value"_s, u""_s}}},
        {u"rationale"_s, rationale},
    };
}

QString defaultSummary(const SampleCall &call)
{
    if (!call.successful) {
        return u"The safety assistant called "_s % call.driverName % u" about "_s % call.violation %
               u". The driver did not confirm the policy before the call ended."_s;
    }
    return u"The safety assistant called "_s % call.driverName % u" about "_s % call.violation %
           u". The driver explained the circumstances, acknowledged the policy and committed to "
           "follow it; no follow-up was requested."_s;
}

QJsonObject analysisJson(const SampleCall &call)
{
    const bool ok = call.successful;
    const QJsonObject criteria{
        {u"driver_acknowledged"_s,
         criterion(u"driver_acknowledged"_s, ok,
                   ok ? u"The driver explicitly agreed to follow the policy."_s
                      : u"The driver never confirmed the policy."_s)},
        {u"identity_confirmed"_s,
         criterion(u"identity_confirmed"_s, true,
                   u"The driver confirmed their name at the start of the call."_s)},
    };
    const QJsonObject data{
        {u"acknowledged"_s, collected(u"acknowledged"_s, ok, u"boolean"_s,
                                      u"Did the driver acknowledge the violation?"_s,
                                      u"Taken from the driver's answer to the confirmation."_s)},
        {u"driver_explanation"_s,
         collected(u"driver_explanation"_s,
                   ok ? QJsonValue(u"Explained the circumstances of the event."_s) : nullValue(),
                   u"string"_s, u"The driver's explanation in one sentence."_s,
                   u"Summarised from the driver's second answer."_s)},
        {u"follow_up_required"_s, collected(u"follow_up_required"_s, !ok, u"boolean"_s,
                                            u"Does the safety team need to call back?"_s,
                                            u"Set when the driver did not acknowledge."_s)},
    };
    return QJsonObject{
        {u"evaluation_criteria_results"_s, criteria},
        {u"data_collection_results"_s, data},
        {u"call_successful"_s, ok ? u"success"_s : u"failure"_s},
        {u"transcript_summary"_s, call.summary.isEmpty() ? defaultSummary(call) : call.summary},
        {u"call_summary_title"_s, QString(u"Safety call with "_s % call.driverName)},
    };
}

QJsonObject clientDataJson(const SampleCall &call)
{
    return QJsonObject{
        {u"conversation_config_override"_s,
         QJsonObject{{u"agent"_s, QJsonObject{{u"prompt"_s, nullValue()},
                                              {u"first_message"_s, nullValue()},
                                              {u"language"_s, u"en"_s}}},
                     {u"tts"_s, QJsonObject{{u"voice_id"_s, nullValue()}}}}},
        {u"custom_llm_extra_body"_s, QJsonObject()},
        {u"user_id"_s, nullValue()},
        {u"source_info"_s, QJsonObject{{u"source"_s, u"twilio"_s}, {u"version"_s, nullValue()}}},
        {u"dynamic_variables"_s, QJsonObject{{u"call_sid"_s, call.callSid},
                                             {u"driver_id"_s, call.driverId},
                                             {u"driver_name"_s, call.driverName},
                                             {u"violation"_s, call.violation}}},
    };
}

QJsonObject sipFailureBody(const SampleCall &call, const QString &reason)
{
    const bool busy = reason == "busy"_L1;
    const bool noAnswer = reason == "no-answer"_L1;
    const int status = busy ? 486 : noAnswer ? 480 : 503;
    const QString text = busy       ? u"Busy Here"_s
                         : noAnswer ? u"Temporarily Unavailable"_s
                                    : u"Service Unavailable"_s;
    QJsonObject body{
        {u"from_number"_s, QLatin1StringView(AgentNumber)},
        {u"to_number"_s, call.toNumber},
        {u"sip_status_code"_s, status},
        {u"sip_status"_s, text},
        {u"error_reason"_s, u"sip status %1: %2"_s.arg(status).arg(text)},
        {u"call_sid"_s, QString(u"SCL_"_s % hexFrom(u"sip|"_s % call.conversationId, 12))}};
    if (!busy && !noAnswer)
        body.insert(u"twirp_code"_s, u"unavailable"_s);
    return body;
}

// Twilio's StatusCallback parameters, all strings, passed through unchanged.
QJsonObject twilioFailureBody(const SampleCall &call, const QString &reason, qint64 at)
{
    const bool busy = reason == "busy"_L1;
    const bool noAnswer = reason == "no-answer"_L1;
    const QString timestamp = QLocale::c().toString(
        QDateTime::fromSecsSinceEpoch(at, QTimeZone::utc()), u"ddd, dd MMM yyyy HH:mm:ss +0000"_s);
    const QString number = QLatin1StringView(AgentNumber);
    return QJsonObject{
        {u"AccountSid"_s, QString(u"AC"_s % hexFrom(u"account"_s, 32))},
        {u"ApiVersion"_s, u"2010-04-01"_s},
        {u"CallSid"_s, providerCallSid(call)},
        {u"CallStatus"_s, busy || noAnswer ? reason : u"failed"_s},
        {u"SipResponseCode"_s, busy       ? u"486"_s
                               : noAnswer ? u"487"_s
                                          : u"500"_s},
        {u"Called"_s, call.toNumber},
        {u"Caller"_s, number},
        {u"To"_s, call.toNumber},
        {u"From"_s, number},
        {u"Direction"_s, u"outbound-api"_s},
        {u"Duration"_s, u"0"_s},
        {u"CallDuration"_s, u"0"_s},
        {u"Timestamp"_s, timestamp},
        {u"SequenceNumber"_s, u"2"_s},
        {u"CallbackSource"_s, u"call-progress-events"_s},
        {u"ToCountry"_s, u"US"_s},
        {u"ToState"_s, u"IL"_s},
    };
}

} // namespace

QString providerCallSid(const SampleCall &call)
{
    return u"CA"_s % hexFrom(u"twilio|"_s % call.conversationId, 32);
}

SampleCall sampleCall(int index, qint64 startUnix)
{
    static const std::array<const char *, 8> drivers{
        "Marcus Bell",   "Dana Kowalski", "Luis Ortega",    "Priya Raman",
        "Tom Hendricks", "Aisha Okafor",  "Gary Lindqvist", "Rosa Delgado"};
    static const std::array<const char *, 3> violations{
        "a speeding event: 78 mph in a 65 mph zone on I-80 westbound near Lincoln, Nebraska",
        "an hours-of-service violation: 11 hours 40 minutes of driving before a 10-hour break",
        "three harsh braking events within six miles on US-30 near Valparaiso, Indiana"};
    const auto slot = static_cast<std::size_t>(index < 0 ? -index : index);
    const QString seed = QString::number(index);

    SampleCall call;
    call.callSid = u"cw_"_s % hexFrom(u"call|"_s % seed, 24);
    call.conversationId = u"conv_"_s % hexFrom(u"conversation|"_s % seed, 26);
    call.agentId = u"agent_8401k3fleetsafety0000"_s;
    call.driverId = u"drv_"_s % QString::number(1000 + index);
    call.toNumber = u"+1312555"_s % QString::number(2000 + (index % 8000)).rightJustified(4, u'0');
    call.startUnix = startUnix;
    call.durationSecs = 95 + (index * 37) % 120;
    call.cost = 300 + (index * 53) % 400;
    call.successful = index % 5 != 3;
    call.driverName = QString::fromLatin1(drivers[slot % drivers.size()]);
    call.violation = QString::fromLatin1(violations[slot % violations.size()]);
    return call;
}

QJsonObject postCallTranscriptionJson(const SampleCall &call)
{
    const QJsonObject data{
        {u"agent_id"_s, call.agentId},
        {u"agent_name"_s, QLatin1StringView(AgentName)},
        {u"conversation_id"_s, call.conversationId},
        {u"status"_s, u"done"_s},
        {u"user_id"_s, nullValue()},
        {u"branch_id"_s, nullValue()},
        {u"version_id"_s, nullValue()},
        {u"transcript"_s, transcriptJson(call)},
        {u"metadata"_s, metadataJson(call)},
        {u"analysis"_s, analysisJson(call)},
        {u"conversation_initiation_client_data"_s, clientDataJson(call)},
        {u"has_audio"_s, true},
        {u"has_user_audio"_s, true},
        {u"has_response_audio"_s, true},
    };
    return QJsonObject{
        {u"type"_s, u"post_call_transcription"_s},
        {u"event_timestamp"_s, call.startUnix + call.durationSecs + TranscriptionDelaySecs},
        {u"data"_s, data},
    };
}

QByteArray postCallTranscription(const SampleCall &call)
{
    return compact(postCallTranscriptionJson(call));
}

QByteArray callInitiationFailure(const SampleCall &call, const QString &reason,
                                 const QString &provider)
{
    const qint64 at = call.startUnix + FailureDelaySecs;
    const bool sip = provider == "sip"_L1;
    const QJsonObject metadata{
        {u"type"_s, sip ? u"sip"_s : u"twilio"_s},
        {u"body"_s, sip ? sipFailureBody(call, reason) : twilioFailureBody(call, reason, at)}};
    const QJsonObject data{{u"agent_id"_s, call.agentId},
                           {u"conversation_id"_s, call.conversationId},
                           {u"failure_reason"_s, reason},
                           {u"metadata"_s, metadata}};
    return compact(QJsonObject{
        {u"type"_s, u"call_initiation_failure"_s}, {u"event_timestamp"_s, at}, {u"data"_s, data}});
}

QByteArray postCallAudio(const SampleCall &call, const QByteArray &mp3Bytes)
{
    const qint64 at = call.startUnix + call.durationSecs + AudioDelaySecs;
    const QByteArray head = R"({"type":"post_call_audio","event_timestamp":)" +
                            QByteArray::number(at) + R"(,"data":{"agent_id":)" +
                            jsonString(call.agentId) + R"(,"conversation_id":)" +
                            jsonString(call.conversationId) + R"(,"full_audio":")";
    QByteArray body;
    body.reserve(head.size() + (mp3Bytes.size() + 2) / 3 * 4 + 3);
    body += head;
    body += mp3Bytes.toBase64();
    body += "\"}}";
    return body;
}

QByteArray silentMp3(int frames)
{
    // MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding, joint stereo: 417-byte frames whose
    // zero side information decodes to silence.
    constexpr int FrameBytes = 417;
    QByteArray mp3(qMax(frames, 0) * FrameBytes, '\0');
    for (int i = 0; i < frames; ++i) {
        char *frame = mp3.data() + qsizetype(i) * FrameBytes;
        frame[0] = static_cast<char>(0xFF);
        frame[1] = static_cast<char>(0xFB);
        frame[2] = static_cast<char>(0x90);
        frame[3] = static_cast<char>(0x64);
    }
    return mp3;
}

QByteArray transcriptionTurn(const QString &callSid, const QString &speaker, const QString &message,
                             double timeInCall, const QString &turnId)
{
    QJsonObject turn{{u"call_sid"_s, callSid},
                     {u"speaker"_s, speaker},
                     {u"message"_s, message},
                     {u"time_in_call_secs"_s, timeInCall}};
    if (!turnId.isEmpty())
        turn.insert(u"turn_id"_s, turnId);
    return compact(turn);
}

} // namespace callwatch::webhooks::samples
