import QtQuick

// The fixed header of every screen: hall, screen title, 中文/EN, 关怀模式, 首页.
Rectangle {
    id: h
    color: Theme.colour.primary
    height: Theme.headerHeight
    Rectangle { anchors.left: parent.left; width: Theme.mm(2); height: parent.height; color: Theme.colour.accent }
    Column {
        anchors { left: parent.left; leftMargin: Theme.margin; verticalCenter: parent.verticalCenter
                  right: buttons.left; rightMargin: Theme.gap }
        KText { text: App.hallName; color: Theme.colour.on_primary; font.pixelSize: Theme.small
                width: parent.width; elide: Text.ElideRight; wrapMode: Text.NoWrap }
        KText { objectName: "screenTitle"; text: T["title_" + App.screen]; color: Theme.colour.on_primary
                font.pixelSize: Theme.heading; strong: true; width: parent.width
                elide: Text.ElideRight; wrapMode: Text.NoWrap }
    }
    Row {
        id: buttons
        anchors { right: parent.right; rightMargin: Theme.margin; verticalCenter: parent.verticalCenter }
        spacing: Theme.gap
        KButton { objectName: "languageButton"; onDark: true; icon: "language"; text: T.header_language
                  onClicked: App.toggleLanguage() }
        KButton { objectName: "careButton"; onDark: true; icon: "care"
                  text: App.care ? T.header_care_on : T.header_care; onClicked: App.toggleCare() }
        KButton { objectName: "homeButton"; onDark: true; icon: "home"; text: T.header_home
                  visible: App.screen !== "home"; onClicked: App.home() }
    }
}
