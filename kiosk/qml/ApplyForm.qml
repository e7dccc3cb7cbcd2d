import QtQuick

// The form generated from the matter's schema: tap a field, type on the keyboard below;
// identity fields come from the card and cannot be edited.
Item {
    id: f
    property var vm
    readonly property var kb: vm.kb
    Column {
        id: list
        width: parent.width
        spacing: Theme.mm(1.5)
        KText { text: T.apply_form_hint; secondary: true; font.pixelSize: Theme.small; width: parent.width }
        Repeater {
            model: f.vm.fields
            Rectangle {
                objectName: "field_" + model.key
                readonly property bool touchTarget: true
                width: list.width
                height: Math.max(Theme.target, fcol.height + Theme.gap)
                radius: Theme.radius
                color: model.readonly ? Theme.colour.background : model.editing ? Theme.colour.selected_surface : Theme.colour.surface
                border.color: model.error !== "" ? Theme.colour.accent : model.editing ? Theme.colour.primary : Theme.colour.line
                border.width: model.editing || model.error !== "" ? Theme.stroke * 1.5 : Math.max(1, Theme.mm(0.3))
                Column {
                    id: fcol
                    x: Theme.gap; anchors.verticalCenter: parent.verticalCenter
                    width: parent.width - 2 * Theme.gap
                    Row {
                        spacing: Theme.gap
                        KText { text: model.label + (model.required ? " *" : ""); secondary: true; font.pixelSize: Theme.small }
                        KText { visible: model.readonly; text: "✓ " + T.apply_from_card; color: Theme.colour.ok; font.pixelSize: Theme.small }
                        KText { visible: model.error !== ""; text: "⚠ " + model.error; color: Theme.colour.accent; font.pixelSize: Theme.small }
                    }
                    KText { width: parent.width; text: model.value !== "" ? model.value + (model.editing ? "▏" : "") : T.form_empty
                            secondary: model.value === ""; strong: model.value !== ""; elide: Text.ElideRight; wrapMode: Text.NoWrap }
                }
                TapHandler { enabled: !model.readonly; onTapped: f.vm.edit(model.key) }
            }
        }
    }
    Column {
        visible: f.vm.editing !== ""
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom }
        spacing: Theme.gap
        Row {
            spacing: Theme.gap
            visible: f.kb.mode === "pinyin"
            height: Theme.target
            KText { text: f.kb.composing; color: Theme.colour.primary; strong: true; anchors.verticalCenter: parent.verticalCenter }
            Repeater {
                model: f.kb.candidates.slice(0, Theme.portrait ? 7 : 9)
                KButton { text: modelData; onClicked: f.kb.choose(modelData); width: Theme.target * (modelData.length > 1 ? 1.6 : 1.1) }
            }
        }
        Row {
            spacing: Theme.gap
            anchors.horizontalCenter: parent.horizontalCenter
            KButton { text: T.keyboard_pinyin; selected: f.kb.mode === "pinyin"; onClicked: f.kb.setMode("pinyin") }
            KButton { text: T.keyboard_letters; selected: f.kb.mode === "letters"; onClicked: f.kb.setMode("letters") }
            KButton { text: T.keyboard_digits; selected: f.kb.mode === "digits"; onClicked: f.kb.setMode("digits") }
            KButton { text: T.keyboard_space; onClicked: f.kb.space() }
        }
        Keyboard {
            width: parent.width
            mode: f.kb.mode === "digits" ? "digits" : "letters"
            onKey: (text) => f.kb.key(text)
            onBackspace: f.kb.backspace()
        }
    }
}
