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
            KText { text: d.vm.pending ? T.apply_saved : T.apply_submitted; font.pixelSize: Theme.heading; strong: true; color: Theme.colour.ok } }
        KText { visible: d.vm.pending; width: parent.width; text: T.apply_pending; color: Theme.colour.warn }
        Rectangle {
            width: parent.width; height: Math.max(rc.height, qr.height) + 2 * Theme.margin; radius: Theme.radius
            color: Theme.colour.surface; border.color: Theme.colour.line
            Column { id: rc; x: Theme.margin; y: Theme.margin; width: parent.width - 3 * Theme.margin - qr.width; spacing: Theme.gap
                KText { text: d.vm.pending ? T.apply_provisional : T.apply_number; secondary: true; width: parent.width }
                KText { objectName: "applicationNumber"; text: d.vm.number; font.pixelSize: Theme.huge; strong: true; font.features: { "tnum": 1 }
                        width: parent.width; fontSizeMode: Text.HorizontalFit; minimumPixelSize: Theme.heading; wrapMode: Text.NoWrap }
                KText { visible: d.vm.promised !== ""; text: T.apply_promised + "  " + d.vm.promised; strong: true; width: parent.width }
                KText { text: T.apply_scan_qr; secondary: true; width: parent.width } }
            Image { id: qr; objectName: "receiptQr"; source: d.vm.qr; cache: false; smooth: false
                    anchors { right: parent.right; rightMargin: Theme.margin; verticalCenter: parent.verticalCenter }
                    width: Theme.mm(Theme.portrait ? 45 : 40); height: width; fillMode: Image.PreserveAspectFit }
        }
        Row { spacing: Theme.gap
            Icon { name: "printer" }
            KText { text: d.vm.printStatus; width: d.width - Theme.body * 2 } }
    }
}
