import QtQuick

// The technician exit: the PIN pad, then close the kiosk or go back to service.
Item {
    id: s
    readonly property var vm: App.technician
    readonly property string primaryText: vm.unlocked ? T.technician_resume : ""
    readonly property string primaryIcon: "home"
    function primary() { App.home() }
    Column {
        anchors { top: parent.top; horizontalCenter: parent.horizontalCenter; margins: Theme.margin }
        width: Math.min(parent.width - 2 * Theme.margin, Theme.mm(160))
        spacing: Theme.margin
        KText { width: parent.width; horizontalAlignment: Text.AlignHCenter; font.pixelSize: Theme.heading; strong: true
                text: s.vm.unlocked ? T.technician_unlocked : s.vm.checking ? T.technician_checking : T.technician_enter_pin }
        FaultBar { width: parent.width; text: s.vm.fault }
        PinPad { visible: !s.vm.unlocked; pin: s.vm.pin; anchors.horizontalCenter: parent.horizontalCenter
                 onEnter: s.vm.enter() }
        KText { objectName: "outboxCount"; visible: s.vm.unlocked && text !== ""; width: parent.width
                horizontalAlignment: Text.AlignHCenter; wrapMode: Text.Wrap; text: s.vm.outbox }
        KButton { objectName: "quitKiosk"; visible: s.vm.unlocked; width: parent.width; attention: true; big: true
                  icon: "exit"; text: T.technician_quit; onClicked: s.vm.quit() }
    }
}
