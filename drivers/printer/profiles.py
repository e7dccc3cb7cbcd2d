"""Printer profiles: what a model can print and which commands it needs.

A profile is data, not code: paper width (columns of font A and dots), the text encoding of its
resident font, whether the model must be put in Chinese mode (``FS &``) or taken out of it
(``FS .`` and a code page with ``ESC t``), native QR (``GS ( k``) or QR as a raster image
(``GS v 0``), and whether it has a cutter and a cash-drawer port. Choose one by name in the
settings (``[printer] profile``).

Which characters a model really prints (its *repertoire*) is narrower than its codec: a
GB18030 printer font carries the one- and two-byte codes plus CJK Extension A (the four-byte
codes U+3400..U+4DBF); other four-byte codes (emoji, Extension B) encode but print as blanks or
garbage, so the text layer treats them as unprintable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from drivers.printer.errors import PrinterConfigError

QrMode = Literal["native", "image"]


@dataclass(frozen=True)
class PrinterProfile:
    name: str
    description: str
    columns: int
    """Font A columns (12-dot cells): 32 on 58 mm paper, 48 on 80 mm."""
    dots: int
    """Printable width in dots (8 dots/mm): 384 on 58 mm, 576 on 80 mm."""
    encoding: str
    """Python codec of the resident font: ``gb18030``, ``gbk`` or a single-byte code page."""
    chinese: bool
    """True: double-byte Chinese mode (``FS &``); False: single-byte (``FS .`` + ``ESC t``)."""
    code_page: int = 0
    """``ESC t n`` for single-byte profiles (0 = PC437)."""
    qr: QrMode = "native"
    cutter: bool = True
    drawer: bool = True
    replacement: str = "〓"
    """Printed in place of a character the model cannot print (U+3013 GETA MARK, in GB2312)."""

    @property
    def paper_mm(self) -> int:
        return 80 if self.columns >= 42 else 58


PROFILES: Mapping[str, PrinterProfile] = MappingProxyType({
    p.name: p
    for p in (
        PrinterProfile("generic-58", "58 mm thermal printer, GB18030 font, native QR",
                       columns=32, dots=384, encoding="gb18030", chinese=True),
        PrinterProfile("generic-80", "80 mm thermal printer, GB18030 font, native QR",
                       columns=48, dots=576, encoding="gb18030", chinese=True),
        PrinterProfile("gbk-58", "58 mm printer with a GBK font and no GS ( k: QR as an image",
                       columns=32, dots=384, encoding="gbk", chinese=True, qr="image"),
        PrinterProfile("gbk-80", "80 mm printer with a GBK font, native QR",
                       columns=48, dots=576, encoding="gbk", chinese=True),
        PrinterProfile("latin-80", "80 mm printer without a Chinese font (PC437)",
                       columns=48, dots=576, encoding="cp437", chinese=False, code_page=0,
                       replacement="■"),
    )
})


def get_profile(name: str | PrinterProfile) -> PrinterProfile:
    """The profile called ``name`` (or ``name`` itself if it already is one)."""
    if isinstance(name, PrinterProfile):
        return name
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise PrinterConfigError(f"unknown printer profile {name!r} (known: {known})") from None
