"""Layout of a :class:`Document` for one profile, and its ESC/POS bytes.

The ESC/POS primitives come from python-escpos (a ``Dummy`` printer collects them: init, text
size, emphasis, justification, native QR, raster images, cut, drawer pulse); the text bytes and
the Chinese-mode commands come from :mod:`drivers.printer.text`, because python-escpos gets them
wrong for Chinese (see test-environment.md). Sizes use ``GS !``, which applies to Chinese
characters too; python-escpos' ``double_width`` uses ``ESC !``, which Chinese printers apply to
single-byte characters only. Underline needs ``ESC -`` for single-byte and ``FS -`` for
double-byte characters.

:func:`expected_receipts` is what a decoder should read back: one text per cut.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drivers.printer.document import (
    NORMAL,
    Align,
    Cut,
    Document,
    Drawer,
    Feed,
    Qr,
    Row,
    Rule,
    Style,
    Text,
)
from drivers.printer.errors import LayoutError
from drivers.printer.profiles import PrinterProfile
from drivers.printer.text import TextCodec

ESC, GS, FS = b"\x1b", b"\x1d", b"\x1c"
QR_QUIET_DOTS = 24
"""Paper fed (``ESC J``) above and below a QR code: a quiet zone for phone cameras."""
_EC = {"L": 0, "M": 1, "Q": 2, "H": 3}


@dataclass(frozen=True)
class Line:
    text: str
    """Already wrapped and padded for alignment (display width <= the columns it has)."""
    style: Style = NORMAL


@dataclass(frozen=True)
class QrSymbol:
    data: str
    size: int
    ec: str
    align: Align
    modules: int
    """Modules per side (version * 4 + 17)."""


Laid = Line | QrSymbol | Feed | Cut | Drawer


def layout(doc: Document, profile: PrinterProfile, codec: TextCodec | None = None) -> list[Laid]:
    """The document as lines of at most ``profile.columns`` display columns, and graphics."""
    codec = codec or TextCodec(profile)
    out: list[Laid] = []
    for block in doc.blocks:
        if isinstance(block, Text | Row):
            cols = profile.columns // block.style.width
            if isinstance(block, Text):
                lines = codec.wrap(block.text, cols)
                lines = [codec.align(line, cols, block.style.align) for line in lines]
            else:
                lines = codec.row(block.left, block.right, cols)
            out.extend(Line(line, block.style) for line in lines)
        elif isinstance(block, Rule):
            char = codec.clean(block.char)[:1] or "-"
            out.append(Line(char * (profile.columns // codec.char_width(char))))
        elif isinstance(block, Qr):
            out.append(_fit_qr(block, profile))
        elif isinstance(block, Feed):
            if not 0 < block.lines <= 255:
                raise LayoutError(f"feed of {block.lines} lines is outside 1..255")
            out.append(block)
        elif isinstance(block, Cut | Drawer):
            if isinstance(block, Drawer) and not profile.drawer:
                raise LayoutError(f"profile {profile.name} has no cash-drawer port")
            out.append(block)
    return out


def _fit_qr(block: Qr, profile: PrinterProfile) -> QrSymbol:
    import qrcode  # noqa: PLC0415 - lazy (import cost, side effects)

    if not block.data:
        raise LayoutError("a QR code needs data")
    symbol = qrcode.QRCode(error_correction=_qr_ec_constant(block.ec), border=0)
    try:
        symbol.add_data(block.data.encode("utf-8"), optimize=0)
        version = int(symbol.best_fit())  # the version only: no matrix, no mask selection
    except (ValueError, qrcode.exceptions.DataOverflowError) as exc:
        raise LayoutError(f"QR payload of {len(block.data)} characters is too large") from exc
    modules = version * 4 + 17
    size = min(block.size, 16, profile.dots // modules)
    if size < 2:
        raise LayoutError(f"a QR code of {modules} modules does not fit {profile.dots} dots")
    return QrSymbol(block.data, size, block.ec, block.align, modules)


def _qr_ec_constant(ec: str) -> int:
    from qrcode import constants  # noqa: PLC0415 - lazy (import cost, side effects)

    table: dict[str, int] = {"L": constants.ERROR_CORRECT_L, "M": constants.ERROR_CORRECT_M,
                             "Q": constants.ERROR_CORRECT_Q, "H": constants.ERROR_CORRECT_H}
    return table[ec]


def expected_receipts(doc: Document, profile: PrinterProfile) -> list[str]:
    """The text of each receipt (split at cuts) as a decoder should read it back: lines with
    trailing spaces removed, feeds as empty lines, no empty lines at the end of a receipt."""
    receipts: list[list[str]] = [[]]
    for item in layout(doc, profile):
        if isinstance(item, Line):
            receipts[-1].append(item.text.rstrip(" "))
        elif isinstance(item, Feed):
            receipts[-1].extend([""] * item.lines)
        elif isinstance(item, Cut):
            receipts.append([])
    texts = ["\n".join(lines).rstrip("\n") for lines in receipts]
    if len(texts) > 1 and not texts[-1]:
        texts.pop()
    return texts


def escpos_profile(profile: PrinterProfile) -> Any:
    """A python-escpos profile object describing ``profile`` (paper width, features)."""
    from escpos.capabilities import Profile  # noqa: PLC0415 - lazy (import cost, side effects)

    features = {
        "paperFullCut": profile.cutter, "paperPartCut": profile.cutter,
        "qrCode": profile.qr == "native", "bitImageRaster": True, "graphics": True,
        "bitImageColumn": True, "pulseStandard": profile.drawer, "highDensity": True,
        "barcodeA": True, "barcodeB": True, "pdf417Code": False, "pulseBel": False,
        "starCommands": False,
    }
    escpos = Profile(columns=profile.columns, features=features)
    escpos.profile_data = {
        **escpos.profile_data,
        "media": {"width": {"mm": profile.paper_mm, "pixels": profile.dots}, "dpi": 203},
    }
    return escpos


class Renderer:
    """Turns documents into ESC/POS bytes for one profile (reusable, not thread-safe)."""

    def __init__(self, profile: PrinterProfile) -> None:
        self.profile = profile
        self.codec = TextCodec(profile)
        self._escpos_profile = escpos_profile(profile)

    def render(self, doc: Document) -> bytes:
        from escpos.printer import Dummy  # noqa: PLC0415 - lazy (import cost, side effects)

        out = Dummy(profile=self._escpos_profile)
        out.hw("INIT")
        if self.profile.chinese:
            out._raw(FS + b"&")
        else:
            out._raw(FS + b"." + ESC + b"t" + bytes([self.profile.code_page]))
        style = NORMAL
        for item in layout(doc, self.profile, self.codec):
            if isinstance(item, Line):
                self._style(out, style, item.style)
                style = item.style
                out._raw(self.codec.encode(item.text) + b"\n")
                continue
            if style != NORMAL:
                self._style(out, style, NORMAL)
                style = NORMAL
            if isinstance(item, QrSymbol):
                self._qr(out, item)
            elif isinstance(item, Feed):
                out.print_and_feed(item.lines)
            elif isinstance(item, Cut):
                if self.profile.cutter:
                    out.cut(mode="PART" if item.partial else "FULL")
                else:
                    out.print_and_feed(6)
            else:
                out.cashdraw(item.pin)
        output: bytes = out.output
        return output

    def _style(self, out: Any, old: Style, new: Style) -> None:
        if new.bold != old.bold:
            out.set(bold=new.bold)
        if new.underline != old.underline:
            out.set(underline=int(new.underline))
            if self.profile.chinese:
                out._raw(FS + b"-" + bytes([int(new.underline)]))
        if (new.width, new.height) != (old.width, old.height):
            out.set(custom_size=True, width=new.width, height=new.height)
        if new.invert != old.invert:
            out.set(invert=new.invert)

    def _qr(self, out: Any, symbol: QrSymbol) -> None:
        out.set(align=symbol.align.value)
        out._raw(ESC + b"J" + bytes([QR_QUIET_DOTS]))
        if self.profile.qr == "native":
            out.qr(symbol.data, ec=_EC[symbol.ec], size=symbol.size, native=True)
        else:
            out.image(_qr_image(symbol), impl="bitImageRaster", center=False)
        out._raw(ESC + b"J" + bytes([QR_QUIET_DOTS]))
        out.set(align="left")


def _qr_image(symbol: QrSymbol) -> Any:
    import qrcode  # noqa: PLC0415 - lazy (import cost, side effects)

    code = qrcode.QRCode(error_correction=_qr_ec_constant(symbol.ec), box_size=symbol.size,
                         border=0)
    code.add_data(symbol.data.encode("utf-8"), optimize=0)
    code.make(fit=True)
    return code.make_image().get_image().convert("1")


def render(doc: Document, profile: PrinterProfile) -> bytes:
    """ESC/POS bytes of ``doc`` for ``profile`` (a fresh :class:`Renderer` each call)."""
    return Renderer(profile).render(doc)
