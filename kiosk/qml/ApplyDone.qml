import QtQuick

// Submitting (what is happening) and the receipt (number, promised date, the printer's state).
Column {
    id: d
    property var vm
    spacing: Theme.margin
    KText { visible: d.vm.busy !== ""; width: parent.width; text: d.vm.busy; font.pixelSize: Theme.heading; horizontalAlignment: Text.AlignHCenter }
    Column {
        visible: d.vm.number !== ""
        width: parent.width
        spacing: Theme.margin
        Row { spacing: Theme.gap; anchors.horizontalCenter: parent.horizontalCenter
            Icon { name: "check"; colour: Theme.colour.ok; size: Theme.heading * 1.4 }
            KText { text: T.apply_submitted; font.pixelSize: Theme.heading; strong: true; color: Theme.colour.ok } }
        KText { visible: d.vm.pending; width: parent.width; text: T.apply_pending; color: Theme.colour.warn }
        Rectangle {
            width: parent.width; height: rc.height + 2 * Theme.margin; radius: Theme.radius
            color: Theme.colour.surface; border.color: Theme.colour.line
            Column { id: rc; x: Theme.margin; y: Theme.margin; width: parent.width - 2 * Theme.margin; spacing: Theme.gap
                KText { text: T.apply_number; secondary: true }
                KText { objectName: "applicationNumber"; text: d.vm.number; font.pixelSize: Theme.huge; strong: true; font.features: { "tnum": 1 } }
                KText { visible: d.vm.promised !== ""; text: T.apply_promised + "  " + d.vm.promised; strong: true }
                KText { text: T.apply_scan_qr; secondary: true; width: parent.width } }
        }
        Row { spacing: Theme.gap
            Icon { name: "printer" }
            KText { text: d.vm.printStatus; width: d.width - Theme.body * 2 } }
    }
}
