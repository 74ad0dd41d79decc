// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/logging.h"

namespace callwatch::store {
Q_LOGGING_CATEGORY(lcStore, "callwatch.store")
} // namespace callwatch::store
