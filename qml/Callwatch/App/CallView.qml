// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Callwatch.Core
import Callwatch.Components

// The selected call: who and how long, the transcript, and the details / completion card.
Rectangle {
    id: root

    required property Dashboard dashboard

    readonly property CallSummary call: dashboard.selectedCall

    color: Theme.window

    // Nothing has ever arrived: say what to do, with the URLs at hand.
    EmptyState {
        id: gettingStarted
        objectName: "gettingStarted"
        anchors.centerIn: parent
        width: Math.min(parent.width - 48, 580)
        visible: !root.call.hasCall && root.dashboard.callsLoadedOnce
                 && root.dashboard.calls.totalCount === 0 && root.dashboard.webhookUrls.length > 0
        glyph: "☎"
        title: qsTr("Waiting for the first call")
        text: qsTr("Paste these URLs into your ElevenLabs agent. Calls, live transcripts and summaries appear here as they arrive.")

        Repeater {
            model: root.dashboard.webhookUrls
            delegate: CopyField {
                required property string modelData
                width: parent.width
                label: modelData.indexOf("post-call") >= 0 ? qsTr("Post-call webhook")
                     : modelData.indexOf("transcription") >= 0 ? qsTr("Per-turn transcription")
                     : qsTr("Webhook")
                value: modelData
            }
        }
    }

    EmptyState {
        objectName: "noSelection"
        anchors.centerIn: parent
        visible: !root.call.hasCall && !gettingStarted.visible
        glyph: "☰"
        title: root.dashboard.calls.liveCount > 0
               ? (root.dashboard.calls.liveCount === 1 ? qsTr("1 call in progress") : qsTr("%1 calls in progress").arg(root.dashboard.calls.liveCount))
               : qsTr("Select a call")
        text: root.dashboard.calls.liveCount > 0
              ? qsTr("Pick one on the left to follow its transcript live.")
              : qsTr("Choose a call on the left to read its transcript and summary.")
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 16
        spacing: 12
        visible: root.call.hasCall

        // Who, what, how long.
        RowLayout {
            Layout.fillWidth: true
            spacing: 14

            ColumnLayout {
                spacing: 2
                RowLayout {
                    spacing: 10
                    Text {
                        objectName: "callTitle"
                        text: root.call.driverId.length > 0 ? root.call.driverId : root.call.callSid
                        color: Theme.text
                        font.pixelSize: 22
                        font.weight: Font.Bold
                    }
                    StatusChip {
                        objectName: "callStatusChip"
                        status: root.call.status
                    }
                }
                Text {
                    text: [Format.phone(root.call.toNumber),
                           Format.humanize(root.call.direction),
                           root.call.startedAt ? qsTr("started %1").arg(Format.when(root.call.startedAt, Clock.now)) : ""]
                          .filter(function (part) { return part.length > 0 }).join("  ·  ")
                    color: Theme.textMuted
                    font.pixelSize: Theme.fontBody
                }
            }

            Item { Layout.fillWidth: true }

            // The big clock for a live call.
            ColumnLayout {
                visible: root.call.isLive
                spacing: 0
                Text {
                    Layout.alignment: Qt.AlignRight
                    text: qsTr("IN CALL")
                    color: Theme.textFaint
                    font.pixelSize: 10
                    font.weight: Font.DemiBold
                    font.letterSpacing: 0.8
                }
                Text {
                    objectName: "liveClock"
                    Layout.alignment: Qt.AlignRight
                    text: Format.duration(Format.elapsed(root.call.startedAt, Clock.now))
                    color: Theme.accent
                    font.pixelSize: 24
                    font.family: Theme.monoFamily
                    font.weight: Font.DemiBold
                }
            }
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: 12

            Card {
                Layout.fillWidth: true
                Layout.fillHeight: true

                ColumnLayout {
                    anchors.fill: parent
                    anchors.margins: 1
                    spacing: 0

                    RowLayout {
                        Layout.fillWidth: true
                        Layout.leftMargin: 18
                        Layout.rightMargin: 14
                        Layout.topMargin: 12
                        Layout.bottomMargin: 10
                        spacing: 8
                        Text {
                            text: qsTr("Transcript")
                            color: Theme.text
                            font.pixelSize: Theme.fontLarge
                            font.weight: Font.DemiBold
                        }
                        Chip {
                            visible: root.call.isLive
                            text: qsTr("Live")
                            tone: "accent"
                            dot: true
                            pulsing: root.dashboard.connectionState === "live"
                        }
                        Chip {
                            visible: root.dashboard.transcript.postCall
                            text: qsTr("Final transcript")
                            tone: "neutral"
                        }
                        Item { Layout.fillWidth: true }
                        Text {
                            text: (root.dashboard.transcript.count === 1 ? qsTr("1 turn") : qsTr("%1 turns").arg(root.dashboard.transcript.count))
                            color: Theme.textFaint
                            font.pixelSize: Theme.fontSmall + 1
                        }
                    }

                    Rectangle {
                        Layout.fillWidth: true
                        Layout.preferredHeight: 1
                        color: Theme.border
                    }

                    TranscriptView {
                        objectName: "transcriptView"
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        model: root.dashboard.transcript
                        live: root.call.isLive
                        emptyTitle: root.call.loading ? qsTr("Loading the transcript…")
                                  : root.call.isLive ? qsTr("Waiting for the first words…")
                                  : qsTr("No transcript for this call")
                        emptyText: root.call.status === "failed" ? qsTr("The call never connected.") : ""
                    }
                }
            }

            Card {
                Layout.preferredWidth: Math.min(380, Math.max(300, root.width * 0.34))
                Layout.fillHeight: true

                ColumnLayout {
                    anchors.fill: parent
                    anchors.margins: 1
                    spacing: 0

                    Text {
                        Layout.leftMargin: 18
                        Layout.topMargin: 12
                        Layout.bottomMargin: 10
                        text: root.call.finished ? qsTr("Outcome") : qsTr("Details")
                        color: Theme.text
                        font.pixelSize: Theme.fontLarge
                        font.weight: Font.DemiBold
                    }
                    Rectangle {
                        Layout.fillWidth: true
                        Layout.preferredHeight: 1
                        color: Theme.border
                    }
                    SummaryPanel {
                        objectName: "summaryPanel"
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        Layout.margins: 16
                        Layout.rightMargin: 8
                        status: root.call.status
                        isLive: root.call.isLive
                        hasCompletion: root.call.hasCompletion
                        summary: root.call.summary
                        durationSeconds: root.call.durationSeconds
                        cost: root.call.cost
                        callSuccessful: root.call.callSuccessful
                        evaluationCriteria: root.call.evaluationCriteria
                        dataCollection: root.call.dataCollection
                        failureReason: root.call.failureReason
                        terminationReason: root.call.terminationReason
                        startedAt: root.call.startedAt
                        endedAt: root.call.endedAt
                        toNumber: root.call.toNumber
                        direction: root.call.direction
                        callSid: root.call.callSid
                        loading: root.call.loading
                        now: Clock.now
                    }
                }
            }
        }
    }
}
