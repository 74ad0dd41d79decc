// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "elevenlabs/elevenlabstypes.h"
#include "webhooks/samplepayloads.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QRandomGenerator>

namespace callwatch::elevenlabs {

class WebhookSender;

/** @brief Everything a sandbox conversation needs to know when it is dialled. */
struct ConversationSetup
{
    int index = 0; ///< the sandbox's n-th call: picks the sample driver, violation and outcome
    QString conversationId;
    QString agentId;
    QString agentPhoneNumberId;
    QString toNumber;
    Provider provider = Provider::Twilio;
    QString providerCallId;       ///< the callSid / sip_call_id the API answered with
    QJsonObject dynamicVariables; ///< as received; echoed in the post-call data
    QString batchId;              ///< set for batch recipients
    QString recipientId;
    QString failureReason; ///< "busy" / "no-answer": ends as call_initiation_failure
    bool dropPostCall = false;
    quint64 seed = 1;
    int turnMinMs = 1000;
    int turnMaxMs = 3000;
    int ringMs = 3000;
    QByteArray webhookSecret;
    QByteArray transcriptionSecret;
};

/**
 * @brief One simulated phone conversation: rings, then plays the violation script as signed
 * per-turn webhooks (each after the previous one was answered, so they arrive in order), then
 * sends the signed post_call_transcription; or ends as a call_initiation_failure.
 * Its data() is what GET /v1/convai/conversations/{id} returns at that moment.
 */
class SandboxConversation : public QObject
{
    Q_OBJECT
public:
    SandboxConversation(ConversationSetup setup, WebhookSender *sender, QObject *parent = nullptr);

    void start();

    const ConversationSetup &setup() const { return m_setup; }
    /** initiated, in-progress, done or failed (the API's conversation statuses). */
    QString status() const { return m_status; }
    qint64 startUnix() const { return m_startUnix; }
    QJsonObject data() const;
    /** The entry of GET /v1/convai/conversations. */
    QJsonObject summary() const;

Q_SIGNALS:
    void statusChanged(const QString &status);
    /** A webhook went out; @p httpStatus is the backend's answer (0: none). */
    void webhookSent(int httpStatus);
    void postCallDropped();
    /** The last webhook was answered (or dropped): nothing more will happen. */
    void finished();

private:
    webhooks::samples::SampleCall sampleCall(int durationSecs) const;
    QString callSidForTurns() const;
    void setStatus(const QString &status);
    void answer();
    void playTurn();
    void end();
    void failInitiation();
    QJsonObject finalData(int durationSecs) const;
    int elapsedSecs() const;

    ConversationSetup m_setup;
    WebhookSender *m_sender;
    QRandomGenerator m_random;
    QList<webhooks::samples::ScriptedTurn> m_script;
    QJsonArray m_transcript; ///< turns played so far (GET during the call)
    QString m_status = QStringLiteral("initiated");
    qint64 m_startUnix = 0;
    QElapsedTimer m_clock;
    int m_nextTurn = 0;
    QJsonObject m_final; ///< the post-call data once the conversation ended
};

} // namespace callwatch::elevenlabs
