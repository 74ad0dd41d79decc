// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick

// A status dot; while `pulsing`, a halo breathes out of it (live calls, live connection).
Item {
    id: root

    property color color: Theme.accent
    property bool pulsing: false
    property int size: 8

    implicitWidth: size
    implicitHeight: size

    Rectangle {
        id: halo
        anchors.centerIn: parent
        width: root.size
        height: root.size
        radius: width / 2
        color: root.color
        opacity: 0
        visible: root.pulsing

        ParallelAnimation {
            running: root.pulsing && root.visible
            loops: Animation.Infinite
            NumberAnimation { target: halo; property: "scale"; from: 1; to: 2.8; duration: 1400; easing.type: Easing.OutCubic }
            NumberAnimation { target: halo; property: "opacity"; from: 0.55; to: 0; duration: 1400; easing.type: Easing.OutCubic }
        }
    }

    Rectangle {
        anchors.fill: parent
        radius: width / 2
        color: root.color
    }
}
