import QtQuick

// Progress: find an application (number + ID tail, the receipt's QR, or the card), then its
// status, promised date, overdue flag and timeline. Also finds the application to rate.
Item {
    id: s
    readonly property var vm: App.progress
    readonly property bool typing: vm.way === "number" && !vm.hasResult
    readonly property string primaryText: s.typing ? T.progress_look_up
        : (vm.showingOne && (vm.purpose === "rate" || vm.canRate)) ? T.progress_rate : ""
    readonly property string primaryIcon: s.typing ? "search" : "rate"
    readonly property bool primaryEnabled: s.typing ? vm.canLookUp : vm.canRate
    readonly property bool canGoBack: vm.way !== "" || vm.hasResult
    function primary() { if (s.typing) vm.lookUp(); else vm.rate() }
    function back() { return vm.back() }

    Column {
        id: head
        anchors { left: parent.left; right: parent.right; top: parent.top; margins: Theme.margin }
        spacing: Theme.gap
        KText { width: parent.width; font.pixelSize: Theme.heading; strong: true; visible: !s.vm.hasResult
                text: s.vm.purpose === "rate" ? T.progress_rate_intro : T.progress_intro }
        FaultBar { width: parent.width; text: s.vm.fault }
        KText { visible: s.vm.busy; width: parent.width; text: T.progress_looking; color: Theme.colour.primary }
    }
    Item {
        id: area
        anchors { left: parent.left; right: parent.right; top: head.bottom; bottom: parent.bottom; margins: Theme.margin }
        // the three ways
        Grid {
            visible: s.vm.way === "" && !s.vm.hasResult
            width: parent.width
            columns: Theme.portrait ? 1 : 3
            spacing: Theme.margin
            readonly property real cellW: (width - (columns - 1) * spacing) / columns
            Tile { objectName: "wayNumber"; width: parent.cellW; height: Theme.mm(Theme.care ? 42 : 34); icon: "keyboard"
                   title: T.progress_by_number; hint: T.progress_by_number_hint; onClicked: s.vm.choose("number") }
            Tile { objectName: "wayQr"; width: parent.cellW; height: Theme.mm(Theme.care ? 42 : 34); icon: "camera"
                   title: T.progress_by_qr; hint: T.progress_by_qr_hint; onClicked: s.vm.choose("qr") }
            Rectangle {
                width: parent.cellW; height: Theme.mm(Theme.care ? 42 : 34); radius: Theme.radius * 2
                color: Theme.colour.ok_surface; border.color: Theme.colour.ok
                Row { anchors { fill: parent; margins: Theme.margin } spacing: Theme.margin
                      Icon { name: "card"; colour: Theme.colour.ok; size: Theme.heading * 1.6; anchors.verticalCenter: parent.verticalCenter }
                      Column { anchors.verticalCenter: parent.verticalCenter; width: parent.width - Theme.heading * 1.6 - Theme.margin
                               KText { text: T.progress_by_card; font.pixelSize: Theme.heading; strong: true; color: Theme.colour.ok; width: parent.width; wrapMode: Text.NoWrap; elide: Text.ElideRight }
                               KText { text: T.progress_by_card_hint; color: Theme.colour.ok; width: parent.width; font.pixelSize: Theme.small } } }
            }
        }
        // number + ID tail on the keypad
        Item {
            visible: s.typing
            anchors.fill: parent
            Column {
                id: entry
                width: Theme.portrait ? parent.width : parent.width * 0.5
                spacing: Theme.gap
                Repeater {
                    model: [["number", T.progress_number, s.vm.number, 14], ["tail", T.progress_tail, s.vm.tail, 6]]
                    Rectangle {
                        objectName: "entry_" + modelData[0]
                        readonly property bool touchTarget: true
                        readonly property bool on: s.vm.editing === modelData[0]
                        width: entry.width; height: ecol.height + Theme.gap * 2; radius: Theme.radius
                        color: on ? Theme.colour.selected_surface : Theme.colour.surface
                        border.color: on ? Theme.colour.primary : Theme.colour.line; border.width: on ? Theme.stroke * 1.5 : Theme.stroke
                        Column { id: ecol; x: Theme.gap; y: Theme.gap; width: parent.width - 2 * Theme.gap
                                 KText { text: modelData[1]; secondary: true; font.pixelSize: Theme.small }
                                 KText { text: modelData[2] + (parent.parent.on ? "▏" : ""); font.pixelSize: Theme.heading; strong: true
                                         font.features: { "tnum": 1 }; font.letterSpacing: Theme.mm(0.6) } }
                        TapHandler { onTapped: s.vm.edit(modelData[0]) }
                    }
                }
            }
            Keyboard {
                mode: "digits"
                width: Theme.portrait ? parent.width : parent.width * 0.45
                anchors { right: parent.right; bottom: parent.bottom }
                onKey: (text) => s.vm.key(text)
                onBackspace: s.vm.backspace()
            }
        }
        // the receipt's QR under the camera
        Column {
            visible: s.vm.way === "qr" && !s.vm.hasResult
            anchors.fill: parent
            spacing: Theme.gap
            KText { width: parent.width; text: T.progress_qr_waiting; strong: true }
            Rectangle {
                width: parent.width; height: parent.height - y; color: "#202020"
                Image { anchors.fill: parent; source: s.vm.live; cache: false; fillMode: Image.PreserveAspectFit }
                Icon { anchors.centerIn: parent; visible: s.vm.live === ""; name: "camera"; colour: "#FFFFFF"; size: Theme.mm(30) }
            }
        }
        // the card holder's applications
        Column {
            visible: s.vm.hasResult && !s.vm.showingOne
            width: parent.width
            spacing: Theme.gap
            KText { text: T.progress_yours.replace("{n}", s.vm.cases.count) + " · " + T.progress_choose; strong: true; width: parent.width }
            Repeater {
                model: s.vm.cases
                Rectangle {
                    objectName: "case_" + model.number
                    readonly property bool touchTarget: true
                    width: area.width; height: cc.height + 2 * Theme.gap; radius: Theme.radius
                    color: Theme.colour.surface; border.color: Theme.colour.line
                    Column { id: cc; x: Theme.gap * 1.5; y: Theme.gap; width: parent.width - Theme.gap * 3
                             KText { text: model.matter; strong: true; color: Theme.colour.primary; width: parent.width; elide: Text.ElideRight; maximumLineCount: 2 }
                             KText { text: model.number + " · " + model.status + (model.overdue ? " · " + T.progress_overdue : "")
                                     secondary: !model.overdue; color: model.overdue ? Theme.colour.accent : Theme.colour.secondary
                                     font.pixelSize: Theme.small; width: parent.width } }
                    TapHandler { onTapped: s.vm.open(model.index) }
                }
            }
        }
        ProgressDetail { visible: s.vm.showingOne; anchors.fill: parent; vm: s.vm }
    }
}
