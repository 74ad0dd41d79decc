// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick

// A surface with a hairline border: the building block of panels.
Rectangle {
    color: Theme.surface
    radius: Theme.radiusLarge
    border.width: 1
    border.color: Theme.border
}
