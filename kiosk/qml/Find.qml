import QtQuick

// Find a matter: search as you type (pinyin initials, full pinyin, characters), or browse by
// department or topic; results in pages.
Item {
    id: s
    readonly property string primaryText: ""
    readonly property var vm: App.find
    readonly property bool side: !Theme.portrait

    Column {
        id: left
        anchors { left: parent.left; top: parent.top; bottom: parent.bottom; margins: Theme.margin }
        width: s.side ? parent.width * 0.58 : parent.width - 2 * Theme.margin
        spacing: Theme.gap

        Rectangle {
            id: box
            objectName: "searchBox"
            width: parent.width; height: Theme.target * 1.2
            radius: Theme.radius; color: Theme.colour.surface
            border.color: Theme.colour.primary; border.width: Theme.stroke * 1.5
            Icon { id: glass; name: "search"; anchors { left: parent.left; leftMargin: Theme.gap; verticalCenter: parent.verticalCenter } }
            KText {
                anchors { left: glass.right; leftMargin: Theme.gap; right: clear.left; verticalCenter: parent.verticalCenter }
                text: s.vm.query !== "" ? s.vm.query + "▏" : T.find_search
                secondary: s.vm.query === ""
                font.pixelSize: s.vm.query !== "" ? Theme.heading : Theme.body
                wrapMode: Text.NoWrap; elide: Text.ElideLeft
            }
            KButton { id: clear; objectName: "clearSearch"; anchors { right: parent.right; rightMargin: Theme.gap; verticalCenter: parent.verticalCenter }
                      icon: "close"; text: T.find_clear; visible: s.vm.query !== "" || s.vm.filterName !== ""; onClicked: s.vm.clear() }
        }
        Row {
            spacing: Theme.gap
            KButton { objectName: "allMatters"; text: T.find_all; selected: s.vm.browse === "" && s.vm.filterName === ""; onClicked: s.vm.clear() }
            KButton { objectName: "byDepartment"; text: T.find_by_department; selected: s.vm.browse === "departments"; onClicked: s.vm.showChoices("departments") }
            KButton { objectName: "byCategory"; text: T.find_by_category; selected: s.vm.browse === "categories"; onClicked: s.vm.showChoices("categories") }
        }
        KText { width: parent.width; secondary: true; font.pixelSize: Theme.small
                text: s.vm.browse === "departments" ? T.find_choose_department
                    : s.vm.browse === "categories" ? T.find_choose_category
                    : (s.vm.filterName ? s.vm.filterName + " · " : "") + s.vm.summary }
        Item {
            id: listArea
            width: parent.width
            height: parent.height - y - pager.height - parent.spacing
            Column {
                visible: s.vm.browse === ""
                width: parent.width
                spacing: Theme.gap
                Repeater {
                    model: s.vm.results
                    Rectangle {
                        objectName: "matter_" + model.code
                        readonly property bool touchTarget: true
                        width: listArea.width
                        height: Math.max(Theme.target, Math.min((listArea.height - (Theme.pageSize - 1) * Theme.gap) / Theme.pageSize, Theme.mm(Theme.care ? 40 : 30)))
                        radius: Theme.radius
                        color: rowTap.pressed ? Theme.colour.selected_surface : Theme.colour.surface
                        border.color: Theme.colour.line; border.width: Math.max(1, Theme.mm(0.3))
                        Column {
                            anchors { left: parent.left; right: arrow.left; verticalCenter: parent.verticalCenter; margins: Theme.gap * 1.5 }
                            KText { width: parent.width; text: model.name; strong: true; color: Theme.colour.primary
                                    maximumLineCount: Theme.care ? 2 : 1; elide: Text.ElideRight }
                            KText { width: parent.width; secondary: true; font.pixelSize: Theme.small; wrapMode: Text.NoWrap
                                    elide: Text.ElideRight; text: model.department + " · " + model.mode + " · " + model.days }
                        }
                        Icon { id: arrow; name: "forward"; anchors { right: parent.right; rightMargin: Theme.gap; verticalCenter: parent.verticalCenter } }
                        TapHandler { id: rowTap; onTapped: s.vm.open(model.code) }
                    }
                }
            }
            Grid {
                visible: s.vm.browse !== ""
                width: parent.width
                columns: Theme.care ? 1 : 2
                spacing: Theme.gap
                Repeater {
                    model: s.vm.choices
                    KButton {
                        objectName: "choice_" + model.code
                        width: (listArea.width - (parent.columns - 1) * Theme.gap) / parent.columns
                        height: Theme.target * 1.15
                        text: model.name + "  (" + T.find_matters.replace("{n}", model.count) + ")"
                        onClicked: s.vm.choose(model.code)
                    }
                }
            }
        }
        Pager { id: pager; width: parent.width; page: s.vm.page; pages: s.vm.pageCount
                onPrevious: s.vm.prevPage(); onNext: s.vm.nextPage() }
    }
    Keyboard {
        id: keyboard
        objectName: "keyboard"
        width: s.side ? parent.width - left.width - 3 * Theme.margin : parent.width - 2 * Theme.margin
        anchors { right: parent.right; rightMargin: Theme.margin; bottom: parent.bottom; bottomMargin: Theme.margin }
        onKey: (text) => s.vm.type(text)
        onBackspace: s.vm.backspace()
    }
    states: State {
        when: !s.side
        AnchorChanges { target: left; anchors.bottom: keyboard.top }
        PropertyChanges { left.anchors.bottomMargin: Theme.margin }
    }
}
