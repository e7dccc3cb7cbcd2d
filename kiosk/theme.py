"""The kiosk's look: colours, type and sizes in millimetres, converted with the screen's DPI.

Nothing in QML is sized in pixels: every size comes from :class:`Theme` (``Theme.body``,
``Theme.target``, ``Theme.mm(12)``), which converts millimetres with the screen's physical
density (or the configured ``[kiosk] px_per_mm`` when the EDID lies). Text is sized by its
cap height (the height of a capital letter: what ADA 707 and kiosk-design.md measure), using the
real metrics of the font in use. Care mode (关怀模式) scales every text by :data:`CARE_SCALE`,
makes targets larger and shows fewer list items per page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtGui import QFont, QFontDatabase, QFontMetricsF, QScreen

log = logging.getLogger(__name__)

MM_PER_INCH = 25.4
PLAUSIBLE_PX_PER_MM = (1.5, 12.0)
"""A screen claiming a density outside this range has a lying EDID (or none)."""
FALLBACK_PX_PER_MM = 4.0
"""A 21.5-inch 1080p panel: the commonest freestanding hall terminal."""
CARE_SCALE = 1.35
"""Care mode scales all text by this (kiosk-design.md: at least 1.3)."""

BODY_CAP_MM = 4.8
"""Body text cap height (ADA 707: characters at least 4.8 mm)."""
HEADING_SCALE = 1.6
SMALL_SCALE = 0.85
TARGET_MM = 12.0
"""Ordinary touch targets (the rule: at least 9 mm)."""
PRIMARY_MM = 17.0
"""Primary actions (the rule: at least 15 mm)."""
GAP_MM = 3.0
"""Space between targets (the rule: at least 2 mm)."""


@dataclass(frozen=True)
class Palette:
    """A restrained government palette (kiosk-design.md). Every text pair is >= 4.5:1."""

    primary: str = "#1F4E9A"
    primary_dark: str = "#163A75"
    on_primary: str = "#FFFFFF"
    accent: str = "#B3261E"
    """Warm red: the hall's identity and "attention", never decoration."""
    background: str = "#F2F4F7"
    surface: str = "#FFFFFF"
    text: str = "#1A1A1A"
    secondary: str = "#4F5661"
    line: str = "#8A93A3"
    ok: str = "#1B6E34"
    ok_surface: str = "#E6F4EA"
    warn: str = "#7A4A00"
    warn_surface: str = "#FFF3D6"
    error_surface: str = "#FBE9E7"
    disabled: str = "#5E6673"
    disabled_surface: str = "#E1E5EB"
    selected_surface: str = "#DCE7F8"

    def text_pairs(self) -> Iterator[tuple[str, str, str]]:
        """(what, foreground, background) for every text colour used on every background."""
        for bg in ("background", "surface"):
            for fg in ("text", "secondary", "primary", "accent", "ok", "warn"):
                yield f"{fg} on {bg}", getattr(self, fg), getattr(self, bg)
        yield "header", self.on_primary, self.primary
        yield "header pressed", self.on_primary, self.primary_dark
        yield "attention button", self.on_primary, self.accent
        yield "ok notice", self.ok, self.ok_surface
        yield "warning notice", self.warn, self.warn_surface
        yield "text on warning", self.text, self.warn_surface
        yield "error notice", self.accent, self.error_surface
        yield "disabled button", self.disabled, self.disabled_surface
        yield "selected item", self.text, self.selected_surface
        yield "primary on selected", self.primary, self.selected_surface


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``#RRGGBB``."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(fg: str, bg: str) -> float:
    """WCAG contrast ratio (1..21)."""
    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def screen_px_per_mm(screen: QScreen | None, override: float = 0.0) -> float:
    """Pixels per millimetre: the override, else the screen's, else the fallback."""
    if override > 0:
        return override
    if screen is not None:
        measured = screen.physicalDotsPerInch() / MM_PER_INCH
        low, high = PLAUSIBLE_PX_PER_MM
        if low <= measured <= high:
            return measured
        log.warning("kiosk.theme.implausible_dpi %.2f px/mm: using %.1f", measured,
                    FALLBACK_PX_PER_MM, extra={"event": "kiosk.theme.implausible_dpi",
                                               "px_per_mm": measured})
    return FALLBACK_PX_PER_MM


def cjk_family() -> str:
    """The first installed Simplified Chinese family ('' if none: Chinese would be boxes)."""
    families = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    preferred = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei")
    for name in preferred:
        if name in families:
            return name
    return next((f for f in families if "Mono" not in f), families[0] if families else "")


def cap_ratio(family: str) -> float:
    """Cap height / pixel size of ``family`` (about 0.72 for most sans-serif faces)."""
    font = QFont(family)
    font.setPixelSize(200)
    cap = QFontMetricsF(font).capHeight()
    return cap / 200 if cap > 0 else 0.72


class Theme(QObject):
    """Sizes and colours for QML. Change ``care`` or ``portrait`` and every size follows."""

    changed = Signal()

    def __init__(self, px_per_mm: float, family: str = "", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._px = px_per_mm
        self._family = family or cjk_family()
        self._cap = cap_ratio(self._family) if self._family else 0.72
        self._care = False
        self._portrait = True
        self.palette = Palette()

    # -- inputs ---------------------------------------------------------------------------------
    def set_care(self, care: bool) -> None:
        if care != self._care:
            self._care = care
            self.changed.emit()

    def set_portrait(self, portrait: bool) -> None:
        if portrait != self._portrait:
            self._portrait = portrait
            self.changed.emit()

    @property
    def is_care(self) -> bool:
        return self._care

    @property
    def is_portrait(self) -> bool:
        return self._portrait

    def page_size(self) -> int:
        """List items per page: 7 in portrait, 4 in care mode (kiosk-design.md: 6-8 / 4-5)."""
        if self._care:
            return 4 if self._portrait else 3
        return 7 if self._portrait else 5

    def primary_px(self) -> float:
        return self.mm(PRIMARY_MM * (1.15 if self._care else 1.0))

    @Slot(float, result=float)
    def mm(self, millimetres: float) -> float:
        return round(millimetres * self._px, 1)

    def _text_px(self, cap_mm: float) -> int:
        scale = CARE_SCALE if self._care else 1.0
        return round(cap_mm * scale * self._px / self._cap)

    def cap_height_mm(self, pixel_size: int) -> float:
        """The cap height in millimetres of text drawn at ``pixel_size``."""
        return pixel_size * self._cap / self._px

    # -- sizes ----------------------------------------------------------------------------------
    @Property(float, notify=changed)
    def pxPerMm(self) -> float:  # noqa: N802 - QML names
        return self._px

    @Property(str, notify=changed)
    def family(self) -> str:
        return self._family

    @Property(bool, notify=changed)
    def care(self) -> bool:
        return self._care

    @Property(bool, notify=changed)
    def portrait(self) -> bool:
        return self._portrait

    @Property(int, notify=changed)
    def body(self) -> int:
        return self._text_px(BODY_CAP_MM)

    @Property(int, notify=changed)
    def small(self) -> int:
        return self._text_px(BODY_CAP_MM * SMALL_SCALE)

    @Property(int, notify=changed)
    def heading(self) -> int:
        return self._text_px(BODY_CAP_MM * HEADING_SCALE)

    @Property(int, notify=changed)
    def huge(self) -> int:
        return self._text_px(BODY_CAP_MM * 2.4)

    @Property(float, notify=changed)
    def target(self) -> float:
        return self.mm(TARGET_MM * (1.25 if self._care else 1.0))

    @Property(float, notify=changed)
    def primary(self) -> float:
        return self.primary_px()

    @Property(float, notify=changed)
    def gap(self) -> float:
        return self.mm(GAP_MM)

    @Property(float, notify=changed)
    def margin(self) -> float:
        return self.mm(6.0)

    @Property(float, notify=changed)
    def radius(self) -> float:
        return self.mm(1.5)

    @Property(float, notify=changed)
    def stroke(self) -> float:
        return max(2.0, self.mm(0.6))

    @Property(float, notify=changed)
    def headerHeight(self) -> float:  # noqa: N802
        return self.mm(26.0 if self._care else 22.0)

    @Property(float, notify=changed)
    def footerHeight(self) -> float:  # noqa: N802
        return self.primary_px() + 2 * self.mm(GAP_MM)

    @Property(int, notify=changed)
    def pageSize(self) -> int:  # noqa: N802
        return self.page_size()

    # -- colours --------------------------------------------------------------------------------
    @Property(dict, constant=True)
    def colour(self) -> dict[str, str]:
        return {k: v for k, v in vars(self.palette).items() if isinstance(v, str)}
