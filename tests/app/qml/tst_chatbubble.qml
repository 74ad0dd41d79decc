// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtTest
import Callwatch.Components

Item {
    id: container
    width: 500
    height: 600

    Component {
        id: bubble
        ChatBubble {
            width: 500
        }
    }

    TestCase {
        name: "ChatBubble"
        when: windowShown

        function make(props) {
            const item = createTemporaryObject(bubble, container, props)
            verify(item)
            return item
        }

        function test_agent_left_driver_right() {
            const agent = make({ speaker: "agent", message: "Hi, this is Ava.", timeLabel: "0:00", toolNames: [], source: "live" })
            const driver = make({ speaker: "user", message: "Yeah, that's me.", timeLabel: "0:04", toolNames: [], source: "live" })
            const agentText = findChild(agent, "messageText")
            const driverText = findChild(driver, "messageText")
            const agentX = agentText.mapToItem(container, 0, 0).x
            const driverX = driverText.mapToItem(container, 0, 0).x
            verify(agentX < 50, "agent bubble hugs the left")
            verify(driverX > 250, "driver bubble hugs the right")
            compare(findChild(agent, "speakerLabel").text, "Agent")
            compare(findChild(driver, "speakerLabel").text, "Driver")
            compare(findChild(driver, "timeLabel").text, "0:04")
        }

        function test_long_messages_wrap_inside_the_bubble() {
            const text = "The Denver delivery window is tight, honestly, and the detention at the shipper made it worse than usual this week."
            const item = make({ speaker: "user", message: text, timeLabel: "1:10", toolNames: [], source: "live" })
            const body = findChild(item, "messageText")
            verify(body.width <= item.maxBubbleWidth)
            verify(body.lineCount > 1)
        }

        function test_tool_only_turn() {
            const item = make({ speaker: "agent", message: "", timeLabel: "0:09", toolNames: ["lookup_violation"], source: "post_call" })
            verify(!findChild(item, "messageText").visible)
            verify(item.implicitHeight > 20)
        }
    }
}
