// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <optional>
#include <utility>

namespace callwatch::elevenlabs {

/**
 * @brief Why an ElevenLabs API request failed, in terms a caller can act on.
 *
 * - Network: no HTTP answer (connection refused, reset, DNS);
 * - Timeout: no complete answer within the per-request timeout;
 * - Http: a non-2xx status; `message` carries the API's `detail` when there is one;
 * - InvalidResponse: a 2xx whose body is not the documented JSON;
 * - Rejected: a 2xx with `success: false` (the outbound-call endpoints).
 * `message` never contains the API key.
 */
struct ElevenLabsError
{
    enum class Kind { Network, Timeout, Http, InvalidResponse, Rejected };

    ElevenLabsError() = default;
    ElevenLabsError(Kind kind, int httpStatus, QString message, int attempts = 1)
        : kind(kind), httpStatus(httpStatus), message(std::move(message)), attempts(attempts)
    {}

    Kind kind = Kind::Network;
    int httpStatus = 0; ///< 0 when there was no HTTP answer
    QString message;
    int attempts = 1; ///< how many attempts were made before giving up

    /** "network", "timeout", "http", "invalid_response", "rejected". */
    QString kindName() const;
    /**
     * The failure reason stored on a call: "api_error: 422 <detail>", "timeout",
     * "network_error: <text>", "invalid_response: <text>", or the API's message for success:false.
     */
    QString callFailureReason() const;
};

/** @brief A value or an ElevenLabsError (core::Result has no room for the HTTP status). */
template<typename T> class [[nodiscard]] ApiResult
{
public:
    ApiResult(T value) : m_value(std::move(value)) {}
    ApiResult(ElevenLabsError error) : m_error(std::move(error)) {}

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return *m_value; }
    T &&value() && { return std::move(*m_value); }
    const T *operator->() const { return &*m_value; }
    const ElevenLabsError &error() const { return m_error; }

private:
    std::optional<T> m_value;
    ElevenLabsError m_error;
};

} // namespace callwatch::elevenlabs
