import QtQuick

// One application: number, matter, status (icon and words), promised date, overdue, what is
// still missing, and the timeline.
Flickable {
    id: d
    property var vm
    contentHeight: col.height
    clip: true
    boundsBehavior: Flickable.StopAtBounds
    Column {
        id: col
        width: d.width
        spacing: Theme.gap
        KText { objectName: "progressMatter"; width: parent.width; text: d.vm.matter; font.pixelSize: Theme.heading; strong: true; color: Theme.colour.primary }
        KText { width: parent.width; text: T.progress_number + "  " + d.vm.caseNumber; secondary: true; font.features: { "tnum": 1 } }
        KText { width: parent.width; visible: d.vm.department !== ""; text: T.progress_department + "  " + d.vm.department; secondary: true }
        Rectangle {
            width: parent.width; height: sc.height + 2 * Theme.gap; radius: Theme.radius
            color: d.vm.overdue ? Theme.colour.error_surface : Theme.colour.ok_surface
            Column { id: sc; x: Theme.gap * 1.5; y: Theme.gap; width: parent.width - 3 * Theme.gap; spacing: Theme.mm(1)
                Row { spacing: Theme.gap
                      Icon { name: d.vm.overdue ? "warning" : "progress"; colour: d.vm.overdue ? Theme.colour.accent : Theme.colour.ok }
                      KText { objectName: "progressStatus"; text: T.progress_status + "：" + d.vm.status; strong: true
                              color: d.vm.overdue ? Theme.colour.accent : Theme.colour.ok } }
                KText { visible: d.vm.promised !== ""; text: T.progress_promised + "  " + d.vm.promised + "  ·  " + (d.vm.overdue ? T.progress_overdue : T.progress_on_time)
                        color: d.vm.overdue ? Theme.colour.accent : Theme.colour.ok; width: parent.width }
            }
        }
        Column {
            visible: d.vm.missing !== ""
            width: parent.width
            KText { text: T.progress_missing; strong: true; color: Theme.colour.warn }
            KText { text: d.vm.missing; width: parent.width }
        }
        KText { text: T.progress_timeline; font.pixelSize: Theme.heading; strong: true }
        Repeater {
            model: d.vm.timeline
            Row {
                spacing: Theme.gap
                Rectangle { width: Theme.mm(3); height: Theme.mm(3); radius: width / 2; color: Theme.colour.primary; anchors.verticalCenter: tl.verticalCenter }
                Column { id: tl; width: col.width - Theme.mm(6)
                         KText { text: model.at + "  " + model.status; strong: true; font.features: { "tnum": 1 }; width: parent.width }
                         KText { visible: model.note !== ""; text: model.note; secondary: true; width: parent.width } }
            }
        }
        KText { visible: d.vm.purpose === "rate" && !d.vm.canRate; text: T.progress_rated; color: Theme.colour.warn; width: parent.width }
    }
}
