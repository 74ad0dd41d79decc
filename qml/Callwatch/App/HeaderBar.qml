// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Callwatch.Core
import Callwatch.Components

// Brand, today's numbers, the connection and the webhook URLs; the page tabs below.
Rectangle {
    id: root

    required property Dashboard dashboard
    property string themeMode: "system"
    property int page: 0

    signal themeCycleRequested()

    readonly property bool live: dashboard.connectionState === "live"

    implicitHeight: layout.implicitHeight
    color: Theme.surface

    ColumnLayout {
        id: layout
        anchors.fill: parent
        spacing: 0

        RowLayout {
            id: top
            Layout.fillWidth: true
            Layout.leftMargin: 20
            Layout.rightMargin: 16
            Layout.topMargin: 12
            Layout.bottomMargin: 10
            spacing: 20

            // Brand
            RowLayout {
                spacing: 10
                Rectangle {
                    width: 34
                    height: 34
                    radius: 9
                    color: Theme.accent
                    Row {
                        anchors.centerIn: parent
                        spacing: 3
                        Repeater {
                            model: [8, 16, 11, 19, 9]
                            Rectangle {
                                required property int modelData
                                anchors.verticalCenter: parent.verticalCenter
                                width: 3
                                height: modelData
                                radius: 1.5
                                color: "white"
                            }
                        }
                    }
                }
                ColumnLayout {
                    spacing: 0
                    Text {
                        text: "Callwatch"
                        color: Theme.text
                        font.pixelSize: Theme.fontTitle
                        font.weight: Font.Bold
                    }
                    Text {
                        objectName: "serverLabel"
                        text: root.dashboard.mode === "embedded"
                              ? qsTr("Local server · %1").arg(root.dashboard.serverUrl.replace("http://", ""))
                              : root.dashboard.mode === "remote"
                                ? qsTr("Remote · %1").arg(root.dashboard.serverUrl.replace(/^https?:\/\//, ""))
                                : qsTr("Not connected")
                        color: Theme.textMuted
                        font.pixelSize: Theme.fontSmall
                    }
                }
            }

            Rectangle {
                visible: root.dashboard.phase === "ready"
                Layout.preferredWidth: 1
                Layout.preferredHeight: 36
                color: Theme.border
            }

            // Today's numbers
            RowLayout {
                visible: root.dashboard.phase === "ready"
                spacing: root.width > 1350 ? 30 : 22
                StatTile {
                    objectName: "liveCallsStat"
                    label: qsTr("Live calls")
                    value: root.dashboard.calls.liveCount
                    tone: root.dashboard.calls.liveCount > 0 ? "accent" : "neutral"
                    live: root.dashboard.calls.liveCount > 0 && root.live
                    dim: !root.live
                }
                StatTile {
                    objectName: "completedStat"
                    label: qsTr("Completed today")
                    value: root.dashboard.statsLoaded ? Format.integer(root.dashboard.completedToday) : "—"
                    dim: !root.live
                }
                StatTile {
                    objectName: "failureRateStat"
                    label: qsTr("Failure rate")
                    value: root.dashboard.statsLoaded ? Format.percent(root.dashboard.failureRate) : "—"
                    tone: root.dashboard.failureRate >= 0.2 ? "bad" : root.dashboard.failureRate >= 0.1 ? "warn" : "neutral"
                    dim: !root.live
                }
                StatTile {
                    objectName: "costStat"
                    label: qsTr("Cost today · credits")
                    value: root.dashboard.statsLoaded ? Format.cost(root.dashboard.costToday) : "—"
                    dim: !root.live
                }
            }

            Item { Layout.fillWidth: true }

            ConnectionIndicator {
                objectName: "connectionIndicator"
                visible: root.dashboard.phase === "ready"
                connectionState: root.dashboard.connectionState
                secondsToRetry: root.dashboard.secondsToRetry
                detail: root.dashboard.connectionDetail
                retryVisible: false // the banner below the header has the Retry button
                onRetryRequested: root.dashboard.retryNow()
            }

            ActionButton {
                id: webhooksButton
                objectName: "webhooksButton"
                text: root.width > 1300 ? qsTr("Webhook URLs") : qsTr("Webhooks")
                enabled: root.dashboard.webhookUrls.length > 0
                onClicked: webhookPopup.open()
            }

        }

        RowLayout {
            id: tabs
            Layout.fillWidth: true
            Layout.leftMargin: 14
            spacing: 4

            HeaderTab {
                objectName: "tab0"
                text: qsTr("Calls")
                active: root.page === 0
                onClicked: root.page = 0
            }
            HeaderTab {
                objectName: "tab1"
                text: qsTr("Webhook inspector")
                active: root.page === 1
                onClicked: root.page = 1
            }
            Item { Layout.fillWidth: true }

            ActionButton {
                objectName: "themeButton"
                kind: "ghost"
                text: root.themeMode === "dark" ? "☾" : root.themeMode === "light" ? "☀" : "◐"
                font.pixelSize: 15
                compact: true
                ToolTip.visible: hovered
                ToolTip.delay: 400
                ToolTip.text: root.themeMode === "system" ? qsTr("Theme: follow the system")
                            : root.themeMode === "light" ? qsTr("Theme: light") : qsTr("Theme: dark")
                onClicked: root.themeCycleRequested()
            }
            Item { Layout.preferredWidth: 8 }
        }

        Rectangle {
            Layout.fillWidth: true
            Layout.preferredHeight: 1
            color: Theme.border
        }
    }

    WebhookPopup {
        id: webhookPopup
        x: root.width - width - 16
        y: webhooksButton.y + webhooksButton.height + 18
        urls: root.dashboard.webhookUrls
    }
}
