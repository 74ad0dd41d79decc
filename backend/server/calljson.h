// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/callrecord.h"
#include "store/deliveryrepository.h"

#include <QJsonObject>

namespace callwatch::server {

/** The one place where stored rows become REST JSON (snake_case, ISO-8601 UTC times). */
QJsonObject callToJson(const store::CallRecord &call);
QJsonObject turnToJson(const store::TranscriptTurn &turn);
QJsonObject deliveryToJson(const store::DeliveryRecord &delivery, bool withBody);

} // namespace callwatch::server
