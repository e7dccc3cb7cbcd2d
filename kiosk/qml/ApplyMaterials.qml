import QtQuick

// Materials: the list (scan, or reuse what the hall holds), or the live camera for one material
// with the page outlined (green when it passes, amber with the reason in words), thumbnails.
Item {
    id: m
    property var vm
    Column {
        visible: m.vm.current === ""
        width: parent.width
        spacing: Theme.gap
        Repeater {
            model: m.vm.rows
            Rectangle {
                width: m.width; height: mc.height + 2 * Theme.gap; radius: Theme.radius
                color: Theme.colour.surface; border.color: Theme.colour.line; border.width: Math.max(1, Theme.mm(0.3))
                Column {
                    id: mc
                    x: Theme.gap * 1.5; y: Theme.gap; width: parent.width - 3 * Theme.gap; spacing: Theme.mm(1)
                    KText { width: parent.width; text: model.name; strong: true }
                    Row { spacing: Theme.gap
                        Icon { name: model.pages > 0 || model.reused ? "check" : "document"; size: Theme.body
                               colour: model.pages > 0 || model.reused ? Theme.colour.ok : Theme.colour.secondary }
                        KText { text: model.status; font.pixelSize: Theme.small
                                color: model.pages > 0 || model.reused ? Theme.colour.ok : Theme.colour.secondary } }
                    KText { visible: model.held !== ""; width: parent.width; text: model.held; font.pixelSize: Theme.small; color: Theme.colour.primary }
                    Row { spacing: Theme.gap
                        KButton { objectName: "scan_" + model.id; icon: "camera"; text: model.pages > 0 ? T.scan_rescan : T.scan_scan
                                  onClicked: m.vm.scan(model.id) }
                        KButton { visible: model.held !== "" && !model.reused; text: T.scan_reuse; onClicked: m.vm.reuse(model.id) } }
                }
            }
        }
    }
    Item {
        visible: m.vm.current !== ""
        anchors.fill: parent
        KText { id: what; width: parent.width; text: m.vm.currentName; strong: true }
        Rectangle {
            id: preview
            anchors { top: what.bottom; topMargin: Theme.gap; left: parent.left; right: parent.right; bottom: verdict.top; bottomMargin: Theme.gap }
            color: "#202020"
            Image {
                id: live
                anchors.fill: parent
                source: m.vm.live
                cache: false
                fillMode: Image.PreserveAspectFit
                Canvas {
                    id: outline
                    readonly property real pw: live.paintedWidth
                    readonly property real ph: live.paintedHeight
                    x: (live.width - pw) / 2; y: (live.height - ph) / 2; width: pw; height: ph
                    onPaint: {
                        var ctx = getContext("2d"); ctx.reset()
                        var pts = m.vm.outline
                        if (pts.length !== 4) return
                        ctx.lineWidth = Theme.mm(1.2)
                        ctx.strokeStyle = m.vm.good ? "#2E9E4F" : "#E0A000"
                        ctx.beginPath(); ctx.moveTo(pts[0].x * pw, pts[0].y * ph)
                        for (var i = 1; i < 4; i++) ctx.lineTo(pts[i].x * pw, pts[i].y * ph)
                        ctx.closePath(); ctx.stroke()
                    }
                    Connections { target: m.vm; function onFrameChanged() { outline.requestPaint() } }
                }
            }
        }
        Rectangle {
            id: verdict
            anchors { left: parent.left; right: parent.right; bottom: thumbs.top; bottomMargin: Theme.gap }
            height: Theme.target; radius: Theme.radius
            color: m.vm.good ? Theme.colour.ok_surface : Theme.colour.warn_surface
            Row { anchors.centerIn: parent; spacing: Theme.gap
                Icon { name: m.vm.good ? "check" : "warning"; colour: m.vm.good ? Theme.colour.ok : Theme.colour.warn; anchors.verticalCenter: parent.verticalCenter }
                KText { text: m.vm.verdict; color: m.vm.good ? Theme.colour.ok : Theme.colour.warn; strong: true } }
        }
        Row {
            id: thumbs
            anchors { left: parent.left; bottom: buttons.top; bottomMargin: Theme.gap }
            height: Theme.mm(30); spacing: Theme.gap
            Repeater {
                model: m.vm.thumbnails
                Column { Image { source: model.image; cache: false; height: Theme.mm(24); width: height * 0.7; fillMode: Image.PreserveAspectFit }
                         KText { text: T.scan_page.replace("{n}", model.page); font.pixelSize: Theme.small; secondary: true } }
            }
        }
        Row {
            id: buttons
            anchors { bottom: parent.bottom; horizontalCenter: parent.horizontalCenter }
            spacing: Theme.margin
            KButton { objectName: "retake"; big: true; icon: "back"; text: T.scan_retake; active: m.vm.thumbnails.count > 0; onClicked: m.vm.retake() }
            KButton { objectName: "scanDone"; big: true; primary: true; icon: "check"; text: T.scan_done; onClicked: m.vm.finish() }
        }
    }
}
