// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls.Basic
import Callwatch.Components

// A text field in the dashboard's look (the startup screen's URL and token).
TextField {
    id: field

    color: Theme.text
    placeholderTextColor: Theme.textFaint
    font.pixelSize: Theme.fontBody
    selectByMouse: true
    background: Rectangle {
        implicitHeight: 34
        radius: Theme.radius
        color: Theme.surfaceAlt
        border.width: field.activeFocus ? 2 : 1
        border.color: field.activeFocus ? Theme.accent : Theme.border
    }
}
