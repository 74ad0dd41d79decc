// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls.Basic

// Says plainly whether what is on screen is live: Live (green, pulsing), Connecting,
// Reconnecting in N s (amber, with Retry now), Offline or Access denied (red).
Rectangle {
    id: root

    property string connectionState: "offline"
    property int secondsToRetry: 0
    property string detail: ""
    // Off where another control already offers the retry (the header, under the banner).
    property bool retryVisible: true

    signal retryRequested()

    readonly property string tone: connectionState === "live" ? "good"
        : (connectionState === "connecting" || connectionState === "reconnecting") ? "warn" : "bad"
    readonly property string label: {
        switch (connectionState) {
        case "live": return qsTr("Live")
        case "connecting": return qsTr("Connecting…")
        case "reconnecting":
            return secondsToRetry > 0 ? qsTr("Reconnecting in %1 s").arg(secondsToRetry)
                                      : qsTr("Reconnecting…")
        case "unauthorized": return qsTr("Access denied")
        default: return qsTr("Offline")
        }
    }
    readonly property bool canRetry: retryVisible && (connectionState === "reconnecting"
        || connectionState === "offline" || connectionState === "unauthorized")

    implicitHeight: 30
    implicitWidth: row.implicitWidth + 22
    radius: height / 2
    color: Theme.toneSoft(tone)
    border.width: 1
    border.color: Qt.rgba(Theme.toneColor(tone).r, Theme.toneColor(tone).g, Theme.toneColor(tone).b, 0.35)

    // Below the row, so the retry link keeps its own hover.
    HoverArea {
        id: hover
        objectName: "hoverArea"
    }

    Row {
        id: row
        anchors.centerIn: parent
        spacing: 8

        PulseDot {
            anchors.verticalCenter: parent.verticalCenter
            size: 8
            color: Theme.toneColor(root.tone)
            pulsing: root.connectionState === "live"
        }

        Text {
            objectName: "connectionLabel"
            anchors.verticalCenter: parent.verticalCenter
            text: root.label
            color: Theme.toneColor(root.tone)
            font.pixelSize: Theme.fontBody
            font.weight: Font.DemiBold
        }

        Rectangle {
            anchors.verticalCenter: parent.verticalCenter
            visible: root.canRetry
            width: 1
            height: 14
            color: Qt.rgba(Theme.toneColor(root.tone).r, Theme.toneColor(root.tone).g, Theme.toneColor(root.tone).b, 0.4)
        }

        Text {
            id: retry
            objectName: "retryLink"
            anchors.verticalCenter: parent.verticalCenter
            visible: root.canRetry
            text: qsTr("Retry now")
            color: Theme.toneColor(root.tone)
            font.pixelSize: Theme.fontBody
            font.underline: retryArea.containsMouse

            MouseArea {
                id: retryArea
                anchors.fill: parent
                anchors.margins: -4
                hoverEnabled: true
                cursorShape: Qt.PointingHandCursor
                onClicked: root.retryRequested()
            }
        }
    }

    ToolTip.visible: (hover.hovered || retryArea.containsMouse) && root.detail.length > 0
    ToolTip.text: root.detail
    ToolTip.delay: 400
}
