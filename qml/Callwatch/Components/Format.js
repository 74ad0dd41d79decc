// SPDX-License-Identifier: GPL-3.0-or-later
// Text for people: durations, numbers, phone numbers and the words for each status.
.pragma library

function pad2(n) {
    return n < 10 ? "0" + n : "" + n
}

// 75 -> "1:15", 3723 -> "1:02:03"; negative or missing -> "—"
function duration(seconds) {
    if (seconds === undefined || seconds === null || seconds < 0 || isNaN(seconds))
        return "\u2014"
    const total = Math.floor(seconds)
    const h = Math.floor(total / 3600)
    const m = Math.floor((total % 3600) / 60)
    const s = total % 60
    return h > 0 ? h + ":" + pad2(m) + ":" + pad2(s) : m + ":" + pad2(s)
}

// Seconds from `since` (a Date) to `now`; -1 when unknown.
function elapsed(since, now) {
    if (!since || isNaN(since.getTime()))
        return -1
    return Math.max(0, Math.floor((now.getTime() - since.getTime()) / 1000))
}

// 12345.6 -> "12,346"
function integer(value) {
    const rounded = Math.round(value)
    const text = Math.abs(rounded).toString()
    let out = ""
    for (let i = 0; i < text.length; ++i) {
        if (i > 0 && (text.length - i) % 3 === 0)
            out += ","
        out += text[i]
    }
    return (rounded < 0 ? "-" : "") + out
}

// ElevenLabs reports cost as an integer without a unit (credits, presumably).
function cost(value) {
    if (value === undefined || value === null || value < 0 || isNaN(value))
        return "\u2014"
    return integer(value)
}

function percent(rate) {
    if (rate === undefined || rate === null || isNaN(rate))
        return "\u2014"
    return (rate * 100).toFixed(rate > 0 && rate < 0.1 ? 1 : 0) + "%"
}

// "+13075550142" -> "+1 (307) 555-0142"; anything else unchanged.
function phone(number) {
    if (!number)
        return ""
    const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(number)
    return m ? "+1 (" + m[1] + ") " + m[2] + "-" + m[3] : number
}

function clock(date) {
    if (!date || isNaN(date.getTime()))
        return ""
    return pad2(date.getHours()) + ":" + pad2(date.getMinutes())
}

// Today: "14:02"; another day: "Mar 3, 14:02".
function when(date, now) {
    if (!date || isNaN(date.getTime()))
        return ""
    if (date.toDateString() === now.toDateString())
        return clock(date)
    const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return months[date.getMonth()] + " " + date.getDate() + ", " + clock(date)
}

// "driver_acknowledged" -> "Driver acknowledged"
function humanize(id) {
    if (!id)
        return ""
    const words = id.replace(/[_-]+/g, " ").trim()
    return words.charAt(0).toUpperCase() + words.slice(1)
}

function statusLabel(status) {
    switch (status) {
    case "initiating": return "Dialing"
    case "in_progress": return "In call"
    case "completed": return "Completed"
    case "failed": return "Failed"
    default: return status ? humanize(status) : "Unknown"
    }
}

function statusTone(status) {
    switch (status) {
    case "initiating": return "warn"
    case "in_progress": return "accent"
    case "completed": return "good"
    case "failed": return "bad"
    default: return "neutral"
    }
}

function successLabel(value) {
    switch (value) {
    case "success": return "Successful"
    case "failure": return "Unsuccessful"
    case "unknown": return "Outcome unclear"
    default: return ""
    }
}

function successTone(value) {
    return value === "success" ? "good" : value === "failure" ? "bad" : "neutral"
}

// Webhook verification and outcome words.
function deliveryTone(value, httpStatus) {
    if (!value)
        return "neutral"
    const v = value.toLowerCase()
    if (["verified", "valid", "ok", "stored", "processed", "applied", "accepted"].indexOf(v) >= 0)
        return "good"
    if (["duplicate", "ignored", "skipped", "replayed", "unsigned"].indexOf(v) >= 0)
        return "neutral"
    if (httpStatus >= 500)
        return "warn"
    return "bad"
}

function bytes(size) {
    if (size === undefined || size === null || size < 0)
        return ""
    if (size < 1024)
        return size + " B"
    if (size < 1024 * 1024)
        return (size / 1024).toFixed(1) + " KB"
    return (size / 1024 / 1024).toFixed(1) + " MB"
}

// Pretty JSON text to HTML with keys, strings and literals coloured; whitespace preserved.
function jsonHtml(text, theme) {
    if (!text)
        return ""
    const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    const coloured = escaped.replace(
        /("(?:[^"\\]|\\.)*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g,
        function (match, string, colon, literal, number) {
            if (string !== undefined) {
                const colour = colon ? theme.accent : theme.good
                return "<span style=\"color:" + colour + "\">" + string + "</span>" + (colon || "")
            }
            if (literal !== undefined)
                return "<span style=\"color:" + theme.warn + "\">" + literal + "</span>"
            return "<span style=\"color:" + theme.bad + "\">" + number + "</span>"
        })
    return "<pre style=\"font-family:monospace; margin:0\">" + coloured + "</pre>"
}
