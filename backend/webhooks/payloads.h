// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Every webhook payload parser in one include. Each returns callwatch::Result<T> whose Error has
// the code "invalid_json", "missing_field" or "invalid_field" and a message naming the field path
// (e.g. "data.conversation_id is required").
#include "webhooks/audiopayloadscanner.h"
#include "webhooks/callinitiationfailure.h"
#include "webhooks/postcalltranscription.h"
#include "webhooks/transcriptionturn.h"
#include "webhooks/webhookenvelope.h"
