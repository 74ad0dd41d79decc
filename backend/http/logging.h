// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLoggingCategory>

namespace callwatch::http {
Q_DECLARE_LOGGING_CATEGORY(lcHttp)
} // namespace callwatch::http
