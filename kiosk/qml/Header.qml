import QtQuick

// The fixed header of every screen: hall, screen title, 中文/EN, 关怀模式, 首页. When the title
// does not fit beside the buttons (care mode, English, a narrow screen) it takes a row of its
// own below them: it is never cut short.
Rectangle {
    id: h
    color: Theme.colour.primary
    readonly property real pad: Theme.mm(2)
    readonly property real titleRoom: width - Theme.margin - buttons.width - 2 * Theme.margin
    readonly property bool twoRows: titleMetrics.advanceWidth > titleRoom || hallMetrics.advanceWidth > titleRoom
    readonly property real textHeight: hallName.implicitHeight + title.implicitHeight
    height: twoRows ? Math.max(Theme.headerHeight, buttons.height + title.implicitHeight + 3 * pad)
                    : Math.max(Theme.headerHeight, textHeight + 2 * pad, buttons.height + 2 * pad)
    TextMetrics { id: titleMetrics; font: title.font; text: title.text }
    TextMetrics { id: hallMetrics; font: hallName.font; text: hallName.text }
    Rectangle { anchors.left: parent.left; width: Theme.mm(2); height: parent.height; color: Theme.colour.accent }
    KText { id: hallName; objectName: "hallName"; text: App.hallName; color: Theme.colour.on_primary; font.pixelSize: Theme.small
            wrapMode: Text.NoWrap; elide: Text.ElideRight
            anchors { left: parent.left; leftMargin: Theme.margin; right: buttons.left; rightMargin: Theme.gap }
            y: h.twoRows ? buttons.y + (buttons.height - height) / 2 : (h.height - h.textHeight) / 2
            // the technician's gesture: five quick taps on the hall's name
            TapHandler { onTapped: App.technician.tap() } }
    KText { id: title; objectName: "screenTitle"; text: T[App.titleCode]; color: Theme.colour.on_primary
            font.pixelSize: Theme.heading; strong: true; wrapMode: Text.NoWrap; elide: Text.ElideRight
            anchors { left: parent.left; leftMargin: Theme.margin; right: h.twoRows ? parent.right : buttons.left
                      rightMargin: h.twoRows ? Theme.margin : Theme.gap }
            y: h.twoRows ? buttons.y + buttons.height + h.pad : hallName.y + hallName.height }
    Row {
        id: buttons
        anchors { right: parent.right; rightMargin: Theme.margin }
        y: h.twoRows ? h.pad : (h.height - height) / 2
        spacing: Theme.gap
        KButton { objectName: "languageButton"; onDark: true; icon: "language"; text: T.header_language
                  onClicked: App.toggleLanguage() }
        KButton { objectName: "careButton"; onDark: true; icon: "care"
                  text: App.care ? T.header_care_on : T.header_care; onClicked: App.toggleCare() }
        KButton { objectName: "homeButton"; onDark: true; icon: "home"; text: T.header_home
                  visible: App.screen !== "home"; onClicked: App.home() }
    }
}
