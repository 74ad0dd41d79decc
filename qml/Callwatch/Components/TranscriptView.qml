// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls.Basic

// The transcript as chat bubbles. It follows new turns while the reader is at the bottom;
// scrolling back stops that, and "Jump to latest" (with the count of new turns) resumes it.
Item {
    id: root

    property alias model: list.model
    // A live call follows new turns; a finished one is read from the top, like a document.
    property bool live: true
    property bool followTail: true
    // Turns that arrived since the reader scrolled away.
    readonly property int unseen: followTail ? 0 : Math.max(0, list.count - seenCount)
    property int seenCount: 0
    onFollowTailChanged: if (!followTail) seenCount = list.count
    property string emptyTitle: qsTr("No transcript yet")
    property string emptyText: ""
    readonly property alias count: list.count
    readonly property alias view: list
    // positionViewAtEnd() may stop a fraction of a pixel short of atYEnd; allow for it.
    readonly property bool atBottom: list.contentY + list.height >= list.originY + list.contentHeight - 2

    function jumpToLatest() {
        followTail = true
        scrollToEnd()
    }

    // Our own scrolling is marked so that only the reader's scrolling turns following off.
    property bool _autoScrolling: false
    function scrollToEnd() {
        if (!followTail || !live)
            return
        _autoScrolling = true
        list.positionViewAtEnd()
        _autoScrolling = false
    }

    ListView {
        id: list
        objectName: "transcriptList"
        anchors.fill: parent
        clip: true
        spacing: 12
        // Vertical breathing room as header and footer: positionViewAtEnd() in Qt 6.4 ends
        // short of the bottom when bottomMargin is set, which would look like scrolling back.
        header: Item { height: 18 }
        footer: Item { height: 18 }
        boundsBehavior: Flickable.StopAtBounds
        reuseItems: true

        delegate: ChatBubble {
            x: 22
            width: ListView.view.width - 44
        }

        ScrollBar.vertical: ScrollBar {
            policy: ScrollBar.AsNeeded
        }

        onCountChanged: {
            if (root.followTail)
                Qt.callLater(root.scrollToEnd)
            if (count === 0)
                root.followTail = true
        }
        // The reader took over (drag, flick or wheel; in Qt 6.4 the wheel moves contentY
        // without movement signals): stop following unless they are back at the bottom.
        property real lastContentY: 0
        onContentYChanged: {
            const movedUp = contentY < lastContentY - 0.5
            lastContentY = contentY
            if (root._autoScrolling || list.count === 0)
                return
            if (root.atBottom) {
                root.followTail = true
            } else if (list.moving || list.dragging || movedUp) {
                root.followTail = false
            }
        }
        onMovementEnded: {
            if (root.atBottom)
                root.followTail = true
        }
        onHeightChanged: if (root.followTail) Qt.callLater(root.scrollToEnd)
        // Delegate heights are estimated until laid out, so the end moves; keep up with it.
        onContentHeightChanged: if (root.followTail) Qt.callLater(root.scrollToEnd)
    }

    EmptyState {
        anchors.centerIn: parent
        visible: list.count === 0
        title: root.emptyTitle
        text: root.emptyText
        glyph: "…"
    }

    ActionButton {
        id: jump
        objectName: "jumpToLatest"
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.bottom: parent.bottom
        anchors.bottomMargin: 16
        visible: root.live && !root.followTail && list.count > 0
        kind: "primary"
        text: root.unseen > 0 ? qsTr("↓  %1 new").arg(root.unseen) : qsTr("↓  Jump to latest")
        onClicked: root.jumpToLatest()
    }
}
