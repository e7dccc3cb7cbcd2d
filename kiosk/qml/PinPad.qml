import QtQuick

// The PIN pad: dots for the digits typed (never the digits), a 3 x 4 keypad. The PIN itself
// stays in the view-model (``pin``: kiosk/vm/pinpad.py).
Column {
    id: p
    property var pin
    signal enter()
    spacing: Theme.gap
    Row {
        objectName: "pinDots"
        anchors.horizontalCenter: parent.horizontalCenter
        spacing: Theme.mm(3)
        Repeater {
            model: p.pin.maxLength
            Rectangle { width: Theme.mm(7); height: width; radius: width / 2
                        color: index < p.pin.length ? Theme.colour.primary : Theme.colour.surface
                        border.color: Theme.colour.primary; border.width: Theme.stroke }
        }
    }
    Grid {
        anchors.horizontalCenter: parent.horizontalCenter
        columns: 3
        spacing: Theme.gap
        Repeater {
            model: ["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "✓"]
            KButton {
                objectName: "pin_" + (modelData === "⌫" ? "back" : modelData === "✓" ? "ok" : modelData)
                width: Theme.mm(Theme.care ? 32 : 26); height: Theme.target * 1.2
                text: modelData === "⌫" || modelData === "✓" ? "" : modelData
                icon: modelData === "⌫" ? "backspace" : modelData === "✓" ? "check" : ""
                primary: modelData === "✓"
                active: modelData !== "✓" || p.pin.complete
                onClicked: modelData === "⌫" ? p.pin.backspace() : modelData === "✓" ? p.enter() : p.pin.key(modelData)
                Accessible.name: modelData === "⌫" ? "backspace" : modelData === "✓" ? "enter" : modelData
            }
        }
    }
}
