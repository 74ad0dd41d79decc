// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Layouts
import "Format.js" as Format

// One call in the list: who, status, how long, and the latest line (live), the summary
// (completed) or the failure reason (failed). Roles arrive as required properties.
Rectangle {
    id: root

    required property string callSid
    required property string driverId
    required property string toNumber
    required property string status
    required property bool isLive
    required property var startedAt
    required property var durationSeconds
    required property string lastMessage
    required property string lastSpeaker
    required property string summary
    required property string failureReason
    required property string callSuccessful

    property bool selected: false
    property bool current: false
    property date now: new Date()

    signal activated()

    readonly property int shownDuration: isLive ? Format.elapsed(startedAt, now) : durationSeconds
    readonly property string detailText: {
        if (status === "failed")
            return failureReason.length > 0 ? failureReason : qsTr("The call failed")
        if (isLive) {
            // No line seen yet on this connection (the call may have started before it).
            if (lastMessage.length === 0)
                return status === "initiating" ? qsTr("Dialing…") : qsTr("Call in progress")
            return (lastSpeaker === "agent" ? qsTr("Agent: ") : qsTr("Driver: ")) + lastMessage
        }
        return summary.length > 0 ? summary : qsTr("Waiting for the post-call summary…")
    }

    implicitHeight: 78
    color: selected ? Theme.selected : hover.hovered ? Theme.hover : "transparent"

    HoverArea {
        id: hover
        objectName: "hoverArea"
    }
    TapHandler { onTapped: root.activated() }

    Rectangle {
        visible: root.selected
        width: 3
        height: parent.height - 16
        anchors.verticalCenter: parent.verticalCenter
        x: 0
        radius: 2
        color: Theme.accent
    }

    Rectangle {
        // Keyboard cursor when it is not on the selected row.
        anchors.fill: parent
        anchors.margins: 2
        visible: root.current && !root.selected
        color: "transparent"
        radius: Theme.radius
        border.width: 1
        border.color: Theme.borderStrong
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.leftMargin: 16
        anchors.rightMargin: 14
        anchors.topMargin: 10
        anchors.bottomMargin: 10
        spacing: 3

        RowLayout {
            Layout.fillWidth: true
            spacing: 8

            PulseDot {
                size: 8
                color: Theme.toneColor(Format.statusTone(root.status))
                pulsing: root.status === "in_progress"
            }
            Text {
                objectName: "driverText"
                Layout.fillWidth: true
                text: root.driverId.length > 0 ? root.driverId : root.callSid
                color: Theme.text
                font.pixelSize: Theme.fontBody + 1
                font.weight: Font.DemiBold
                elide: Text.ElideRight
            }
            StatusChip {
                status: root.status
            }
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.leftMargin: 16
            spacing: 6

            Text {
                Layout.fillWidth: true
                text: Format.phone(root.toNumber)
                      + (root.startedAt ? "  ·  " + Format.when(root.startedAt, root.now) : "")
                color: Theme.textMuted
                font.pixelSize: Theme.fontSmall + 1
                elide: Text.ElideRight
            }
            Text {
                objectName: "durationText"
                visible: root.shownDuration >= 0
                text: Format.duration(root.shownDuration)
                color: root.isLive ? Theme.accent : Theme.textMuted
                font.pixelSize: Theme.fontSmall + 1
                font.family: Theme.monoFamily
                font.weight: root.isLive ? Font.DemiBold : Font.Normal
            }
        }

        Text {
            objectName: "detailText"
            Layout.fillWidth: true
            Layout.leftMargin: 16
            text: root.detailText
            color: root.status === "failed" ? Theme.bad : root.isLive ? Theme.text : Theme.textMuted
            font.pixelSize: Theme.fontSmall + 1
            font.italic: root.isLive && root.lastMessage.length > 0
            elide: Text.ElideRight
            maximumLineCount: 1
        }
    }

    Rectangle {
        anchors.bottom: parent.bottom
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.leftMargin: 16
        height: 1
        color: Theme.border
        opacity: 0.7
    }
}
