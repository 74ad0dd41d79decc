// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

class QQuickWindow;

namespace callwatch::app {

/** @brief The --screenshot option: saves a PNG of the window after a delay, then quits. */
class WindowCapture
{
public:
    static void schedule(QQuickWindow *window, const QString &path, int delayMs);
    /** Grabs the window now; false (with a warning) when the image could not be saved. */
    static bool save(QQuickWindow *window, const QString &path);
};

} // namespace callwatch::app
