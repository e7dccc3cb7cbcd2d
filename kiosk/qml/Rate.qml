import QtQuick

// 好差评: five levels (icon, words; nothing preselected), reasons for the last two, a comment.
Item {
    id: s
    readonly property var vm: App.rate
    readonly property string primaryText: vm.sent ? T.header_home : T.rate_send
    readonly property string primaryIcon: vm.sent ? "home" : "check"
    readonly property bool primaryEnabled: vm.sent || vm.canSend
    function primary() { if (vm.sent) App.home(); else vm.send() }
    function back() { if (vm.typing) { vm.stopTyping(); return true } return false }

    Column {
        id: head
        anchors { left: parent.left; right: parent.right; top: parent.top; margins: Theme.margin }
        spacing: Theme.gap
        KText { visible: s.vm.caseLabel !== ""; width: parent.width; secondary: true; text: T.rate_for_case.replace("{label}", s.vm.caseLabel) }
        KText { width: parent.width; font.pixelSize: Theme.heading; strong: true
                text: s.vm.sent ? (s.vm.bad ? T.rate_thanks_bad : T.rate_thanks) : T.rate_intro
                color: s.vm.sent ? Theme.colour.ok : Theme.colour.text }
        FaultBar { width: parent.width; text: s.vm.fault }
    }
    Flickable {
        id: body
        visible: !s.vm.sent
        anchors { left: parent.left; top: head.bottom; bottom: parent.bottom; margins: Theme.margin }
        width: s.vm.typing && !Theme.portrait ? parent.width * 0.5 : parent.width - 2 * Theme.margin
        anchors.bottomMargin: s.vm.typing && Theme.portrait ? keys.height + 2 * Theme.margin : Theme.margin
        contentHeight: col.height
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        Column {
            id: col
            width: body.width
            spacing: Theme.gap
            Grid {
                width: parent.width
                columns: Theme.portrait && !Theme.care ? 5 : Theme.portrait ? 1 : 5
                spacing: Theme.gap
                Repeater {
                    model: s.vm.levels
                    KButton {
                        objectName: "level_" + model.code
                        width: (col.width - (parent.columns - 1) * Theme.gap) / parent.columns
                        height: parent.columns === 1 ? Theme.target * 1.1 : Theme.mm(Theme.care ? 34 : 28)
                        selected: model.chosen
                        attention: model.chosen && model.bad
                        icon: model.chosen ? "check" : model.icon
                        text: model.text
                    onClicked: s.vm.choose(model.code)
                    }
                }
            }
            KText { visible: s.vm.bad; text: T.rate_reasons; strong: true; width: parent.width }
            Flow {
                visible: s.vm.bad
                width: parent.width
                spacing: Theme.gap
                Repeater {
                    model: s.vm.reasons
                    KButton { objectName: "reason_" + model.code; selected: model.chosen; icon: model.chosen ? "check" : ""
                              text: model.text; onClicked: s.vm.toggleReason(model.code) }
                }
            }
            KText { text: T.rate_comment; strong: true; width: parent.width }
            Rectangle {
                objectName: "commentBox"
                readonly property bool touchTarget: true
                width: parent.width; height: Math.max(Theme.target * 1.5, ct.height + 2 * Theme.gap); radius: Theme.radius
                color: s.vm.typing ? Theme.colour.selected_surface : Theme.colour.surface
                border.color: s.vm.typing ? Theme.colour.primary : Theme.colour.line; border.width: Theme.stroke
                KText { id: ct; x: Theme.gap; y: Theme.gap; width: parent.width - 2 * Theme.gap
                        text: s.vm.comment !== "" ? s.vm.comment + (s.vm.typing ? "▏" : "") : T.rate_comment_tap
                        secondary: s.vm.comment === "" }
                TapHandler { onTapped: s.vm.editComment() }
            }
            KText { visible: s.vm.missing !== ""; text: s.vm.missing; color: Theme.colour.warn; width: parent.width }
        }
    }
    TextKeys {
        id: keys
        visible: s.vm.typing && !s.vm.sent
        kb: s.vm.kb
        width: Theme.portrait ? parent.width - 2 * Theme.margin : parent.width * 0.5 - 2 * Theme.margin
        anchors { right: parent.right; bottom: parent.bottom; margins: Theme.margin }
        onDone: s.vm.stopTyping()
    }
}
