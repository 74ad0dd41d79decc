// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLoggingCategory>

namespace callwatch::live {
Q_DECLARE_LOGGING_CATEGORY(lcLive)
} // namespace callwatch::live
