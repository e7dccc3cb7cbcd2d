import QtQuick

// One line saying what went wrong and what to do (never an error code), with an icon.
Rectangle {
    id: b
    property string text: ""
    visible: text !== ""
    height: visible ? ft.height + 2 * Theme.gap : 0
    radius: Theme.radius
    color: Theme.colour.error_surface
    Icon { id: fi; name: "warning"; colour: Theme.colour.accent; x: Theme.gap; anchors.verticalCenter: parent.verticalCenter }
    KText { id: ft; objectName: "faultText"; text: b.text; color: Theme.colour.accent
            anchors { left: fi.right; leftMargin: Theme.gap; right: parent.right; rightMargin: Theme.gap; verticalCenter: parent.verticalCenter } }
}
