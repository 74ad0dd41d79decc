// SPDX-License-Identifier: GPL-3.0-or-later
#include "demoscenario.h"

#include "fakeserver.h"

#include <QDateTime>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace callwatch::app::testing {

namespace {

struct Driver
{
    const char *id;
    const char *name;
    const char *number;
};

const Driver drivers[] = {
    {"DRV-1042", "Marcus", "+13075550142"}, {"DRV-2210", "Elena", "+17205550187"},
    {"DRV-0871", "Tom", "+14065550119"},    {"DRV-3356", "Priya", "+13855550164"},
    {"DRV-1198", "Dwayne", "+15155550133"}, {"DRV-4420", "Sofia", "+16025550158"},
    {"DRV-2789", "Hank", "+18015550176"},   {"DRV-0934", "Grace", "+13035550121"},
    {"DRV-3671", "Luis", "+17025550195"},   {"DRV-1560", "Nora", "+15055550140"},
};

struct Script
{
    const char *violation;
    QList<std::pair<const char *, const char *>> turns; // speaker, message
    const char *summary;
};

const QList<Script> &scripts()
{
    static const QList<Script> list = {
        {"speeding",
         {{"agent", "Hi, this is Ava from Northline Fleet Safety. Am I speaking with the driver "
                    "of truck 42?"},
          {"user", "Yeah, that's me."},
          {"agent", "Thanks. I'm calling about a speeding alert on I-80 near Cheyenne this "
                    "morning: 74 in a 65 zone. Do you have a minute?"},
          {"user", "Sure. I was passing a slow rig and traffic was bunching up."},
          {"agent", "Understood. We still ask that you stay within the posted limit when "
                    "passing. Can you commit to that going forward?"},
          {"user", "Yes, I'll keep an eye on it."},
          {"agent", "Is anything about the route or the schedule pushing you to speed?"},
          {"user", "The Denver delivery window is tight, honestly."},
          {"agent", "Thanks for telling me. I'll flag that window for your dispatcher to "
                    "review."},
          {"user", "Appreciate it."},
          {"agent", "Drive safe, and have a good rest of your shift."}},
         "The driver acknowledged going 74 in a 65 zone on I-80 while passing, committed to "
         "staying within posted limits, and said the Denver delivery window is tight. The "
         "agent flagged the schedule for dispatch review."},
        {"hours_of_service",
         {{"agent", "Hello, this is Ava with Northline Fleet Safety calling about your hours of "
                    "service log from yesterday."},
          {"user", "Okay, what's wrong with it?"},
          {"agent", "The log shows 11 hours 40 minutes of driving, which is over the 11-hour "
                    "limit. Can you tell me what happened?"},
          {"user", "I got stuck at the shipper for three hours and then tried to make up time."},
          {"agent", "That's frustrating. Next time, please call dispatch before you pass the "
                    "limit so they can adjust the appointment."},
          {"user", "Alright, I can do that."},
          {"agent", "I'll also ask dispatch to note the detention time at the shipper."},
          {"user", "Thanks."}},
         "The driver exceeded the 11-hour driving limit by 40 minutes after a 3-hour detention "
         "at the shipper. He agreed to call dispatch before passing the limit; detention time "
         "will be noted."},
        {"harsh_braking",
         {{"agent", "Hi, it's Ava from Northline Fleet Safety. We received three harsh braking "
                    "alerts from your truck this afternoon."},
          {"user", "Yeah, a car cut me off twice on 25."},
          {"agent", "Sorry to hear that. Are you and the load okay?"},
          {"user", "All good, nothing shifted."},
          {"agent", "Good. Keeping a bit more following distance gives you more room when that "
                    "happens. Would you be open to a short refresher video?"},
          {"user", "Sure, send it over."},
          {"agent", "Done, it's in your driver app. Thanks for your time and stay safe."}},
         "The driver explained the harsh braking events on I-25 were caused by a car cutting "
         "in. No damage or injury. He accepted a following-distance refresher video."},
    };
    return list;
}

QString isoAgo(qint64 seconds)
{
    return QDateTime::currentDateTimeUtc().addSecs(-seconds).toString(Qt::ISODateWithMs);
}

QJsonObject analysisFor(int script, bool good)
{
    const auto result = [good](bool pass) {
        return QJsonValue(pass && good ? u"success"_s : (pass ? u"unknown"_s : u"failure"_s));
    };
    QJsonObject criteria{
        {u"driver_acknowledged"_s,
         QJsonObject{{u"criteria_id"_s, u"driver_acknowledged"_s},
                     {u"result"_s, result(true)},
                     {u"rationale"_s, u"The driver confirmed the event and its cause."_s}}},
        {u"commitment_obtained"_s,
         QJsonObject{{u"criteria_id"_s, u"commitment_obtained"_s},
                     {u"result"_s, result(good)},
                     {u"rationale"_s, good ? u"The driver agreed to a concrete change."_s
                                           : u"No clear commitment was made."_s}}},
        {u"professional_tone"_s,
         QJsonObject{{u"criteria_id"_s, u"professional_tone"_s},
                     {u"result"_s, u"success"_s},
                     {u"rationale"_s, u"Calm, respectful and non-accusatory throughout."_s}}},
    };
    const char *violation = scripts().at(script % scripts().size()).violation;
    QJsonObject data{
        {u"violation_type"_s, QJsonObject{{u"data_collection_id"_s, u"violation_type"_s},
                                          {u"value"_s, QString::fromLatin1(violation)},
                                          {u"rationale"_s, u"Stated by the agent."_s}}},
        {u"follow_up_needed"_s, QJsonObject{{u"data_collection_id"_s, u"follow_up_needed"_s},
                                            {u"value"_s, script != 2},
                                            {u"rationale"_s, u"Dispatch review requested."_s}}},
        {u"driver_explanation"_s,
         QJsonObject{{u"data_collection_id"_s, u"driver_explanation"_s},
                     {u"value"_s, script == 0   ? u"Passing slower traffic"_s
                                  : script == 1 ? u"Detained at shipper for 3 hours"_s
                                                : u"Car cut in on I-25"_s},
                     {u"rationale"_s, u"The driver's own words."_s}}},
    };
    return {{u"evaluation_criteria_results"_s, criteria}, {u"data_collection_results"_s, data}};
}

QJsonArray postCallTurns(int script, double *duration)
{
    QJsonArray turns;
    double time = 0;
    qint64 sequence = 0;
    for (const auto &[speaker, message] : scripts().at(script).turns) {
        turns.append(QJsonObject{{u"sequence_number"_s, sequence++},
                                 {u"speaker"_s, QString::fromLatin1(speaker)},
                                 {u"message"_s, QString::fromUtf8(message)},
                                 {u"time_in_call_secs"_s, time},
                                 {u"source"_s, u"post_call"_s},
                                 {u"tool_calls"_s, QJsonArray()},
                                 {u"tool_results"_s, QJsonArray()}});
        time += 6 + (sequence * 7) % 11;
    }
    *duration = time + 4;
    return turns;
}

} // namespace

DemoScenario::DemoScenario(FakeServer *server, QObject *parent) : QObject(parent), m_server(server)
{
    connect(&m_timer, &QTimer::timeout, this, &DemoScenario::step);
}

QString DemoScenario::newCallSid()
{
    return u"EL_%1_%2"_s.arg(QString::fromLatin1(drivers[m_nextDriver % 10].id).mid(4))
        .arg(QDateTime::currentMSecsSinceEpoch() + m_nextDriver);
}

void DemoScenario::seedHistory()
{
    const int count = 16;
    for (int i = 0; i < count; ++i) {
        const Driver &driver = drivers[(i * 3 + 1) % 10];
        const int script = i % 3;
        const bool failed = i % 7 == 3;
        const qint64 ago = 600 + qint64(i) * 1260;
        const QString sid = u"EL_%1_%2"_s.arg(QString::fromLatin1(driver.id).mid(4))
                                .arg(1760000000000 + qint64(i) * 997);
        QJsonObject call{{u"call_sid"_s, sid},
                         {u"conversation_id"_s, QString(u"conv_"_s + sid.right(8))},
                         {u"agent_id"_s, u"agent_safety_outreach"_s},
                         {u"driver_id"_s, QString::fromLatin1(driver.id)},
                         {u"to_number"_s, QString::fromLatin1(driver.number)},
                         {u"direction"_s, u"outbound"_s},
                         {u"created_at"_s, isoAgo(ago)},
                         {u"updated_at"_s, isoAgo(ago - 200)}};
        if (failed) {
            call.insert(u"status"_s, u"failed"_s);
            call.insert(u"failure_reason"_s, i % 2 ? u"No answer after 30 seconds"_s
                                                   : u"Number unreachable (SIP 404)"_s);
            call.insert(u"ended_at"_s, isoAgo(ago - 30));
            m_server->upsertCall(call);
            continue;
        }
        double duration = 0;
        const QJsonArray turns = postCallTurns(script, &duration);
        const bool good = i % 5 != 4;
        call.insert(u"status"_s, u"completed"_s);
        call.insert(u"started_at"_s, isoAgo(ago - 8));
        call.insert(u"ended_at"_s, isoAgo(ago - 8 - qint64(duration)));
        call.insert(u"call_duration_seconds"_s, qint64(duration));
        call.insert(u"cost"_s, 380 + (i * 137) % 900);
        call.insert(u"call_successful"_s, good ? u"success"_s : u"failure"_s);
        call.insert(u"transcript_summary"_s, QString::fromUtf8(scripts().at(script).summary));
        call.insert(u"analysis"_s, analysisFor(script, good));
        call.insert(u"termination_reason"_s, u"Call ended by the agent"_s);
        call.insert(u"has_audio"_s, true);
        m_server->upsertCall(call);
        m_server->setPostCallTranscript(sid, turns);
    }
    seedDeliveries();
}

void DemoScenario::seedDeliveries()
{
    // The webhook inbox: mostly fine, one bad signature, one duplicate.
    for (int i = 1; i <= 14; ++i) {
        const bool transcription = i % 3 != 0;
        const QString verification = i == 5 ? u"invalid_signature"_s : u"verified"_s;
        const QString outcome = i == 5 ? u"rejected"_s : (i == 9 ? u"duplicate"_s : u"stored"_s);
        const QJsonObject body{
            {u"type"_s,
             transcription ? u"post_call_transcription"_s : u"call_initiation_failure"_s},
            {u"event_timestamp"_s, QDateTime::currentSecsSinceEpoch() - 3600 + i * 200},
            {u"data"_s,
             QJsonObject{{u"agent_id"_s, u"agent_safety_outreach"_s},
                         {u"conversation_id"_s, u"conv_%1"_s.arg(70000 + i)},
                         {u"status"_s, u"done"_s},
                         {u"metadata"_s, QJsonObject{{u"call_duration_secs"_s, 120 + i},
                                                     {u"cost"_s, 400 + i * 10}}},
                         {u"analysis"_s, QJsonObject{{u"call_successful"_s, u"success"_s}}}}}};
        const QByteArray raw = QJsonDocument(body).toJson(QJsonDocument::Compact);
        m_server->addDelivery(
            {{u"id"_s, i},
             {u"received_at"_s, isoAgo(3600 - i * 200)},
             {u"route"_s, u"/webhooks/elevenlabs/post-call"_s},
             {u"event_type"_s, body.value("type"_L1)},
             {u"verification"_s, verification},
             {u"outcome"_s, outcome},
             {u"http_status"_s, i == 5 ? 401 : 200},
             {u"error_code"_s, i == 5 ? QJsonValue(u"invalid_signature"_s) : QJsonValue()},
             {u"error_message"_s,
              i == 5 ? QJsonValue(u"HMAC does not match either secret"_s) : QJsonValue()},
             {u"call_sid"_s, QJsonValue()},
             {u"conversation_id"_s, u"conv_%1"_s.arg(70000 + i)},
             {u"body_size"_s, raw.size()}},
            raw);
    }
}

void DemoScenario::startLiveCalls(int count)
{
    for (int i = 0; i < count; ++i) {
        const Driver &driver = drivers[m_nextDriver % 10];
        LiveCall call{newCallSid(), m_nextDriver % 3, 0, 0};
        ++m_nextDriver;
        m_server->startCall(call.callSid, QString::fromLatin1(driver.id),
                            QString::fromLatin1(driver.number),
                            i == count - 1 ? u"initiating"_s : u"in_progress"_s);
        const int warmup = i == count - 1 ? 0 : 2 + i % 4;
        if (warmup > 0) {
            // These calls have been going for a while: date their start back accordingly.
            const qint64 ago = 40 + qint64(warmup) * 9 + i * 23;
            m_server->upsertCall({{u"call_sid"_s, call.callSid},
                                  {u"created_at"_s, isoAgo(ago + 6)},
                                  {u"started_at"_s, isoAgo(ago)}});
        }
        m_live.append(call);
        for (int t = 0; t < warmup; ++t) {
            const auto &turns = scripts().at(call.script).turns;
            LiveCall &live = m_live.last();
            if (live.nextTurn >= turns.size())
                break;
            const auto &[speaker, message] = turns.at(live.nextTurn);
            m_server->addTurn(live.callSid, live.nextTurn, QString::fromLatin1(speaker),
                              QString::fromUtf8(message), live.timeInCall);
            live.timeInCall += 5 + (live.nextTurn * 3) % 7;
            ++live.nextTurn;
        }
    }
}

void DemoScenario::run(int intervalMs)
{
    m_timer.start(intervalMs);
}

void DemoScenario::step()
{
    if (m_live.isEmpty())
        return;
    LiveCall &call = m_live[m_step++ % m_live.size()];
    const auto &turns = scripts().at(call.script).turns;
    if (call.nextTurn == 0 && m_server->call(call.callSid).value("status"_L1) == "initiating"_L1) {
        const QJsonObject info = m_server->call(call.callSid);
        m_server->startCall(call.callSid, info.value("driver_id"_L1).toString(),
                            info.value("to_number"_L1).toString());
    }
    if (call.nextTurn >= turns.size())
        return finish(call);
    const auto &[speaker, message] = turns.at(call.nextTurn);
    m_server->addTurn(call.callSid, call.nextTurn, QString::fromLatin1(speaker),
                      QString::fromUtf8(message), call.timeInCall);
    call.timeInCall += 5 + (call.nextTurn * 3) % 7;
    ++call.nextTurn;
}

void DemoScenario::finish(LiveCall &call)
{
    double duration = 0;
    const QJsonArray turns = postCallTurns(call.script, &duration);
    const QJsonObject completion{
        {u"transcript_summary"_s, QString::fromUtf8(scripts().at(call.script).summary)},
        {u"call_duration_seconds"_s, qint64(call.timeInCall + 4)},
        {u"cost"_s, 420 + call.nextTurn * 61},
        {u"call_successful"_s, u"success"_s},
        {u"analysis"_s, analysisFor(call.script, true)},
        {u"termination_reason"_s, u"Call ended by the agent"_s},
    };
    const QString sid = call.callSid;
    m_live.removeIf([&sid](const LiveCall &c) { return c.callSid == sid; });
    m_server->completeCall(sid, completion, turns);
    startLiveCalls(1);
}

} // namespace callwatch::app::testing
