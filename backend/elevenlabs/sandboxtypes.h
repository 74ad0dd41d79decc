// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QUrl>

/// Plain structs of the local ElevenLabs sandbox (`callwatchd sandbox`).
namespace callwatch::elevenlabs {

/** @brief How the sandbox behaves. */
struct SandboxOptions
{
    QUrl backendUrl = QUrl(QStringLiteral("http://127.0.0.1:8750")); ///< where webhooks go
    QByteArray webhookSecret;       ///< signs post_call_transcription / call_initiation_failure
    QByteArray transcriptionSecret; ///< signs the per-turn feed
    QString apiKey;                 ///< required xi-api-key; empty: any non-empty key is accepted
    int turnIntervalMinMs = 1000;   ///< pause between two turns, drawn in [min, max]
    int turnIntervalMaxMs = 3000;
    int ringMs = -1;           ///< dial to answer (or to failure); < 0: turnIntervalMaxMs
    double failureRate = 0.15; ///< share of calls ending as call_initiation_failure
    quint64 seed = 1;          ///< same seed, same conversation ids, failures and pauses
    int batchConcurrency = 20; ///< batch recipients dialled at the same time
};

/** @brief A fault injected into the next outbound-call request(s). */
struct OutboundFault
{
    enum class Kind { HttpError, Timeout, Rejected };
    Kind kind = Kind::HttpError;
    int httpStatus = 500; ///< for HttpError
    QString message;      ///< detail (HttpError) or message (Rejected); empty: a default
    int count = 1;        ///< how many requests it affects (each retry is a request)
};

/** @brief One API request as the sandbox received it (for tests and GET /sandbox/requests). */
struct RecordedRequest
{
    QByteArray method;
    QString path;
    QString query;
    bool hadApiKey = false; ///< the xi-api-key header was present (its value is not kept)
    QJsonObject body;       ///< the JSON body; empty for GET or unparsable bodies
    int status = 0;         ///< what the sandbox answered (0: not answered, e.g. a timeout fault)
};

/** @brief Counters, for the CLI and tests. */
struct SandboxStats
{
    int callsStarted = 0;
    int conversationsFinished = 0;
    int initiationFailures = 0;
    int webhooksSent = 0;
    int webhooksFailed = 0; ///< no answer or a non-2xx from the backend
    int postCallsDropped = 0;
};

} // namespace callwatch::elevenlabs
