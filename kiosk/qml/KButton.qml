import QtQuick

// A touch target: at least Theme.target high (9 mm rule), Theme.primary for the primary action.
Rectangle {
    id: b
    property string text: ""
    property string icon: ""
    property bool primary: false
    property bool attention: false
    property bool onDark: false
    property bool selected: false
    property bool active: true
    property bool big: primary
    readonly property bool touchTarget: true
    readonly property string fg: !active ? Theme.colour.disabled
        : (primary || attention) ? Theme.colour.on_primary
        : onDark ? Theme.colour.on_primary : Theme.colour.primary
    signal clicked()

    implicitHeight: big ? Theme.primary : Theme.target
    implicitWidth: Math.max(implicitHeight * 1.6, label.implicitWidth + (icon ? Theme.body * 1.4 : 0) + Theme.mm(10))
    radius: Theme.radius
    color: !active ? Theme.colour.disabled_surface
        : primary ? (tap.pressed ? Theme.colour.primary_dark : Theme.colour.primary)
        : attention ? Theme.colour.accent
        : onDark ? (tap.pressed ? Theme.colour.primary_dark : "transparent")
        : (tap.pressed || selected) ? Theme.colour.selected_surface : Theme.colour.surface
    border.width: (primary || attention) ? 0 : (selected ? Theme.stroke * 2 : Theme.stroke)
    border.color: onDark ? Theme.colour.on_primary : active ? Theme.colour.primary : Theme.colour.line

    Row {
        anchors.centerIn: parent
        spacing: Theme.mm(2)
        width: Math.min(implicitWidth, b.width - Theme.mm(4))
        Image {
            visible: b.icon !== ""
            source: b.icon ? "image://icon/" + b.icon + "/" + b.fg.slice(1) : ""
            width: Math.round(Theme.body * 1.2); height: width
            sourceSize.width: width; sourceSize.height: height
            anchors.verticalCenter: parent.verticalCenter
        }
        KText {
            id: label
            text: b.text
            color: b.fg
            strong: b.primary || b.selected
            font.pixelSize: b.big ? Math.round(Theme.body * 1.15) : Theme.body
            wrapMode: Text.NoWrap
            elide: Text.ElideRight
            width: Math.min(implicitWidth, b.width - Theme.mm(6) - (b.icon ? Theme.body * 1.4 : 0))
            anchors.verticalCenter: parent.verticalCenter
        }
    }
    TapHandler { id: tap; enabled: b.active; onTapped: b.clicked() }
    Accessible.role: Accessible.Button
    Accessible.name: text
}
