// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Layouts
import Callwatch.Core
import Callwatch.Components

// When the live feed is down, say so across the window and say how old the numbers are.
Rectangle {
    id: root

    required property Dashboard dashboard

    readonly property string state_: dashboard.connectionState
    readonly property bool shown: dashboard.phase === "ready"
        && (state_ === "reconnecting" || state_ === "offline" || state_ === "unauthorized")
    readonly property string tone: state_ === "reconnecting" ? "warn" : "bad"

    visible: shown
    implicitHeight: shown ? row.implicitHeight + 16 : 0
    color: Theme.toneSoft(tone)

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.leftMargin: 20
        anchors.rightMargin: 16
        spacing: 12

        PulseDot {
            color: Theme.toneColor(root.tone)
            pulsing: root.state_ === "reconnecting"
        }

        Text {
            objectName: "bannerText"
            Layout.fillWidth: true
            color: Theme.text
            font.pixelSize: Theme.fontBody
            elide: Text.ElideRight
            text: {
                const asOf = root.dashboard.dataAsOf.getTime
                             && !isNaN(root.dashboard.dataAsOf.getTime())
                           ? qsTr(" Showing data as of %1.").arg(Qt.formatTime(root.dashboard.dataAsOf, "hh:mm:ss"))
                           : ""
                if (root.state_ === "unauthorized")
                    return qsTr("The server rejected the access token, so live updates have stopped.") + asOf
                if (root.state_ === "reconnecting") {
                    const when = root.dashboard.secondsToRetry > 0
                               ? qsTr("retrying in %1 s").arg(root.dashboard.secondsToRetry) : qsTr("retrying")
                    return qsTr("Live connection lost, %1.").arg(when) + asOf
                }
                return qsTr("Not connected to the live feed.") + asOf
            }
        }

        Text {
            visible: root.dashboard.connectionDetail.length > 0
            text: root.dashboard.connectionDetail
            color: Theme.textMuted
            font.pixelSize: Theme.fontSmall
            elide: Text.ElideRight
            Layout.maximumWidth: 320
        }

        ActionButton {
            compact: true
            text: qsTr("Retry now")
            onClicked: root.dashboard.retryNow()
        }
    }
}
