// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Callwatch.Core
import Callwatch.Components

// Search, status filter and the calls: live ones on top under "Live now", then the rest.
// Up/Down move through the list, Enter opens the call.
Rectangle {
    id: root

    required property Dashboard dashboard

    function focusSearch() {
        search.forceActiveFocus()
        search.selectAll()
    }

    color: Theme.surface

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        ColumnLayout {
            Layout.fillWidth: true
            Layout.margins: 14
            spacing: 10

            SearchField {
                id: search
                objectName: "searchField"
                Layout.fillWidth: true
                placeholderText: qsTr("Search driver, number or call SID")
                text: root.dashboard.searchText
                onTextEdited: root.dashboard.searchText = text
                onTextChanged: if (text.length === 0 && root.dashboard.searchText.length > 0) root.dashboard.searchText = ""
                Keys.onDownPressed: {
                    calls.forceActiveFocus()
                    if (calls.currentIndex < 0 && calls.count > 0)
                        calls.currentIndex = 0
                }
            }

            // Status filter as a segmented control.
            Rectangle {
                Layout.fillWidth: true
                implicitHeight: 32
                radius: Theme.radius
                color: Theme.surfaceSunken
                RowLayout {
                    anchors.fill: parent
                    anchors.margins: 3
                    spacing: 3
                    FilterSegment {
                        objectName: "filter_all"
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        label: qsTr("All")
                        active: root.dashboard.statusFilter === "all"
                        onClicked: root.dashboard.statusFilter = "all"
                    }
                    FilterSegment {
                        objectName: "filter_live"
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        label: qsTr("Live")
                        count: root.dashboard.calls.liveCount
                        active: root.dashboard.statusFilter === "live"
                        onClicked: root.dashboard.statusFilter = "live"
                    }
                    FilterSegment {
                        objectName: "filter_completed"
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        label: qsTr("Completed")
                        active: root.dashboard.statusFilter === "completed"
                        onClicked: root.dashboard.statusFilter = "completed"
                    }
                    FilterSegment {
                        objectName: "filter_failed"
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        label: qsTr("Failed")
                        active: root.dashboard.statusFilter === "failed"
                        onClicked: root.dashboard.statusFilter = "failed"
                    }
                }
            }
        }

        Rectangle {
            Layout.fillWidth: true
            Layout.preferredHeight: 1
            color: Theme.border
        }

        ListView {
            id: calls
            objectName: "callList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: root.dashboard.calls
            currentIndex: -1
            keyNavigationEnabled: true
            activeFocusOnTab: true
            boundsBehavior: Flickable.StopAtBounds
            highlightMoveDuration: 0
            reuseItems: true

            section.property: "isLive"
            section.criteria: ViewSection.FullString
            section.delegate: Rectangle {
                id: sectionHeader
                required property string section
                // Read through the view: a delegate cannot see this file's ids without
                // `pragma ComponentBehavior: Bound` (Qt 6.5).
                readonly property int liveCount: ListView.view ? ListView.view.model.liveCount : 0
                width: ListView.view.width
                height: 28
                color: Theme.surface
                Text {
                    anchors.left: parent.left
                    anchors.leftMargin: 16
                    anchors.verticalCenter: parent.verticalCenter
                    text: sectionHeader.section === "true"
                          ? qsTr("LIVE NOW  ·  %1").arg(sectionHeader.liveCount)
                          : qsTr("EARLIER")
                    color: sectionHeader.section === "true" ? Theme.accent : Theme.textFaint
                    font.pixelSize: 10
                    font.weight: Font.DemiBold
                    font.letterSpacing: 0.8
                }
            }

            delegate: CallRow {
                width: ListView.view.width
                now: Clock.now
                selected: callSid === root.dashboard.selectedCallSid
                current: ListView.isCurrentItem && ListView.view.activeFocus
                onActivated: {
                    calls.currentIndex = root.dashboard.calls.rowOf(callSid)
                    calls.forceActiveFocus()
                    root.dashboard.selectCall(callSid)
                }
            }

            Keys.onReturnPressed: openCurrent()
            Keys.onEnterPressed: openCurrent()
            Keys.onUpPressed: {
                if (currentIndex <= 0)
                    search.forceActiveFocus()
                else
                    decrementCurrentIndex()
            }

            function openCurrent() {
                const sid = root.dashboard.calls.callSidAt(currentIndex)
                if (sid.length > 0)
                    root.dashboard.selectCall(sid)
            }

            onAtYEndChanged: {
                if (atYEnd && count > 0 && root.dashboard.hasMoreCalls)
                    root.dashboard.loadMoreCalls()
            }

            ScrollBar.vertical: ScrollBar {}

            footer: Item {
                width: ListView.view ? ListView.view.width : 0
                height: root.dashboard.hasMoreCalls || (root.dashboard.loadingCalls && calls.count > 0) ? 52 : 12
                ActionButton {
                    anchors.centerIn: parent
                    visible: root.dashboard.hasMoreCalls && !root.dashboard.loadingCalls
                    kind: "ghost"
                    compact: true
                    text: qsTr("Load older calls")
                    onClicked: root.dashboard.loadMoreCalls()
                }
                BusyIndicator {
                    anchors.centerIn: parent
                    visible: root.dashboard.loadingCalls && calls.count > 0
                    running: visible
                    implicitWidth: 22
                    implicitHeight: 22
                }
            }

            EmptyState {
                objectName: "callsEmptyState"
                anchors.centerIn: parent
                visible: calls.count === 0
                glyph: root.dashboard.searchText.length > 0 || root.dashboard.statusFilter !== "all" ? "⌀" : "☎"
                title: {
                    if (!root.dashboard.callsLoadedOnce && root.dashboard.loadingCalls)
                        return qsTr("Loading calls…")
                    if (root.dashboard.callsError.length > 0 && !root.dashboard.callsLoadedOnce)
                        return qsTr("Could not load calls")
                    if (root.dashboard.searchText.length > 0 || root.dashboard.statusFilter !== "all")
                        return qsTr("No calls match")
                    return qsTr("No calls yet")
                }
                text: {
                    if (root.dashboard.callsError.length > 0 && !root.dashboard.callsLoadedOnce)
                        return root.dashboard.callsError
                    if (root.dashboard.searchText.length > 0 || root.dashboard.statusFilter !== "all")
                        return qsTr("Try another search or status.")
                    if (root.dashboard.callsLoadedOnce)
                        return qsTr("Calls appear here the moment ElevenLabs starts them.")
                    return ""
                }
            }
        }
    }
}
