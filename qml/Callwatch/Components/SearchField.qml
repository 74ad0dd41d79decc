// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls.Basic

// A search box with a magnifier and a clear button; Escape clears it.
TextField {
    id: control

    leftPadding: 32
    rightPadding: clear.visible ? 30 : 10
    topPadding: 7
    bottomPadding: 7
    font.pixelSize: Theme.fontBody
    color: Theme.text
    placeholderTextColor: Theme.textFaint
    selectionColor: Theme.accent
    selectedTextColor: Theme.textOnAccent
    selectByMouse: true

    Keys.onEscapePressed: control.clear()

    background: Rectangle {
        implicitHeight: 34
        radius: Theme.radius
        color: Theme.surfaceAlt
        border.width: control.activeFocus ? 2 : 1
        border.color: control.activeFocus ? Theme.accent : Theme.border

        // Magnifier: a ring and a handle.
        Item {
            x: 11
            anchors.verticalCenter: parent.verticalCenter
            width: 14
            height: 14
            Rectangle {
                width: 10
                height: 10
                radius: 5
                color: "transparent"
                border.width: 1.6
                border.color: Theme.textFaint
            }
            Rectangle {
                x: 8.2
                y: 9.5
                width: 5
                height: 1.8
                radius: 1
                rotation: 45
                color: Theme.textFaint
            }
        }
    }

    Text {
        id: clear
        objectName: "clearSearch"
        anchors.right: parent.right
        anchors.rightMargin: 10
        anchors.verticalCenter: parent.verticalCenter
        visible: control.text.length > 0
        text: "✕"
        color: clearArea.containsMouse ? Theme.text : Theme.textFaint
        font.pixelSize: 12

        MouseArea {
            id: clearArea
            anchors.fill: parent
            anchors.margins: -6
            hoverEnabled: true
            cursorShape: Qt.PointingHandCursor
            onClicked: control.clear()
        }
    }
}
