// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import "Format.js" as Format

// The call status as a chip: Dialing, In call (pulsing), Completed, Failed.
Chip {
    property string status

    text: Format.statusLabel(status)
    tone: Format.statusTone(status)
    dot: true
    pulsing: status === "in_progress"
}
