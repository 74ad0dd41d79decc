// SPDX-License-Identifier: GPL-3.0-or-later
#include "elevenlabs/sandboxconversation.h"

#include "elevenlabs/logging.h"
#include "elevenlabs/webhooksender.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QTimer>

using namespace Qt::StringLiterals;
namespace samples = callwatch::webhooks::samples;

namespace callwatch::elevenlabs {

namespace {

const QString PostCallPath = u"/webhooks/elevenlabs/post-call"_s;
const QString TranscriptionPath = u"/webhooks/elevenlabs/transcription"_s;

QJsonValue nullValue()
{
    return QJsonValue(QJsonValue::Null);
}

} // namespace

SandboxConversation::SandboxConversation(ConversationSetup setup, WebhookSender *sender,
                                         QObject *parent)
    : QObject(parent), m_setup(std::move(setup)), m_sender(sender),
      m_random(quint32(m_setup.seed ^ (m_setup.seed >> 32)) ^ quint32(m_setup.index * 2654435761u))
{
    const samples::SampleCall call = sampleCall(0);
    m_script = samples::violationScript(call.driverName, call.violation);
}

samples::SampleCall SandboxConversation::sampleCall(int durationSecs) const
{
    samples::SampleCall call = samples::sampleCall(m_setup.index, m_startUnix);
    const QJsonObject &variables = m_setup.dynamicVariables;
    call.callSid = variables.value("call_sid"_L1).toString();
    call.driverId = variables.value("driver_id"_L1).toString();
    if (variables.value("driver_name"_L1).isString())
        call.driverName = variables.value("driver_name"_L1).toString();
    if (variables.value("violation"_L1).isString())
        call.violation = variables.value("violation"_L1).toString();
    call.conversationId = m_setup.conversationId;
    call.agentId = m_setup.agentId;
    call.toNumber = m_setup.toNumber;
    call.durationSecs = durationSecs;
    return call;
}

QString SandboxConversation::callSidForTurns() const
{
    // Our per-turn feed is keyed by call_sid; without one the backend also accepts conv_ ids.
    const QString callSid = m_setup.dynamicVariables.value("call_sid"_L1).toString();
    return callSid.isEmpty() ? m_setup.conversationId : callSid;
}

int SandboxConversation::elapsedSecs() const
{
    return m_clock.isValid() ? int(m_clock.elapsed() / 1000) : 0;
}

void SandboxConversation::setStatus(const QString &status)
{
    if (m_status == status)
        return;
    m_status = status;
    Q_EMIT statusChanged(status);
}

void SandboxConversation::start()
{
    m_startUnix = QDateTime::currentSecsSinceEpoch();
    QTimer::singleShot(qMax(0, m_setup.ringMs), this, [this] {
        if (m_setup.failureReason.isEmpty())
            answer();
        else
            failInitiation();
    });
}

void SandboxConversation::answer()
{
    m_clock.start();
    setStatus(u"in-progress"_s);
    playTurn();
}

void SandboxConversation::playTurn()
{
    if (m_nextTurn >= m_script.size())
        return end();
    const samples::ScriptedTurn &turn = m_script.at(m_nextTurn);
    const double at = m_clock.elapsed() / 1000.0;
    const QString turnId = m_setup.conversationId + u':' + QString::number(m_nextTurn);
    ++m_nextTurn;
    m_transcript.append(QJsonObject{
        {u"role"_s, turn.role}, {u"message"_s, turn.message}, {u"time_in_call_secs"_s, int(at)}});
    const QByteArray body =
        samples::transcriptionTurn(callSidForTurns(), turn.role, turn.message, at, turnId);
    m_sender->post(TranscriptionPath, body, m_setup.transcriptionSecret, this, [this](int status) {
        Q_EMIT webhookSent(status);
        const int pause = m_setup.turnMaxMs > m_setup.turnMinMs
                              ? m_random.bounded(m_setup.turnMinMs, m_setup.turnMaxMs + 1)
                              : m_setup.turnMinMs;
        QTimer::singleShot(pause, this, &SandboxConversation::playTurn);
    });
}

QJsonObject SandboxConversation::finalData(int durationSecs) const
{
    const samples::SampleCall call = sampleCall(durationSecs);
    QJsonObject data = samples::postCallTranscriptionJson(call).value("data"_L1).toObject();
    QJsonObject client = data.value("conversation_initiation_client_data"_L1).toObject();
    client.insert(u"dynamic_variables"_s, m_setup.dynamicVariables); // echoed as received
    client.insert(
        u"source_info"_s,
        QJsonObject{{u"source"_s, m_setup.provider == Provider::Sip ? u"sip_trunk"_s : u"twilio"_s},
                    {u"version"_s, nullValue()}});
    data.insert(u"conversation_initiation_client_data"_s, client);
    QJsonObject metadata = data.value("metadata"_L1).toObject();
    QJsonObject phoneCall = metadata.value("phone_call"_L1).toObject();
    phoneCall.insert(u"phone_number_id"_s, m_setup.agentPhoneNumberId);
    phoneCall.insert(u"call_sid"_s, m_setup.providerCallId);
    if (m_setup.provider == Provider::Sip) {
        phoneCall.insert(u"type"_s, u"sip_trunking"_s);
        phoneCall.remove(u"stream_sid"_s);
        metadata.insert(u"conversation_initiation_source"_s, u"sip_trunk"_s);
    }
    metadata.insert(u"phone_call"_s, phoneCall);
    if (!m_setup.batchId.isEmpty())
        metadata.insert(u"batch_call"_s,
                        QJsonObject{{u"batch_call_id"_s, m_setup.batchId},
                                    {u"batch_call_recipient_id"_s, m_setup.recipientId}});
    data.insert(u"metadata"_s, metadata);
    return data;
}

void SandboxConversation::end()
{
    const int duration = qMax(1, elapsedSecs());
    m_final = finalData(duration);
    setStatus(u"done"_s);
    if (m_setup.dropPostCall) {
        qCInfo(lcSandbox).noquote() << "conversation" << m_setup.conversationId
                                    << "done; post-call webhook dropped on purpose";
        Q_EMIT postCallDropped();
        Q_EMIT finished();
        return;
    }
    QJsonObject envelope{{u"type"_s, u"post_call_transcription"_s},
                         {u"event_timestamp"_s, QDateTime::currentSecsSinceEpoch()},
                         {u"data"_s, m_final}};
    const QByteArray body = QJsonDocument(envelope).toJson(QJsonDocument::Compact);
    m_sender->post(PostCallPath, body, m_setup.webhookSecret, this, [this](int status) {
        Q_EMIT webhookSent(status);
        Q_EMIT finished();
    });
}

void SandboxConversation::failInitiation()
{
    samples::SampleCall call = sampleCall(0);
    call.startUnix = QDateTime::currentSecsSinceEpoch() - samples::FailureDelaySecs;
    const QString provider = m_setup.provider == Provider::Sip ? u"sip"_s : u"twilio"_s;
    QJsonObject envelope = QJsonDocument::fromJson(samples::callInitiationFailure(
                                                       call, m_setup.failureReason, provider))
                               .object();
    // The provider's call id must be the one the outbound-call answer gave.
    QJsonObject data = envelope.value("data"_L1).toObject();
    QJsonObject metadata = data.value("metadata"_L1).toObject();
    QJsonObject providerBody = metadata.value("body"_L1).toObject();
    providerBody.insert(m_setup.provider == Provider::Sip ? u"call_sid"_s : u"CallSid"_s,
                        m_setup.providerCallId);
    metadata.insert(u"body"_s, providerBody);
    data.insert(u"metadata"_s, metadata);
    envelope.insert(u"data"_s, data);

    m_final = QJsonObject{
        {u"agent_id"_s, m_setup.agentId},
        {u"conversation_id"_s, m_setup.conversationId},
        {u"status"_s, u"failed"_s},
        {u"transcript"_s, QJsonArray()},
        {u"metadata"_s, QJsonObject{{u"start_time_unix_secs"_s, m_startUnix},
                                    {u"call_duration_secs"_s, 0},
                                    {u"termination_reason"_s, m_setup.failureReason},
                                    {u"error"_s, QJsonObject{{u"code"_s, 0},
                                                             {u"reason"_s, m_setup.failureReason}}},
                                    {u"batch_call"_s, nullValue()}}},
        {u"analysis"_s, nullValue()},
        {u"conversation_initiation_client_data"_s,
         QJsonObject{{u"dynamic_variables"_s, m_setup.dynamicVariables}}},
    };
    setStatus(u"failed"_s);
    m_sender->post(PostCallPath, QJsonDocument(envelope).toJson(QJsonDocument::Compact),
                   m_setup.webhookSecret, this, [this](int status) {
                       Q_EMIT webhookSent(status);
                       Q_EMIT finished();
                   });
}

QJsonObject SandboxConversation::data() const
{
    if (!m_final.isEmpty())
        return m_final;
    return QJsonObject{
        {u"agent_id"_s, m_setup.agentId},
        {u"conversation_id"_s, m_setup.conversationId},
        {u"status"_s, m_status},
        {u"transcript"_s, m_transcript},
        {u"metadata"_s, QJsonObject{{u"start_time_unix_secs"_s, m_startUnix},
                                    {u"call_duration_secs"_s, elapsedSecs()}}},
        {u"analysis"_s, nullValue()},
        {u"conversation_initiation_client_data"_s,
         QJsonObject{{u"dynamic_variables"_s, m_setup.dynamicVariables}}},
    };
}

QJsonObject SandboxConversation::summary() const
{
    const QJsonObject full = data();
    const QJsonObject metadata = full.value("metadata"_L1).toObject();
    const QJsonObject analysis = full.value("analysis"_L1).toObject();
    return QJsonObject{
        {u"agent_id"_s, m_setup.agentId},
        {u"agent_name"_s, u"Northline Fleet Safety"_s},
        {u"conversation_id"_s, m_setup.conversationId},
        {u"start_time_unix_secs"_s, m_startUnix},
        {u"call_duration_secs"_s, metadata.value("call_duration_secs"_L1).toInt()},
        {u"message_count"_s, full.value("transcript"_L1).toArray().size()},
        {u"status"_s, m_status},
        {u"call_successful"_s,
         analysis.isEmpty() ? QJsonValue(u"unknown"_s) : analysis.value("call_successful"_L1)},
        {u"transcript_summary"_s, analysis.value("transcript_summary"_L1)},
        {u"call_summary_title"_s, analysis.value("call_summary_title"_L1)},
        {u"direction"_s, u"outbound"_s},
    };
}

} // namespace callwatch::elevenlabs
