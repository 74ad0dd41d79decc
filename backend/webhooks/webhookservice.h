// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/httptypes.h"
#include "store/deliveryrepository.h"
#include "webhooks/audiopayloadscanner.h"
#include "webhooks/durablefile.h"
#include "webhooks/signatureverifier.h"
#include "webhooks/webhookprocessor.h"

#include <QObject>
#include <QThreadPool>

#include <functional>

namespace callwatch::webhooks {

class IngestWriter;
struct WorkResult;

/**
 * @brief The HTTP side of the webhook path: checks the signature, parses the payload, and hands a
 * unit of work to the IngestWriter; answers each request once its group has committed.
 *
 * Everything here runs on the HTTP thread except the decoding of audio bodies (tens of MB),
 * which runs on a worker pool so it never stalls other requests.
 */
class WebhookService : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QList<QByteArray> postCallSecrets;
        QList<QByteArray> transcriptionSecrets;
        QString audioDirectory;             ///< where decoded MP3 files are kept
        std::function<qint64()> clock;      ///< unix seconds; defaults to the system clock
        durablefile::SyncFunction syncFile; ///< flushes decoded audio; defaults to fdatasync
        /// In-memory bodies waiting for the writer, at most; past it deliveries get 503
        /// server_busy (ElevenLabs retries) instead of memory growing without bound. Past half
        /// of it, deliveries with a bad signature are recorded without their body.
        qint64 maxQueuedBodyBytes = 256 * 1024 * 1024;
        /// Spooled audio bodies waiting to be decoded, at most (each up to 64 MiB on disk).
        int maxQueuedAudio = 8;
    };

    WebhookService(IngestWriter *writer, Options options, QObject *parent = nullptr);
    ~WebhookService() override;

    void handlePostCall(const http::HttpRequest &request, http::HttpResponder responder);
    void handleTranscription(const http::HttpRequest &request, http::HttpResponder responder);
    /** Replaces how decoded audio is flushed to disk (tests: a disk that refuses). Call it
     * before any delivery arrives: the decoding thread reads it without a lock. */
    void setFileSync(durablefile::SyncFunction sync) { m_options.syncFile = std::move(sync); }
    /** Reprocesses a stored delivery (the inspector's Replay). */
    void replay(qint64 deliveryId, http::HttpResponder responder);

    /** Limits of the two routes: audio bodies reach tens of MB and are spooled to disk. */
    static http::RouteOptions postCallRouteOptions();
    static http::RouteOptions transcriptionRouteOptions();
    /** The same limits, with every request the HTTP layer refuses on the route (413, 408,
     * broken framing) recorded in the inbox like any other delivery: lossless means that an
     * hour of audio over the 64 MiB limit leaves a trace, not nothing. */
    http::RouteOptions postCallRoute();
    http::RouteOptions transcriptionRoute();

    /**
     * Sets the headers of `delivery` that are recorded with it (content-type, user-agent, …)
     * as `headersText`: the compact JSON text QJsonDocument would write for them, by hand.
     */
    static void recordHeaders(const http::HttpRequest &request, store::DeliveryRecord &delivery);

private:
    store::DeliveryRecord deliveryFor(const http::HttpRequest &request, const QString &route,
                                      const SignatureVerifier::Verification &verification) const;
    void submit(std::function<WorkResult(QSqlDatabase &)> work, http::HttpResponder responder);
    /** Hands work to the writer; `bodyBytes` count against maxQueuedBodyBytes until it ran,
     * then its result goes to `responder` (none: answered already). */
    void enqueue(IngestWriter::Work work, qint64 bodyBytes, http::HttpResponder responder);
    /** The writer's callback: counts `bodyBytes` as queued until it runs, then answers. */
    IngestWriter::Done countedUntilAnswered(qint64 bodyBytes, http::HttpResponder responder);
    /** 503 server_busy (recorded without its body) when the queues are full; true if so. */
    bool refuseWhenBusy(const http::HttpRequest &request, const QString &route,
                        const QString &eventType, http::HttpResponder &responder);
    /** Parses the body once (400 naming the field) and submits the matching change. */
    void submitParsed(store::DeliveryRecord delivery, const QByteArray &body,
                      http::HttpResponder responder, const http::HttpRequest *request = nullptr);
    void rejectDelivery(store::DeliveryRecord delivery, int status, const Error &error,
                        http::HttpResponder responder);
    http::RouteOptions recordingRefusals(http::RouteOptions options, const QString &route,
                                         const QString &eventType);
    /** Records a request the HTTP layer refused (already answered): headers, no body. */
    void recordRefused(const http::HttpRequest &request, const QString &route,
                       const QString &eventType, int status, const Error &error);
    /** What decoding an audio body on the worker pool produced. */
    struct AudioJob
    {
        SignatureVerifier::Verification verification;
        QString sha256;
        int status = 200;
        Error error;
        bool notAudio = false;   ///< a large body of another type: handled in memory instead
        QByteArray fallbackBody; ///< that body
        AudioPayloadInfo info;
        QString audioPath;
    };
    void handleAudio(const http::HttpRequest &request, http::HttpResponder responder);
    AudioJob decodeAudio(const http::HttpRequest &request) const;
    void finishAudio(const http::HttpRequest &request, AudioJob job, http::HttpResponder responder);
    qint64 now() const;

    IngestWriter *m_writer;
    LiveTurnBatch m_turnBatch;
    Options m_options;
    SignatureVerifier m_postCallVerifier;
    SignatureVerifier m_transcriptionVerifier;
    QThreadPool m_audioPool;
    qint64 m_queuedBodyBytes = 0; ///< HTTP thread only, like every submit and answer
    int m_queuedAudio = 0;
};

/** Converts a writer result to the HTTP response sent for it. */
http::HttpResponse toResponse(const WorkResult &result);

} // namespace callwatch::webhooks
