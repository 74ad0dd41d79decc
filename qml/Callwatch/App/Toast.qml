// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Templates as T
import Callwatch.Components

// A short message at the bottom of the window that goes away by itself.
Rectangle {
    id: root

    property string kind: "info"

    function show(message, messageKind) {
        label.text = message
        kind = messageKind
        opacity = 1
        hideTimer.restart()
    }

    parent: T.Overlay.overlay
    anchors.horizontalCenter: parent ? parent.horizontalCenter : undefined
    anchors.bottom: parent ? parent.bottom : undefined
    anchors.bottomMargin: 24
    width: Math.min(label.implicitWidth + 44, 640)
    height: label.implicitHeight + 22
    radius: Theme.radius
    color: Theme.dark ? "#2a323d" : "#1f2329"
    opacity: 0
    visible: opacity > 0

    Behavior on opacity {
        NumberAnimation { duration: 180 }
    }

    Rectangle {
        width: 4
        height: parent.height - 12
        anchors.verticalCenter: parent.verticalCenter
        x: 8
        radius: 2
        color: root.kind === "error" ? Theme.bad : root.kind === "success" ? Theme.good : Theme.accent
    }

    Text {
        id: label
        objectName: "toastText"
        anchors.centerIn: parent
        anchors.horizontalCenterOffset: 4
        width: Math.min(implicitWidth, 600)
        color: "#f3f5f7"
        wrapMode: Text.Wrap
        font.pixelSize: Theme.fontBody
    }

    Timer {
        id: hideTimer
        interval: 4500
        onTriggered: root.opacity = 0
    }
}
