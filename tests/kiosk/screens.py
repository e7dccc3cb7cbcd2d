"""The screenshot harness: every screen, portrait and landscape, care mode, zh and en, as PNGs
under ``$KIOSK_ARTIFACTS`` (default ``var/test-artifacts/kiosk``) to be looked at."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSize
from PySide6.QtQuick import QQuickItem

from kiosk.app import Kiosk

VARIANTS = (("portrait", "zh", False), ("portrait", "en", False), ("landscape", "zh", False),
            ("landscape", "en", False), ("portrait", "zh", True), ("portrait", "en", True),
            ("landscape", "zh", True))
SIZES = {"portrait": QSize(1080, 1920), "landscape": QSize(1920, 1080)}


def artifacts() -> Path:
    folder = Path(os.environ.get("KIOSK_ARTIFACTS", "var/test-artifacts/kiosk"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def set_variant(kiosk: Kiosk, orientation: str, lang: str, care: bool) -> None:
    kiosk.window.resize(SIZES[orientation])
    kiosk.vm.setPortrait(orientation == "portrait")
    if kiosk.vm.lang != lang:
        kiosk.vm.toggleLanguage()
    if kiosk.vm.care != care:
        kiosk.vm.toggleCare()


def shoot(kiosk: Kiosk, qtbot, name: str, prepare: Callable[[], None]) -> list[Path]:
    """``prepare()`` brings the screen up; then one PNG per variant."""
    out = []
    for orientation, lang, care in VARIANTS:
        set_variant(kiosk, orientation, lang, care)
        prepare()
        qtbot.wait(30)
        kiosk.tasks.wait_idle()
        qtbot.wait(30)
        path = artifacts() / f"{name}-{orientation}-{lang}{'-care' if care else ''}.png"
        assert kiosk.window.grabWindow().save(str(path))
        out.append(path)
    return out


def ui_strings(root: QObject) -> list[str]:
    """Every text-like property of every object and item under ``root`` (what a probe of the
    UI tree sees)."""
    out: list[str] = []
    todo: list[QObject] = [root]
    while todo:
        obj = todo.pop()
        meta = obj.metaObject()
        for i in range(meta.propertyCount()):
            prop = meta.property(i)
            if prop.typeName() not in ("QString", "QVariant", "QStringList", "QVariantList"):
                continue
            try:
                value = prop.read(obj)
            except RuntimeError:  # a type Python cannot convert holds no text
                continue
            out.append(value if isinstance(value, str) else repr(value))
        todo.extend(obj.children())
        if isinstance(obj, QQuickItem):
            todo.extend(obj.childItems())
    return out
