"""Documents for the held-out scenes, drawn flat at a given resolution (BGR reflectance, 0..1).

Kinds: a form (labels on full-width ruled lines, tick boxes, a signature, a red seal), a
letter (letterhead, paragraphs), a table (a ruled grid), a certificate (a printed double border
a few millimetres inside the paper's edge), a photocopy of an ID (photo block, grey toner
background), a notice that is almost blank, and now and then a coloured band printed to the
paper's edge. Text is either Latin words (Hershey font) or pseudo-Chinese glyphs: a handful of
strokes per square cell, drawn in one ``polylines`` call per block. Paper is white, cream,
recycled grey or pastel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType

import cv2
import numpy as np

Rng = np.random.Generator

KINDS = ("form", "letter", "table", "certificate", "id-copy", "notice")
SIZES_MM = (
    ("A4", (210.0, 297.0)),
    ("A4", (210.0, 297.0)),
    ("A4", (210.0, 297.0)),
    ("A5", (148.0, 210.0)),
    ("B5", (176.0, 250.0)),
    ("Letter", (215.9, 279.4)),
)
_LATIN = ("name", "date", "address", "number", "applicant", "signature", "office", "purpose",
          "amount", "permit", "renewal", "district", "phone", "item", "total", "remarks")


@dataclass(frozen=True)
class Document:
    image: np.ndarray
    """H x W x 3 float32 reflectance, BGR, the paper's full extent (no margin around it)."""
    kind: str
    size_mm: tuple[float, float]
    """(width, height) of the paper as it lies (landscape pages have width > height)."""
    rules: tuple[float, ...]
    """Heights (mm from the top) of the full-width printed rules: where a cut can mislead."""


def _paper(rng: Rng) -> tuple[float, float, float]:
    pick = rng.random()
    if pick < 0.6:
        v = rng.uniform(0.84, 0.93)
        return v, v, v
    if pick < 0.8:  # cream
        v = rng.uniform(0.82, 0.9)
        return v * 0.9, v * 0.98, v
    if pick < 0.93:  # recycled grey
        v = rng.uniform(0.72, 0.82)
        return v, v, v * 0.99
    hue = rng.uniform(0.78, 0.9, 3)  # pastel
    return float(hue[0]), float(hue[1]), float(hue[2])


def _ink(rng: Rng, lo: float, hi: float) -> tuple[float, float, float]:
    b, g, r = rng.uniform(lo, hi, 3)
    return float(b), float(g), float(r)


def glyph_strokes(rng: Rng, x: float, y: float, cell: float) -> list[np.ndarray]:
    """A pseudo-Chinese character: 3-7 strokes inside the cell whose top-left is (x, y)."""
    out = []
    for _ in range(int(rng.integers(3, 8))):
        kind = rng.random()
        a = rng.uniform(0.1, 0.9, 2) * cell
        if kind < 0.4:  # horizontal
            b = np.array([rng.uniform(0.1, 0.9) * cell, a[1] + rng.uniform(-0.05, 0.05) * cell])
        elif kind < 0.75:  # vertical
            b = np.array([a[0] + rng.uniform(-0.05, 0.05) * cell, rng.uniform(0.1, 0.9) * cell])
        else:  # slant
            b = a + rng.uniform(-0.4, 0.4, 2) * cell
        out.append(np.array([[x + a[0], y + a[1]], [x + b[0], y + b[1]]]))
    return out


def _u8(colour: tuple[float, float, float]) -> tuple[int, int, int]:
    return round(colour[0] * 255), round(colour[1] * 255), round(colour[2] * 255)


def text_block(
    img: np.ndarray, rng: Rng, box: tuple[float, float, float, float], line_h: float,
    colour: tuple[float, float, float], cjk: bool, ragged: bool = True,
) -> None:
    """Lines of text in ``box`` (pixels) on a uint8 image; ``colour`` is a reflectance."""
    ink = _u8(colour)
    x0, y0, x1, y1 = box
    if line_h < 3 or x1 - x0 < line_h:
        return
    y = y0
    thick = max(1, round(line_h / 14))
    if cjk:
        strokes: list[np.ndarray] = []
        cell = line_h * 0.72
        while y + cell < y1:
            end = x1 - (rng.uniform(0, 0.5) * (x1 - x0) if ragged and rng.random() < 0.2 else 0)
            x = x0
            while x + cell < end:
                strokes.extend(glyph_strokes(rng, x, y, cell))
                x += cell * 1.08
            y += line_h
        if strokes:
            pts = [np.round(s * 16).astype(np.int32) for s in strokes]
            cv2.polylines(img, pts, False, ink, thick, cv2.LINE_AA, shift=4)
        return
    scale = line_h / 40.0
    while y + line_h * 0.7 < y1:
        x = x0
        base = int(y + line_h * 0.7)
        while True:
            word = str(_LATIN[int(rng.integers(len(_LATIN)))])
            (tw, _), _ = cv2.getTextSize(word, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
            if x + tw > x1 or (ragged and rng.random() < 0.03):
                break
            cv2.putText(img, word, (int(x), base), cv2.FONT_HERSHEY_SIMPLEX, scale, ink, thick,
                        cv2.LINE_AA)
            x += tw + scale * 14
        y += line_h


class _Pen:
    """Drawing on a page in millimetres."""

    def __init__(self, img: np.ndarray, ppm: float, rng: Rng, ink: tuple[float, float, float]):
        self.img, self.ppm, self.rng, self.ink = img, ppm, rng, ink

    def p(self, x: float, y: float) -> tuple[int, int]:
        return round(x * self.ppm), round(y * self.ppm)

    def line(self, x0: float, y0: float, x1: float, y1: float, width_mm: float = 0.3) -> None:
        t = max(1, round(width_mm * self.ppm))
        cv2.line(self.img, self.p(x0, y0), self.p(x1, y1), _u8(self.ink), t, cv2.LINE_AA)

    def rect(self, x0: float, y0: float, x1: float, y1: float, width_mm: float = 0.3,
             colour: tuple[float, float, float] | None = None, fill: bool = False) -> None:
        t = -1 if fill else max(1, round(width_mm * self.ppm))
        cv2.rectangle(self.img, self.p(x0, y0), self.p(x1, y1), _u8(colour or self.ink), t,
                      cv2.LINE_AA)

    def text(self, x0: float, y0: float, x1: float, y1: float, line_mm: float,
             cjk: bool | None = None) -> None:
        use_cjk = bool(self.rng.random() < 0.6) if cjk is None else cjk
        text_block(self.img, self.rng, (x0 * self.ppm, y0 * self.ppm, x1 * self.ppm,
                                        y1 * self.ppm), line_mm * self.ppm, self.ink, use_cjk)

    def seal(self, x: float, y: float, r: float) -> None:
        red = (46, 51, 191)
        cv2.circle(self.img, self.p(x, y), round(r * self.ppm), red,
                   max(1, round(0.8 * self.ppm)), cv2.LINE_AA)
        star = [(x + 0.35 * r * math.cos(a), y + 0.35 * r * math.sin(a))
                for a in np.linspace(-math.pi / 2, 1.5 * math.pi, 6)[:-1]]
        pts = np.array([self.p(*star[(2 * k) % 5]) for k in range(5)], np.int32)
        cv2.fillPoly(self.img, [pts], red, cv2.LINE_AA)

    def signature(self, x: float, y: float, w: float) -> None:
        t = np.linspace(0, 1, 60)
        xs = x + w * t
        ys = y + 3 * np.sin(t * self.rng.uniform(8, 20)) * np.sin(t * 3.1)
        pts = np.stack([xs, ys], axis=1) * self.ppm
        cv2.polylines(self.img, [np.round(pts * 16).astype(np.int32)], False, (128, 51, 26),
                      max(1, round(0.4 * self.ppm)), cv2.LINE_AA, shift=4)


def _form(pen: _Pen, w: float, h: float, margin: float) -> list[float]:
    rng = pen.rng
    rules = []
    pen.text(margin, margin, w - margin, margin + 14, 11, cjk=True)
    y = margin + 22
    step = rng.uniform(9, 16)
    while y < h - margin - 30:
        pen.text(margin, y - step * 0.75, margin + 40, y - 1, step * 0.6)
        pen.line(margin, y, w - margin, y, rng.uniform(0.2, 0.6))
        rules.append(y)
        if rng.random() < 0.3:
            pen.rect(w - margin - 30, y - 6, w - margin - 25, y - 1)
        y += step
    pen.signature(w - margin - 60, h - margin - 12, 45)
    if rng.random() < 0.7:
        pen.seal(w - margin - 35, h - margin - 20, rng.uniform(12, 20))
    return rules


def _letter(pen: _Pen, w: float, h: float, margin: float) -> list[float]:
    rng = pen.rng
    band = rng.uniform(15, 30)
    pen.rect(margin, margin, margin + band * 1.5, margin + band, colour=_ink(rng, 0.1, 0.7),
             fill=True)
    pen.text(margin + band * 1.8, margin, w - margin, margin + band, 6)
    pen.line(margin, margin + band + 4, w - margin, margin + band + 4, 0.5)
    y = margin + band + 12
    while y < h - margin - 40:
        para = rng.uniform(20, 60)
        pen.text(margin, y, w - margin, min(y + para, h - margin - 40), rng.uniform(4.5, 7))
        y += para + 6
    pen.signature(margin, h - margin - 20, 50)
    return [margin + band + 4]


def _table(pen: _Pen, w: float, h: float, margin: float) -> list[float]:
    rng = pen.rng
    pen.text(margin, margin, w - margin, margin + 12, 10, cjk=True)
    top, bottom = margin + 18, h - margin - rng.uniform(0, 60)
    rows = int(rng.integers(8, 30))
    cols = int(rng.integers(2, 7))
    ys = np.linspace(top, bottom, rows + 1)
    xs = np.linspace(margin, w - margin, cols + 1)
    heavy = rng.uniform(0.25, 0.8)
    for y in ys:
        pen.line(margin, y, w - margin, y, heavy)
    for x in xs:
        pen.line(x, top, x, bottom, heavy * 0.7)
    cell_h = (bottom - top) / rows
    for r in range(rows):
        for c in range(cols):
            if rng.random() < 0.7:
                pen.text(xs[c] + 1.5, ys[r] + cell_h * 0.2, xs[c + 1] - 1.5, ys[r + 1],
                         cell_h * 0.6)
    return [float(y) for y in ys]


def _certificate(pen: _Pen, w: float, h: float, margin: float) -> list[float]:
    rng = pen.rng
    inset = rng.uniform(4, 12)
    colour = (0.15, 0.35, 0.55) if rng.random() < 0.5 else pen.ink
    pen.rect(inset, inset, w - inset, h - inset, rng.uniform(0.8, 2.0), colour=colour)
    pen.rect(inset + 2, inset + 2, w - inset - 2, h - inset - 2, 0.3, colour=colour)
    pen.text(w * 0.25, h * 0.12, w * 0.75, h * 0.2, 14, cjk=True)
    pen.text(margin + 10, h * 0.3, w - margin - 10, h * 0.7, 8)
    pen.seal(w * 0.7, h * 0.8, 18)
    return [inset, h - inset]


def _id_copy(pen: _Pen, w: float, h: float, margin: float) -> list[float]:
    rng = pen.rng
    toner = rng.uniform(0.75, 0.95)
    pen.img[:] = (pen.img * toner).astype(np.uint8)
    for k in range(2):
        x0, y0 = margin + 10, margin + 20 + k * 70
        pen.rect(x0, y0, x0 + 86, y0 + 54, 0.4)
        photo = pen.img[round((y0 + 8) * pen.ppm):round((y0 + 42) * pen.ppm),
                        round((x0 + 60) * pen.ppm):round((x0 + 82) * pen.ppm)]
        photo[:] = (photo * rng.uniform(0.2, 0.5)).astype(np.uint8)
        pen.text(x0 + 4, y0 + 6, x0 + 56, y0 + 50, 6, cjk=True)
    pen.text(margin, margin + 170, w - margin, h - margin, 6)
    return []


def _notice(pen: _Pen, w: float, h: float, margin: float) -> list[float]:
    pen.text(margin, margin, w - margin, margin + 20, 12, cjk=True)
    pen.text(margin, margin + 30, w - margin, margin + 50, 6)
    return []


_DRAW = MappingProxyType(
    {"form": _form, "letter": _letter, "table": _table, "certificate": _certificate,
     "id-copy": _id_copy, "notice": _notice}
)


def render_document(
    rng: Rng,
    kind: str,
    size_mm: tuple[float, float],
    ppm: float,
    edge_band: bool = False,
) -> Document:
    """A flat document ``size_mm`` (width, height) at ``ppm`` pixels per millimetre."""
    w_mm, h_mm = size_mm
    landscape = w_mm > h_mm
    pw, ph = (h_mm, w_mm) if landscape else (w_mm, h_mm)  # draw portrait, turn at the end
    wpx, hpx = max(8, round(pw * ppm)), max(8, round(ph * ppm))
    img = np.empty((hpx, wpx, 3), np.uint8)
    img[:] = _u8(_paper(rng))
    ink = (0.07, 0.07, 0.08) if rng.random() < 0.8 else (0.35, 0.12, 0.08)
    pen = _Pen(img, ppm, rng, ink)
    margin = rng.uniform(12, 25)
    rules = _DRAW[kind](pen, pw, ph, margin)
    if edge_band:  # a coloured band printed to the edge (letterhead, brochure)
        depth = rng.uniform(10, 35)
        pen.rect(-1, -1, pw + 1, depth, colour=_ink(rng, 0.05, 0.6), fill=True)
    fibres = rng.standard_normal((hpx, wpx)).astype(np.float32) * 0.03
    out = img.astype(np.float32) / 255 * (1 + cv2.GaussianBlur(fibres, (0, 0), 1.0)[..., None])
    np.clip(out, 0.0, 1.0, out=out)
    if landscape:
        out = np.ascontiguousarray(np.rot90(out, 1))
        rules = []  # after turning, the rules run across the page's height: not tracked
    return Document(out, kind, (w_mm, h_mm), tuple(rules))
