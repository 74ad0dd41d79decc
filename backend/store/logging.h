// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLoggingCategory>

namespace callwatch::store {
Q_DECLARE_LOGGING_CATEGORY(lcStore)
} // namespace callwatch::store
