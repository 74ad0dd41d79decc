// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"
#include "elevenlabs/elevenlabstypes.h"

#include <QByteArray>
#include <QJsonObject>
#include <QUrlQuery>

/**
 * The one place where ElevenLabs request bodies are written and responses read, with the field
 * names of the reference notes (§8). Responses are read leniently (extra fields are ignored);
 * a missing required field is an Error naming it.
 */
namespace callwatch::elevenlabs::wire {

QString outboundCallPath(Provider provider);
inline constexpr auto BatchSubmitPath = "/v1/convai/batch-calling/submit";
QString batchPath(const QString &batchId);
QString conversationPath(const QString &conversationId);
inline constexpr auto ConversationsPath = "/v1/convai/conversations";

QJsonObject outboundCallBody(const OutboundCallRequest &request);
QJsonObject batchSubmitBody(const BatchSubmitRequest &request);
QUrlQuery conversationListQuery(const ConversationQuery &query);

Result<OutboundCallResponse> parseOutboundCallResponse(const QJsonObject &body, Provider provider);
Result<BatchJob> parseBatchJob(const QJsonObject &body);
Result<Conversation> parseConversation(const QJsonObject &body);
Result<ConversationPage> parseConversationPage(const QJsonObject &body);

/**
 * A short text from an error body: `detail` as a string, `detail.message`, or the first
 * validation item ("body.to_number: field required"); empty when there is none. At most 300
 * characters: it ends up in a call's failure reason and in logs.
 */
QString errorDetail(const QByteArray &body);

} // namespace callwatch::elevenlabs::wire
