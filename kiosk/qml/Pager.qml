import QtQuick

// Large paging buttons (never only scrolling): 上一页 · 第 n / m 页 · 下一页.
Item {
    id: p
    property int page: 0
    property int pages: 1
    signal previous()
    signal next()
    implicitHeight: Theme.target
    visible: pages > 1
    KButton { id: prev; objectName: "prevPage"; anchors.left: parent.left; icon: "back"; text: T.common_prev_page
              active: p.page > 0; onClicked: p.previous(); width: Math.max(implicitWidth, parent.width * 0.3) }
    KText { anchors.centerIn: parent; text: T.common_page.replace("{page}", p.page + 1).replace("{pages}", p.pages)
            secondary: true; font.features: { "tnum": 1 } }
    KButton { objectName: "nextPage"; anchors.right: parent.right; icon: "forward"; text: T.common_next_page
              active: p.page + 1 < p.pages; onClicked: p.next(); width: Math.max(implicitWidth, parent.width * 0.3) }
}
