import QtQuick

// The kiosk window: fixed header and footer, one screen at a time in between (a screen left
// behind is destroyed, so nothing personal stays in the UI tree), the idle overlay above all.
Window {
    id: root
    width: 1080
    height: 1920
    visible: true
    color: Theme.colour.background
    title: T.title_home
    onWidthChanged: App.setPortrait(height >= width)
    onHeightChanged: App.setPortrait(height >= width)

    Header { id: header; objectName: "header"; anchors { left: parent.left; right: parent.right; top: parent.top } }
    Loader {
        id: page
        objectName: "page"
        anchors { left: parent.left; right: parent.right; top: header.bottom; bottom: footer.top }
        sourceComponent: screens[App.screen] || placeholder
        readonly property var screens: ({
            "home": homeScreen, "find": findScreen, "guide": guideScreen, "apply": applyScreen,
            "progress": progressScreen, "card": cardScreen, "rate": rateScreen,
            "complain": complainScreen, "technician": technicianScreen
        })
    }
    Footer { id: footer; objectName: "footer"; page: page.item
             anchors { left: parent.left; right: parent.right; bottom: parent.bottom } }
    IdleOverlay { objectName: "idleOverlay"; anchors.fill: parent }

    Component { id: homeScreen; Home {} }
    Component { id: findScreen; Find {} }
    Component { id: guideScreen; Guide {} }
    Component { id: applyScreen; Apply {} }
    Component { id: progressScreen; Progress {} }
    Component { id: cardScreen; Card {} }
    Component { id: rateScreen; Rate {} }
    Component { id: complainScreen; Complain {} }
    Component { id: technicianScreen; Technician {} }
    Component { id: placeholder; Item { KText { anchors.centerIn: parent; text: T.common_loading } } }
}
