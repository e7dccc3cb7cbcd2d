import QtQuick

// The apply wizard: 身份 -> 填表 -> 材料 -> 确认 -> 提交 -> 回执.
Item {
    id: s
    readonly property var vm: App.apply
    readonly property string code: vm.stepCode
    readonly property bool canGoBack: code === "form" || code === "materials" || code === "review"
    readonly property string primaryText: code === "form" ? T.apply_to_materials
        : code === "materials" ? (vm.materials.current !== "" ? "" : T.apply_to_review)
        : code === "review" ? T.apply_submit : code === "receipt" ? T.apply_rate_next : ""
    readonly property bool primaryEnabled: vm.canNext
    readonly property string primaryIcon: code === "review" ? "check" : code === "receipt" ? "rate" : "forward"
    function primary() { vm.next() }
    function back() { return vm.back() }

    Column {
        id: head
        anchors { left: parent.left; right: parent.right; top: parent.top; margins: Theme.margin }
        spacing: Theme.gap
        Steps { objectName: "steps"; names: s.vm.stepNames; current: s.vm.step; width: parent.width }
        KText { width: parent.width; text: T.apply_matter.replace("{name}", s.vm.matterName); strong: true
                color: Theme.colour.primary; maximumLineCount: 2; elide: Text.ElideRight }
        KText { width: parent.width; visible: s.vm.who !== ""; text: s.vm.who; secondary: true; font.pixelSize: Theme.small }
        Rectangle {
            visible: s.vm.fault !== ""
            width: parent.width; height: faultText.height + 2 * Theme.gap; radius: Theme.radius
            color: Theme.colour.error_surface
            Row { x: Theme.gap; anchors.verticalCenter: parent.verticalCenter; spacing: Theme.gap
                  Icon { name: "warning"; colour: Theme.colour.accent; anchors.verticalCenter: parent.verticalCenter }
                  KText { id: faultText; text: s.vm.fault; color: Theme.colour.accent; width: head.width - Theme.body * 3 } }
        }
    }
    Item {
        id: area
        anchors { left: parent.left; right: parent.right; top: head.bottom; bottom: parent.bottom; margins: Theme.margin }
        Column {
            objectName: "identityPrompt"
            visible: s.code === "identity"
            anchors.centerIn: parent
            width: parent.width
            spacing: Theme.margin
            KText { width: parent.width; horizontalAlignment: Text.AlignHCenter; text: T.apply_login
                    font.pixelSize: Theme.heading; strong: true }
            Row {
                anchors.horizontalCenter: parent.horizontalCenter
                spacing: Theme.margin * 2
                Column { spacing: Theme.gap
                    Icon { name: "card"; size: Theme.mm(40); anchors.horizontalCenter: parent.horizontalCenter }
                    KText { text: T.apply_card_reader; anchors.horizontalCenter: parent.horizontalCenter } }
                Column { spacing: Theme.gap
                    Icon { name: "idcard"; size: Theme.mm(40); anchors.horizontalCenter: parent.horizontalCenter }
                    KText { text: T.apply_id_reader; anchors.horizontalCenter: parent.horizontalCenter } }
            }
            Icon { name: "reader"; size: Theme.mm(30); colour: Theme.colour.accent; anchors.horizontalCenter: parent.horizontalCenter }
            KText { width: parent.width; horizontalAlignment: Text.AlignHCenter; text: T.apply_login_hint; secondary: true }
        }
        FormFields { anchors.fill: parent; visible: s.code === "form"; part: s.vm.formPart }
        ApplyMaterials { anchors.fill: parent; visible: s.code === "materials"; vm: s.vm.materials }
        Column {
            visible: s.code === "review"
            width: parent.width
            spacing: Theme.mm(1.5)
            KText { text: T.apply_review_fields; font.pixelSize: Theme.heading; strong: true }
            Repeater {
                model: s.vm.review
                Row {
                    spacing: Theme.gap
                    KText { text: model.label; secondary: true; width: area.width * 0.4 }
                    KText { text: model.value; width: area.width * 0.58; strong: true }
                }
            }
        }
        ApplyDone { anchors.fill: parent; visible: s.code === "submit" || s.code === "receipt"; vm: s.vm }
    }
}
