// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtTest
import Callwatch.Components

Item {
    id: container
    width: 520
    height: 360

    ListModel {
        id: turns
    }

    TranscriptView {
        id: view
        anchors.fill: parent
        model: turns
    }

    TestCase {
        name: "TranscriptView"
        when: windowShown

        function addTurns(count) {
            for (let i = 0; i < count; ++i) {
                const n = turns.count
                turns.append({ speaker: n % 2 ? "user" : "agent", message: "Turn number " + n + " of a live call",
                               timeLabel: "0:" + (n < 10 ? "0" + n : n), toolNames: [], source: "live" })
            }
        }

        function init() {
            view.live = true
            turns.clear()
            wait(50) // let the view see the empty model before the next test refills it
            view.jumpToLatest()
        }

        function test_finished_call_reads_from_the_top() {
            view.live = false
            addTurns(30)
            wait(100)
            verify(view.view.contentY < 50, "stays at the first turn")
            verify(!findChild(view, "jumpToLatest").visible)
        }

        function test_empty_state() {
            compare(view.count, 0)
            verify(!findChild(view, "jumpToLatest").visible)
        }

        function test_follows_new_turns_at_the_bottom() {
            addTurns(30)
            tryVerify(function () { return view.view.contentY - view.view.originY > 100 && view.atBottom })
            addTurns(1)
            tryVerify(function () { return view.atBottom })
            verify(view.followTail)
        }

        function test_scrolling_back_stops_following_and_jump_resumes() {
            addTurns(30)
            tryVerify(function () { return view.view.contentY - view.view.originY > 100 && view.atBottom })
            wait(100) // let the last layout pass settle, as it has long before a person scrolls
            // The reader scrolls up with the wheel.
            for (let i = 0; i < 6; ++i)
                mouseWheel(view, view.width / 2, view.height / 2, 0, 120)
            tryVerify(function () { return !view.followTail })
            tryVerify(function () { return !view.view.moving })
            const readingAt = view.view.contentY
            verify(!view.atBottom, "scrolled away from the bottom")

            addTurns(3)
            wait(50)
            fuzzyCompare(view.view.contentY, readingAt, 2, "new turns do not yank the reader down")
            compare(view.unseen, 3)
            const jump = findChild(view, "jumpToLatest")
            verify(jump.visible)
            compare(jump.text, "↓  3 new")

            mouseClick(jump)
            tryVerify(function () { return view.atBottom })
            verify(view.followTail)
            compare(view.unseen, 0)
            verify(!jump.visible)
            addTurns(1)
            tryVerify(function () { return view.atBottom })
        }
    }
}
