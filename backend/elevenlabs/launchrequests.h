// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"
#include "elevenlabs/elevenlabstypes.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace callwatch::elevenlabs {

/** @brief Agent, phone number and provider used when a request does not name them. */
struct LaunchDefaults
{
    QString agentId;
    QString agentPhoneNumberId;
    Provider provider = Provider::Twilio;
};

/**
 * @brief One outbound call to start: the body of `POST /api/calls`
 * `{to_number, driver_id, agent_id?, agent_phone_number_id?, provider?, dynamic_variables?}`.
 */
struct CallLaunchRequest
{
    QString toNumber;
    QString driverId;
    QString agentId;            ///< empty: LaunchDefaults::agentId
    QString agentPhoneNumberId; ///< empty: LaunchDefaults::agentPhoneNumberId
    std::optional<Provider> provider;
    QJsonObject dynamicVariables; ///< call_sid and driver_id are always ours

    /**
     * Reads and validates the JSON body. Errors: `missing_fields` (the message names every
     * missing field, in body order), `invalid_field` (names the field and what it must be).
     */
    static Result<CallLaunchRequest> fromJson(const QJsonObject &body);
    /** Fills agent and phone number from @p defaults; missing_fields when neither has them. */
    Result<CallLaunchRequest> resolved(const LaunchDefaults &defaults) const;
};

/** @brief One recipient of `POST /api/calls/batch`. */
struct BatchLaunchRecipient
{
    QString toNumber;
    QString driverId;
    QJsonObject dynamicVariables;
};

/**
 * @brief The body of `POST /api/calls/batch`
 * `{call_name, recipients: [{to_number, driver_id, dynamic_variables?}], agent_id?,
 * agent_phone_number_id?, dynamic_variables?}` (batch-level variables go to every recipient).
 */
struct BatchLaunchRequest
{
    static constexpr int MaxRecipients = 10'000;

    QString callName;
    QString agentId;
    QString agentPhoneNumberId;
    QJsonObject dynamicVariables;
    QList<BatchLaunchRecipient> recipients;

    static Result<BatchLaunchRequest> fromJson(const QJsonObject &body);
    Result<BatchLaunchRequest> resolved(const LaunchDefaults &defaults) const;
};

/** `missing_fields` naming @p fields: "Missing required fields: a, b". */
Error missingFieldsError(const QStringList &fields);

} // namespace callwatch::elevenlabs
