// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Callwatch.Components

// The URLs to paste into ElevenLabs, each with a Copy button.
Popup {
    id: root

    property var urls: []

    width: 520
    padding: 18
    modal: false
    focus: true
    closePolicy: Popup.CloseOnEscape | Popup.CloseOnPressOutside

    background: Card {
        border.color: Theme.borderStrong
    }

    contentItem: ColumnLayout {
        spacing: 10

        Text {
            text: qsTr("Webhook URLs")
            color: Theme.text
            font.pixelSize: Theme.fontLarge
            font.weight: Font.DemiBold
        }
        Text {
            Layout.fillWidth: true
            text: qsTr("Paste these into your ElevenLabs agent: the post-call webhook under the workspace webhook settings, the transcription URL where the per-turn feed is configured.")
            color: Theme.textMuted
            wrapMode: Text.Wrap
            font.pixelSize: Theme.fontBody
        }
        Repeater {
            model: root.urls
            delegate: CopyField {
                required property string modelData
                Layout.fillWidth: true
                label: modelData.indexOf("post-call") >= 0 ? qsTr("Post-call webhook")
                     : modelData.indexOf("transcription") >= 0 ? qsTr("Per-turn transcription")
                     : qsTr("Webhook")
                value: modelData
            }
        }
    }
}
