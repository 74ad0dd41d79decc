// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import "Format.js" as Format

// The selected call's facts and, once it is over, its completion card: summary, duration,
// cost, success, evaluation criteria (pass/fail) and collected data; or why it failed.
ScrollView {
    id: root

    property string status
    property bool isLive: false
    property bool hasCompletion: false
    property string summary
    property var durationSeconds: -1
    property var cost: -1
    property string callSuccessful
    property var evaluationCriteria: []
    property var dataCollection: []
    property string failureReason
    property string terminationReason
    property var startedAt
    property var endedAt
    property string toNumber
    property string direction
    property string callSid
    property bool loading: false
    property date now: new Date()

    readonly property int shownDuration: isLive ? Format.elapsed(startedAt, now) : durationSeconds
    readonly property int passedCount: {
        let n = 0
        for (let i = 0; i < evaluationCriteria.length; ++i)
            n += evaluationCriteria[i].passed ? 1 : 0
        return n
    }

    contentWidth: availableWidth
    clip: true

    component SectionTitle: Text {
        color: Theme.textFaint
        font.pixelSize: 10
        font.weight: Font.DemiBold
        font.letterSpacing: 0.8
        topPadding: 6
    }

    component Fact: ColumnLayout {
        property string label
        property string value
        property bool mono: false
        spacing: 1
        Layout.fillWidth: true
        Layout.preferredWidth: 1
        Text {
            text: parent.label
            color: Theme.textFaint
            font.pixelSize: Theme.fontSmall
        }
        Text {
            Layout.fillWidth: true
            text: parent.value.length > 0 ? parent.value : "—"
            color: Theme.text
            font.pixelSize: Theme.fontBody
            font.family: parent.mono ? Theme.monoFamily : font.family
            font.weight: Font.DemiBold
            elide: Text.ElideRight
        }
    }

    ColumnLayout {
        width: root.availableWidth
        spacing: 14

        // Outcome headline.
        RowLayout {
            Layout.fillWidth: true
            Layout.topMargin: 4
            spacing: 8
            StatusChip {
                status: root.status
            }
            Chip {
                objectName: "successChip"
                visible: root.callSuccessful.length > 0
                text: Format.successLabel(root.callSuccessful)
                tone: Format.successTone(root.callSuccessful)
            }
            Item { Layout.fillWidth: true }
            BusyIndicator {
                visible: root.loading
                running: root.loading
                implicitWidth: 20
                implicitHeight: 20
            }
        }

        GridLayout {
            Layout.fillWidth: true
            columns: 2
            columnSpacing: 16
            rowSpacing: 10

            Fact {
                objectName: "durationFact"
                label: root.isLive ? qsTr("In call for") : qsTr("Duration")
                value: root.shownDuration >= 0 ? Format.duration(root.shownDuration) : ""
                mono: true
            }
            Fact {
                objectName: "costFact"
                label: qsTr("Cost (credits)")
                value: root.cost >= 0 ? Format.cost(root.cost) : ""
                mono: true
            }
            Fact {
                label: qsTr("Started")
                value: root.startedAt ? Format.when(root.startedAt, root.now) : ""
            }
            Fact {
                label: qsTr("Ended")
                value: root.endedAt ? Format.when(root.endedAt, root.now) : (root.isLive ? qsTr("ongoing") : "")
            }
            Fact {
                label: qsTr("Number")
                value: Format.phone(root.toNumber)
            }
            Fact {
                label: qsTr("Direction")
                value: Format.humanize(root.direction)
            }
        }

        // Why it failed.
        Rectangle {
            objectName: "failureCard"
            Layout.fillWidth: true
            visible: root.status === "failed"
            implicitHeight: failureColumn.implicitHeight + 20
            radius: Theme.radius
            color: Theme.badSoft
            ColumnLayout {
                id: failureColumn
                anchors.fill: parent
                anchors.margins: 10
                spacing: 3
                Text {
                    text: qsTr("Why it failed")
                    color: Theme.bad
                    font.pixelSize: Theme.fontSmall
                    font.weight: Font.DemiBold
                }
                Text {
                    objectName: "failureText"
                    Layout.fillWidth: true
                    text: root.failureReason.length > 0 ? root.failureReason : qsTr("No reason was reported.")
                    color: Theme.text
                    wrapMode: Text.Wrap
                    font.pixelSize: Theme.fontBody
                }
            }
        }

        // While live: where the card will appear.
        Text {
            Layout.fillWidth: true
            visible: root.isLive
            text: qsTr("The summary, evaluation and collected data appear here when the call ends.")
            color: Theme.textMuted
            wrapMode: Text.Wrap
            font.pixelSize: Theme.fontBody
        }
        Text {
            Layout.fillWidth: true
            visible: !root.isLive && root.status === "completed" && !root.hasCompletion
            text: qsTr("Waiting for the post-call analysis from ElevenLabs…")
            color: Theme.textMuted
            wrapMode: Text.Wrap
            font.pixelSize: Theme.fontBody
        }

        ColumnLayout {
            Layout.fillWidth: true
            visible: root.summary.length > 0
            spacing: 6
            SectionTitle { text: qsTr("SUMMARY") }
            Text {
                objectName: "summaryText"
                Layout.fillWidth: true
                text: root.summary
                color: Theme.text
                wrapMode: Text.Wrap
                font.pixelSize: Theme.fontBody
                lineHeight: 1.25
            }
        }

        ColumnLayout {
            Layout.fillWidth: true
            visible: root.evaluationCriteria.length > 0
            spacing: 8
            SectionTitle {
                objectName: "evaluationTitle"
                text: qsTr("EVALUATION  ·  %1 OF %2 PASSED").arg(root.passedCount).arg(root.evaluationCriteria.length)
            }
            Repeater {
                model: root.evaluationCriteria
                delegate: RowLayout {
                    id: criterion
                    required property var modelData
                    readonly property string tone: modelData.result === "success" ? "good"
                        : modelData.result === "failure" ? "bad" : "neutral"
                    Layout.fillWidth: true
                    spacing: 10
                    Rectangle {
                        Layout.alignment: Qt.AlignTop
                        Layout.topMargin: 1
                        width: 20
                        height: 20
                        radius: 10
                        color: Theme.toneSoft(criterion.tone)
                        Text {
                            anchors.centerIn: parent
                            text: criterion.modelData.result === "success" ? "✓"
                                : criterion.modelData.result === "failure" ? "✕" : "?"
                            color: Theme.toneColor(criterion.tone)
                            font.pixelSize: 11
                            font.weight: Font.Bold
                        }
                    }
                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: 1
                        Text {
                            Layout.fillWidth: true
                            text: Format.humanize(criterion.modelData.id)
                            color: Theme.text
                            font.pixelSize: Theme.fontBody
                            font.weight: Font.DemiBold
                            elide: Text.ElideRight
                        }
                        Text {
                            Layout.fillWidth: true
                            visible: text.length > 0
                            text: criterion.modelData.rationale
                            color: Theme.textMuted
                            font.pixelSize: Theme.fontSmall + 1
                            wrapMode: Text.Wrap
                        }
                    }
                }
            }
        }

        ColumnLayout {
            Layout.fillWidth: true
            visible: root.dataCollection.length > 0
            spacing: 0
            SectionTitle { text: qsTr("DATA COLLECTED"); bottomPadding: 6 }
            Repeater {
                model: root.dataCollection
                delegate: Rectangle {
                    id: datum
                    required property var modelData
                    required property int index
                    Layout.fillWidth: true
                    implicitHeight: datumRow.implicitHeight + 14
                    color: index % 2 === 0 ? Theme.surfaceAlt : "transparent"
                    radius: 6
                    // Short values sit beside their name; long ones go underneath it.
                    GridLayout {
                        id: datumRow
                        readonly property bool long_: datum.modelData.value.length > 22
                        anchors.fill: parent
                        anchors.leftMargin: 10
                        anchors.rightMargin: 10
                        columns: long_ ? 1 : 2
                        columnSpacing: 12
                        rowSpacing: 2
                        Text {
                            Layout.fillWidth: datumRow.long_
                            Layout.preferredWidth: datumRow.long_ ? -1 : datumRow.width * 0.45
                            text: Format.humanize(datum.modelData.id)
                            color: Theme.textMuted
                            font.pixelSize: Theme.fontSmall + 1
                            elide: Text.ElideRight
                        }
                        Text {
                            Layout.fillWidth: true
                            text: datum.modelData.isNull ? "—" : datum.modelData.value
                            color: Theme.text
                            font.pixelSize: Theme.fontSmall + 1
                            font.weight: Font.DemiBold
                            wrapMode: Text.Wrap
                            horizontalAlignment: datumRow.long_ ? Text.AlignLeft : Text.AlignRight
                        }
                    }
                }
            }
        }

        Text {
            Layout.fillWidth: true
            visible: root.terminationReason.length > 0 && !root.isLive
            text: qsTr("Ended because: %1").arg(root.terminationReason)
            color: Theme.textFaint
            wrapMode: Text.Wrap
            font.pixelSize: Theme.fontSmall
        }

        CopyField {
            Layout.fillWidth: true
            Layout.topMargin: 4
            visible: root.callSid.length > 0
            label: qsTr("Call SID")
            value: root.callSid
        }

        Item { Layout.preferredHeight: 8 }
    }
}
