// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import Callwatch.Components

// One page tab of the header: its label, and an accent underline while active.
Item {
    id: root

    property string text
    property bool active: false
    signal clicked()

    implicitWidth: label.implicitWidth + 24
    implicitHeight: 38

    Text {
        id: label
        anchors.centerIn: parent
        text: root.text
        color: root.active || area.containsMouse ? Theme.text : Theme.textMuted
        font.pixelSize: Theme.fontBody
        font.weight: root.active ? Font.DemiBold : Font.Normal
    }
    Rectangle {
        anchors.bottom: parent.bottom
        anchors.horizontalCenter: parent.horizontalCenter
        width: parent.width - 12
        height: 2
        radius: 1
        color: Theme.accent
        visible: root.active
    }
    MouseArea {
        id: area
        anchors.fill: parent
        hoverEnabled: true
        cursorShape: Qt.PointingHandCursor
        onClicked: root.clicked()
    }
}
