import QtQuick

// A complaint on the kiosk's own form; then its number (printed with how to follow it up).
Item {
    id: s
    readonly property var vm: App.complain
    readonly property string primaryText: vm.number !== "" ? T.header_home : T.complain_send
    readonly property string primaryIcon: vm.number !== "" ? "home" : "check"
    readonly property bool primaryEnabled: !vm.busy
    function primary() { if (vm.number !== "") App.home(); else vm.send() }
    function back() { if (vm.formPart.editing !== "") { vm.formPart.stopEditing(); return true } return false }

    Column {
        id: head
        anchors { left: parent.left; right: parent.right; top: parent.top; margins: Theme.margin }
        spacing: Theme.gap
        KText { width: parent.width; font.pixelSize: Theme.heading; strong: true; visible: s.vm.number === ""
                text: s.vm.busy ? T.complain_sending : T.complain_intro }
        FaultBar { width: parent.width; text: s.vm.fault }
    }
    FormFields {
        visible: s.vm.number === ""
        anchors { left: parent.left; right: parent.right; top: head.bottom; bottom: parent.bottom; margins: Theme.margin }
        part: s.vm.formPart
        hint: T.complain_card_name
    }
    Column {
        visible: s.vm.number !== ""
        anchors { left: parent.left; right: parent.right; top: head.bottom; margins: Theme.margin }
        spacing: Theme.margin
        Row { spacing: Theme.gap
              Icon { name: "check"; colour: Theme.colour.ok; size: Theme.heading * 1.4 }
              KText { text: T.complain_filed; font.pixelSize: Theme.heading; strong: true; color: Theme.colour.ok } }
        KText { text: T.complain_number; secondary: true }
        KText { objectName: "complaintNumber"; text: s.vm.number; font.pixelSize: Theme.huge; strong: true; font.features: { "tnum": 1 } }
        KText { width: parent.width; text: T.complain_follow_up }
        Row { spacing: Theme.gap; visible: s.vm.printStatus !== ""
              Icon { name: "printer" }
              KText { text: s.vm.printStatus } }
    }
}
