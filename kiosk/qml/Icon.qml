import QtQuick

Image {
    property string name: ""
    property string colour: Theme.colour.primary
    property real size: Theme.body * 1.4
    source: name ? "image://icon/" + name + "/" + colour.slice(1) : ""
    width: size; height: size
    sourceSize.width: size; sourceSize.height: size
}
