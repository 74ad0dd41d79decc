// SPDX-License-Identifier: GPL-3.0-or-later
#include "live/logging.h"

namespace callwatch::live {
Q_LOGGING_CATEGORY(lcLive, "callwatch.live")
} // namespace callwatch::live
