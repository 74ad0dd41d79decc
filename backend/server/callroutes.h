// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "elevenlabs/elevenlabsclient.h"
#include "elevenlabs/launchrequests.h"
#include "http/httptypes.h"
#include "server/config.h"

#include <functional>

namespace callwatch::store {
class Database;
}
namespace callwatch::live {
class JwtVerifier;
}
namespace callwatch::http {
class HttpServer;
}
namespace callwatch::elevenlabs {
class CallLauncher;
}

namespace callwatch::server {

/** @brief What the call-starting routes need; passed in so tests can build them around a temp DB.
 */
struct CallRoutesContext
{
    store::Database *database = nullptr;
    const live::JwtVerifier *jwt = nullptr;
    elevenlabs::CallLauncher *launcher = nullptr;
    std::function<qint64()> clock; ///< unix seconds, for token checks
};

/**
 * Registers `POST /api/calls` and `POST /api/calls/batch` (scope calls:write).
 *
 * Both answer once ElevenLabs has answered (or failed), with the calls in their stored state:
 * 201 `{"call": {...}}` whose status is in_progress (dialled) or failed (with failure_reason);
 * 201 `{"batch": {id, elevenlabs_batch_id, status, failure_reason}, "calls": [...]}`.
 * The call row exists (and is committed) before ElevenLabs is asked, hence 201 in both cases.
 * 400 names missing or invalid fields; 503 when no API key is configured or the database is down.
 */
void registerCallRoutes(http::HttpServer &server, const CallRoutesContext &context);

void handleStartCall(const http::HttpRequest &request, http::HttpResponder responder,
                     const CallRoutesContext &context);
void handleStartBatch(const http::HttpRequest &request, http::HttpResponder responder,
                      const CallRoutesContext &context);

/** The client settings from the configuration (elevenlabs-api-key, elevenlabs-base-url). */
elevenlabs::ClientOptions elevenLabsClientOptions(const Config &config);
/** The default agent and phone number (agent-id, agent-phone-number-id). */
elevenlabs::LaunchDefaults launchDefaults(const Config &config);

} // namespace callwatch::server
