// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Layouts
import "Format.js" as Format

// One recorded webhook delivery: what it was, whether its signature checked out, what it did.
Rectangle {
    id: root

    required property var deliveryId
    required property var receivedAt
    required property string route
    required property string eventType
    required property string verification
    required property string outcome
    required property int httpStatus
    required property string errorMessage
    required property var bodySize

    property bool selected: false
    property date now: new Date()

    signal activated()

    implicitHeight: column.implicitHeight + 20
    color: selected ? Theme.selected : hover.hovered ? Theme.hover : "transparent"

    HoverArea {
        id: hover
        objectName: "hoverArea"
    }
    TapHandler { onTapped: root.activated() }

    Rectangle {
        visible: root.selected
        width: 3
        height: parent.height - 14
        anchors.verticalCenter: parent.verticalCenter
        radius: 2
        color: Theme.accent
    }

    ColumnLayout {
        id: column
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.verticalCenter: parent.verticalCenter
        anchors.leftMargin: 16
        anchors.rightMargin: 14
        spacing: 6

        RowLayout {
            Layout.fillWidth: true
            spacing: 8
            Text {
                text: "#" + root.deliveryId
                color: Theme.textFaint
                font.pixelSize: Theme.fontSmall + 1
                font.family: Theme.monoFamily
            }
            Text {
                Layout.fillWidth: true
                text: root.eventType.length > 0 ? root.eventType : root.route
                color: Theme.text
                font.pixelSize: Theme.fontBody
                font.weight: Font.DemiBold
                elide: Text.ElideRight
            }
            Text {
                text: Format.when(root.receivedAt, root.now)
                color: Theme.textMuted
                font.pixelSize: Theme.fontSmall + 1
            }
        }

        RowLayout {
            spacing: 6
            Chip {
                objectName: "verificationChip"
                text: Format.humanize(root.verification)
                tone: Format.deliveryTone(root.verification, root.httpStatus)
            }
            Chip {
                objectName: "outcomeChip"
                text: Format.humanize(root.outcome)
                tone: Format.deliveryTone(root.outcome, root.httpStatus)
            }
            Text {
                text: (root.httpStatus > 0 ? "HTTP " + root.httpStatus : "") + "  ·  " + Format.bytes(root.bodySize)
                color: Theme.textFaint
                font.pixelSize: Theme.fontSmall
                font.family: Theme.monoFamily
            }
        }

        Text {
            Layout.fillWidth: true
            visible: root.errorMessage.length > 0
            text: root.errorMessage
            color: Theme.bad
            font.pixelSize: Theme.fontSmall + 1
            elide: Text.ElideRight
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
