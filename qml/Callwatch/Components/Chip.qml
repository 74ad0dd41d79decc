// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick

// A small rounded label with a tone: good, bad, warn, accent or neutral.
Rectangle {
    id: root

    property string text
    property string tone: "neutral"
    property bool dot: false
    property bool pulsing: false

    implicitHeight: 22
    implicitWidth: content.implicitWidth + 16
    radius: height / 2
    color: Theme.toneSoft(tone)

    Row {
        id: content
        anchors.centerIn: parent
        spacing: 6

        PulseDot {
            anchors.verticalCenter: parent.verticalCenter
            visible: root.dot
            size: 6
            color: Theme.toneColor(root.tone)
            pulsing: root.pulsing
        }

        Text {
            id: label
            anchors.verticalCenter: parent.verticalCenter
            text: root.text
            color: Theme.toneColor(root.tone)
            font.pixelSize: Theme.fontSmall
            font.weight: Font.DemiBold
        }
    }
}
