// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The expected values of every parsed field in every fixture of tests/data, as a table used by
// tst_payloads (each row: parser, fixture, path into the parsed view, expected JSON value).

#include <QJsonValue>
#include <QList>
#include <QString>

namespace fixturerows {

inline constexpr auto LongFixture = "post_call_transcription_long_with_tools.json";
inline constexpr auto NullsFixture = "post_call_transcription_nulls.json";
inline constexpr auto LargeFixture = "post_call_transcription_1mb.json";
inline constexpr auto TwilioFixture = "call_initiation_failure_twilio.json";
inline constexpr auto SipFixture = "call_initiation_failure_sip.json";
inline constexpr auto AudioFixture = "post_call_audio_small.json";
inline constexpr auto TurnFixture = "transcription_turn.json";

struct FieldRow
{
    QString parser; ///< "post_call", "failure", "turn", "audio", "envelope"
    QString fixture;
    QString path;
    QJsonValue expected;
};

QList<FieldRow> allRows();

} // namespace fixturerows
