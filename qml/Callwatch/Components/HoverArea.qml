// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick

// Whether the pointer rests over the parent item, for hover highlights and tooltips. Takes no
// clicks and no wheel, so taps and scrolling reach what lies below.
// Deliberately not a HoverHandler: in Qt 6.4 every HoverHandler under a resting pointer appends
// itself to a per-device list of delivery targets on each frame-synchronous hover delivery
// (every frame in which something moves, e.g. a pulsing live dot) and nothing empties that
// list, so a dashboard left open grew by 8 bytes a frame, about 2 MB an hour (found with
// heaptrack and gdb; docs/performance.md). MouseArea hover is item based and keeps nothing per
// event.
MouseArea {
    readonly property bool hovered: containsMouse

    anchors.fill: parent
    hoverEnabled: true
    acceptedButtons: Qt.NoButton
}
