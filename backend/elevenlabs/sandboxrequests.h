// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/httptypes.h"

#include <QJsonArray>
#include <QJsonObject>

#include <optional>

/**
 * Request checks of the sandbox, answering like the real API: 401 with `{"detail": {status,
 * message}}` without a key, 422 with FastAPI's `{"detail": [{loc, msg, type}]}` for bodies
 * that miss or mistype fields.
 */
namespace callwatch::elevenlabs::sandboxrequests {

/** 401 when the xi-api-key header is missing or (when @p requiredKey is set) different. */
std::optional<http::HttpResponse> checkApiKey(const http::HttpRequest &request,
                                              const QString &requiredKey);

/** The body as a JSON object, or the 422 to answer. */
std::optional<http::HttpResponse> parseBody(const http::HttpRequest &request, QJsonObject *body);

/** Validation items of POST …/outbound-call; empty when valid. */
QJsonArray validateOutboundCall(const QJsonObject &body);
/** Validation items of POST /v1/convai/batch-calling/submit; empty when valid. */
QJsonArray validateBatchSubmit(const QJsonObject &body);

http::HttpResponse validationError(const QJsonArray &items);
/** `{"detail": {"status": status, "message": message}}` with @p httpStatus. */
http::HttpResponse detailError(int httpStatus, const QString &status, const QString &message);

} // namespace callwatch::elevenlabs::sandboxrequests
