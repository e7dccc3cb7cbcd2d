"""Candidates from a second Otsu split: a colour view when a small, strongly tinted object
takes its Otsu threshold, the paler part of a white-ground cloth, a light-ground cloth's
brightest regions.

The contour candidates (:func:`drivers.scanner.candidates.contour_candidates`) take a view's
bright regions at its Otsu threshold: two classes, paper and desk. In the colour views (warm,
cool, green, pink: :mod:`drivers.scanner.views`) a pale page on a light desk differs from it by
a faint tint, while a sticky note or a coloured object on the desk stands far further out.
Otsu's threshold then falls between that object and everything else, and no region has the
page's outline, though its sides, read against the desk, are well seen (tuning seeds: 9009
white on light #64, 9005 #10, 9007 #13, 9004 #61). When the bright class is that small, the
levels at or below the threshold are split once more (Otsu again, on their histogram alone:
the object masked out), and the regions above that second threshold give candidates too.

The same second split, over the levels *above* the first threshold, serves two more searches:
the paler part of a white-ground cloth (:func:`paler_candidates`, the ``PALER`` view) and the
brightest regions of a light-ground striped or dotted cloth (:func:`upper_candidates`, the
unsure frame's second search). Every such split is :func:`otsu_level` on a histogram with the
other levels zeroed.
"""

from __future__ import annotations

import cv2
import numpy as np

from drivers.scanner.candidates import contour_candidates, outline_quads

SMALL_BRIGHT = 0.15
"""The bright class of a view's Otsu split is an object, not a page, below this share of the
frame; the levels under it are split again."""


def otsu_level(hist: np.ndarray) -> int:
    """The level ``t`` of the histogram ``hist`` (256 counts) that best splits it into ``<= t``
    and ``> t`` (the largest between-class variance), as ``cv2.THRESH_OTSU`` takes it."""
    counts = hist.astype(np.float64)
    level = np.arange(len(counts), dtype=np.float64)
    below = np.cumsum(counts)
    mass = np.cumsum(counts * level)
    total, whole = float(below[-1]), float(mass[-1])
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = (whole * below / total - mass) ** 2 / (below * (total - below))
    spread[~np.isfinite(spread)] = -1.0
    return int(np.argmax(spread))


def under_object_candidates(white: np.ndarray, min_area: float,
                            small: float = SMALL_BRIGHT) -> list[np.ndarray]:
    """Quads from the regions of the view ``white`` (uint8) above Otsu's threshold taken on the
    levels under the first one, when the first one's bright class is under ``small`` of the
    frame (see the module's notes); none otherwise."""
    first, _ = cv2.threshold(white, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    hist = np.bincount(white.ravel(), minlength=256)
    top = int(first) + 1
    if int(hist[top:].sum()) >= small * white.size or top <= 1:
        return []
    hist[top:] = 0
    second = otsu_level(hist)
    if second <= 0:
        return []
    mask = np.where(white > second, 255, 0).astype(np.uint8)
    return contour_candidates(mask, np.zeros_like(mask), min_area)


WHITE_GROUND = 0.4
"""The bright class of the plain view's Otsu split holds a white ground, not only the page,
from this share of the frame on; its levels are then split again."""


def paler_candidates(white: np.ndarray, min_area: float, ground: float = WHITE_GROUND,
                     times: int = 2) -> list[np.ndarray]:
    """Quads from the regions of the plain view ``white`` (uint8) above Otsu's thresholds
    taken on the levels over the first one, then over that one (``times`` in all), when the
    first one's bright class is ``ground`` of the frame or more: a white-ground flowered or
    gingham tablecloth, whose ground and the page fall into one bright class and whose
    flowers hold the first split (tuning seeds 9008 mix #128, 9009 mix #7). None otherwise."""
    first, _ = cv2.threshold(white, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    hist = np.bincount(white.ravel(), minlength=256)
    top = int(first) + 1
    if int(hist[top:].sum()) < ground * white.size:
        return []
    out: list[np.ndarray] = []
    none = np.zeros_like(white)
    for _ in range(times):
        hist[:top] = 0
        level = otsu_level(hist)
        if level < top or int(hist[level + 1:].sum()) < min_area:
            break
        mask = np.where(white > level, 255, 0).astype(np.uint8)
        out.extend(contour_candidates(mask, none, min_area, max_sides=6))
        top = level + 1
    return out


def upper_candidates(white: np.ndarray, min_area: float, max_sides: int = 10,
                     least: float = 0.6, fit: bool = True) -> list[np.ndarray]:
    """Quads from the outlines of the brightest regions: Otsu's threshold taken again over
    what passed the first one. On a striped, dotted or checked cloth with a light ground the
    ground passes Otsu as paper and every sheet merges with the whole cloth into one bright
    region (tuning 9007 two-documents #51: nothing found); the paper is brighter still than
    that ground, and a second threshold over the bright class alone leaves the sheets. Each
    outline's hull quads as the contour candidates, and the quads of its sides where it is
    dented (a page over another sheet) as the concave candidates
    (:mod:`drivers.scanner.candidates`). Only for the frames where the plain search is unsure,
    and only when what passed the first threshold is at least ``least`` of the frame (the
    cloth's ground with it; else the first search's regions are the sheets already)."""
    first, _ = cv2.threshold(white, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    hist = np.bincount(white.ravel(), minlength=256)
    top = int(first) + 1
    if int(hist[top:].sum()) < max(min_area, least * white.size):
        return []
    hist[:top] = 0  # Otsu over what passed the first threshold only
    mask = np.where(white > otsu_level(hist), 255, 0).astype(np.uint8)
    out: list[np.ndarray] = []
    for size in (3, 5):  # 5: where the lamp lifts the ground under it too, specks join the
        # page to the cloth (tuning 9008 curled #34)
        opened = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((size, size), np.uint8))
        out.extend(outline_quads(opened, min_area, max_sides, hulls=True, fit=fit))
    return out
