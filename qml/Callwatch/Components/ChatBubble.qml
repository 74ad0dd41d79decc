// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick

// One transcript turn: the agent on the left, the driver on the right, with the time into
// the call. The properties are `required` so the bubble can be a ListView delegate directly.
Item {
    id: root

    required property string speaker
    required property string message
    required property string timeLabel
    required property var toolNames
    required property string source

    readonly property bool isAgent: speaker === "agent"
    readonly property real maxBubbleWidth: Math.max(120, width * 0.74)

    implicitWidth: 480
    implicitHeight: column.implicitHeight

    Column {
        id: column
        anchors.left: root.isAgent ? parent.left : undefined
        anchors.right: root.isAgent ? undefined : parent.right
        spacing: 4

        Row {
            anchors.left: root.isAgent ? parent.left : undefined
            anchors.right: root.isAgent ? undefined : parent.right
            spacing: 6
            layoutDirection: root.isAgent ? Qt.LeftToRight : Qt.RightToLeft

            Text {
                objectName: "speakerLabel"
                text: root.isAgent ? qsTr("Agent") : qsTr("Driver")
                color: Theme.textMuted
                font.pixelSize: Theme.fontSmall
                font.weight: Font.DemiBold
            }
            Text {
                objectName: "timeLabel"
                text: root.timeLabel
                color: Theme.textFaint
                font.pixelSize: Theme.fontSmall
                font.family: Theme.monoFamily
            }
        }

        Rectangle {
            id: bubble
            anchors.left: root.isAgent ? parent.left : undefined
            anchors.right: root.isAgent ? undefined : parent.right
            width: Math.min(root.maxBubbleWidth, Math.max(body.implicitWidth, tools.implicitWidth) + 26)
            height: body.height + (tools.visible ? tools.height + 6 : 0) + 18
            radius: 14
            color: root.isAgent ? Theme.agentBubble : Theme.driverBubble
            border.width: root.isAgent ? 1 : 0
            border.color: Theme.border

            // A squarer corner on the speaker's side, like a speech tail.
            Rectangle {
                width: 14
                height: 14
                color: bubble.color
                x: root.isAgent ? 0 : bubble.width - width
                y: 0
                border.width: 0
                Rectangle {
                    visible: root.isAgent
                    width: 1; height: parent.height; color: Theme.border
                }
                Rectangle {
                    visible: root.isAgent
                    width: parent.width; height: 1; color: Theme.border
                }
            }

            Text {
                id: body
                objectName: "messageText"
                x: 13
                y: 9
                width: Math.min(implicitWidth, root.maxBubbleWidth - 26)
                visible: text.length > 0
                height: visible ? implicitHeight : 0
                text: root.message
                wrapMode: Text.Wrap
                color: root.isAgent ? Theme.text : Theme.driverBubbleText
                font.pixelSize: Theme.fontBody
                lineHeight: 1.15
            }

            Text {
                id: tools
                x: 13
                anchors.top: body.bottom
                anchors.topMargin: body.visible ? 6 : 0
                width: Math.min(implicitWidth, root.maxBubbleWidth - 26)
                visible: root.toolNames && root.toolNames.length > 0
                height: visible ? implicitHeight : 0
                text: visible ? qsTr("Tool: %1").arg(root.toolNames.join(", ")) : ""
                elide: Text.ElideRight
                color: root.isAgent ? Theme.textMuted : Theme.driverBubbleText
                opacity: 0.85
                font.pixelSize: Theme.fontSmall
                font.italic: true
            }
        }
    }
}
