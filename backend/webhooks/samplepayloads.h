// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

/**
 * Realistic ElevenLabs webhook bodies for a fleet-safety scenario: an agent calls a truck driver
 * about a telematics violation (speeding, hours of service, harsh braking) and the driver answers.
 * Used by `callwatchd trigger`, the local sandbox, the benchmarks and the tests. Field names follow
 * the ElevenLabs reference notes (§2-§4). Everything is deterministic: the same input gives the
 * same bytes.
 */
namespace callwatch::webhooks::samples {

/** @brief One outbound call as the sample generators see it. */
struct SampleCall
{
    QString callSid;        ///< Callwatch's call id; travels in dynamic_variables.call_sid
    QString conversationId; ///< "conv_…"
    QString agentId;        ///< "agent_…"
    QString driverId;       ///< travels in dynamic_variables.driver_id
    QString toNumber;       ///< the driver's E.164 number (phone_call.external_number)
    qint64 startUnix = 0;
    int durationSecs = 0;
    double cost = 0; ///< metadata.cost (credits); whole numbers keep the schema's int type
    bool successful = true;
    QString summary; ///< analysis.transcript_summary; empty → written from the script
    QString driverName = QStringLiteral("Marcus Bell");
    QString violation = QStringLiteral(
        "a speeding event: 78 mph in a 65 mph zone on I-80 westbound near Lincoln, Nebraska");
};

/** @brief One turn of a scripted conversation. */
struct ScriptedTurn
{
    QString role; ///< "agent" | "user"
    QString message;
    int timeInCallSecs = 0;
    QJsonArray toolCalls;   ///< ElevenLabs tool_calls items (one agent turn has one)
    QJsonArray toolResults; ///< ElevenLabs tool_results items, same turn
};

/** Seconds after the call ends at which the transcription webhook is stamped. */
inline constexpr int TranscriptionDelaySecs = 14;
/** Seconds after the call ends at which the audio webhook is stamped (after the transcript). */
inline constexpr int AudioDelaySecs = 35;
/** Seconds after the start at which a failed dial is reported (the ring timeout). */
inline constexpr int FailureDelaySecs = 32;
/** The agent's caller id in every sample. */
inline constexpr auto AgentNumber = "+13125550147";

/** A deterministic fleet member and violation for @p index (0, 1, 2, …). */
SampleCall sampleCall(int index, qint64 startUnix);

/** 14 turns; the fifth (an agent turn) carries a get_violation_details tool call and result. */
QList<ScriptedTurn> violationScript(const QString &driverName, const QString &violation);

/** The Twilio CallSid ("CA" + 32 hex) ElevenLabs would report for @p call. */
QString providerCallSid(const SampleCall &call);

/**
 * A post_call_transcription body. The script's times are scaled to durationSecs;
 * event_timestamp = startUnix + durationSecs + TranscriptionDelaySecs.
 */
QByteArray postCallTranscription(const SampleCall &call);
/** The same, as an object (for tests and tools that modify it before sending). */
QJsonObject postCallTranscriptionJson(const SampleCall &call);

/**
 * A call_initiation_failure body. @p reason: "busy", "no-answer" or "unknown";
 * @p provider: "twilio" or "sip". event_timestamp = startUnix + FailureDelaySecs.
 */
QByteArray callInitiationFailure(const SampleCall &call, const QString &reason,
                                 const QString &provider);

/**
 * A post_call_audio body with @p mp3Bytes as data.full_audio; built without a QJsonDocument so
 * tens of MB cost one copy. event_timestamp = startUnix + durationSecs + AudioDelaySecs.
 */
QByteArray postCallAudio(const SampleCall &call, const QByteArray &mp3Bytes);

/** @p frames MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz, silent): about 26 ms each. */
QByteArray silentMp3(int frames);

/** A body for Callwatch's live feed, POST /webhooks/elevenlabs/transcription; empty turnId →
 * omitted. */
QByteArray transcriptionTurn(const QString &callSid, const QString &speaker, const QString &message,
                             double timeInCall, const QString &turnId);

} // namespace callwatch::webhooks::samples
