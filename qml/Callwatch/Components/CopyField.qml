// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Layouts

// A value to paste elsewhere (a webhook URL): label, monospace value and a Copy button.
Rectangle {
    id: root

    property string label
    property string value
    property bool copiedRecently: false

    signal copied(string value)

    function copy() {
        clipboardHelper.text = root.value
        clipboardHelper.selectAll()
        clipboardHelper.copy()
        clipboardHelper.deselect()
        copiedRecently = true
        copiedTimer.restart()
        copied(root.value)
    }

    implicitHeight: layout.implicitHeight + 16
    implicitWidth: 420
    radius: Theme.radius
    color: Theme.surfaceAlt
    border.width: 1
    border.color: Theme.border

    RowLayout {
        id: layout
        anchors.fill: parent
        anchors.leftMargin: 12
        anchors.rightMargin: 8
        spacing: 12

        ColumnLayout {
            Layout.fillWidth: true
            spacing: 2

            Text {
                visible: root.label.length > 0
                text: root.label
                color: Theme.textMuted
                font.pixelSize: Theme.fontSmall
                font.weight: Font.DemiBold
            }

            Text {
                objectName: "copyValue"
                Layout.fillWidth: true
                text: root.value
                color: Theme.text
                font.family: Theme.monoFamily
                font.pixelSize: 12
                elide: Text.ElideMiddle
            }
        }

        ActionButton {
            objectName: "copyButton"
            compact: true
            text: root.copiedRecently ? qsTr("Copied ✓") : qsTr("Copy")
            onClicked: root.copy()
        }
    }

    // QML has no clipboard API; a hidden TextEdit's copy() is the portable route.
    TextEdit {
        id: clipboardHelper
        visible: false
    }

    Timer {
        id: copiedTimer
        interval: 1600
        onTriggered: root.copiedRecently = false
    }
}
