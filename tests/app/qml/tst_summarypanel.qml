// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtTest
import Callwatch.Components

Item {
    id: container
    width: 380
    height: 900

    SummaryPanel {
        id: panel
        anchors.fill: parent
    }

    CopyField {
        id: copy
        y: 800
        width: 380
        label: "Post-call webhook"
        value: "http://127.0.0.1:8750/webhooks/elevenlabs/post-call"
    }

    SignalSpy {
        id: copied
        target: copy
        signalName: "copied"
    }

    TestCase {
        name: "SummaryPanel"
        when: windowShown

        function test_completed_call_card() {
            panel.status = "completed"
            panel.isLive = false
            panel.hasCompletion = true
            panel.summary = "The driver acknowledged speeding."
            panel.durationSeconds = 192
            panel.cost = 874
            panel.callSuccessful = "success"
            panel.evaluationCriteria = [
                { id: "driver_acknowledged", result: "success", rationale: "Confirmed.", passed: true },
                { id: "commitment_obtained", result: "failure", rationale: "No commitment.", passed: false }
            ]
            panel.dataCollection = [ { id: "violation_type", value: "speeding", isNull: false, rationale: "" } ]
            compare(findChild(panel, "summaryText").text, "The driver acknowledged speeding.")
            compare(findChild(panel, "evaluationTitle").text, "EVALUATION  ·  1 OF 2 PASSED")
            compare(findChild(panel, "successChip").text, "Successful")
            verify(!findChild(panel, "failureCard").visible)
            compare(panel.shownDuration, 192)
        }

        function test_failed_call_says_why() {
            panel.status = "failed"
            panel.isLive = false
            panel.failureReason = "Number unreachable (SIP 404)"
            verify(findChild(panel, "failureCard").visible)
            compare(findChild(panel, "failureText").text, "Number unreachable (SIP 404)")
        }

        function test_live_call_counts_up() {
            panel.status = "in_progress"
            panel.isLive = true
            panel.startedAt = new Date(2025, 2, 4, 9, 0, 0)
            panel.now = new Date(2025, 2, 4, 9, 1, 5)
            compare(panel.shownDuration, 65)
        }

        function test_copy_field() {
            copied.clear()
            const button = findChild(copy, "copyButton")
            compare(button.text, "Copy")
            mouseClick(button)
            compare(copied.count, 1)
            compare(copied.signalArguments[0][0], "http://127.0.0.1:8750/webhooks/elevenlabs/post-call")
            compare(button.text, "Copied ✓")
        }
    }
}
