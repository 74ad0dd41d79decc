// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import Callwatch.Components

// One choice of the status filter's segmented control.
Rectangle {
    id: root

    property string label
    property int count: 0 ///< shown after the label when above zero
    property bool active: false
    signal clicked()

    radius: Theme.radius - 2
    color: active ? Theme.surface : area.containsMouse ? Theme.hover : "transparent"
    border.width: active ? 1 : 0
    border.color: Theme.border

    Text {
        anchors.centerIn: parent
        text: root.label + (root.count > 0 ? "  " + root.count : "")
        color: root.active ? Theme.text : Theme.textMuted
        font.pixelSize: Theme.fontSmall + 1
        font.weight: root.active ? Font.DemiBold : Font.Normal
    }
    MouseArea {
        id: area
        anchors.fill: parent
        hoverEnabled: true
        cursorShape: Qt.PointingHandCursor
        onClicked: root.clicked()
    }
}
