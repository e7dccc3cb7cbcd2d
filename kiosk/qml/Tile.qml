import QtQuick

// A home-screen tile: icon, title, one line of what it does.
Rectangle {
    id: t
    property string icon: ""
    property string title: ""
    property string hint: ""
    readonly property bool touchTarget: true
    readonly property bool primary: true
    signal clicked()
    radius: Theme.radius * 2
    color: tap.pressed ? Theme.colour.selected_surface : Theme.colour.surface
    border.color: Theme.colour.line
    border.width: Math.max(1, Theme.mm(0.3))
    Rectangle { width: Theme.mm(1.5); height: parent.height - 2 * parent.radius; y: parent.radius
                color: Theme.colour.primary }
    Row {
        anchors { fill: parent; margins: Theme.margin }
        spacing: Theme.margin
        Icon { name: t.icon; size: Theme.heading * 1.6; anchors.verticalCenter: parent.verticalCenter }
        Column {
            anchors.verticalCenter: parent.verticalCenter
            width: parent.width - Theme.heading * 1.6 - Theme.margin
            spacing: Theme.mm(1)
            KText { text: t.title; font.pixelSize: Theme.heading; strong: true; color: Theme.colour.primary
                    width: parent.width; wrapMode: Text.NoWrap; elide: Text.ElideRight }
            KText { text: t.hint; secondary: true; width: parent.width; font.pixelSize: Theme.small
                    maximumLineCount: 2; elide: Text.ElideRight }
        }
    }
    TapHandler { id: tap; onTapped: t.clicked() }
    Accessible.role: Accessible.Button
    Accessible.name: title
}
