"""Candidates of a colour view when a small, strongly tinted object takes its Otsu threshold.

The contour candidates (:func:`drivers.scanner.candidates.contour_candidates`) take a view's
bright regions at its Otsu threshold: two classes, paper and desk. In the colour views (warm,
cool, green, pink: :mod:`drivers.scanner.views`) a pale page on a light desk differs from it by
a faint tint, while a sticky note or a coloured object on the desk stands far further out.
Otsu's threshold then falls between that object and everything else, and no region has the
page's outline, though its sides, read against the desk, are well seen (tuning seeds: 9009
white on light #64, 9005 #10, 9007 #13, 9004 #61). When the bright class is that small, the
levels at or below the threshold are split once more (Otsu again, on their histogram alone:
the object masked out), and the regions above that second threshold give candidates too.
"""

from __future__ import annotations

import cv2
import numpy as np

from drivers.scanner.candidates import contour_candidates

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
