// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/windowcapture.h"

#include "app/logging.h"

#include <QCoreApplication>
#include <QImage>
#include <QQuickWindow>
#include <QTimer>

namespace callwatch::app {

void WindowCapture::schedule(QQuickWindow *window, const QString &path, int delayMs)
{
    QTimer::singleShot(delayMs, window,
                       [window, path] { QCoreApplication::exit(save(window, path) ? 0 : 1); });
}

bool WindowCapture::save(QQuickWindow *window, const QString &path)
{
    const QImage image = window->grabWindow();
    if (image.isNull() || !image.save(path, "PNG")) {
        qCWarning(lcApp) << "Could not save a screenshot to" << path;
        return false;
    }
    qCInfo(lcApp) << "Screenshot saved to" << path << image.size();
    return true;
}

} // namespace callwatch::app
