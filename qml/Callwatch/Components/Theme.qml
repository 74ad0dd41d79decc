// SPDX-License-Identifier: GPL-3.0-or-later
pragma Singleton
import QtQuick

// Colours and metrics for the whole dashboard. Follows the platform palette (light or dark)
// unless `mode` is "light" or "dark" (the user's override, remembered in the settings).
// Qt 6.4 has no Qt.styleHints.colorScheme, so "dark" means a dark system window colour.
QtObject {
    id: theme

    property string mode: "system"
    readonly property SystemPalette systemPalette: SystemPalette {
        colorGroup: SystemPalette.Active
    }
    readonly property bool systemDark: systemPalette.window.hslLightness < 0.5
    readonly property bool dark: mode === "dark" || (mode === "system" && systemDark)

    // Surfaces
    readonly property color window: dark ? "#0e1217" : "#f2f4f7"
    readonly property color surface: dark ? "#161b22" : "#ffffff"
    readonly property color surfaceAlt: dark ? "#1c232c" : "#f7f8fa"
    readonly property color surfaceSunken: dark ? "#11161c" : "#eef1f5"
    readonly property color hover: dark ? "#212a34" : "#f1f4f8"
    readonly property color selected: dark ? "#1e2f4a" : "#e8f0fe"
    readonly property color border: dark ? "#28313c" : "#e1e5ea"
    readonly property color borderStrong: dark ? "#3a4552" : "#cfd5dc"

    // Text
    readonly property color text: dark ? "#e6eaef" : "#14181d"
    readonly property color textMuted: dark ? "#9ba6b4" : "#5b6572"
    readonly property color textFaint: dark ? "#6c7785" : "#8b94a0"
    readonly property color textOnAccent: "#ffffff"

    // Meaning
    readonly property color accent: dark ? "#5b9cff" : "#2563eb"
    readonly property color accentSoft: dark ? "#1a2a45" : "#e7efff"
    readonly property color good: dark ? "#4ade80" : "#15803d"
    readonly property color goodSoft: dark ? "#12301f" : "#dcfce7"
    readonly property color bad: dark ? "#f87171" : "#c42b2b"
    readonly property color badSoft: dark ? "#3b1517" : "#fee4e2"
    readonly property color warn: dark ? "#fbbf24" : "#b45309"
    readonly property color warnSoft: dark ? "#3a2b0c" : "#fef3c7"
    readonly property color neutral: dark ? "#a3adb9" : "#5b6572"
    readonly property color neutralSoft: dark ? "#232b35" : "#eef1f4"

    // Transcript bubbles: the agent on the left, the driver on the right in the accent hue.
    readonly property color agentBubble: dark ? "#1f2731" : "#f1f3f6"
    readonly property color driverBubble: dark ? "#1d3a66" : "#2563eb"
    readonly property color driverBubbleText: "#ffffff"

    // Metrics
    readonly property int radius: 8
    readonly property int radiusLarge: 12
    readonly property int gap: 8
    readonly property int pad: 16
    readonly property int fontSmall: 11
    readonly property int fontBody: 13
    readonly property int fontLarge: 15
    readonly property int fontTitle: 18
    readonly property int fontHuge: 24
    readonly property string monoFamily: "monospace"

    function toneColor(tone) {
        switch (tone) {
        case "good": return good
        case "bad": return bad
        case "warn": return warn
        case "accent": return accent
        default: return neutral
        }
    }

    function toneSoft(tone) {
        switch (tone) {
        case "good": return goodSoft
        case "bad": return badSoft
        case "warn": return warnSoft
        case "accent": return accentSoft
        default: return neutralSoft
        }
    }
}
