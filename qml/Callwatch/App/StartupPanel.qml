// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Callwatch.Core
import Callwatch.Components

// Shown until a backend is attached: "starting", or what went wrong and the ways out
// (another port for the built-in server, or a remote Callwatch server with a token).
Rectangle {
    id: root

    required property Dashboard dashboard
    required property AppSettings appSettings

    readonly property bool failed: dashboard.phase === "failed"
    readonly property string code: dashboard.startupErrorCode

    color: Theme.window

    // Swallow input meant for the page underneath.
    MouseArea {
        anchors.fill: parent
        hoverEnabled: true
    }

    Card {
        anchors.centerIn: parent
        width: Math.min(parent.width - 48, 560)
        implicitHeight: content.implicitHeight + 56

        ColumnLayout {
            id: content
            anchors.fill: parent
            anchors.margins: 28
            spacing: 14

            RowLayout {
                visible: !root.failed
                spacing: 12
                BusyIndicator {
                    running: !root.failed
                    implicitWidth: 28
                    implicitHeight: 28
                }
                Text {
                    text: qsTr("Starting the local Callwatch server…")
                    color: Theme.text
                    font.pixelSize: Theme.fontLarge
                }
            }

            Text {
                objectName: "startupTitle"
                visible: root.failed
                Layout.fillWidth: true
                text: {
                    switch (root.code) {
                    case "port_in_use": return qsTr("The port is already in use")
                    case "embedded_unavailable": return qsTr("This build has no built-in server")
                    case "token_required": return qsTr("A token is needed")
                    case "invalid_url": return qsTr("That server address does not look right")
                    default: return qsTr("Callwatch could not start")
                    }
                }
                color: Theme.text
                font.pixelSize: 20
                font.weight: Font.Bold
                wrapMode: Text.Wrap
            }

            Text {
                objectName: "startupError"
                visible: root.failed && root.dashboard.startupError.length > 0
                Layout.fillWidth: true
                text: root.dashboard.startupError
                color: Theme.textMuted
                font.pixelSize: Theme.fontBody
                wrapMode: Text.Wrap
                lineHeight: 1.2
            }

            // Way out 1: the built-in server on another port.
            ColumnLayout {
                visible: root.failed && root.dashboard.embeddedAvailable
                Layout.fillWidth: true
                Layout.topMargin: 6
                spacing: 8
                Text {
                    text: qsTr("RUN THE BUILT-IN SERVER ON ANOTHER PORT")
                    color: Theme.textFaint
                    font.pixelSize: 10
                    font.weight: Font.DemiBold
                    font.letterSpacing: 0.8
                }
                RowLayout {
                    spacing: 8
                    TextField {
                        id: portField
                        objectName: "portField"
                        Layout.preferredWidth: 110
                        text: root.dashboard.suggestedPort > 0 ? root.dashboard.suggestedPort : root.appSettings.port
                        validator: IntValidator { bottom: 1; top: 65535 }
                        color: Theme.text
                        font.pixelSize: Theme.fontBody
                        selectByMouse: true
                        background: Rectangle {
                            implicitHeight: 32
                            radius: Theme.radius
                            color: Theme.surfaceAlt
                            border.width: portField.activeFocus ? 2 : 1
                            border.color: portField.activeFocus ? Theme.accent : Theme.border
                        }
                    }
                    ActionButton {
                        objectName: "startEmbedded"
                        kind: "primary"
                        text: qsTr("Start on port %1").arg(portField.text)
                        enabled: portField.acceptableInput
                        onClicked: root.dashboard.startEmbedded(parseInt(portField.text))
                    }
                }
            }

            Rectangle {
                visible: root.failed && root.dashboard.embeddedAvailable
                Layout.fillWidth: true
                Layout.preferredHeight: 1
                color: Theme.border
            }

            // Way out 2: a running Callwatch server.
            ColumnLayout {
                visible: root.failed
                Layout.fillWidth: true
                spacing: 8
                Text {
                    text: qsTr("CONNECT TO A CALLWATCH SERVER")
                    color: Theme.textFaint
                    font.pixelSize: 10
                    font.weight: Font.DemiBold
                    font.letterSpacing: 0.8
                }
                FormField {
                    id: urlField
                    objectName: "urlField"
                    Layout.fillWidth: true
                    placeholderText: qsTr("Server URL, e.g. http://callwatch.fleet.local:8750")
                    text: root.appSettings.remoteUrl
                }
                FormField {
                    id: tokenField
                    objectName: "tokenField"
                    Layout.fillWidth: true
                    placeholderText: qsTr("Access token (callwatchd token on the server)")
                    echoMode: TextInput.Password
                }
                RowLayout {
                    Item { Layout.fillWidth: true }
                    ActionButton {
                        objectName: "connectRemote"
                        kind: root.dashboard.embeddedAvailable ? "secondary" : "primary"
                        text: qsTr("Connect")
                        enabled: urlField.text.length > 0 && tokenField.text.length > 0
                        onClicked: root.dashboard.connectRemote(urlField.text, tokenField.text)
                    }
                }
            }
        }
    }
}
