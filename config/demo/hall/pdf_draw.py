"""A tiny deterministic PDF writer that draws text as vector outlines of a TrueType font.

Used only to generate the demo catalogue's blank application forms and filled samples. Each
character is the font's glyph outline (read with fontTools), stored once per document as a form
XObject and placed with ``cm``: no font embedding, no dates, no random IDs, so the same text and
the same font file always give the same bytes. The default font is WenQuanYi Micro Hei
(Debian ``fonts-wqy-microhei``, installed by scripts/bootstrap.sh).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont

DEFAULT_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
A4 = (595.28, 841.89)


class PdfFontError(Exception):
    """The font for the demo PDFs is missing or unreadable."""


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class _PdfPen(BasePen):  # type: ignore[misc]
    """Collects a glyph outline as PDF path operators in font units (quadratics become cubics)."""

    def __init__(self, glyph_set: Any) -> None:
        super().__init__(glyph_set)
        self.ops: list[str] = []

    def _moveTo(self, pt: tuple[float, float]) -> None:
        self.ops.append(f"{round(pt[0])} {round(pt[1])} m")

    def _lineTo(self, pt: tuple[float, float]) -> None:
        self.ops.append(f"{round(pt[0])} {round(pt[1])} l")

    def _curveToOne(self, p1: tuple[float, float], p2: tuple[float, float],
                    p3: tuple[float, float]) -> None:
        # font units (2048 per em): a unit is far below what print or screen can show
        self.ops.append(" ".join(str(round(v)) for v in (*p1, *p2, *p3)) + " c")

    def _closePath(self) -> None:
        self.ops.append("h")


class OutlineFont:
    """A TrueType font read for its outlines and advance widths."""

    def __init__(self, path: Path = DEFAULT_FONT, number: int = 0) -> None:
        try:
            self._font = TTFont(str(path), fontNumber=number, lazy=True)
            self._cmap = self._font.getBestCmap()
        except (OSError, ValueError) as exc:
            raise PdfFontError(f"无法读取字体 cannot read the font {path}: {exc}") from exc
        self._glyphs = self._font.getGlyphSet()
        self.upm = int(self._font["head"].unitsPerEm)
        self._hmtx = self._font["hmtx"]

    def glyph_name(self, char: str) -> str:
        name = self._cmap.get(ord(char))
        return str(name) if name is not None else ".notdef"

    def advance(self, char: str) -> float:
        """Advance width in text-space units per 1-point size."""
        return float(self._hmtx[self.glyph_name(char)][0]) / self.upm

    def width(self, text: str, size: float) -> float:
        return sum(self.advance(ch) for ch in text) * size

    def outline(self, char: str) -> str:
        pen = _PdfPen(self._glyphs)
        self._glyphs[self.glyph_name(char)].draw(pen)
        return "\n".join(pen.ops)


@dataclass
class Page:
    ops: list[str] = field(default_factory=list)


class Document:
    """Pages of drawn text and lines, written out as one PDF."""

    def __init__(self, font: OutlineFont, title: str) -> None:
        self.font = font
        self.title = title
        self.pages: list[Page] = []
        self._glyph_ids: dict[str, int] = {}

    def new_page(self) -> Page:
        page = Page()
        self.pages.append(page)
        return page

    def text(self, page: Page, x: float, y: float, text: str, size: float,
             rgb: tuple[float, float, float] = (0, 0, 0)) -> float:
        """Draw ``text`` with its baseline at ``y``; returns the x after it."""
        page.ops.append(f"{_num(rgb[0])} {_num(rgb[1])} {_num(rgb[2])} rg")
        for ch in text:
            if not ch.isspace():
                gid = self._glyph_ids.setdefault(ch, len(self._glyph_ids))
                page.ops.append(f"q {_num(size)} 0 0 {_num(size)} {_num(x)} {_num(y)} cm /G{gid} Do Q")
            x += self.font.advance(ch) * size
        return x

    def rotated_text(self, page: Page, x: float, y: float, text: str, size: float, degrees_45: bool,
                     gray: float) -> None:
        """Light diagonal text (a watermark) starting at ``x, y``."""
        c = 0.7071 if degrees_45 else 1.0
        s = 0.7071 if degrees_45 else 0.0
        page.ops.append(f"q {_num(c)} {_num(s)} {_num(-s)} {_num(c)} {_num(x)} {_num(y)} cm")
        self.text(page, 0, 0, text, size, (gray, gray, gray))
        page.ops.append("Q")

    @staticmethod
    def line(page: Page, x1: float, y1: float, x2: float, y2: float, width: float = 0.6) -> None:
        page.ops.append(f"0 0 0 RG {_num(width)} w {_num(x1)} {_num(y1)} m {_num(x2)} {_num(y2)} l S")

    @staticmethod
    def rect(page: Page, x: float, y: float, w: float, h: float, width: float = 0.6) -> None:
        page.ops.append(f"0 0 0 RG {_num(width)} w {_num(x)} {_num(y)} {_num(w)} {_num(h)} re S")

    def wrap(self, text: str, size: float, width: float) -> list[str]:
        """Greedy line breaking by width; Latin words are kept whole where they fit."""
        lines: list[str] = []
        current = ""
        for token in _tokens(text):
            if current and self.font.width(current + token, size) > width:
                lines.append(current.rstrip())
                current = token.lstrip()
                while self.font.width(current, size) > width and len(current) > 1:
                    cut = len(current)
                    while cut > 1 and self.font.width(current[:cut], size) > width:
                        cut -= 1
                    lines.append(current[:cut])
                    current = current[cut:]
            else:
                current += token
        if current.strip():
            lines.append(current.rstrip())
        return lines or [""]

    def to_bytes(self) -> bytes:
        objects: list[bytes] = []

        def add(body: bytes) -> int:
            objects.append(body)
            return len(objects)

        glyph_refs: dict[int, int] = {}
        scale = f"{1 / self.font.upm:.8f}".rstrip("0")
        for char, gid in sorted(self._glyph_ids.items(), key=lambda item: item[1]):
            path = self.font.outline(char)
            data = zlib.compress((path + "\nf").encode("ascii"), 9)
            head = (f"<< /Type /XObject /Subtype /Form /BBox [-1024 -1024 3072 3072] "
                    f"/Matrix [{scale} 0 0 {scale} 0 0] /Resources << >> /Filter /FlateDecode "
                    f"/Length {len(data)} >>").encode("ascii")
            glyph_refs[gid] = add(head + b"\nstream\n" + data + b"\nendstream")
        xobjects = " ".join(f"/G{gid} {ref} 0 R" for gid, ref in sorted(glyph_refs.items()))
        resources = add(f"<< /XObject << {xobjects} >> >>".encode("ascii"))
        pages_ref = len(objects) + 2 * len(self.pages) + 1
        page_refs: list[int] = []
        for page in self.pages:
            data = zlib.compress("\n".join(page.ops).encode("ascii"), 9)
            content = add(f"<< /Filter /FlateDecode /Length {len(data)} >>".encode("ascii")
                          + b"\nstream\n" + data + b"\nendstream")
            page_refs.append(add(
                f"<< /Type /Page /Parent {pages_ref} 0 R /MediaBox [0 0 {_num(A4[0])} {_num(A4[1])}] "
                f"/Resources {resources} 0 R /Contents {content} 0 R >>".encode("ascii")))
        kids = " ".join(f"{ref} 0 R" for ref in page_refs)
        assert add(f"<< /Type /Pages /Kids [{kids}] /Count {len(page_refs)} >>".encode("ascii")) == pages_ref
        catalog = add(f"<< /Type /Catalog /Pages {pages_ref} 0 R >>".encode("ascii"))
        title_hex = ("FEFF" + self.title.encode("utf-16-be").hex().upper())
        info = add(f"<< /Title <{title_hex}> /Producer (citizen-hall demo catalogue) >>".encode("ascii"))
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets: list[int] = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += f"{number} 0 obj\n".encode("ascii") + body + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
        for offset in offsets:
            out += f"{offset:010d} 00000 n \n".encode("ascii")
        out += (f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R /Info {info} 0 R >>\n"
                f"startxref\n{xref}\n%%EOF\n").encode("ascii")
        return bytes(out)


def _tokens(text: str) -> list[str]:
    """Latin words (with their following space) as single tokens, other characters alone."""
    tokens: list[str] = []
    word = ""
    for ch in text:
        if ch.isascii() and not ch.isspace():
            word += ch
            continue
        if word:
            tokens.append(word)
            word = ""
        if ch == " " and tokens:
            tokens[-1] += ch
        else:
            tokens.append(ch)
    if word:
        tokens.append(word)
    return tokens
