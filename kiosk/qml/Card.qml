import QtQuick

// 一卡通: tap the card; balance and history; top-up (amount, PIN); report lost (PIN, confirm).
Item {
    id: s
    readonly property var vm: App.card
    readonly property string st: vm.stage
    readonly property string primaryText: st === "pin" ? T.card_pin_ok : st === "confirm" ? T.card_lost_yes
        : st === "result" ? T.card_back_to_card : ""
    readonly property string primaryIcon: st === "result" ? "card" : "check"
    readonly property bool primaryEnabled: st === "pin" ? vm.pin.complete : !vm.busy
    readonly property bool canGoBack: st !== "wait" && st !== "account" && st !== "working"
    function primary() { if (st === "pin") vm.enterPin(); else if (st === "confirm") vm.confirm(); else vm.back() }
    function back() { return vm.back() }

    Column {
        id: head
        anchors { left: parent.left; right: parent.right; top: parent.top; margins: Theme.margin }
        spacing: Theme.gap
        FaultBar { width: parent.width; text: s.vm.fault }
    }
    Item {
        id: area
        anchors { left: parent.left; right: parent.right; top: head.bottom; bottom: parent.bottom; margins: Theme.margin }
        // waiting for the card
        Column {
            visible: s.st === "wait"
            anchors.centerIn: parent
            width: parent.width
            spacing: Theme.margin
            Icon { name: "card"; size: Theme.mm(45); anchors.horizontalCenter: parent.horizontalCenter }
            KText { width: parent.width; horizontalAlignment: Text.AlignHCenter; font.pixelSize: Theme.heading; strong: true
                    text: s.vm.busy ? T.card_reading : T.card_tap }
            Icon { name: "reader"; size: Theme.mm(28); colour: Theme.colour.accent; anchors.horizontalCenter: parent.horizontalCenter }
            KText { width: parent.width; horizontalAlignment: Text.AlignHCenter; text: T.card_tap_hint; secondary: true }
        }
        // the account
        Column {
            visible: s.st === "account"
            anchors.fill: parent
            spacing: Theme.gap
            Rectangle {
                width: parent.width; height: ac.height + 2 * Theme.margin; radius: Theme.radius
                color: Theme.colour.surface; border.color: Theme.colour.line
                Column { id: ac; x: Theme.margin; y: Theme.margin; width: parent.width - 2 * Theme.margin; spacing: Theme.mm(1)
                         KText { text: T.card_number + "  " + s.vm.cardNumber; secondary: true; font.features: { "tnum": 1 } }
                         KText { visible: !s.vm.blocked; text: T.card_balance; secondary: true }
                         KText { objectName: "cardBalance"; visible: !s.vm.blocked; text: T.card_yuan.replace("{amount}", s.vm.balance); font.pixelSize: Theme.huge; strong: true; font.features: { "tnum": 1 } }
                         KText { visible: s.vm.blocked; text: T.card_blocked; color: Theme.colour.accent; width: parent.width } }
            }
            Row {
                spacing: Theme.margin
                KButton { objectName: "topUp"; big: true; primary: true; icon: "card"; text: T.card_top_up; active: !s.vm.blocked; onClicked: s.vm.topUp() }
                KButton { objectName: "reportLost"; big: true; icon: "lock"; text: T.card_report_lost; active: !s.vm.blocked; onClicked: s.vm.reportLost() }
            }
            KText { text: T.card_history; font.pixelSize: Theme.heading; strong: true }
            KText { visible: s.vm.history.count === 0; text: T.card_no_history; secondary: true }
            Repeater {
                model: s.vm.history
                Rectangle {
                    width: area.width; height: Theme.target; color: index % 2 ? Theme.colour.background : Theme.colour.surface
                    KText { x: Theme.gap; anchors.verticalCenter: parent.verticalCenter; text: model.at + "  " + model.kind + (model.place ? "  " + model.place : "")
                            width: parent.width * 0.7; elide: Text.ElideRight; wrapMode: Text.NoWrap; font.features: { "tnum": 1 } }
                    KText { anchors { right: parent.right; rightMargin: Theme.gap; verticalCenter: parent.verticalCenter }
                            text: model.amount; strong: true; color: model.credit ? Theme.colour.ok : Theme.colour.text; font.features: { "tnum": 1 } }
                }
            }
            Pager { width: parent.width; page: s.vm.page; pages: s.vm.pageCount; onPrevious: s.vm.prevPage(); onNext: s.vm.nextPage() }
        }
        // the amount
        Item {
            visible: s.st === "amount"
            anchors.fill: parent
            Column {
                id: amounts
                width: Theme.portrait ? parent.width : parent.width * 0.5
                spacing: Theme.gap
                KText { text: T.card_choose_amount; font.pixelSize: Theme.heading; strong: true }
                Grid {
                    columns: 2; spacing: Theme.gap; width: parent.width
                    Repeater {
                        model: s.vm.amounts
                        KButton { objectName: "amount_" + modelData.fen; big: true; width: (amounts.width - Theme.gap) / 2
                                  text: modelData.text; onClicked: s.vm.chooseAmount(modelData.fen) }
                    }
                }
                KText { text: T.card_other_amount; strong: true }
                Row { spacing: Theme.gap
                      Rectangle { width: amounts.width * 0.5; height: Theme.target; radius: Theme.radius; color: Theme.colour.surface
                                  border.color: Theme.colour.primary; border.width: Theme.stroke
                                  KText { x: Theme.gap; anchors.verticalCenter: parent.verticalCenter; text: s.vm.typed + "▏"; strong: true } }
                      KButton { text: T.card_amount_ok; active: s.vm.typed !== ""; onClicked: s.vm.typedAmount() } }
            }
            Keyboard {
                mode: "digits"
                width: Theme.portrait ? parent.width : parent.width * 0.45
                anchors { right: parent.right; bottom: parent.bottom }
                onKey: (text) => s.vm.typeAmount(text)
                onBackspace: s.vm.amountBackspace()
            }
        }
        // the PIN, the confirmation, the work, the result
        Column {
            visible: s.st === "pin" || s.st === "confirm" || s.st === "working" || s.st === "result"
            anchors.horizontalCenter: parent.horizontalCenter
            width: Math.min(parent.width, Theme.mm(170))
            spacing: Theme.margin
            KText { width: parent.width; horizontalAlignment: Text.AlignHCenter; font.pixelSize: Theme.heading; strong: true
                    text: s.vm.operation === "lost" ? T.card_pin_for_lost : T.card_pin_for_topup.replace("{amount}", s.vm.amount) }
            KText { visible: s.st === "pin"; width: parent.width; horizontalAlignment: Text.AlignHCenter; text: T.card_enter_pin }
            PinPad { visible: s.st === "pin"; pin: s.vm.pin; anchors.horizontalCenter: parent.horizontalCenter; onEnter: s.vm.enterPin() }
            KText { visible: s.st === "confirm"; width: parent.width; text: T.card_lost_confirm; color: Theme.colour.accent }
            KText { visible: s.st === "working"; width: parent.width; horizontalAlignment: Text.AlignHCenter; text: T.card_working; color: Theme.colour.primary }
            Row { visible: s.st === "result"; spacing: Theme.gap; width: parent.width
                  Icon { name: s.vm.ok ? "check" : "warning"; colour: s.vm.ok ? Theme.colour.ok : Theme.colour.accent; size: Theme.heading * 1.4 }
                  KText { objectName: "cardResult"; text: s.vm.result; width: parent.width - Theme.heading * 2; strong: true
                          color: s.vm.ok ? Theme.colour.ok : Theme.colour.accent } }
        }
    }
}
