// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/logging.h"

namespace callwatch::http {
Q_LOGGING_CATEGORY(lcHttp, "callwatch.http")
} // namespace callwatch::http
