// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick

// One header number: a small caption above a large value.
Item {
    id: root

    property string label
    property string value
    property string tone: "neutral"
    property bool live: false
    property bool dim: false

    implicitWidth: Math.max(caption.implicitWidth, valueRow.implicitWidth)
    implicitHeight: caption.implicitHeight + 2 + valueRow.implicitHeight

    Text {
        id: caption
        text: root.label.toUpperCase()
        color: Theme.textFaint
        font.pixelSize: 10
        font.weight: Font.DemiBold
        font.letterSpacing: 0.8
    }

    Row {
        id: valueRow
        anchors.top: caption.bottom
        anchors.topMargin: 2
        spacing: 7

        PulseDot {
            anchors.verticalCenter: parent.verticalCenter
            visible: root.live
            size: 8
            color: Theme.toneColor(root.tone)
            pulsing: root.live
        }

        Text {
            objectName: "statValue"
            text: root.value
            color: root.tone === "neutral" ? Theme.text : Theme.toneColor(root.tone)
            opacity: root.dim ? 0.55 : 1
            font.pixelSize: 20
            font.weight: Font.DemiBold
        }
    }
}
