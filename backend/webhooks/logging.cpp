// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/logging.h"

Q_LOGGING_CATEGORY(lcWebhooks, "callwatch.webhooks")
