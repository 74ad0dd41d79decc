// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtTest
import Callwatch.Components

TestCase {
    name: "Format"

    function test_duration_data() {
        return [
            { tag: "zero", seconds: 0, text: "0:00" },
            { tag: "seconds", seconds: 9.9, text: "0:09" },
            { tag: "minutes", seconds: 192, text: "3:12" },
            { tag: "hours", seconds: 3723, text: "1:02:03" },
            { tag: "unknown", seconds: -1, text: "—" },
            { tag: "missing", seconds: undefined, text: "—" }
        ]
    }
    function test_duration(data) {
        compare(Format.duration(data.seconds), data.text)
    }

    function test_phone_data() {
        return [
            { tag: "nanp", number: "+13075550142", text: "+1 (307) 555-0142" },
            { tag: "other country", number: "+447700900123", text: "+447700900123" },
            { tag: "empty", number: "", text: "" }
        ]
    }
    function test_phone(data) {
        compare(Format.phone(data.number), data.text)
    }

    function test_numbers() {
        compare(Format.integer(1234567.4), "1,234,567")
        compare(Format.integer(999), "999")
        compare(Format.cost(-1), "—")
        compare(Format.cost(31200.5), "31,201")
        compare(Format.percent(0.0476), "4.8%")
        compare(Format.percent(0.25), "25%")
        compare(Format.percent(0), "0%")
        compare(Format.bytes(2048), "2.0 KB")
    }

    function test_elapsed() {
        const start = new Date(2025, 2, 4, 9, 0, 0)
        compare(Format.elapsed(start, new Date(2025, 2, 4, 9, 3, 12)), 192)
        compare(Format.elapsed(undefined, new Date()), -1)
    }

    function test_words() {
        compare(Format.humanize("driver_acknowledged"), "Driver acknowledged")
        compare(Format.statusLabel("in_progress"), "In call")
        compare(Format.statusLabel("initiating"), "Dialing")
        compare(Format.statusTone("failed"), "bad")
        compare(Format.successLabel("failure"), "Unsuccessful")
        compare(Format.deliveryTone("verified", 200), "good")
        compare(Format.deliveryTone("invalid_signature", 401), "bad")
        compare(Format.deliveryTone("duplicate", 200), "neutral")
        compare(Format.deliveryTone("database_unavailable", 503), "warn")
    }

    function test_when() {
        const now = new Date(2025, 2, 4, 15, 0, 0)
        compare(Format.when(new Date(2025, 2, 4, 9, 5, 0), now), "09:05")
        compare(Format.when(new Date(2025, 2, 3, 14, 2, 0), now), "Mar 3, 14:02")
    }

    function test_jsonHtml_escapes_and_colours() {
        const html = Format.jsonHtml('{\n    "a": "<b>",\n    "n": 12,\n    "ok": true\n}', { accent: "#111111", good: "#222222", warn: "#333333", bad: "#444444" })
        verify(html.indexOf("<b>") < 0, "markup in the payload is escaped")
        verify(html.indexOf("&lt;b&gt;") > 0)
        verify(html.indexOf('<span style="color:#111111">"a"</span>:') > 0, "keys coloured")
        verify(html.indexOf('<span style="color:#444444">12</span>') > 0, "numbers coloured")
        verify(html.indexOf('<span style="color:#333333">true</span>') > 0, "literals coloured")
    }
}
