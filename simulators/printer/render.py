"""Receipts drawn as the paper would look (PNG, with a CJK font), and their QR codes read back.

Geometry of font A on a 203 dpi head: a single-byte character is a 12x24-dot cell, a Chinese
one 24x24; magnification scales the cell. Text is drawn with WenQuanYi Micro Hei (Debian
``fonts-wqy-microhei``) or another CJK font found under /usr/share/fonts; without one the
receipt gets a warning (Chinese would draw as empty boxes). QR codes are read with opencv from
the rendered pixels, one graphic at a time, the way a phone would read the paper.
"""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from simulators.printer.model import Cell, Graphic, Line, Receipt, Space

log = logging.getLogger(__name__)

CELL_W, CELL_H = 12, 24
MARGIN = 16
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)


def find_cjk_font() -> Path | None:
    for path in FONT_CANDIDATES:
        if path.exists():
            return path
    found = sorted(Path("/usr/share/fonts").glob("**/*[Ww][Qq][Yy]*.tt[cf]"))
    return found[0] if found else None


class ReceiptRenderer:
    """Draws receipts; keeps a glyph cache, so one renderer per thread."""

    def __init__(self, font_path: Path | None = None) -> None:
        self.font_path = font_path or find_cjk_font()
        self._font: ImageFont.FreeTypeFont | ImageFont.ImageFont
        if self.font_path is not None:
            self._font = ImageFont.truetype(str(self.font_path), CELL_H - 2)
        else:
            self._font = ImageFont.load_default()
        self._glyphs: dict[tuple[str, int, bool], Image.Image] = {}
        self._detector = cv2.QRCodeDetector()

    def render(self, receipt: Receipt) -> Image.Image:
        """The receipt as a grayscale image (white paper, black print)."""
        if self.font_path is None:
            receipt.warnings.append("no CJK font installed: Chinese drawn as boxes")
        width = receipt.dots + 2 * MARGIN
        height = 2 * MARGIN + sum(self._advance(item) for item in receipt.items)
        page = Image.new("L", (width, max(height, 2 * MARGIN + CELL_H)), 255)
        y = MARGIN
        for item in receipt.items:
            if isinstance(item, Line):
                self._line(page, item, y)
            elif isinstance(item, Graphic):
                page.paste(item.image.convert("L"), (MARGIN + item.x, y))
            y += self._advance(item)
        return page

    def decode_qr(self, receipt: Receipt, page: Image.Image) -> None:
        """Fill ``decoded`` of each QR-like graphic from the rendered page."""
        y = MARGIN
        for item in receipt.items:
            if isinstance(item, Graphic) and item.kind in ("qr", "raster", "column"):
                box = (MARGIN + item.x, y, MARGIN + item.x + item.width, y + item.height)
                item.decoded = self._read_qr(page.crop(box))
                if item.kind == "qr" and item.decoded is None:
                    receipt.warnings.append("a printed QR code could not be read back")
            y += self._advance(item)

    def _read_qr(self, symbol: Image.Image) -> str | None:
        quiet = max(32, symbol.width // 5)
        canvas = Image.new("L", (symbol.width + 2 * quiet, symbol.height + 2 * quiet), 255)
        canvas.paste(symbol, (quiet, quiet))
        pixels = np.asarray(canvas)
        for scale in (1, 2):
            image = pixels if scale == 1 else cv2.resize(
                pixels, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
            text, points, _ = self._detector.detectAndDecode(image)
            if points is not None and text:
                return str(text)
        return None

    @staticmethod
    def _advance(item: Line | Graphic | Space) -> int:
        if isinstance(item, Line):
            return max(item.spacing, CELL_H * item.height)
        if isinstance(item, Graphic):
            return item.height
        return item.dots

    def _line(self, page: Image.Image, line: Line, y: int) -> None:
        x = MARGIN + line.indent * CELL_W
        top = y + max(line.spacing, CELL_H * line.height) - CELL_H * line.height
        for cell in line.cells:
            glyph = self._glyph(cell)
            w, h = glyph.size
            page.paste(glyph, (x, top + CELL_H * line.height - h))
            x += w

    def _glyph(self, cell: Cell) -> Image.Image:
        key = (cell.ch, cell.cols, cell.bold)
        base = self._glyphs.get(key)
        if base is None:
            cell_w = CELL_W * cell.cols
            right = self._font.getbbox(cell.ch)[2]
            drawn = Image.new("L", (max(cell_w, int(right) + 2), CELL_H), 255)
            ImageDraw.Draw(drawn).text((0, 0), cell.ch, font=self._font, fill=0,
                                       stroke_width=1 if cell.bold else 0, stroke_fill=0)
            # a glyph wider than its cell (m, W in a proportional font) is squeezed, as the
            # printer's fixed-pitch font would draw it
            base = drawn if drawn.width == cell_w else drawn.resize((cell_w, CELL_H))
            self._glyphs[key] = base
        glyph = base
        if cell.width != 1 or cell.height != 1:
            glyph = base.resize((base.width * cell.width, base.height * cell.height),
                                Image.Resampling.NEAREST)
        if cell.underline or cell.invert:
            glyph = glyph.copy()
            draw = ImageDraw.Draw(glyph)
            if cell.underline:
                draw.rectangle((0, glyph.height - 2, glyph.width, glyph.height), fill=0)
            if cell.invert:
                glyph = Image.eval(glyph, lambda v: 255 - v)
        return glyph


def write_receipt(receipt: Receipt, out_dir: Path, renderer: ReceiptRenderer) -> Path:
    """Render ``receipt`` and write ``receipt-NNNN.{png,txt,json}``; the PNG's path."""
    page = renderer.render(receipt)
    renderer.decode_qr(receipt, page)
    stem = out_dir / f"receipt-{receipt.index:04d}"
    page.save(stem.with_suffix(".png"))
    stem.with_suffix(".txt").write_text(receipt.text + "\n", encoding="utf-8")
    stem.with_suffix(".json").write_text(receipt.to_json(), encoding="utf-8")
    return stem.with_suffix(".png")
