"""Words, fonts, colours and sizes: every string from the catalogue, Chinese drawn with a CJK
font, contrast >= 4.5:1, touch targets >= 9 mm and primary actions >= 15 mm."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QObject
from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics, QGuiApplication, QImage
from PySide6.QtQuick import QQuickItem

from kiosk.app import QML_DIR, Kiosk
from kiosk.i18n import Catalogue, CatalogueError, Messages
from kiosk.theme import Palette, Theme, cjk_family, contrast

QML = sorted(QML_DIR.glob("*.qml"))


def test_every_code_used_in_qml_is_in_the_catalogue() -> None:
    words = Catalogue.load()
    used: set[str] = set()
    prefixes: set[str] = set()
    for f in QML:
        text = f.read_text()
        used |= set(re.findall(r"\bT\.([a-z]+_[a-z0-9_]+)", text))
        prefixes |= set(re.findall(r'\bT\["([a-z_]+)"\s*\+', text))
    assert used, "the QML uses no catalogue codes?"
    missing = sorted(c for c in used if c not in words.entries)
    assert missing == []
    for prefix in prefixes:
        assert any(code.startswith(prefix) for code in words.entries), prefix


def test_no_hard_coded_words_in_qml() -> None:
    """A string literal with letters or Chinese in QML is a word that escaped the catalogue."""
    offenders = []
    allowed = re.compile(r'^(image://|#|[a-z_]+$|[A-Za-z]+[A-Z][A-Za-z]*$)')
    for f in QML:
        for n, line in enumerate(f.read_text().splitlines(), 1):
            if line.strip().startswith("//") or ("objectName" in line and line.count('"') == 2):
                continue
            for literal in re.findall(r'"([^"]*)"', line):
                if re.search(r"[\u4e00-\u9fff]", literal) or (
                        re.search(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}", literal)
                        and not allowed.match(literal)):
                    offenders.append(f"{f.name}:{n}: {literal}")
    assert offenders == []


def test_catalogue_rejects_a_half_entry() -> None:
    with pytest.raises(CatalogueError, match="home_x"):
        Catalogue.from_tables([("t.toml", {"home": {"x": ["只有中文"]}})])


def test_language_switch_changes_every_value(qapp: QGuiApplication) -> None:
    words = Catalogue.load()
    m = Messages(words, "zh")
    assert m.value("title_home") == "自助服务"
    m.set_language("en")
    assert m.value("title_home") == "Self-service"
    assert words.text("common_page", "en", page=2, pages=5) == "Page 2 of 5"


def test_a_simplified_chinese_font_is_installed_and_draws_chinese(qapp: QGuiApplication) -> None:
    family = cjk_family()
    assert family in QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    metrics = QFontMetrics(QFont(family, 24))
    words = Catalogue.load()
    chinese = "".join(zh for zh, _ in words.entries.values())
    missing = sorted({c for c in chinese
                      if "\u4e00" <= c <= "\u9fff" and not metrics.inFontUcs4(ord(c))})
    assert missing == [], f"no glyph for {''.join(missing[:20])}"


def test_text_contrast_is_at_least_4_5(qapp: QGuiApplication) -> None:
    low = [(what, round(contrast(fg, bg), 2)) for what, fg, bg in Palette().text_pairs()
           if contrast(fg, bg) < 4.5]
    assert low == []
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)


def test_body_text_is_at_least_4_8_mm_and_care_mode_scales_it(qapp: QGuiApplication) -> None:
    theme = Theme(4.0)
    assert theme.cap_height_mm(theme.body) >= 4.8 - 0.15
    normal = theme.body
    theme.set_care(True)
    assert theme.body >= 1.3 * normal - 1
    assert theme.cap_height_mm(theme.body) >= 4.8 * 1.3 - 0.2
    assert theme.pageSize <= 5


def _items(root: QObject) -> list[QQuickItem]:
    out: list[QQuickItem] = []
    todo = [root.contentItem()] if hasattr(root, "contentItem") else [root]
    while todo:
        item = todo.pop()
        out.append(item)
        todo.extend(item.childItems())
    return out


def _visible(item: QQuickItem) -> bool:
    while item is not None:
        if not item.isVisible() or item.opacity() == 0:
            return False
        item = item.parentItem()
    return True


@pytest.mark.parametrize("screen", ["home", "find"])
def test_touch_targets_meet_the_minimum(kiosk: Kiosk, qtbot, screen: str) -> None:
    qtbot.waitUntil(lambda: kiosk.vm.find.total > 0)
    kiosk.vm.go(screen)
    qtbot.wait(50)
    px = kiosk.theme.pxPerMm
    targets = [i for i in _items(kiosk.window) if i.property("touchTarget") and _visible(i)]
    assert len(targets) >= 5
    small = [(i.objectName() or i.property("text"), round(i.height() / px, 1),
              round(i.width() / px, 1)) for i in targets
             if min(i.height(), i.width()) < 9 * px - 0.5
             or (i.property("primary") and i.height() < 15 * px - 0.5)]
    assert small == []


def test_chinese_renders_on_screen(kiosk: Kiosk, qtbot, tmp_path: Path) -> None:
    """The header's title is drawn: dark-on-blue pixels where 自助服务 is, not empty boxes."""
    qtbot.wait(50)
    image: QImage = kiosk.window.grabWindow()
    title = kiosk.window.findChild(QObject, "screenTitle")
    assert title.property("text") == "自助服务"
    x0, y0 = int(title.x()) + 20, int(title.y()) + 20
    width = int(title.property("contentWidth"))
    white = sum(1 for x in range(x0, x0 + width, 2) for y in range(y0, y0 + 40, 2)
                if image.pixelColor(x, y).lightness() > 200)
    assert white > 50
