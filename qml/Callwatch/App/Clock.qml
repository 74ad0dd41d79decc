// SPDX-License-Identifier: GPL-3.0-or-later
pragma Singleton
import QtQuick

// The dashboard's one wall clock, ticking once a second: elapsed times of live calls and
// "2 min ago" labels all read Clock.now, so they move together. A singleton rather than a
// property handed down, because list delegates read it and Qt 6.4 has no
// `pragma ComponentBehavior: Bound` to let delegates see their view's properties.
QtObject {
    id: clock

    property date now: new Date()

    readonly property Timer ticker: Timer {
        interval: 1000
        running: true
        repeat: true
        onTriggered: clock.now = new Date()
    }
}
