// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Test helper: turns every parsed payload struct into a JSON "view" (one key per struct member)
// and looks values up by path ("transcript[5].toolCalls[0].tool_name", "transcript@size"), so the
// field tests are plain tables of (fixture, path, expected value).

#include "webhooks/audiopayloadscanner.h"
#include "webhooks/callinitiationfailure.h"
#include "webhooks/postcalltranscription.h"
#include "webhooks/transcriptionturn.h"
#include "webhooks/webhookenvelope.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <optional>

namespace testview {

using namespace Qt::StringLiterals;
using namespace callwatch::webhooks;

template<typename T> QJsonValue optionalValue(const std::optional<T> &value)
{
    return value ? QJsonValue(static_cast<double>(*value)) : QJsonValue(QJsonValue::Null);
}

inline QJsonObject view(const PostCallTranscription &c)
{
    QJsonArray turns;
    for (const PostCallTurn &t : c.transcript) {
        turns.append(QJsonObject{{u"role"_s, t.role},
                                 {u"message"_s, t.message},
                                 {u"timeInCallSecs"_s, optionalValue(t.timeInCallSecs)},
                                 {u"toolCalls"_s, t.toolCalls},
                                 {u"toolResults"_s, t.toolResults},
                                 {u"interrupted"_s, t.interrupted}});
    }
    return QJsonObject{
        {u"eventTimestamp"_s, c.eventTimestamp},
        {u"agentId"_s, c.agentId},
        {u"conversationId"_s, c.conversationId},
        {u"status"_s, c.status},
        {u"failed"_s, c.failed()},
        {u"userId"_s, c.userId},
        {u"dynamicVariables"_s, c.dynamicVariables},
        {u"callSid"_s, c.callSid},
        {u"driverId"_s, c.driverId},
        {u"providerCallId"_s, c.providerCallId},
        {u"phoneCallType"_s, c.phoneCallType},
        {u"direction"_s, c.direction},
        {u"agentNumber"_s, c.agentNumber},
        {u"externalNumber"_s, c.externalNumber},
        {u"batchCallId"_s, c.batchCallId},
        {u"startTimeUnixSecs"_s, optionalValue(c.startTimeUnixSecs)},
        {u"callDurationSecs"_s, optionalValue(c.callDurationSecs)},
        {u"cost"_s, optionalValue(c.cost)},
        {u"costFiat"_s, optionalValue(c.costFiat)},
        {u"terminationReason"_s, c.terminationReason},
        {u"transcriptSummary"_s, c.transcriptSummary},
        {u"callSummaryTitle"_s, c.callSummaryTitle},
        {u"callSuccessful"_s, c.callSuccessful},
        {u"analysis"_s, c.analysis},
        {u"metadata"_s, c.metadata},
        {u"transcript"_s, turns},
    };
}

inline QJsonObject view(const CallInitiationFailure &f)
{
    return QJsonObject{
        {u"eventTimestamp"_s, f.eventTimestamp},
        {u"agentId"_s, f.agentId},
        {u"conversationId"_s, f.conversationId},
        {u"failureReason"_s, f.failureReason},
        {u"providerType"_s, f.providerType},
        {u"providerBody"_s, f.providerBody},
        {u"providerCallId"_s, f.providerCallId},
        {u"toNumber"_s, f.toNumber},
        {u"fromNumber"_s, f.fromNumber},
        {u"dynamicVariables"_s, f.dynamicVariables},
        {u"callSid"_s, f.callSid},
    };
}

inline QJsonObject view(const TranscriptionTurn &t)
{
    return QJsonObject{
        {u"callSid"_s, t.callSid},
        {u"conversationId"_s, t.conversationId},
        {u"speaker"_s, t.speaker},
        {u"message"_s, t.message},
        {u"timeInCallSecs"_s, optionalValue(t.timeInCallSecs)},
        {u"turnId"_s, t.turnId},
        {u"timestamp"_s, t.timestamp ? QJsonValue(t.timestamp->toString(Qt::ISODateWithMs))
                                     : QJsonValue(QJsonValue::Null)},
        {u"turnKey"_s, t.turnKey()},
    };
}

inline QJsonObject view(const WebhookEnvelope &e)
{
    return QJsonObject{{u"type"_s, e.type},
                       {u"eventTimestamp"_s, e.eventTimestamp},
                       {u"knownType"_s, e.isKnownType()},
                       {u"data"_s, e.data}};
}

inline QJsonObject view(const AudioPayloadInfo &a, const QByteArray &audio)
{
    return QJsonObject{{u"type"_s, a.type},
                       {u"eventTimestamp"_s, a.eventTimestamp},
                       {u"agentId"_s, a.agentId},
                       {u"conversationId"_s, a.conversationId},
                       {u"audioBytes"_s, a.audioBytes},
                       {u"audioHex"_s, QString::fromLatin1(audio.toHex())}};
}

/** Follows "name.name[3].name@size"; Undefined when a step is missing. */
inline QJsonValue lookup(QJsonValue value, const QString &path)
{
    QString rest = path;
    bool size = false;
    if (rest.endsWith("@size"_L1)) {
        size = true;
        rest.chop(5);
    }
    qsizetype i = 0;
    while (i < rest.size()) {
        if (rest.at(i) == u'.') {
            ++i;
            continue;
        }
        if (rest.at(i) == u'[') {
            const qsizetype close = rest.indexOf(u']', i);
            const int index = rest.mid(i + 1, close - i - 1).toInt();
            if (!value.isArray() || index >= value.toArray().size())
                return QJsonValue(QJsonValue::Undefined);
            value = value.toArray().at(index);
            i = close + 1;
            continue;
        }
        qsizetype end = i;
        while (end < rest.size() && rest.at(end) != u'.' && rest.at(end) != u'[')
            ++end;
        const QString key = rest.mid(i, end - i);
        if (!value.isObject() || !value.toObject().contains(key))
            return QJsonValue(QJsonValue::Undefined);
        value = value.toObject().value(key);
        i = end;
    }
    if (size) {
        if (value.isArray())
            return value.toArray().size();
        if (value.isObject())
            return value.toObject().size();
        return QJsonValue(QJsonValue::Undefined);
    }
    return value;
}

inline QString text(const QJsonValue &value)
{
    if (value.isUndefined())
        return u"<missing>"_s;
    return QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact));
}

/** Numbers compare by value whatever their JSON representation (int vs double). */
inline bool same(const QJsonValue &actual, const QJsonValue &expected)
{
    if (actual.isDouble() && expected.isDouble())
        return actual.toDouble() == expected.toDouble();
    return !actual.isUndefined() && actual == expected;
}

} // namespace testview
