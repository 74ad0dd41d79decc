// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick

// What an empty area says instead of staying blank: a title, a sentence, optional content.
Column {
    id: root

    property string title
    property string text
    property string glyph: "○"
    default property alias content: extra.data

    spacing: 8
    width: Math.min(parent ? parent.width - 48 : 360, 460)

    Rectangle {
        anchors.horizontalCenter: parent.horizontalCenter
        width: 44
        height: 44
        radius: 22
        color: Theme.neutralSoft
        Text {
            anchors.centerIn: parent
            text: root.glyph
            color: Theme.textFaint
            font.pixelSize: 20
        }
    }

    Text {
        objectName: "emptyTitle"
        width: parent.width
        horizontalAlignment: Text.AlignHCenter
        text: root.title
        color: Theme.text
        font.pixelSize: Theme.fontLarge
        font.weight: Font.DemiBold
        wrapMode: Text.Wrap
    }

    Text {
        width: parent.width
        visible: root.text.length > 0
        horizontalAlignment: Text.AlignHCenter
        text: root.text
        color: Theme.textMuted
        font.pixelSize: Theme.fontBody
        wrapMode: Text.Wrap
        lineHeight: 1.2
    }

    Column {
        id: extra
        width: parent.width
        spacing: 8
        topPadding: 6
    }
}
