import QtQuick

// All text on the kiosk: the CJK family, sizes from the theme (mm), line spacing 1.3.
Text {
    property bool strong: false
    property bool secondary: false
    font.family: Theme.family
    font.pixelSize: Theme.body
    font.bold: strong
    color: secondary ? Theme.colour.secondary : Theme.colour.text
    wrapMode: Text.Wrap
    lineHeight: lineCount > 1 ? 1.3 : 1.0
    textFormat: Text.PlainText
    verticalAlignment: Text.AlignVCenter
}
