import QtQuick

// Covers the whole screen (the content is hidden: privacy) with the countdown and one tap to go on.
Rectangle {
    id: o
    color: Theme.colour.background
    visible: Session.warning
    TapHandler { onTapped: Session.extend() }
    Column {
        anchors.centerIn: parent
        width: Math.min(parent.width - 2 * Theme.margin, Theme.mm(200))
        spacing: Theme.margin
        Rectangle {
            anchors.horizontalCenter: parent.horizontalCenter
            width: Theme.mm(45); height: width; radius: width / 2
            color: Theme.colour.surface; border.color: Theme.colour.accent; border.width: Theme.mm(2)
            KText { anchors.centerIn: parent; text: Session.countdown; font.pixelSize: Theme.huge
                    strong: true; color: Theme.colour.accent; font.features: { "tnum": 1 } }
        }
        KText { width: parent.width; horizontalAlignment: Text.AlignHCenter; text: T.idle_title
                font.pixelSize: Theme.heading; strong: true }
        KText { width: parent.width; horizontalAlignment: Text.AlignHCenter
                text: T.idle_body.replace("{s}", Session.countdown) }
        KButton { objectName: "continueButton"; width: parent.width; primary: true; text: T.idle_continue
                  icon: "check"; onClicked: Session.extend() }
        KButton { width: parent.width; big: true; text: T.idle_exit; icon: "exit"
                  onClicked: Session.exit() }
    }
}
