// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtTest
import Callwatch.Components

Item {
    width: 600
    height: 200

    ConnectionIndicator {
        id: indicator
    }

    StatusChip {
        id: chip
        y: 50
    }

    SignalSpy {
        id: retrySpy
        target: indicator
        signalName: "retryRequested"
    }

    TestCase {
        name: "Indicators"
        when: windowShown

        function cleanup() {
            Theme.mode = "system"
        }

        function test_connection_labels_data() {
            return [
                { tag: "live", state: "live", seconds: 0, label: "Live", tone: "good", retry: false },
                { tag: "connecting", state: "connecting", seconds: 0, label: "Connecting…", tone: "warn", retry: false },
                { tag: "reconnecting", state: "reconnecting", seconds: 4, label: "Reconnecting in 4 s", tone: "warn", retry: true },
                { tag: "offline", state: "offline", seconds: 0, label: "Offline", tone: "bad", retry: true },
                { tag: "unauthorized", state: "unauthorized", seconds: 0, label: "Access denied", tone: "bad", retry: true }
            ]
        }

        function test_connection_labels(data) {
            indicator.connectionState = data.state
            indicator.secondsToRetry = data.seconds
            compare(findChild(indicator, "connectionLabel").text, data.label)
            compare(indicator.tone, data.tone)
            compare(findChild(indicator, "retryLink").visible, data.retry)
        }

        function test_retry_click() {
            indicator.connectionState = "reconnecting"
            indicator.secondsToRetry = 12
            retrySpy.clear()
            const link = findChild(indicator, "retryLink")
            mouseClick(link)
            compare(retrySpy.count, 1)
        }

        function test_status_chip_data() {
            return [
                { tag: "initiating", status: "initiating", text: "Dialing", tone: "warn", pulsing: false },
                { tag: "in_progress", status: "in_progress", text: "In call", tone: "accent", pulsing: true },
                { tag: "completed", status: "completed", text: "Completed", tone: "good", pulsing: false },
                { tag: "failed", status: "failed", text: "Failed", tone: "bad", pulsing: false }
            ]
        }

        function test_status_chip(data) {
            chip.status = data.status
            compare(chip.text, data.text)
            compare(chip.tone, data.tone)
            compare(chip.pulsing, data.pulsing)
        }

        function test_theme_override() {
            Theme.mode = "light"
            const light = Theme.surface.toString()
            verify(!Theme.dark)
            Theme.mode = "dark"
            verify(Theme.dark)
            verify(Theme.surface.toString() !== light)
            // "system" follows the platform palette.
            Theme.mode = "system"
            compare(Theme.dark, Theme.systemPalette.window.hslLightness < 0.5)
        }
    }
}
