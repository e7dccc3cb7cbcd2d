import QtQuick

// Our own on-screen keyboard (no Qt Virtual Keyboard needed): letters for the search box,
// digits for numbers. It learns nothing, so there is nothing of a citizen's to wipe.
Column {
    id: kb
    property string mode: "letters"     // letters, digits
    signal key(string text)
    signal backspace()
    signal enter()
    readonly property var rows: mode === "digits"
        ? [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], ["X", "0", "⌫"]]
        : [["q","w","e","r","t","y","u","i","o","p"], ["a","s","d","f","g","h","j","k","l"],
           ["z","x","c","v","b","n","m","⌫"]]
    readonly property real keyWidth: Math.min(Theme.mm(mode === "digits" ? 30 : 22),
        (width - (10 - 1) * spacing) / (mode === "digits" ? 3 : 10))
    spacing: Theme.mm(2)
    Repeater {
        model: kb.rows
        Row {
            anchors.horizontalCenter: parent.horizontalCenter
            spacing: kb.spacing
            Repeater {
                model: modelData
                KButton {
                    objectName: "key_" + modelData
                    width: modelData === "⌫" ? kb.keyWidth * 1.6 : kb.keyWidth
                    height: Theme.target * (Theme.care ? 1.0 : 1.1)
                    text: modelData === "⌫" ? "" : modelData
                    icon: modelData === "⌫" ? "backspace" : ""
                    onClicked: modelData === "⌫" ? kb.backspace() : kb.key(modelData)
                    Accessible.name: modelData === "⌫" ? "backspace" : modelData
                }
            }
        }
    }
}
