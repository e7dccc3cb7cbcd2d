import QtQuick

// The keyboard for free text: pinyin candidates, mode buttons, keys (kiosk/vm/keyboard.py).
Column {
    id: t
    property var kb
    signal done()
    spacing: Theme.gap
    Flow {
        visible: t.kb.mode === "pinyin"
        width: parent.width
        spacing: Theme.gap
        KText { text: t.kb.composing; color: Theme.colour.primary; strong: true; height: Theme.target }
        Repeater {
            model: t.kb.candidates.slice(0, Theme.portrait ? 7 : 6)
            KButton { text: modelData; onClicked: t.kb.choose(modelData); width: Theme.target * (modelData.length > 1 ? 1.6 : 1.1) }
        }
    }
    Flow {
        width: parent.width
        spacing: Theme.gap
        KButton { text: T.keyboard_pinyin; selected: t.kb.mode === "pinyin"; onClicked: t.kb.setMode("pinyin") }
        KButton { text: T.keyboard_letters; selected: t.kb.mode === "letters"; onClicked: t.kb.setMode("letters") }
        KButton { text: T.keyboard_digits; selected: t.kb.mode === "digits"; onClicked: t.kb.setMode("digits") }
        KButton { text: T.keyboard_space; onClicked: t.kb.space() }
        KButton { objectName: "keyboardDone"; icon: "check"; text: T.keyboard_done; onClicked: t.done() }
    }
    Keyboard {
        width: parent.width
        mode: t.kb.mode === "digits" ? "digits" : "letters"
        onKey: (text) => t.kb.key(text)
        onBackspace: t.kb.backspace()
    }
}
