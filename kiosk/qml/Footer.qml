import QtQuick

// The fixed footer: 上一步 on the left, the screen's one primary action on the right, and in a
// personal session the countdown and 退出 (which wipes everything).
Rectangle {
    id: f
    property Item page: null
    color: Theme.colour.surface
    height: Theme.footerHeight
    Rectangle { width: parent.width; height: Math.max(1, Theme.mm(0.4)); color: Theme.colour.line }
    KButton {
        id: back
        objectName: "backButton"
        anchors { left: parent.left; leftMargin: Theme.margin; verticalCenter: parent.verticalCenter }
        big: true
        icon: "back"
        text: T.footer_back
        visible: App.canBack || (f.page !== null && f.page.canGoBack === true)
        onClicked: { if (!(f.page && f.page.back && f.page.back())) App.back() }
    }
    Row {
        anchors { left: back.visible ? back.right : parent.left; leftMargin: Theme.margin
                  verticalCenter: parent.verticalCenter }
        spacing: Theme.gap
        visible: Session.personal
        KButton { objectName: "exitButton"; big: true; icon: "exit"; text: T.footer_exit
                  onClicked: Session.exit() }
        KText { text: T.footer_session_left.replace("{s}", Session.secondsLeft); secondary: true
                font.pixelSize: Theme.small; anchors.verticalCenter: parent.verticalCenter
                visible: !Theme.care || !Theme.portrait }
    }
    KButton {
        objectName: "primaryButton"
        anchors { right: parent.right; rightMargin: Theme.margin; verticalCenter: parent.verticalCenter }
        primary: true
        icon: f.page && f.page.primaryIcon ? f.page.primaryIcon : "forward"
        text: f.page && f.page.primaryText ? f.page.primaryText : ""
        visible: text !== ""
        active: f.page ? f.page.primaryEnabled !== false : false
        onClicked: f.page.primary()
    }
}
