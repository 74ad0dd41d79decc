// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Templates as T
import Callwatch.Core
import Callwatch.Components

// The calls list on the left, the selected call on the right.
SplitView {
    id: root

    required property Dashboard dashboard
    required property AppSettings appSettings

    function focusSearch() {
        list.focusSearch()
    }

    orientation: Qt.Horizontal

    handle: Rectangle {
        implicitWidth: 1
        color: T.SplitHandle.hovered || T.SplitHandle.pressed ? Theme.accent : Theme.border
    }

    CallList {
        id: list
        SplitView.preferredWidth: Math.max(320, root.appSettings.listWidth)
        SplitView.minimumWidth: 300
        SplitView.maximumWidth: 560
        dashboard: root.dashboard
        onWidthChanged: if (width > 0) saveWidth.restart()

        Timer {
            id: saveWidth
            interval: 500
            onTriggered: root.appSettings.listWidth = Math.round(list.width)
        }
    }

    CallView {
        SplitView.fillWidth: true
        SplitView.minimumWidth: 560
        dashboard: root.dashboard
    }
}
