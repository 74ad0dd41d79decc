// SPDX-License-Identifier: GPL-3.0-or-later
// `callwatchd trigger KIND`: the developer's `stripe trigger`: a realistic, correctly signed
// webhook sent to a running backend.
#include "cli/commandline.h"
#include "cli/commands.h"
#include "webhooks/samplepayloads.h"
#include "webhooks/signatureverifier.h"

#include <QDateTime>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

#include <cstdio>

using namespace Qt::StringLiterals;
namespace samples = callwatch::webhooks::samples;

namespace callwatch::cli {

namespace {

struct Delivery
{
    QString path;
    QByteArray body;
    QByteArray secret;
};

Result<Delivery> buildDelivery(const QString &kind, const QCommandLineParser &parser,
                               const server::Config &config)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    samples::SampleCall call = samples::sampleCall(int(now % 97), now - 300);
    call.startUnix = now - call.durationSecs - samples::TranscriptionDelaySecs;
    if (parser.isSet(u"call-sid"_s))
        call.callSid = parser.value(u"call-sid"_s);
    if (parser.isSet(u"conversation-id"_s))
        call.conversationId = parser.value(u"conversation-id"_s);
    if (parser.isSet(u"driver"_s))
        call.driverId = parser.value(u"driver"_s);
    if (parser.isSet(u"to"_s))
        call.toNumber = parser.value(u"to"_s);
    const QByteArray postCallSecret = config.webhookSecrets().value(0);
    if (kind == u"post-call"_s)
        return Delivery{u"/webhooks/elevenlabs/post-call"_s, samples::postCallTranscription(call),
                        postCallSecret};
    if (kind == u"failure"_s)
        return Delivery{u"/webhooks/elevenlabs/post-call"_s,
                        samples::callInitiationFailure(call, parser.value(u"reason"_s),
                                                       parser.value(u"provider"_s)),
                        postCallSecret};
    if (kind == u"audio"_s)
        return Delivery{u"/webhooks/elevenlabs/post-call"_s,
                        samples::postCallAudio(call, samples::silentMp3(40 * 60)), postCallSecret};
    if (kind == u"turn"_s)
        return Delivery{u"/webhooks/elevenlabs/transcription"_s,
                        samples::transcriptionTurn(call.callSid, parser.value(u"speaker"_s),
                                                   parser.value(u"message"_s),
                                                   parser.value(u"time"_s).toDouble(), {}),
                        config.transcriptionSecrets().value(0)};
    return Error{u"unknown_kind"_s, u"KIND is one of post-call, failure, audio, turn"_s};
}

} // namespace

int runTrigger(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Send a realistic, signed webhook to a running backend.\n"
                                     u"KIND: post-call | failure | audio | turn"_s);
    parser.addHelpOption();
    parser.addPositionalArgument(u"KIND"_s, u"post-call, failure, audio or turn"_s);
    parser.addOption({u"url"_s, u"Backend base URL."_s, u"URL"_s, u"http://127.0.0.1:8750"_s});
    parser.addOption({u"call-sid"_s, u"Our call_sid for the call."_s, u"SID"_s});
    parser.addOption({u"conversation-id"_s, u"ElevenLabs conversation id."_s, u"ID"_s});
    parser.addOption({u"driver"_s, u"Driver id."_s, u"ID"_s});
    parser.addOption({u"to"_s, u"Driver's phone number."_s, u"E164"_s});
    parser.addOption({u"reason"_s, u"failure: busy, no-answer, unknown."_s, u"R"_s, u"busy"_s});
    parser.addOption({u"provider"_s, u"failure: twilio or sip."_s, u"P"_s, u"twilio"_s});
    parser.addOption({u"speaker"_s, u"turn: agent or user."_s, u"S"_s, u"agent"_s});
    parser.addOption({u"message"_s, u"turn: what was said."_s, u"TEXT"_s,
                      u"Hi, this is the safety desk calling about a speeding alert."_s});
    parser.addOption({u"time"_s, u"turn: seconds into the call."_s, u"SECS"_s, u"3"_s});
    addConfigOptions(parser);
    parser.process(arguments);
    auto config = loadConfig(parser);
    if (!config)
        return fail(config.error());
    if (parser.positionalArguments().size() != 1)
        return fail({u"missing_kind"_s, u"Give one KIND: post-call, failure, audio or turn"_s}, 2);
    auto delivery = buildDelivery(parser.positionalArguments().first(), parser, config.value());
    if (!delivery)
        return fail(delivery.error(), 2);
    if (delivery->secret.isEmpty())
        return fail({u"no_secret"_s, u"Set the webhook secret the backend uses "
                                     u"(--webhook-secret / --transcription-secret)"_s},
                    2);

    QNetworkAccessManager network;
    QNetworkRequest request(QUrl(parser.value(u"url"_s) + delivery->path));
    request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json"_ba);
    request.setRawHeader("ElevenLabs-Signature",
                         webhooks::SignatureVerifier::sign(
                             delivery->secret, QDateTime::currentSecsSinceEpoch(), delivery->body));
    request.setTransferTimeout(30000);
    QNetworkReply *reply = network.post(request, delivery->body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 0)
        return fail({u"unreachable"_s, reply->errorString()});
    std::printf("%d %s\n", status, reply->readAll().constData());
    reply->deleteLater();
    return status == 200 ? 0 : 1;
}

} // namespace callwatch::cli
