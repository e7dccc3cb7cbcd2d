import QtQuick

Item {
    id: home
    readonly property string primaryText: ""
    readonly property var tiles: [
        ["find", "guide"], ["apply", "apply"], ["progress", "progress"],
        ["card", "card"], ["rate", "rate"], ["complain", "complain"]]
    readonly property int columns: Theme.portrait ? (Theme.care ? 1 : 2) : 3
    Column {
        anchors { fill: parent; margins: Theme.margin }
        spacing: Theme.margin
        KText { id: welcome; width: parent.width; text: T.home_welcome; font.pixelSize: Theme.heading; strong: true }
        Grid {
            id: grid
            width: parent.width
            columns: home.columns
            spacing: Theme.margin
            readonly property int rows: Math.ceil(home.tiles.length / columns)
            readonly property real cell: (height - (rows - 1) * spacing) / rows
            height: parent.height - welcome.height - privacy.height - 2 * parent.spacing
            Repeater {
                model: home.tiles
                Tile {
                    objectName: "tile_" + modelData[0]
                    width: (grid.width - (grid.columns - 1) * grid.spacing) / grid.columns
                    height: Math.min(grid.cell, Theme.mm(110))
                    icon: modelData[1]
                    title: T["home_" + modelData[0]]
                    hint: T["home_" + modelData[0] + "_hint"]
                    onClicked: App.open(modelData[0])
                }
            }
        }
        KText { id: privacy; width: parent.width; text: T.home_privacy; secondary: true; font.pixelSize: Theme.small }
    }
}
