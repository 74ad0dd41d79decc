// SPDX-License-Identifier: GPL-3.0-or-later
#include "transcriptionturnrows.h"

#include <QTest>

#include <algorithm>

namespace turnbodies {

const Members TypicalMembers{
    {"call_sid", R"("EL_bench_3")"},
    {"speaker", R"("user")"},
    {"message", R"("Turn 17: I was doing about seventy in the right lane.")"},
    {"time_in_call_secs", "1.7"},
    {"turn_id", R"("bench-17")"},
    {"timestamp", R"("2026-11-21T10:00:00Z")"},
};

QByteArray object(const Members &members)
{
    QByteArray json = "{";
    for (const auto &[key, value] : members) {
        if (json.size() > 1)
            json += ',';
        json += '"' + key + "\":" + value;
    }
    return json + '}';
}

QByteArray typical()
{
    return object(TypicalMembers);
}

QByteArray with(const QByteArray &key, const QByteArray &raw)
{
    Members members = TypicalMembers;
    auto it = std::find_if(members.begin(), members.end(),
                           [&key](const auto &member) { return member.first == key; });
    if (it == members.end())
        members.append({key, raw});
    else
        it->second = raw;
    return object(members);
}

QByteArray without(const QByteArray &key)
{
    Members members = TypicalMembers;
    members.removeIf([&key](const auto &member) { return member.first == key; });
    return object(members);
}

namespace {

void row(const char *name, const QByteArray &body, bool handled)
{
    QTest::newRow(name) << body << handled;
}

void addFieldRows()
{
    row("typical", typical(), true);
    row("with conversation_id", with("conversation_id", R"("conv_1")"), true);
    row("no turn_id (hash key)", without("turn_id"), true);
    row("no time", without("time_in_call_secs"), true);
    row("no time, no turn_id", object({TypicalMembers[0], TypicalMembers[1], TypicalMembers[2]}),
        true);
    row("no timestamp", without("timestamp"), true);
    row("no call_sid", without("call_sid"), false);
    row("no message", without("message"), false);
    row("no speaker", without("speaker"), false);
    row("turn_id null", with("turn_id", "null"), true);
    row("time null", with("time_in_call_secs", "null"), true);
    row("timestamp null", with("timestamp", "null"), true);
    row("conversation_id null", with("conversation_id", "null"), true);
    row("message null", with("message", "null"), true);
    row("message empty", with("message", R"("")"), true);
    row("turn_id empty", with("turn_id", R"("")"), true);
    row("conversation_id empty", with("conversation_id", R"("")"), true);
    row("call_sid null", with("call_sid", "null"), false);
    row("call_sid empty", with("call_sid", R"("")"), false);
    row("call_sid blank", with("call_sid", R"(" ")"), true);
    row("call_sid number", with("call_sid", "123"), true);
    row("call_sid fraction", with("call_sid", "1.5"), true);
    row("call_sid huge integer", with("call_sid", "123456789012345678"), true);
    row("call_sid true", with("call_sid", "true"), false);
    row("message number", with("message", "42"), true);
    row("message exponent", with("message", "1e21"), true);
    row("message false", with("message", "false"), false);
    row("turn_id number", with("turn_id", "17"), true);
    row("turn_id fraction", with("turn_id", "17.25"), true);
    row("turn_id 12.0", with("turn_id", "12.0"), true);
    row("turn_id true", with("turn_id", "true"), false);
    row("conversation_id number", with("conversation_id", "5"), true);
    row("conversation_id false", with("conversation_id", "false"), false);
}

void addSpeakerRows()
{
    const QByteArray noSpeaker = without("speaker");
    row("role, no message", object({TypicalMembers[0], {"role", R"("agent")"}}), false);
    row("role agent", noSpeaker.chopped(1) + R"(,"role":"agent"})", true);
    row("role driver", noSpeaker.chopped(1) + R"(,"role":"driver"})", true);
    row("speaker null, role customer",
        with("speaker", "null").chopped(1) + R"(,"role":"customer"})", true);
    row("speaker wins over role", typical().chopped(1) + R"(,"role":"nonsense"})", true);
    row("speaker bad, role good", with("speaker", R"("bot")").chopped(1) + R"(,"role":"user"})",
        false);
    row("speaker null, no role", with("speaker", "null"), false);
    row("speaker AGENT", with("speaker", R"("AGENT")"), true);
    row("speaker Driver padded", with("speaker", R"("  Driver ")"), true);
    row("speaker customer", with("speaker", R"("customer")"), true);
    row("speaker agent", with("speaker", R"("agent")"), true);
    row("speaker escaped", with("speaker", R"("\u0075ser")"), true);
    row("speaker nbsp padded", with("speaker", R"("\u00a0user\n")"), true);
    row("speaker bot", with("speaker", R"("bot")"), false);
    row("speaker empty", with("speaker", R"("")"), false);
    row("speaker number", with("speaker", "1"), false);
    row("speaker true", with("speaker", "true"), false);
    row("role number", noSpeaker.chopped(1) + R"(,"role":7})", false);
}

void addNumberRows()
{
    const QByteArray time = "time_in_call_secs";
    row("time 0", with(time, "0"), true);
    row("time 1.5", with(time, "1.5"), true);
    row("time 1e3", with(time, "1e3"), true);
    row("time 1E-2", with(time, "1E-2"), true);
    row("time 1e+2", with(time, "1e+2"), true);
    row("time 12.0", with(time, "12.0"), true);
    row("time 12", with(time, "12"), true);
    row("time 0.1 + 0.2 digits", with(time, "0.30000000000000004"), true);
    row("time 123456789012345678", with(time, "123456789012345678"), true);
    row("time 2^53 + 1", with(time, "9007199254740993"), true);
    row("time beyond qint64", with(time, "123456789012345678901234"), true);
    row("time 0e400", with(time, "0e400"), true);
    row("time -0", with(time, "-0"), false);
    row("time -0.0", with(time, "-0.0"), false);
    row("time -0e5", with(time, "-0e5"), false);
    row("time -1", with(time, "-1"), false);
    row("time 1e400", with(time, "1e400"), false);
    row("time 1e-400", with(time, "1e-400"), false);
    row("time subnormal", with(time, "4.9e-324"), false);
    row("time 45 digits", with(time, "1." + QByteArray(44, '1')), false);
    row("time .5", with(time, ".5"), false);
    row("time 1.", with(time, "1."), false);
    row("time 01", with(time, "01"), false);
    row("time +1", with(time, "+1"), false);
    row("time 1e", with(time, "1e"), false);
    row("time -", with(time, "-"), false);
    row("time NaN", with(time, "NaN"), false);
    row("time Infinity", with(time, "Infinity"), false);
    row("time string", with(time, R"("12")"), true);
    row("time padded string", with(time, R"(" 12.5 ")"), true);
    row("time string negative", with(time, R"("-3")"), false);
    row("time string abc", with(time, R"("abc")"), false);
    row("time string inf", with(time, R"("inf")"), false);
    row("time true", with(time, "true"), false);
}

void addTimestampRows()
{
    row("timestamp offset ms", with("timestamp", R"("2025-02-14T13:44:22.250+01:00")"), true);
    row("timestamp no offset", with("timestamp", R"("2026-11-21T10:00:00")"), true);
    row("timestamp padded", with("timestamp", R"(" 2026-11-21T10:00:00Z ")"), true);
    row("timestamp seconds", with("timestamp", "1700000000"), true);
    row("timestamp fraction", with("timestamp", "1700000000.4567"), true);
    row("timestamp milliseconds", with("timestamp", "1700000000123"), true);
    row("timestamp threshold", with("timestamp", "1e11"), true);
    row("timestamp 0", with("timestamp", "0"), true);
    row("timestamp numeric string", with("timestamp", R"("1700000000")"), true);
    row("timestamp negative", with("timestamp", "-5"), false);
    row("timestamp past year 9999 (ms)", with("timestamp", "253402300800000"), false);
    row("timestamp past llround (s)", with("timestamp", "9.3e18"), false);
    row("timestamp 1e300", with("timestamp", "1e300"), false);
    row("timestamp garbage", with("timestamp", R"("yesterday")"), false);
    row("timestamp empty", with("timestamp", R"("")"), false);
    row("timestamp true", with("timestamp", "true"), false);
    row("timestamp escaped", with("timestamp", R"("2026-11-21T10:00:00\u005a")"), true);
}

void addStringRows()
{
    const QByteArray message = "message";
    row("message short escapes", with(message, R"("a\"b\\c\/d\be\ff\ng\rh\ti")"), true);
    row("message u escape", with(message, R"("caf\u00e9 \u00E9")"), true);
    row("message u escape nul", with(message, R"("a\u0000b")"), true);
    row("message surrogate pair", with(message, R"("\ud83d\ude00 smile")"), true);
    row("message lone high surrogate", with(message, R"("\ud800")"), false);
    row("message lone low surrogate", with(message, R"("\udc00x")"), false);
    row("message high then letter", with(message, R"("\ud800\u0041")"), false);
    row("message reversed pair", with(message, R"("\ude00\ud83d")"), false);
    row("message raw utf8", with(message, "\"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac\""), true);
    row("message raw 4-byte", with(message, "\"\xf0\x9f\x98\x80\""), true);
    row("message noncharacter", with(message, "\"\xef\xbf\xbe\""), true);
    row("message raw control char", with(message, "\"a\x01z\""), false);
    row("message raw tab", with(message, "\"a\tz\""), false);
    row("message raw DEL", with(message, "\"a\x7fz\""), true);
    row("message bad escape \\x", with(message, R"("a\x")"), false);
    row("message bad escape \\a", with(message, R"("\a")"), false);
    row("message short u escape", with(message, R"("\u12")"), false);
    row("message u escape non-hex", with(message, R"("\u12g4")"), false);
    row("message invalid byte ff", with(message, "\"a\xff\""), false);
    row("message overlong slash", with(message, "\"\xc0\xaf\""), false);
    row("message utf8 surrogate", with(message, "\"\xed\xa0\x80\""), false);
    row("message above U+10FFFF", with(message, "\"\xf4\x90\x80\x80\""), false);
    row("message truncated utf8", with(message, "\"ab\xc3\""), false);
    row("message stray continuation", with(message, "\"\x80\""), false);
    row("message single quotes", with(message, "'hi'"), false);
}

void addObjectRows()
{
    const QByteArray t = typical();
    row("unknown string", with("extra", R"("x\n\u00e9")"), true);
    row("unknown number", with("extra", "-12.5e-3"), true);
    row("unknown true", with("extra", "true"), true);
    row("unknown false", with("extra", "false"), true);
    row("unknown null", with("extra", "null"), true);
    row("unknown object", with("extra", R"({"a":1})"), false);
    row("unknown empty object", with("extra", "{}"), false);
    row("unknown array", with("extra", "[1,2]"), false);
    row("unknown -0", with("extra", "-0"), false);
    row("unknown 1e400", with("extra", "1e400"), false);
    row("unknown lone surrogate", with("extra", R"("\udc00")"), false);
    row("unknown unicode key", with("\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87", "1"), true);
    row("unknown escaped key", with("ex\\u0074ra", "1"), false);
    row("escaped known key", without("call_sid").chopped(1) + R"(,"call\u005fsid":"x"})", false);
    row("unknown key twice", with("extra", "1").chopped(1) + R"(,"extra":2})", true);
    row("call_sid twice", t.chopped(1) + R"(,"call_sid":"other"})", false);
    row("speaker twice", t.chopped(1) + R"(,"speaker":"agent"})", false);
    row("message twice", t.chopped(1) + R"(,"message":null})", false);
    row("whitespace everywhere",
        " \t\r\n{ \"call_sid\" :\t\"EL_1\" ,\n\"speaker\"\r\n: \"user\" , \"message\" : \"hi\" , "
        "\"time_in_call_secs\" : 1.25 , \"timestamp\" : 1700000000 }\n\t ",
        true);
    row("trailing space", t + "   ", true);
    row("bom", "\xef\xbb\xbf" + t, false);
    row("trailing garbage", t + "x", false);
    row("trailing nul", t + QByteArray(1, '\0'), false);
    row("second object", t + "{}", false);
    row("vertical tab", "\v" + t, false);
    row("form feed inside", t.chopped(1) + "\f}", false);
    row("truncated", t.chopped(1), false);
    row("truncated in string", t.left(30), false);
    row("trailing comma", t.chopped(1) + ",}", false);
    row("leading comma", "{," + t.mid(1), false);
    row("missing colon", R"({"call_sid" "x","speaker":"user","message":"m"})", false);
    row("missing comma", R"({"call_sid":"x" "speaker":"user","message":"m"})", false);
    row("unquoted key", R"({call_sid:"x","speaker":"user","message":"m"})", false);
    row("single-quoted key", R"({'call_sid':"x","speaker":"user","message":"m"})", false);
    row("literal tru", with("extra", "tru"), false);
    row("literal TRUE", with("extra", "TRUE"), false);
    row("literal nulll", with("extra", "nulll"), false);
    row("comment", t.chopped(1) + "/* c */}", false);
    row("empty body", QByteArray(), false);
    row("only space", "  ", false);
    row("empty object", "{}", false);
    row("array", "[]", false);
    row("array of turn", '[' + t + ']', false);
    row("null document", "null", false);
    row("string document", R"("x")", false);
    row("minimal", R"({"call_sid":"c","speaker":"agent","message":""})", true);
}

} // namespace

void addTranscriptionTurnRows()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("handled");
    addFieldRows();
    addSpeakerRows();
    addNumberRows();
    addTimestampRows();
    addStringRows();
    addObjectRows();
}

} // namespace turnbodies
