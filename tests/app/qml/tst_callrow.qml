// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtTest
import Callwatch.Components

Item {
    id: container
    width: 400
    height: 300

    Component {
        id: row
        CallRow {
            width: 400
            callSid: "EL_1042_1"
            driverId: "DRV-1042"
            toNumber: "+13075550142"
            status: "in_progress"
            isLive: true
            startedAt: new Date(2025, 2, 4, 9, 0, 0)
            durationSeconds: -1
            lastMessage: ""
            lastSpeaker: ""
            summary: ""
            failureReason: ""
            callSuccessful: ""
            now: new Date(2025, 2, 4, 9, 3, 12)
        }
    }

    SignalSpy {
        id: activated
        signalName: "activated"
    }

    TestCase {
        name: "CallRow"
        when: windowShown

        function test_live_row_shows_the_latest_line_and_a_running_clock() {
            const item = createTemporaryObject(row, container, { lastMessage: "Yes, I'll keep an eye on it.", lastSpeaker: "user" })
            compare(findChild(item, "detailText").text, "Driver: Yes, I'll keep an eye on it.")
            compare(findChild(item, "durationText").text, "3:12")
            item.now = new Date(2025, 2, 4, 9, 3, 40)
            compare(findChild(item, "durationText").text, "3:40")
            compare(findChild(item, "driverText").text, "DRV-1042")
        }

        function test_failed_row_says_why() {
            const item = createTemporaryObject(row, container, { status: "failed", isLive: false, failureReason: "No answer after 30 seconds" })
            compare(findChild(item, "detailText").text, "No answer after 30 seconds")
            verify(!findChild(item, "durationText").visible)
        }

        function test_completed_row_shows_the_summary_and_duration() {
            const item = createTemporaryObject(row, container, { status: "completed", isLive: false, durationSeconds: 95, summary: "Driver agreed to slow down." })
            compare(findChild(item, "detailText").text, "Driver agreed to slow down.")
            compare(findChild(item, "durationText").text, "1:35")
        }

        function test_click_activates() {
            const item = createTemporaryObject(row, container)
            activated.target = item
            activated.clear()
            mouseClick(item)
            compare(activated.count, 1)
        }
    }
}
