// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/webhookservice.h"

#include "core/jsontext.h"
#include "webhooks/audiopayloadscanner.h"
#include "webhooks/digest.h"
#include "webhooks/durablefile.h"
#include "webhooks/ingestwriter.h"
#include "webhooks/logging.h"
#include "webhooks/webhookenvelope.h"
#include "webhooks/webhookprocessor.h"

#include <QBuffer>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QMetaObject>
#include <QPointer>
#include <QTemporaryFile>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace callwatch::webhooks {

namespace {

constexpr qint64 MaxAudioBodyBytes = 64 * 1024 * 1024;
constexpr qint64 MaxTurnBodyBytes = 256 * 1024;
constexpr QByteArrayView SignatureHeader = "elevenlabs-signature";

int statusFor(SignatureVerifier::Outcome outcome)
{
    // No secret configured is our misconfiguration, not the sender's: 503 makes ElevenLabs
    // retry once the operator has set it, instead of dropping the delivery for good.
    return outcome == SignatureVerifier::Outcome::NoSecretConfigured ? 503 : 401;
}

// In the order QJsonObject sorts them, so the text written by hand below is its text.
constexpr const char *HeadersThatMatter[] = {"content-length",       "content-type",
                                             "elevenlabs-signature", "transfer-encoding",
                                             "user-agent",           "x-forwarded-for"};

} // namespace

void WebhookService::recordHeaders(const http::HttpRequest &request,
                                   store::DeliveryRecord &delivery)
{
    // For every delivery, on the HTTP thread: the headers object's compact JSON text, written
    // by hand (no QJsonObject here, no serializing on the writer).
    QByteArray text;
    for (const char *name : HeadersThatMatter) {
        const QByteArray value = request.header(name);
        if (value.isEmpty())
            continue;
        if (text.isEmpty())
            text.reserve(256);
        text.append(text.isEmpty() ? "{\"" : ",\"").append(name).append("\":");
        // Header values are Latin-1 text; the usual printable ASCII goes in as it is.
        if (jsontext::isPlain(QLatin1StringView(value)))
            text.append('"').append(value).append('"');
        else
            text.append(jsontext::quoted(QString::fromLatin1(value)));
    }
    delivery.headers = {};
    delivery.headersText = text.isEmpty() ? text : text.append('}');
}

http::HttpResponse toResponse(const WorkResult &result)
{
    http::HttpResponse response;
    response.status = result.httpStatus;
    response.body = result.json();
    return response;
}

WebhookService::WebhookService(IngestWriter *writer, Options options, QObject *parent)
    : QObject(parent), m_writer(writer), m_options(std::move(options)),
      m_postCallVerifier(m_options.postCallSecrets),
      m_transcriptionVerifier(m_options.transcriptionSecrets)
{
    m_audioPool.setMaxThreadCount(1); // decoding is I/O and memory bound; one at a time
    if (!m_options.clock)
        m_options.clock = [] { return QDateTime::currentSecsSinceEpoch(); };
    if (!m_options.syncFile)
        m_options.syncFile = durablefile::syncToDisk;
    QDir().mkpath(m_options.audioDirectory);
}

WebhookService::~WebhookService()
{
    m_audioPool.waitForDone();
}

http::RouteOptions WebhookService::postCallRouteOptions()
{
    http::RouteOptions options;
    options.maxBodyBytes = MaxAudioBodyBytes;
    options.spoolBodyToDisk = true;
    // Transcripts (even 1 MB ones) stay in memory; audio (tens of MB) goes to disk as it arrives.
    options.spoolThresholdBytes = 4 * 1024 * 1024;
    return options;
}

http::RouteOptions WebhookService::transcriptionRouteOptions()
{
    http::RouteOptions options;
    options.maxBodyBytes = MaxTurnBodyBytes;
    return options;
}

http::RouteOptions WebhookService::recordingRefusals(http::RouteOptions options,
                                                     const QString &route, const QString &eventType)
{
    options.onRefused = [self = QPointer(this), route, eventType](const http::HttpRequest &request,
                                                                  int status, const QString &code,
                                                                  const QString &message) {
        if (self)
            self->recordRefused(request, route, eventType, status, {code, message});
    };
    return options;
}

http::RouteOptions WebhookService::postCallRoute()
{
    return recordingRefusals(postCallRouteOptions(), u"post-call"_s, {});
}

http::RouteOptions WebhookService::transcriptionRoute()
{
    return recordingRefusals(transcriptionRouteOptions(), u"transcription"_s,
                             u"transcription_turn"_s);
}

void WebhookService::recordRefused(const http::HttpRequest &request, const QString &route,
                                   const QString &eventType, int status, const Error &error)
{
    store::DeliveryRecord delivery;
    delivery.receivedAt = QDateTime::currentDateTimeUtc();
    delivery.route = route;
    delivery.eventType = eventType;
    delivery.signatureHeader = QString::fromLatin1(request.header(SignatureHeader));
    recordHeaders(request, delivery);
    // What the sender tried to deliver (the inspector shows "413 · 67 MB"), not the 0 bytes read.
    const qint64 announced = request.header("content-length").trimmed().toLongLong();
    delivery.bodySize = std::max(request.bodySize, announced);
    // The signature covers a body that never arrived whole: it could not be checked.
    delivery.verification = u"not_checked"_s;
    qCInfo(lcWebhooks) << "refused" << route << "delivery before it was read:" << error.code;
    enqueue([delivery = std::move(delivery), status, error](
                QSqlDatabase &db) { return WebhookProcessor(db).reject(delivery, status, error); },
            0, {}); // no responder: answered already, by the HTTP layer
}

qint64 WebhookService::now() const
{
    return m_options.clock();
}

store::DeliveryRecord
WebhookService::deliveryFor(const http::HttpRequest &request, const QString &route,
                            const SignatureVerifier::Verification &verification) const
{
    store::DeliveryRecord delivery;
    delivery.receivedAt = QDateTime::currentDateTimeUtc();
    delivery.route = route;
    delivery.signatureHeader = QString::fromLatin1(request.header(SignatureHeader));
    recordHeaders(request, delivery);
    delivery.body = request.body;
    delivery.bodySize = request.bodySize;
    delivery.verification = SignatureVerifier::outcomeCode(verification.outcome);
    if (!request.body.isEmpty())
        delivery.bodySha256 = QString::fromLatin1(digest::sha256Hex(request.body));
    return delivery;
}

IngestWriter::Done WebhookService::countedUntilAnswered(qint64 bodyBytes,
                                                        http::HttpResponder responder)
{
    m_queuedBodyBytes += bodyBytes;
    return [this, bodyBytes, responder = std::move(responder)](const WorkResult &result) {
        m_queuedBodyBytes -= bodyBytes;
        responder.send(toResponse(result)); // a default responder (answered already) drops it
    };
}

void WebhookService::enqueue(IngestWriter::Work work, qint64 bodyBytes,
                             http::HttpResponder responder)
{
    m_writer->submit(std::move(work), this, countedUntilAnswered(bodyBytes, std::move(responder)));
}

void WebhookService::submit(std::function<WorkResult(QSqlDatabase &)> work,
                            http::HttpResponder responder)
{
    enqueue(std::move(work), 0, std::move(responder));
}

bool WebhookService::refuseWhenBusy(const http::HttpRequest &request, const QString &route,
                                    const QString &eventType, http::HttpResponder &responder)
{
    const bool spooled = !request.bodyFilePath.isEmpty();
    const bool full = spooled
                          ? m_queuedAudio >= m_options.maxQueuedAudio
                          : m_queuedBodyBytes + request.body.size() > m_options.maxQueuedBodyBytes;
    if (!full)
        return false;
    const Error busy{u"server_busy"_s,
                     u"Too many deliveries are waiting to be stored; retry later."_s};
    recordRefused(request, route, eventType, 503, busy);
    responder.send(http::HttpResponse::error(503, busy.code, busy.message));
    return true;
}

void WebhookService::rejectDelivery(store::DeliveryRecord delivery, int status, const Error &error,
                                    http::HttpResponder responder)
{
    qCInfo(lcWebhooks) << "rejected" << delivery.route << "delivery:" << error.code;
    // An unverified body is kept for the inspector (and a replay once the secret is right), but
    // not while the writer is behind: a flood of them would crowd genuine deliveries out of the
    // queue. Its size and hash are kept either way.
    if (delivery.verification != u"valid"_s &&
        m_queuedBodyBytes + delivery.body.size() > m_options.maxQueuedBodyBytes / 2)
        delivery.body.clear();
    const qint64 bytes = delivery.body.size();
    enqueue([delivery = std::move(delivery), status, error](
                QSqlDatabase &db) { return WebhookProcessor(db).reject(delivery, status, error); },
            bytes, std::move(responder));
}

void WebhookService::handleTranscription(const http::HttpRequest &request,
                                         http::HttpResponder responder)
{
    if (refuseWhenBusy(request, u"transcription"_s, u"transcription_turn"_s, responder))
        return;
    const auto verification =
        m_transcriptionVerifier.verify(request.header(SignatureHeader), request.body, now());
    store::DeliveryRecord delivery = deliveryFor(request, u"transcription"_s, verification);
    delivery.eventType = u"transcription_turn"_s;
    if (!verification.ok())
        return rejectDelivery(
            std::move(delivery), statusFor(verification.outcome),
            {SignatureVerifier::outcomeCode(verification.outcome), verification.message},
            std::move(responder));
    submitParsed(std::move(delivery), request.body, std::move(responder));
}

void WebhookService::submitParsed(store::DeliveryRecord delivery, const QByteArray &body,
                                  http::HttpResponder responder, const http::HttpRequest *request)
{
    auto payload = parseDelivery(body, delivery);
    if (!payload)
        return rejectDelivery(std::move(delivery), 400, payload.error(), std::move(responder));
    // A small post_call_audio body still goes through the audio decoder (and its own checks).
    const auto *unhandled = std::get_if<UnhandledPayload>(&payload.value());
    if (unhandled && unhandled->type == WebhookType::PostCallAudio) {
        if (request)
            return handleAudio(*request, std::move(responder));
        // Back from the decoder, which found no audio in it: refuse instead of looping.
        return rejectDelivery(std::move(delivery), 400,
                              {u"missing_field"_s, u"data.full_audio is required"_s},
                              std::move(responder));
    }
    if (const auto *turn = std::get_if<TranscriptionTurn>(&payload.value())) {
        // Live turns queue up by the hundred under load: the writer runs neighbours together.
        TurnDelivery item{std::move(delivery), *turn, WebhookProcessor::preparedLiveTurn(*turn)};
        auto oneByOne = [item](QSqlDatabase &db) {
            return WebhookProcessor(db).applyTurn(item.delivery, item.turn);
        };
        const qint64 bytes = item.delivery.body.size();
        m_writer->submitBatchable(&m_turnBatch, std::move(item), std::move(oneByOne), this,
                                  countedUntilAnswered(bytes, std::move(responder)));
        return;
    }
    const qint64 bytes = delivery.body.size();
    enqueue([delivery = std::move(delivery), p = std::move(payload).value()](
                QSqlDatabase &db) { return WebhookProcessor(db).apply(delivery, p); },
            bytes, std::move(responder));
}

void WebhookService::replay(qint64 deliveryId, http::HttpResponder responder)
{
    submit([deliveryId](QSqlDatabase &db) { return WebhookProcessor(db).replay(deliveryId); },
           std::move(responder));
}

void WebhookService::handlePostCall(const http::HttpRequest &request, http::HttpResponder responder)
{
    if (refuseWhenBusy(request, u"post-call"_s, {}, responder))
        return;
    if (!request.bodyFilePath.isEmpty()) {
        // Bodies too large to keep in memory are post_call_audio in practice; they are
        // verified and decoded off the HTTP thread.
        return handleAudio(request, std::move(responder));
    }
    const auto verification =
        m_postCallVerifier.verify(request.header(SignatureHeader), request.body, now());
    store::DeliveryRecord delivery = deliveryFor(request, u"post-call"_s, verification);
    if (!verification.ok())
        return rejectDelivery(
            std::move(delivery), statusFor(verification.outcome),
            {SignatureVerifier::outcomeCode(verification.outcome), verification.message},
            std::move(responder));
    submitParsed(std::move(delivery), request.body, std::move(responder), &request);
}

namespace {

/** The body of a request, in memory or spooled, as one read-only view (files are mapped). */
class BodyView
{
public:
    explicit BodyView(const http::HttpRequest &request) : m_memory(request.body)
    {
        if (request.bodyFilePath.isEmpty())
            return;
        m_file.setFileName(request.bodyFilePath);
        if (m_file.open(QIODevice::ReadOnly) && m_file.size() > 0)
            m_mapped = m_file.map(0, m_file.size());
    }
    bool ok() const { return m_file.fileName().isEmpty() || m_mapped || m_file.size() == 0; }
    QByteArrayView bytes() const
    {
        return m_mapped ? QByteArrayView(m_mapped, m_file.size()) : QByteArrayView(m_memory);
    }

private:
    QByteArray m_memory;
    QFile m_file;
    uchar *m_mapped = nullptr;
};

} // namespace

void WebhookService::handleAudio(const http::HttpRequest &request, http::HttpResponder responder)
{
    // Work on a copy: the request (and its spool file) stay alive until the response is sent,
    // which happens only after this task has posted its result back.
    QPointer<WebhookService> self(this);
    ++m_queuedAudio; // until finishAudio() runs, on this thread
    m_audioPool.start([self, this, request, responder]() mutable {
        AudioJob job = decodeAudio(request);
        QMetaObject::invokeMethod(
            this,
            [self, this, job = std::move(job), request, responder]() mutable {
                if (self)
                    finishAudio(request, std::move(job), std::move(responder));
            },
            Qt::QueuedConnection);
    });
}

WebhookService::AudioJob WebhookService::decodeAudio(const http::HttpRequest &request) const
{
    AudioJob job;
    BodyView body(request);
    if (!body.ok()) {
        job.error = Error{u"io_error"_s, u"The spooled request body could not be read"_s};
        job.status = 503;
        return job;
    }
    // Checked against when the request arrived, not when this worker got to it: a genuine
    // delivery waiting behind other audio must not come out "expired" (and never be retried).
    const qint64 checkedAt = now();
    const qint64 waitedSecs = request.received.isValid() ? request.received.elapsed() / 1000 : 0;
    job.verification = m_postCallVerifier.verify(request.header(SignatureHeader), body.bytes(),
                                                 checkedAt - waitedSecs);
    job.sha256 = QString::fromLatin1(digest::sha256Hex(body.bytes()));
    if (!job.verification.ok())
        return job;

    // Stream from the file (or the shared in-memory bytes): no extra copy of the body.
    std::unique_ptr<QIODevice> input;
    if (request.bodyFilePath.isEmpty()) {
        auto buffer = std::make_unique<QBuffer>();
        buffer->setData(request.body); // implicitly shared, not copied
        input = std::move(buffer);
    } else
        input = std::make_unique<QFile>(request.bodyFilePath);
    input->open(QIODevice::ReadOnly);
    QTemporaryFile output(QDir(m_options.audioDirectory).filePath(u"incoming-XXXXXX.part"_s));
    if (!output.open()) {
        job.error = Error{u"io_error"_s, u"The audio directory is not writable"_s};
        job.status = 503;
        return job;
    }
    auto info = AudioPayloadScanner().scan(*input, output);
    if (info && info->type != QLatin1StringView(WebhookType::PostCallAudio)) {
        // Another type that happens to carry data.full_audio: its own parser decides, in
        // memory, like any body of that type (the scanner only knows audio's fields).
        job.notAudio = true;
        job.fallbackBody = body.bytes().toByteArray();
        return job;
    }
    if (!info) {
        job.error = info.error();
        job.status = 400;
        job.notAudio = info.error().message.contains(u"full_audio"_s) &&
                       info.error().code == u"missing_field"_s;
        if (job.notAudio)
            job.fallbackBody = body.bytes().toByteArray();
        return job;
    }
    const QString finalPath =
        QDir(m_options.audioDirectory)
            .filePath(durablefile::safeName(info->conversationId) + u".mp3"_s);
    // On disk before the call row that points at it commits (and the 200 goes out); a
    // redelivery replaces the file in one step.
    if (auto published = durablefile::publish(output, finalPath, m_options.syncFile); !published) {
        qCWarning(lcWebhooks).noquote() << "audio not stored:" << published.error().message;
        job.error = Error{u"io_error"_s, u"The decoded audio could not be stored"_s};
        job.status = 503;
        return job;
    }
    output.setAutoRemove(false);
    job.info = info.value();
    job.audioPath = finalPath;
    return job;
}

void WebhookService::finishAudio(const http::HttpRequest &request, AudioJob job,
                                 http::HttpResponder responder)
{
    --m_queuedAudio;
    store::DeliveryRecord delivery = deliveryFor(request, u"post-call"_s, job.verification);
    delivery.body.clear(); // tens of MB of base64: the decoded file is what we keep
    delivery.bodySha256 = job.sha256;
    if (!job.notAudio)
        delivery.eventType = QString(WebhookType::PostCallAudio);
    if (!job.verification.ok())
        return rejectDelivery(
            std::move(delivery), statusFor(job.verification.outcome),
            {SignatureVerifier::outcomeCode(job.verification.outcome), job.verification.message},
            std::move(responder));
    if (job.notAudio) {
        // A large body of another type: handle it like any other, now in memory.
        delivery.body = job.fallbackBody;
        return submitParsed(std::move(delivery), job.fallbackBody, std::move(responder));
    }
    if (job.status != 200)
        return rejectDelivery(std::move(delivery), job.status, job.error, std::move(responder));
    delivery.conversationId = job.info.conversationId;
    submit([delivery = std::move(delivery), info = job.info, path = job.audioPath](
               QSqlDatabase &db) { return WebhookProcessor(db).applyAudio(delivery, info, path); },
           std::move(responder));
}

} // namespace callwatch::webhooks
