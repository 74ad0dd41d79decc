// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls.Basic

// The dashboard's button: "primary" (filled accent), "secondary" (outlined) or "ghost" (flat).
Button {
    id: control

    property string kind: "secondary"
    property bool compact: false

    font.pixelSize: compact ? Theme.fontSmall : Theme.fontBody
    font.weight: Font.DemiBold
    leftPadding: compact ? 10 : 14
    rightPadding: compact ? 10 : 14
    topPadding: compact ? 4 : 7
    bottomPadding: compact ? 4 : 7
    hoverEnabled: true

    contentItem: Text {
        text: control.text
        font: control.font
        color: !control.enabled ? Theme.textFaint
             : control.kind === "primary" ? Theme.textOnAccent
             : control.kind === "ghost" ? Theme.accent
             : Theme.text
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }

    background: Rectangle {
        implicitHeight: control.compact ? 26 : 32
        radius: Theme.radius
        color: {
            if (control.kind === "primary") {
                if (!control.enabled)
                    return Theme.neutralSoft
                return control.down ? Qt.darker(Theme.accent, 1.15)
                     : control.hovered ? Qt.lighter(Theme.accent, 1.08) : Theme.accent
            }
            if (control.kind === "ghost")
                return control.down ? Theme.selected : control.hovered ? Theme.hover : "transparent"
            return control.down ? Theme.hover : control.hovered ? Theme.surfaceAlt : Theme.surface
        }
        border.width: control.kind === "secondary" ? 1 : 0
        border.color: control.visualFocus ? Theme.accent : Theme.border
    }
}
