import QtQuick

// The wizard's steps across the top, the current one highlighted (colour and weight and a
// number circle: colour is never the only cue).
Row {
    id: st
    property var names: []
    property int current: 0
    spacing: Theme.mm(1)
    Repeater {
        model: st.names
        Row {
            spacing: Theme.mm(1)
            Rectangle {
                width: Theme.body * 1.3; height: width; radius: width / 2
                anchors.verticalCenter: parent.verticalCenter
                color: index === st.current ? Theme.colour.primary : index < st.current ? Theme.colour.ok : Theme.colour.surface
                border.color: index <= st.current ? "transparent" : Theme.colour.line; border.width: 1
                KText { anchors.centerIn: parent; text: index < st.current ? "✓" : index + 1; font.pixelSize: Theme.small
                        color: index <= st.current ? Theme.colour.on_primary : Theme.colour.secondary; strong: true }
            }
            KText { text: modelData; anchors.verticalCenter: parent.verticalCenter
                    font.pixelSize: Theme.small; strong: index === st.current
                    color: index === st.current ? Theme.colour.primary : Theme.colour.secondary }
            KText { visible: index < st.names.length - 1; text: "›"; secondary: true; font.pixelSize: Theme.small
                    anchors.verticalCenter: parent.verticalCenter }
        }
    }
}
