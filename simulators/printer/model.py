"""What the virtual printer put on paper: receipts made of lines, graphics and blank feeds.

A :class:`Receipt` ends at a cut (or when the printer stops with paper still uncut). Its
``text`` is what a person reads off the paper, one line per printed line, trailing spaces and
the blank feed before the cutter removed; graphics (QR codes, raster images) keep their place
in ``items`` and their decoded content in ``qr_codes`` once the PNG has been rendered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from PIL import Image


@dataclass(frozen=True)
class Cell:
    ch: str
    cols: int
    """Columns of font A the character takes before magnification (2 for a Chinese glyph)."""
    width: int = 1
    height: int = 1
    bold: bool = False
    underline: bool = False
    invert: bool = False


@dataclass
class Line:
    cells: list[Cell] = field(default_factory=list)
    indent: int = 0
    """Columns of space before the first cell (``ESC a`` justification)."""
    spacing: int = 30
    """Line spacing in dots when it was printed (``ESC 2`` / ``ESC 3 n``)."""
    overflow: bool = False
    """The line did not fit the paper: the printer wrapped it (a layout bug upstream)."""

    @property
    def text(self) -> str:
        return " " * self.indent + "".join(cell.ch for cell in self.cells)

    @property
    def used(self) -> int:
        return sum(cell.cols * cell.width for cell in self.cells)

    @property
    def columns(self) -> int:
        return self.indent + self.used

    @property
    def height(self) -> int:
        return max((cell.height for cell in self.cells), default=1)

    def as_dict(self) -> dict[str, Any]:
        visible = [c for c in self.cells if c.ch != " "] or self.cells
        return {
            "text": self.text, "columns": self.columns, "overflow": self.overflow,
            "bold": any(c.bold for c in visible), "underline": any(c.underline for c in visible),
            "invert": any(c.invert for c in visible),
            "size": [max((c.width for c in visible), default=1), self.height],
        }


@dataclass
class Graphic:
    kind: str
    """``qr`` (native ``GS ( k``), ``raster`` (``GS v 0``, ``GS ( L``), ``column`` (``ESC *``)
    or ``barcode`` (``GS k``)."""
    image: Image.Image
    """Mode ``1``: what is printed, one pixel per dot."""
    x: int = 0
    """Dots from the left edge of the printable area."""
    payload: str | None = None
    """Native QR or barcode data as sent to the printer."""
    decoded: str | None = None
    """What opencv read back from the rendered receipt (QR only)."""

    @property
    def width(self) -> int:
        return int(self.image.width)

    @property
    def height(self) -> int:
        return int(self.image.height)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "x": self.x, "width": self.width, "height": self.height,
                "payload": self.payload, "decoded": self.decoded}


@dataclass
class Space:
    dots: int
    """Paper fed without printing (``ESC J n``)."""


Item = Line | Graphic | Space


@dataclass
class Receipt:
    index: int
    columns: int
    dots: int
    items: list[Item] = field(default_factory=list)
    cut: str | None = None
    """``full``, ``partial``, or None when the paper was never cut."""
    bytes: int = 0
    warnings: list[str] = field(default_factory=list)
    drawer_pulses: list[int] = field(default_factory=list)
    bytes_while_paper_out: int = 0
    """Print data that arrived while the paper was out (a driver should have waited)."""

    @property
    def lines(self) -> list[Line]:
        return [item for item in self.items if isinstance(item, Line)]

    @property
    def graphics(self) -> list[Graphic]:
        return [item for item in self.items if isinstance(item, Graphic)]

    @property
    def text(self) -> str:
        return "\n".join(line.text.rstrip(" ") for line in self.lines).rstrip("\n")

    @property
    def qr_codes(self) -> list[str]:
        """QR contents read back from the rendered image, in print order."""
        return [g.decoded for g in self.graphics if g.decoded is not None]

    @property
    def overflow(self) -> bool:
        return any(line.overflow or line.columns > self.columns for line in self.lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index, "columns": self.columns, "dots": self.dots, "cut": self.cut,
            "bytes": self.bytes, "text": self.text, "qr_codes": self.qr_codes,
            "overflow": self.overflow, "warnings": self.warnings,
            "drawer_pulses": self.drawer_pulses,
            "bytes_while_paper_out": self.bytes_while_paper_out,
            "lines": [line.as_dict() for line in self.lines],
            "graphics": [g.as_dict() for g in self.graphics],
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)
