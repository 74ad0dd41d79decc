// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Callwatch.Core
import Callwatch.Components

// The supervisor's window: header with the numbers and the connection, the calls page
// (list, live transcript, completion card) and the webhook inspector.
ApplicationWindow {
    id: window

    required property Dashboard dashboard
    required property AppSettings appSettings
    property size initialSize
    property string themeOverride: "system"
    property string initialPage: ""

    width: 1360
    height: 860
    minimumWidth: 1000
    minimumHeight: 620
    visible: true
    title: dashboard.selectedCall.hasCall
           ? qsTr("%1 — Callwatch").arg(dashboard.selectedCall.driverId || dashboard.selectedCall.callSid)
           : qsTr("Callwatch")
    color: Theme.window
    font.pixelSize: Theme.fontBody

    palette.window: Theme.window
    palette.windowText: Theme.text
    palette.base: Theme.surface
    palette.alternateBase: Theme.surfaceAlt
    palette.text: Theme.text
    palette.button: Theme.surface
    palette.buttonText: Theme.text
    palette.highlight: Theme.accent
    palette.highlightedText: Theme.textOnAccent
    palette.placeholderText: Theme.textFaint
    palette.toolTipBase: Theme.surface
    palette.toolTipText: Theme.text
    palette.light: Theme.surfaceAlt
    palette.midlight: Theme.border
    palette.mid: Theme.borderStrong
    palette.dark: Theme.textFaint
    palette.shadow: Theme.borderStrong

    Binding {
        target: Theme
        property: "mode"
        value: window.themeOverride
    }

    function cycleTheme() {
        const next = { "system": "light", "light": "dark", "dark": "system" }
        window.themeOverride = next[window.themeOverride] || "system"
        appSettings.themeOverride = window.themeOverride
    }

    Component.onCompleted: {
        const saved = appSettings.windowGeometry
        if (initialSize.width > 0) {
            width = initialSize.width
            height = initialSize.height
        } else if (saved.width > 0) {
            x = saved.x
            y = saved.y
            width = Math.max(saved.width, minimumWidth)
            height = Math.max(saved.height, minimumHeight)
            if (appSettings.windowMaximized)
                showMaximized()
        }
        dashboard.searchText = appSettings.searchText
        dashboard.statusFilter = appSettings.statusFilter
        if (initialPage === "webhooks")
            header.page = 1
    }

    onClosing: {
        appSettings.windowMaximized = window.visibility === Window.Maximized
        if (window.visibility !== Window.Maximized)
            appSettings.windowGeometry = Qt.rect(window.x, window.y, window.width, window.height)
    }

    Connections {
        target: window.dashboard
        function onFilterChanged() {
            window.appSettings.searchText = window.dashboard.searchText
            window.appSettings.statusFilter = window.dashboard.statusFilter
        }
        function onNotify(message, kind) {
            toast.show(message, kind)
        }
    }

    header: HeaderBar {
        id: header
        dashboard: window.dashboard
        themeMode: window.themeOverride
        onThemeCycleRequested: window.cycleTheme()
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        ConnectionBanner {
            Layout.fillWidth: true
            dashboard: window.dashboard
        }

        StackLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            currentIndex: header.page

            CallsPage {
                id: callsPage
                dashboard: window.dashboard
                appSettings: window.appSettings
            }

            InspectorPage {
                dashboard: window.dashboard
                active: header.page === 1 && window.dashboard.phase === "ready"
            }
        }
    }

    StartupPanel {
        anchors.fill: parent
        visible: window.dashboard.phase !== "ready"
        dashboard: window.dashboard
        appSettings: window.appSettings
    }

    Toast {
        id: toast
    }

    Shortcut {
        sequences: [StandardKey.Find]
        onActivated: {
            header.page = 0
            callsPage.focusSearch()
        }
    }
    Shortcut {
        sequence: "Ctrl+1"
        onActivated: header.page = 0
    }
    Shortcut {
        sequence: "Ctrl+2"
        onActivated: header.page = 1
    }
}
