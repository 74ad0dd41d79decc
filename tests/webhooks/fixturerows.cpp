// SPDX-License-Identifier: GPL-3.0-or-later
#include "fixturerows.h"

#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace fixturerows {

namespace {

constexpr auto AgentId = "agent_4301k4x8q2zf5e7tmb6rj9nw3c";

QJsonValue null()
{
    return QJsonValue(QJsonValue::Null);
}

QList<FieldRow> longRows()
{
    const QString f = QLatin1StringView(LongFixture);
    auto row = [&](const QString &path, const QJsonValue &expected) {
        return FieldRow{u"post_call"_s, f, path, expected};
    };
    const QJsonObject dynamicVariables{
        {u"call_sid"_s, u"cw_5f1c9e2a7b3d4e6f8a0b1c2d"_s},
        {u"driver_id"_s, u"drv_1042"_s},
        {u"driver_name"_s, u"Dana Kowalski"_s},
        {u"violation"_s, u"an hours-of-service alert from February 13"_s},
        {u"violation_count"_s, 2},
        {u"priority"_s, true},
        {u"supervisor_note"_s, null()},
    };
    return {
        row(u"eventTimestamp"_s, 1739537297),
        row(u"agentId"_s, QLatin1StringView(AgentId)),
        row(u"conversationId"_s, u"conv_4801k4x9a1b2c3d4e5f6g7h8j9"_s),
        row(u"status"_s, u"done"_s),
        row(u"failed"_s, false),
        row(u"userId"_s, u"dispatch-ops-7"_s),
        row(u"dynamicVariables"_s, dynamicVariables),
        row(u"callSid"_s, u"cw_5f1c9e2a7b3d4e6f8a0b1c2d"_s),
        row(u"driverId"_s, u"drv_1042"_s),
        row(u"providerCallId"_s, u"CA7d2f41c0b9e35a86f1d0c4b2e9a7f315"_s),
        row(u"phoneCallType"_s, u"twilio"_s),
        row(u"direction"_s, u"outbound"_s),
        row(u"agentNumber"_s, u"+13125550147"_s),
        row(u"externalNumber"_s, u"+17735550198"_s),
        row(u"batchCallId"_s, u"btcal_01jm2qz8w4e6r7t9y1u3i5o7p9"_s),
        row(u"startTimeUnixSecs"_s, 1739537011),
        row(u"callDurationSecs"_s, 236),
        row(u"cost"_s, 1184),
        row(u"costFiat"_s, 0.2131),
        row(u"terminationReason"_s, u"end_call tool was called."_s),
        row(u"transcriptSummary"_s,
            u"Ava called Dana Kowalski about an hours-of-service alert: 11 h 40 min of driving on "
            "February 13. Dana explained a three-hour dock delay in Joliet and full parking, "
            "acknowledged the policy to call dispatch or the after-hours safety line before "
            "driving near the limit, and suggested earlier appointments at that receiver. A "
            "fleet-manager review will be scheduled."_s),
        row(u"callSummaryTitle"_s, u"Hours-of-service alert: Dana Kowalski"_s),
        row(u"callSuccessful"_s, u"success"_s),
        row(u"analysis@size"_s, 5),
        row(u"analysis.evaluation_criteria_results@size"_s, 3),
        row(u"analysis.evaluation_criteria_results.hos_acknowledged.result"_s, u"success"_s),
        row(u"analysis.evaluation_criteria_results.no_coaching_on_pay.result"_s, u"unknown"_s),
        row(u"analysis.data_collection_results.acknowledged.value"_s, true),
        row(u"analysis.data_collection_results.root_cause.value"_s,
            u"Three-hour dock delay at the Joliet receiver and no legal parking nearby."_s),
        row(u"analysis.data_collection_results.callback_number.value"_s, null()),
        row(u"metadata.cost_fiat"_s, 0.2131),
        row(u"metadata.charging.llm_charge"_s, 31),
        row(u"metadata.timezone"_s, u"America/Chicago"_s),
        row(u"metadata.batch_call.batch_call_recipient_id"_s,
            u"btrec_01jm2qzc5n8b4v6c2x0z9l7k5j"_s),
        row(u"metadata.phone_call.stream_sid"_s, u"MZ3a9e1f7c5b2d4086af1e9c3b7d5a2f04"_s),
        row(u"transcript@size"_s, 33),
        row(u"transcript[0].role"_s, u"agent"_s),
        row(u"transcript[0].message"_s,
            u"Hi, this is Ava, the automated safety assistant for Northline Freight. Am I speaking "
            "with Dana Kowalski?"_s),
        row(u"transcript[0].timeInCallSecs"_s, 0),
        row(u"transcript[0].toolCalls@size"_s, 0),
        row(u"transcript[0].toolResults@size"_s, 0),
        row(u"transcript[0].interrupted"_s, false),
        row(u"transcript[1].role"_s, u"user"_s),
        row(u"transcript[1].message"_s, u"Yes, this is Dana."_s),
        row(u"transcript[1].timeInCallSecs"_s, 6),
        row(u"transcript[5].message"_s, u"Let me pull up your ELD log for February 13th."_s),
        row(u"transcript[5].timeInCallSecs"_s, 35),
        row(u"transcript[5].toolCalls@size"_s, 1),
        row(u"transcript[5].toolCalls[0].tool_name"_s, u"get_hos_log"_s),
        row(u"transcript[5].toolCalls[0].params_as_json"_s,
            u"{\"driver_id\":\"drv_1042\",\"date\":\"2025-02-13\"}"_s),
        row(u"transcript[5].toolResults[0].request_id"_s, u"toolu_01HQ3kZ7p9XvB2sM4nR8cW6y"_s),
        row(u"transcript[5].toolResults[0].result_value"_s,
            u"{\"driving_minutes\":700,\"limit_minutes\":660,\"break_started\":"
            "\"2025-02-13T23:52:00Z\",\"duty_status_edits\":0}"_s),
        row(u"transcript[5].toolResults[0].tool_latency_secs"_s, 0.387),
        row(u"transcript[5].toolResults[0].is_error"_s, false),
        row(u"transcript[8].message"_s, u"I understand, dock delays are frustrating."_s),
        row(u"transcript[8].interrupted"_s, true),
        row(u"transcript[8].timeInCallSecs"_s, 66),
        row(u"transcript[20].role"_s, u"agent"_s),
        row(u"transcript[20].message"_s, u""_s),
        row(u"transcript[20].timeInCallSecs"_s, 152),
        row(u"transcript[20].toolCalls[0].tool_name"_s, u"record_acknowledgement"_s),
        row(u"transcript[20].toolResults[0].result_value"_s,
            u"{\"status\":\"recorded\",\"acknowledgement_id\":\"ack_5531\"}"_s),
        row(u"transcript[31].toolCalls[0].type"_s, u"system"_s),
        row(u"transcript[31].toolCalls[0].tool_name"_s, u"end_call"_s),
        row(u"transcript[32].role"_s, u"user"_s),
        row(u"transcript[32].message"_s, u"Bye."_s),
        row(u"transcript[32].timeInCallSecs"_s, 230),
    };
}

QList<FieldRow> nullsRows()
{
    const QString f = QLatin1StringView(NullsFixture);
    auto row = [&](const QString &path, const QJsonValue &expected) {
        return FieldRow{u"post_call"_s, f, path, expected};
    };
    return {
        row(u"eventTimestamp"_s, 1739541122), // sent as a string
        row(u"agentId"_s, QLatin1StringView(AgentId)),
        row(u"conversationId"_s, u"conv_9201k4xb7mz3c1q8p5w0d6tr2e"_s),
        row(u"status"_s, u"failed"_s),
        row(u"failed"_s, true),
        row(u"userId"_s, u""_s),
        row(u"dynamicVariables"_s, QJsonObject()),
        row(u"callSid"_s, u""_s),
        row(u"driverId"_s, u""_s),
        row(u"providerCallId"_s, u""_s),
        row(u"phoneCallType"_s, u""_s),
        row(u"direction"_s, u""_s),
        row(u"agentNumber"_s, u""_s),
        row(u"externalNumber"_s, u""_s),
        row(u"batchCallId"_s, u""_s),
        row(u"startTimeUnixSecs"_s, 1739541090),
        row(u"callDurationSecs"_s, 12),
        row(u"cost"_s, null()),
        row(u"costFiat"_s, null()),
        row(u"terminationReason"_s, u""_s),
        row(u"transcriptSummary"_s, u""_s),
        row(u"callSummaryTitle"_s, u""_s),
        row(u"callSuccessful"_s, u""_s),
        row(u"analysis"_s, QJsonObject()),
        row(u"metadata.phone_call"_s, null()),
        row(u"metadata.error.code"_s, 1011),
        row(u"metadata.charging"_s, null()),
        row(u"transcript@size"_s, 2),
        row(u"transcript[0].role"_s, u"agent"_s),
        row(u"transcript[0].message"_s,
            u"Hi, this is Ava, the automated safety assistant for Northline Freight. Am I speaking "
            "with Luis Ortega?"_s),
        row(u"transcript[0].timeInCallSecs"_s, 0),
        row(u"transcript[0].toolCalls@size"_s, 0),
        row(u"transcript[0].toolResults@size"_s, 0),
        row(u"transcript[0].interrupted"_s, false),
        row(u"transcript[1].role"_s, u"user"_s),
        row(u"transcript[1].message"_s, u""_s),
        row(u"transcript[1].timeInCallSecs"_s, null()),
        row(u"transcript[1].interrupted"_s, false),
    };
}

QList<FieldRow> largeRows()
{
    const QString f = QLatin1StringView(LargeFixture);
    auto row = [&](const QString &path, const QJsonValue &expected) {
        return FieldRow{u"post_call"_s, f, path, expected};
    };
    return {
        row(u"eventTimestamp"_s, 1739550000),
        row(u"agentId"_s, QLatin1StringView(AgentId)),
        row(u"conversationId"_s, u"conv_1m01k4xf8ts2q6w9e3r5y7u1io"_s),
        row(u"status"_s, u"done"_s),
        row(u"failed"_s, false),
        row(u"userId"_s, u""_s),
        row(u"dynamicVariables"_s,
            QJsonObject{{u"callwatch_call_sid"_s, u"cw_1m0000000000000000000042"_s},
                        {u"driver_id"_s, 1077}}),
        row(u"callSid"_s, u"cw_1m0000000000000000000042"_s), // from callwatch_call_sid
        row(u"driverId"_s, u"1077"_s),                       // a number, read as text
        row(u"providerCallId"_s, u"sip_c0a801fe-5b7e-4d8a-9e1f-2a3b4c5d6e7f"_s),
        row(u"phoneCallType"_s, u"sip_trunking"_s),
        row(u"direction"_s, u"inbound"_s),
        row(u"agentNumber"_s, u"+13125550148"_s),
        row(u"externalNumber"_s, u"+12195550164"_s),
        row(u"batchCallId"_s, u""_s),
        row(u"startTimeUnixSecs"_s, 1739546980),
        row(u"callDurationSecs"_s, 2560),
        row(u"cost"_s, 15530.5),
        row(u"costFiat"_s, null()),
        row(u"terminationReason"_s, u"Call ended by remote party"_s),
        row(u"transcriptSummary"_s, u"A long inbound call reviewing a week of ELD segments."_s),
        row(u"callSummaryTitle"_s, u""_s),
        row(u"callSuccessful"_s, u"unknown"_s),
        row(u"analysis.evaluation_criteria_results@size"_s, 0),
        row(u"metadata.phone_call.call_id"_s, u"c0a801fe-5b7e-4d8a-9e1f-2a3b4c5d6e7f"_s),
        row(u"transcript@size"_s, 1280),
        row(u"transcript[0].message"_s,
            u"The fuel stop in Effingham showed a 38 \u00b0F setpoint and nobody picked up at "
            "first. The receiver in Gary flagged a seal number that didn't match which put me "
            "behind. My co-driver delayed two unassigned driving segments and the ETA moved to "
            "16:45. The shipper showed the load for almost three hours so I called it in. The "
            "fuel stop in Effingham delayed a 38 \u00b0F setpoint before the break started. My "
            "co-driver held two unassigned driving segments so we swapped the trailer.\nSecond "
            "line after a pause."_s),
        row(u"transcript[641].message"_s,
            u"Route 30 delayed a 38 \u00b0F setpoint but the log is correct now. The receiver in "
            "Gary flagged two unassigned driving segments but the log is correct now. The reefer "
            "unit rechecked the pre-trip inspection at 05:10 so I called it in. The shipper "
            "logged the detour around the bridge work before the break started."_s),
        row(u"transcript[1200].toolCalls[0].request_id"_s, u"toolu_lg001200"_s),
        row(u"transcript[1200].toolResults@size"_s, 1),
        row(u"transcript[1230].interrupted"_s, true),
        row(u"transcript[1279].role"_s, u"user"_s),
        row(u"transcript[1279].timeInCallSecs"_s, 2558),
        row(u"transcript[1279].message"_s,
            u"The telematics box rechecked our appointment window \u2014 again before the break "
            "started. The yard in Joliet showed a 38 \u00b0F setpoint and the ETA moved to 16:45. "
            "My co-driver reported the detour around the bridge work so we swapped the trailer. "
            "The fuel stop in Effingham logged the 34-hour restart before the break started."_s),
    };
}

QList<FieldRow> failureRows()
{
    const QString twilio = QLatin1StringView(TwilioFixture);
    const QString sip = QLatin1StringView(SipFixture);
    auto row = [](const QString &f, const QString &path, const QJsonValue &expected) {
        return FieldRow{u"failure"_s, f, path, expected};
    };
    const QJsonObject sipBody{{u"from_number"_s, u"+13125550147"_s},
                              {u"to_number"_s, u"+14145550126"_s},
                              {u"sip_status_code"_s, 486},
                              {u"sip_status"_s, u"Busy Here"_s},
                              {u"error_reason"_s, u"sip status 486: Busy Here"_s},
                              {u"call_sid"_s, u"SCL_7Qm2xK9vT4pW"_s},
                              {u"twirp_code"_s, u"unavailable"_s}};
    return {
        row(twilio, u"eventTimestamp"_s, 1739538412),
        row(twilio, u"agentId"_s, QLatin1StringView(AgentId)),
        row(twilio, u"conversationId"_s, u"conv_2101k4xc0hq7v3n9b5m1r8t6ws"_s),
        row(twilio, u"failureReason"_s, u"no-answer"_s),
        row(twilio, u"providerType"_s, u"twilio"_s),
        row(twilio, u"providerBody@size"_s, 31),
        row(twilio, u"providerBody.CallStatus"_s, u"no-answer"_s),
        row(twilio, u"providerBody.SipResponseCode"_s, u"487"_s),
        row(twilio, u"providerBody.Direction"_s, u"outbound-api"_s),
        row(twilio, u"providerCallId"_s, u"CAe41b7c09d2a85f36b1c0e9d4a7f2b853"_s),
        row(twilio, u"toNumber"_s, u"+16305550173"_s),
        row(twilio, u"fromNumber"_s, u"+13125550147"_s),
        row(twilio, u"dynamicVariables"_s,
            QJsonObject{{u"call_sid"_s, u"cw_a83d0f6e2c914b7d85e1f0a2"_s},
                        {u"driver_id"_s, u"drv_1077"_s},
                        {u"driver_name"_s, u"Tom Hendricks"_s}}),
        row(twilio, u"callSid"_s, u"cw_a83d0f6e2c914b7d85e1f0a2"_s),

        row(sip, u"eventTimestamp"_s, 1739539020),
        row(sip, u"agentId"_s, QLatin1StringView(AgentId)),
        row(sip, u"conversationId"_s, u"conv_6601k4xd3kw9p2f7c4z8n1b5qy"_s),
        row(sip, u"failureReason"_s, u"busy"_s),
        row(sip, u"providerType"_s, u"sip"_s),
        row(sip, u"providerBody"_s, sipBody),
        row(sip, u"providerCallId"_s, u"SCL_7Qm2xK9vT4pW"_s),
        row(sip, u"toNumber"_s, u"+14145550126"_s),
        row(sip, u"fromNumber"_s, u"+13125550147"_s),
        row(sip, u"dynamicVariables"_s, QJsonObject()),
        row(sip, u"callSid"_s, u""_s),
    };
}

QList<FieldRow> otherRows()
{
    const QString turn = QLatin1StringView(TurnFixture);
    const QString audio = QLatin1StringView(AudioFixture);
    QList<FieldRow> rows{
        {u"turn"_s, turn, u"callSid"_s, u"cw_5f1c9e2a7b3d4e6f8a0b1c2d"_s},
        {u"turn"_s, turn, u"conversationId"_s, u"conv_4801k4x9a1b2c3d4e5f6g7h8j9"_s},
        {u"turn"_s, turn, u"speaker"_s, u"user"_s}, // sent as "driver"
        {u"turn"_s, turn, u"message"_s,
         u"The receiver in Joliet held me at the dock for almost three hours."_s},
        {u"turn"_s, turn, u"timeInCallSecs"_s, 51.25}, // sent as a string
        {u"turn"_s, turn, u"turnId"_s, u"17"_s},       // sent as a number
        {u"turn"_s, turn, u"timestamp"_s, u"2025-02-14T12:44:22.250Z"_s},
        {u"turn"_s, turn, u"turnKey"_s, u"id:17"_s},

        {u"audio"_s, audio, u"type"_s, u"post_call_audio"_s},
        {u"audio"_s, audio, u"eventTimestamp"_s, 1739537318},
        {u"audio"_s, audio, u"agentId"_s, QLatin1StringView(AgentId)},
        {u"audio"_s, audio, u"conversationId"_s, u"conv_4801k4x9a1b2c3d4e5f6g7h8j9"_s},
        {u"audio"_s, audio, u"audioBytes"_s, 61},
        {u"audio"_s, audio, u"audioHex"_s,
         u"49443304000000000000fffb9064000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c"
         "1d1e1f2021222324252627fffb9064feffbf"_s},
    };
    // Every webhook fixture also goes through the envelope parser.
    const struct
    {
        const char *fixture;
        const char *type;
        qint64 timestamp;
        const char *conversationId;
    } envelopes[] = {
        {LongFixture, "post_call_transcription", 1739537297, "conv_4801k4x9a1b2c3d4e5f6g7h8j9"},
        {NullsFixture, "post_call_transcription", 1739541122, "conv_9201k4xb7mz3c1q8p5w0d6tr2e"},
        {LargeFixture, "post_call_transcription", 1739550000, "conv_1m01k4xf8ts2q6w9e3r5y7u1io"},
        {TwilioFixture, "call_initiation_failure", 1739538412, "conv_2101k4xc0hq7v3n9b5m1r8t6ws"},
        {SipFixture, "call_initiation_failure", 1739539020, "conv_6601k4xd3kw9p2f7c4z8n1b5qy"},
        {AudioFixture, "post_call_audio", 1739537318, "conv_4801k4x9a1b2c3d4e5f6g7h8j9"},
    };
    for (const auto &e : envelopes) {
        const QString f = QLatin1StringView(e.fixture);
        rows.append({u"envelope"_s, f, u"type"_s, QLatin1StringView(e.type)});
        rows.append({u"envelope"_s, f, u"eventTimestamp"_s, e.timestamp});
        rows.append({u"envelope"_s, f, u"knownType"_s, true});
        rows.append(
            {u"envelope"_s, f, u"data.conversation_id"_s, QLatin1StringView(e.conversationId)});
    }
    return rows;
}

} // namespace

QList<FieldRow> allRows()
{
    return longRows() + nullsRows() + largeRows() + failureRows() + otherRows();
}

} // namespace fixturerows
