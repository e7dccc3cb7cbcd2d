import QtQuick

// A form: tap a field, type on the keyboard (beside the fields in landscape, below them in
// portrait), or pick one of its choices; identity fields come from the card and cannot be
// edited. The list scrolls so that the field being edited is never under the keyboard.
Item {
    id: f
    property var part
    property string hint: Theme.portrait ? T.apply_form_hint : T.apply_form_hint_side
    readonly property var kb: part.kb
    readonly property bool side: !Theme.portrait
    readonly property bool inputShown: part.editing !== ""

    KText { id: hintText; width: parent.width; text: f.hint; secondary: true; font.pixelSize: Theme.small }
    Flickable {
        id: flick
        objectName: "formFields"
        anchors { left: parent.left; top: hintText.bottom; topMargin: Theme.gap }
        width: f.side && f.inputShown ? parent.width * 0.5 : parent.width
        height: (f.side || !f.inputShown ? parent.height : input.y - Theme.gap) - y
        contentHeight: list.height
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        Column {
            id: list
            width: flick.width
            spacing: Theme.mm(1.5)
            Repeater {
                model: f.part.fields
                Rectangle {
                    id: row
                    objectName: "field_" + model.key
                    readonly property bool touchTarget: true
                    width: list.width
                    height: Math.max(Theme.target, fcol.height + Theme.gap)
                    radius: Theme.radius
                    color: model.readonly ? Theme.colour.background : model.editing ? Theme.colour.selected_surface : Theme.colour.surface
                    border.color: model.error !== "" ? Theme.colour.accent : model.editing ? Theme.colour.primary : Theme.colour.line
                    border.width: model.editing || model.error !== "" ? Theme.stroke * 1.5 : Math.max(1, Theme.mm(0.3))
                    onYChanged: if (model.editing) flick.show(row)
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
                        Row {
                            spacing: Theme.gap
                            width: parent.width
                            Icon { visible: model.kind === "checkbox"; name: model.value !== "" ? "check" : "close"
                                   colour: model.value !== "" ? Theme.colour.ok : Theme.colour.secondary }
                            KText { width: parent.width - (model.kind === "checkbox" ? Theme.body * 2 : 0)
                                    text: model.value !== "" ? model.value + (model.editing && model.kind === "text" ? "▏" : "")
                                        : model.kind === "checkbox" ? T.common_no : model.kind === "choice" ? T.form_choose : T.form_empty
                                    secondary: model.value === ""; strong: model.value !== ""; elide: Text.ElideLeft; wrapMode: Text.NoWrap }
                        }
                    }
                    TapHandler { enabled: !model.readonly; onTapped: f.part.edit(model.key) }
                }
            }
        }
        function show(item) {
            if (item.y < contentY) contentY = item.y
            else if (item.y + item.height > contentY + height) contentY = Math.min(contentHeight - height, item.y + item.height - height)
        }
    }
    Column {
        id: input
        visible: f.inputShown
        anchors { right: parent.right; bottom: parent.bottom }
        width: f.side ? parent.width * 0.5 - Theme.margin : parent.width
        spacing: Theme.gap
        // a choice field: its choices as large buttons
        Repeater {
            model: f.part.editingKind === "choice" ? f.part.editingChoices : []
            KButton { objectName: "choice_" + modelData.value; width: input.width; text: modelData.label
                      onClicked: f.part.choose(modelData.value) }
        }
        TextKeys {
            visible: f.part.editingKind === "text"
            width: parent.width
            kb: f.kb
            onDone: f.part.stopEditing()
        }
    }
}
