// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls.Basic
import "Format.js" as Format

// Raw JSON, pretty-printed by the controller, in a selectable monospace view with light
// syntax colouring (skipped for very large bodies).
Rectangle {
    id: root

    property string text
    property string placeholder: qsTr("Select a delivery to see its body")

    radius: Theme.radius
    color: Theme.surfaceSunken
    border.width: 1
    border.color: Theme.border

    ScrollView {
        id: scroll
        anchors.fill: parent
        anchors.margins: 1
        clip: true

        TextArea {
            id: area
            objectName: "jsonText"
            readOnly: true
            selectByMouse: true
            wrapMode: TextEdit.NoWrap
            textFormat: root.text.length < 200000 ? TextEdit.RichText : TextEdit.PlainText
            text: root.text.length < 200000 ? Format.jsonHtml(root.text, Theme) : root.text
            font.family: Theme.monoFamily
            font.pixelSize: 12
            color: Theme.text
            selectionColor: Theme.accent
            selectedTextColor: Theme.textOnAccent
            padding: 14
            background: null
        }
    }

    Text {
        anchors.centerIn: parent
        width: parent.width - 48
        wrapMode: Text.WordWrap
        horizontalAlignment: Text.AlignHCenter
        visible: root.text.length === 0
        text: root.placeholder
        color: Theme.textFaint
        font.pixelSize: Theme.fontBody
    }
}
