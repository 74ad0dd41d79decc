// SPDX-License-Identifier: GPL-3.0-or-later
// The scripted safety call behind samples::violationScript(); kept apart from the JSON builders.
#include "webhooks/samplepayloads.h"

#include <QCryptographicHash>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace callwatch::webhooks::samples {

namespace {

/** The driver's side of the conversation and the policy reminder, per kind of violation. */
struct ViolationLines
{
    QString type; ///< violation_type as the telematics tool reports it
    QString detail;
    QString explanation;
    QString policy;
    QString commitment;
};

ViolationLines linesFor(const QString &violation)
{
    const QString v = violation.toLower();
    if (v.contains("hour"_L1) || v.contains("hos"_L1)) {
        return {u"hours_of_service"_s,
                u"The ELD shows 11 hours 40 minutes of driving before your 10-hour break."_s,
                u"The receiver in Joliet kept me at the dock almost three hours, and there was no "
                "legal parking for twenty miles after that. I know I went over."_s,
                u"The rule is no driving past 11 hours; if a dock delay puts you at risk, call "
                "dispatch before you leave so they can find parking or move the next load."_s,
                u"Yeah. Next time I'll call dispatch before I roll out."_s};
    }
    if (v.contains("brak"_L1)) {
        return {u"harsh_braking"_s,
                u"The camera flagged three harsh braking events within six miles on US-30."_s,
                u"A pickup cut in front of me twice and then I hit a stretch of road work. "
                "I was keeping distance as best I could."_s,
                u"We ask for a seven-second following distance on two-lane roads, and more in "
                "work zones, so you have room when people cut in."_s,
                u"Sure, I'll give it more room."_s};
    }
    return {u"speeding"_s,
            u"The telematics unit logged 78 miles per hour for about four minutes."_s,
            u"Traffic opened up after the construction zone and I guess I didn't notice the limit "
            "dropped back. I wasn't trying to push it."_s,
            u"Company policy is to stay within the posted limit and keep cruise control at or "
            "below 62 miles per hour on the interstate."_s,
            u"Yes, I'll set the cruise lower. That's fair."_s};
}

QString firstName(const QString &driverName)
{
    const QString first = driverName.section(u' ', 0, 0, QString::SectionSkipEmpty);
    return first.isEmpty() ? driverName : first;
}

QString requestId(const QString &driverName, const QString &violation)
{
    const QByteArray seed = (driverName % u'|' % violation).toUtf8();
    return u"toolu_"_s %
           QString::fromLatin1(
               QCryptographicHash::hash(seed, QCryptographicHash::Md5).toHex().left(24));
}

ScriptedTurn toolTurn(const QString &driverName, const QString &violation,
                      const ViolationLines &lines)
{
    const QString id = requestId(driverName, violation);
    const QJsonObject params{{u"driver_name"_s, driverName}, {u"violation_type"_s, lines.type}};
    const QJsonObject call{
        {u"type"_s, u"webhook"_s},
        {u"request_id"_s, id},
        {u"tool_name"_s, u"get_violation_details"_s},
        {u"params_as_json"_s,
         QString::fromUtf8(QJsonDocument(params).toJson(QJsonDocument::Compact))},
        {u"tool_has_been_called"_s, true},
        {u"tool_details"_s,
         QJsonObject{{u"type"_s, u"webhook"_s},
                     {u"method"_s, u"GET"_s},
                     {u"url"_s, u"https://fleet.example.com/api/violations/latest"_s}}},
    };
    const QJsonObject found{{u"violation_type"_s, lines.type},
                            {u"detail"_s, lines.detail},
                            {u"occurrences_last_90_days"_s, 1},
                            {u"recorded_at"_s, u"2025-02-13T14:14:00Z"_s}};
    const QJsonObject result{
        {u"type"_s, u"webhook"_s},
        {u"request_id"_s, id},
        {u"tool_name"_s, u"get_violation_details"_s},
        {u"result_value"_s, QString::fromUtf8(QJsonDocument(found).toJson(QJsonDocument::Compact))},
        {u"is_error"_s, false},
        {u"tool_has_been_called"_s, true},
        {u"tool_latency_secs"_s, 0.412},
        {u"dynamic_variable_updates"_s, QJsonArray()},
    };
    return {u"agent"_s, u"Let me pull up the report from the truck's telematics."_s, 24,
            QJsonArray{call}, QJsonArray{result}};
}

} // namespace

QList<ScriptedTurn> violationScript(const QString &driverName, const QString &violation)
{
    const ViolationLines lines = linesFor(violation);
    const QString first = firstName(driverName);
    auto say = [](QString role, QString message, int at) {
        return ScriptedTurn{std::move(role), std::move(message), at, {}, {}};
    };
    return {
        say(u"agent"_s,
            u"Hi, this is Ava, the automated safety assistant for Northline Freight. Am I speaking "
            "with "_s %
                driverName % u'?',
            0),
        say(u"user"_s, u"Yeah, this is "_s % first % u". What's going on?"_s, 5),
        say(u"agent"_s,
            u"Thanks, "_s % first %
                u". This call is recorded for safety and compliance. I'm calling about "_s %
                violation % u". Is it safe for you to talk right now?"_s,
            9),
        say(u"user"_s, u"I'm parked at the truck stop, go ahead."_s, 19),
        toolTurn(driverName, violation, lines),
        say(u"agent"_s, lines.detail % u" Can you tell me what happened?"_s, 29),
        say(u"user"_s, lines.explanation, 38),
        say(u"agent"_s,
            u"Understood, thanks for being upfront. "_s % lines.policy %
                u" Can you confirm you'll follow that going forward?"_s,
            50),
        say(u"user"_s, lines.commitment, 64),
        say(u"agent"_s,
            u"Thank you. I'm noting your acknowledgement. Your fleet manager may assign a short "
            "refresher module in the driver app. Do you have any questions for the safety team?"_s,
            70),
        say(u"user"_s, u"No, I'm good. Is this going to go on my record?"_s, 82),
        say(u"agent"_s,
            u"It's logged as a first notice with your acknowledgement, and the safety team makes "
            "the final call. I'll include your explanation."_s,
            88),
        say(u"user"_s, u"Okay, thanks."_s, 99),
        say(u"agent"_s, u"Thanks, "_s % first % u". Drive safe out there. Goodbye."_s, 102),
    };
}

} // namespace callwatch::webhooks::samples
