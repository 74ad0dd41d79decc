// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Templates as T
import QtQuick.Layouts
import Callwatch.Core
import Callwatch.Components

// Every webhook delivery as received: signature check, outcome, the raw JSON, and Replay.
SplitView {
    id: root

    required property Dashboard dashboard
    property bool active: false

    readonly property WebhookInspector inspector: dashboard.inspector
    readonly property var selected: inspector.selected

    orientation: Qt.Horizontal
    onActiveChanged: inspector.active = active
    Component.onCompleted: inspector.active = active

    handle: Rectangle {
        implicitWidth: 1
        color: T.SplitHandle.hovered || T.SplitHandle.pressed ? Theme.accent : Theme.border
    }

    Rectangle {
        SplitView.preferredWidth: 440
        SplitView.minimumWidth: 340
        color: Theme.surface

        ColumnLayout {
            anchors.fill: parent
            spacing: 0

            RowLayout {
                Layout.fillWidth: true
                Layout.margins: 14
                spacing: 8
                Text {
                    text: qsTr("Deliveries")
                    color: Theme.text
                    font.pixelSize: Theme.fontLarge
                    font.weight: Font.DemiBold
                }
                Text {
                    text: root.inspector.deliveries.count > 0 ? root.inspector.deliveries.count + (root.inspector.hasMore ? "+" : "") : ""
                    color: Theme.textFaint
                    font.pixelSize: Theme.fontBody
                }
                Item { Layout.fillWidth: true }
                BusyIndicator {
                    visible: root.inspector.loading
                    running: visible
                    implicitWidth: 18
                    implicitHeight: 18
                }
                ActionButton {
                    objectName: "refreshDeliveries"
                    compact: true
                    text: qsTr("Refresh")
                    onClicked: root.inspector.refresh()
                }
            }

            Text {
                Layout.fillWidth: true
                Layout.leftMargin: 14
                Layout.rightMargin: 14
                Layout.bottomMargin: 8
                visible: root.inspector.error.length > 0
                text: root.inspector.error
                color: Theme.bad
                wrapMode: Text.Wrap
                font.pixelSize: Theme.fontSmall + 1
            }

            Rectangle {
                Layout.fillWidth: true
                Layout.preferredHeight: 1
                color: Theme.border
            }

            ListView {
                id: deliveries
                objectName: "deliveryList"
                Layout.fillWidth: true
                Layout.fillHeight: true
                clip: true
                model: root.inspector.deliveries
                keyNavigationEnabled: true
                boundsBehavior: Flickable.StopAtBounds
                reuseItems: true
                delegate: DeliveryRow {
                    width: ListView.view.width
                    now: Clock.now
                    selected: deliveryId === root.inspector.selectedId
                    onActivated: {
                        deliveries.currentIndex = root.inspector.deliveries.rowOf(deliveryId)
                        root.inspector.select(deliveryId)
                    }
                }
                onCurrentIndexChanged: {
                    const id = root.inspector.deliveries.idAt(currentIndex)
                    if (id >= 0 && activeFocus)
                        root.inspector.select(id)
                }
                onAtYEndChanged: if (atYEnd && count > 0 && root.inspector.hasMore) root.inspector.loadMore()
                ScrollBar.vertical: ScrollBar {}

                EmptyState {
                    anchors.centerIn: parent
                    visible: deliveries.count === 0 && !root.inspector.loading
                    glyph: "⇣"
                    title: qsTr("No webhook deliveries yet")
                    text: qsTr("Each request ElevenLabs sends is recorded here, accepted or not, with its signature check and raw body.")
                }
            }
        }
    }

    Rectangle {
        SplitView.fillWidth: true
        color: Theme.window

        EmptyState {
            anchors.centerIn: parent
            visible: root.inspector.selectedId < 0
            glyph: "{ }"
            title: qsTr("Select a delivery")
            text: qsTr("See exactly what arrived, why it was accepted or rejected, and replay it.")
        }

        ColumnLayout {
            anchors.fill: parent
            anchors.margins: 16
            spacing: 12
            visible: root.inspector.selectedId >= 0

            RowLayout {
                Layout.fillWidth: true
                spacing: 10
                Text {
                    objectName: "deliveryTitle"
                    text: root.selected.id !== undefined
                          ? "#" + root.selected.id + "  " + (root.selected.eventType || root.selected.route || "")
                          : ""
                    color: Theme.text
                    font.pixelSize: 20
                    font.weight: Font.Bold
                    elide: Text.ElideRight
                    Layout.fillWidth: true
                }
                ActionButton {
                    objectName: "copyJson"
                    text: qsTr("Copy JSON")
                    enabled: root.inspector.body.length > 0
                    onClicked: {
                        clipboardHelper.text = root.inspector.body
                        clipboardHelper.selectAll()
                        clipboardHelper.copy()
                        root.dashboard.notify(qsTr("JSON copied"), "info")
                    }
                }
                ActionButton {
                    objectName: "replayButton"
                    kind: "primary"
                    text: root.inspector.replaying ? qsTr("Replaying…") : qsTr("Replay")
                    enabled: root.inspector.canReplay && !root.inspector.replaying
                    ToolTip.visible: hovered
                    ToolTip.delay: 300
                    ToolTip.text: root.inspector.canReplay
                                  ? qsTr("Process this delivery again, as if ElevenLabs had re-sent it")
                                  : qsTr("Replay needs a token with the calls:write scope")
                    onClicked: root.inspector.replay(root.inspector.selectedId)
                }
            }

            Card {
                Layout.fillWidth: true
                implicitHeight: facts.implicitHeight + 28

                GridLayout {
                    id: facts
                    anchors.fill: parent
                    anchors.margins: 14
                    columns: 4
                    columnSpacing: 18
                    rowSpacing: 10

                    Repeater {
                        model: [
                            { label: qsTr("Received"), value: root.selected.receivedAt ? Qt.formatDateTime(root.selected.receivedAt, "MMM d, hh:mm:ss") : "" },
                            { label: qsTr("Route"), value: root.selected.route || "" },
                            { label: qsTr("HTTP status"), value: root.selected.httpStatus ? String(root.selected.httpStatus) : "" },
                            { label: qsTr("Body"), value: Format.bytes(root.selected.bodySize) },
                            { label: qsTr("Conversation"), value: root.selected.conversationId || "" },
                            { label: qsTr("Call SID"), value: root.selected.callSid || "" },
                            { label: qsTr("Error code"), value: root.selected.errorCode || "" },
                            { label: qsTr("Error"), value: root.selected.errorMessage || "" }
                        ]
                        delegate: ColumnLayout {
                            required property var modelData
                            Layout.fillWidth: true
                            Layout.preferredWidth: 1
                            spacing: 1
                            Text {
                                text: parent.modelData.label
                                color: Theme.textFaint
                                font.pixelSize: Theme.fontSmall
                            }
                            Text {
                                Layout.fillWidth: true
                                text: parent.modelData.value.length > 0 ? parent.modelData.value : "—"
                                color: Theme.text
                                font.pixelSize: Theme.fontBody
                                elide: Text.ElideMiddle
                            }
                        }
                    }
                }
            }

            RowLayout {
                spacing: 8
                Text {
                    text: qsTr("Signature")
                    color: Theme.textMuted
                    font.pixelSize: Theme.fontSmall + 1
                }
                Chip {
                    objectName: "detailVerification"
                    text: Format.humanize(root.selected.verification || "")
                    tone: Format.deliveryTone(root.selected.verification, root.selected.httpStatus)
                }
                Item { width: 8 }
                Text {
                    text: qsTr("Outcome")
                    color: Theme.textMuted
                    font.pixelSize: Theme.fontSmall + 1
                }
                Chip {
                    objectName: "detailOutcome"
                    text: Format.humanize(root.selected.outcome || "")
                    tone: Format.deliveryTone(root.selected.outcome, root.selected.httpStatus)
                }
            }

            JsonView {
                objectName: "jsonView"
                Layout.fillWidth: true
                Layout.fillHeight: true
                text: root.inspector.body
                placeholder: root.inspector.bodyLoading ? qsTr("Loading the body…") : qsTr("No body stored: audio is kept as a file; refused deliveries, unsigned ones under load and old ones (inbox-body-retention-days) keep only their size and hash")
            }
        }
    }

    TextEdit {
        id: clipboardHelper
        visible: false
    }
}
