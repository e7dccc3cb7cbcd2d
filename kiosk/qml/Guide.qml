import QtQuick

// A matter's guide: every Art.21 field; materials with the blank form and the filled sample
// shown on screen; print the guide; apply (the footer's primary action).
Item {
    id: s
    readonly property var vm: App.guide
    readonly property string primaryText: vm.canApply ? T.guide_apply : ""
    readonly property string primaryIcon: "apply"
    readonly property bool primaryEnabled: vm.loaded
    function primary() { vm.apply() }
    function back() { if (vm.fileShown) { vm.closeFile(); return true } return false }

    Column {
        id: top
        anchors { left: parent.left; right: parent.right; top: parent.top; margins: Theme.margin }
        spacing: Theme.gap
        KText { width: parent.width; text: s.vm.name; font.pixelSize: Theme.heading; strong: true; color: Theme.colour.primary }
        KText { width: parent.width; text: s.vm.facts; secondary: true }
        Row {
            spacing: Theme.gap
            KButton { objectName: "printGuide"; icon: "printer"; text: T.guide_print; onClicked: s.vm.printGuide() }
            KText { text: s.vm.printStatus; anchors.verticalCenter: parent.verticalCenter; color: Theme.colour.ok
                    width: top.width / 2; font.pixelSize: Theme.small }
        }
        KText { visible: !s.vm.canApply && s.vm.loaded; text: T.guide_not_online; color: Theme.colour.warn }
    }
    Flickable {
        id: flick
        objectName: "guideBody"
        anchors { left: parent.left; right: scroller.left; top: top.bottom; bottom: parent.bottom
                  leftMargin: Theme.margin; rightMargin: Theme.gap; topMargin: Theme.gap; bottomMargin: Theme.margin }
        contentHeight: bodyCol.height
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        Column {
            id: bodyCol
            width: flick.width
            spacing: Theme.margin
            KText { text: T.guide_materials; font.pixelSize: Theme.heading; strong: true }
            KText { visible: s.vm.materials.count === 0; text: T.guide_no_materials }
            Repeater {
                model: s.vm.materials
                Rectangle {
                    width: bodyCol.width
                    height: mcol.height + 2 * Theme.gap
                    radius: Theme.radius; color: Theme.colour.surface
                    border.color: Theme.colour.line; border.width: Math.max(1, Theme.mm(0.3))
                    Column {
                        id: mcol
                        x: Theme.gap * 1.5; y: Theme.gap
                        width: parent.width - 3 * Theme.gap
                        spacing: Theme.mm(1.5)
                        KText { width: parent.width; text: (index + 1) + ". " + model.name; strong: true }
                        KText { width: parent.width; secondary: true; font.pixelSize: Theme.small
                                text: model.form + " · " + model.required + (model.source ? " · " + model.source : "") }
                        KText { visible: model.notes !== ""; width: parent.width; font.pixelSize: Theme.small; text: model.notes }
                        Row {
                            spacing: Theme.gap
                            visible: model.template !== "" || model.sample !== ""
                            KButton { visible: model.template !== ""; icon: "document"; text: T.guide_template
                                      onClicked: s.vm.open(model.template, model.name + " · " + T.guide_template) }
                            KButton { visible: model.sample !== ""; icon: "document"; text: T.guide_sample
                                      onClicked: s.vm.open(model.sample, model.name + " · " + T.guide_sample) }
                        }
                    }
                }
            }
            Repeater {
                model: s.vm.sections
                Column {
                    width: bodyCol.width
                    spacing: Theme.mm(1.5)
                    KText { text: model.title; font.pixelSize: Theme.heading; strong: true }
                    KText { width: parent.width; text: model.body }
                }
            }
        }
    }
    Column {
        id: scroller
        anchors { right: parent.right; rightMargin: Theme.margin; top: flick.top }
        spacing: Theme.gap
        visible: flick.contentHeight > flick.height
        width: visible ? Theme.target : 0
        KButton { objectName: "scrollUp"; width: Theme.target; height: Theme.target * 1.5; icon: "back"; rotation: 90
                  active: flick.contentY > 0
                  onClicked: flick.contentY = Math.max(0, flick.contentY - flick.height * 0.85) }
        KButton { objectName: "scrollDown"; width: Theme.target; height: Theme.target * 1.5; icon: "forward"; rotation: 90
                  active: flick.contentY + flick.height < flick.contentHeight
                  onClicked: flick.contentY = Math.min(flick.contentHeight - flick.height, flick.contentY + flick.height * 0.85) }
    }
    Rectangle {
        objectName: "filePopup"
        anchors.fill: parent
        visible: s.vm.fileShown
        color: Theme.colour.background
        KText { id: ftitle; anchors { left: parent.left; right: parent.right; top: parent.top; margins: Theme.margin }
                text: s.vm.fileTitle; font.pixelSize: Theme.heading; strong: true }
        Image {
            anchors { left: parent.left; right: parent.right; top: ftitle.bottom; bottom: fclose.top; margins: Theme.margin }
            source: s.vm.fileImage
            cache: false
            asynchronous: true
            fillMode: Image.PreserveAspectFit
        }
        KText { anchors.centerIn: parent; visible: s.vm.fileMessage !== ""; text: s.vm.fileMessage
                width: parent.width - 2 * Theme.margin; horizontalAlignment: Text.AlignHCenter }
        KButton { id: fclose; anchors { horizontalCenter: parent.horizontalCenter; bottom: parent.bottom; bottomMargin: Theme.margin }
                  big: true; icon: "close"; text: T.common_close; onClicked: s.vm.closeFile() }
    }
}
