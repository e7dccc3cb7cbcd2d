"""Scoring a page detection against the ground truth, SmartDoc 2015 style.

SmartDoc 2015 challenge 1 (Burie et al., ICDAR 2015) scores each frame with the Jaccard index
of the detected and the true quadrilaterals *in the document's own frame*: both are mapped by
the homography that takes the true corners to the page rectangle, so a pixel of error counts
the same whether the page is near or far; a frame where nothing is found scores 0. The mean
over the frames is the figure. :func:`jaccard_image` gives the plain image-frame index too.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

A4_MM = (210.0, 297.0)


def _poly(points: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    pts = np.asarray(points, np.float32).reshape(-1, 2)
    return cv2.convexHull(pts).reshape(-1, 2)


def polygon_iou(
    a: Sequence[Sequence[float]] | np.ndarray, b: Sequence[Sequence[float]] | np.ndarray
) -> float:
    """Intersection over union of two convex polygons (their hulls, in fact)."""
    pa, pb = _poly(a), _poly(b)
    area_a, area_b = cv2.contourArea(pa), cv2.contourArea(pb)
    if area_a <= 0 or area_b <= 0:
        return 0.0
    inter, _ = cv2.intersectConvexConvex(pa, pb)
    union = area_a + area_b - inter
    return float(max(0.0, inter) / union) if union > 0 else 0.0


def jaccard_image(
    detected: Sequence[Sequence[float]] | np.ndarray | None,
    truth: Sequence[Sequence[float]] | np.ndarray,
) -> float:
    """Jaccard index in image pixels (0 when nothing was detected)."""
    return 0.0 if detected is None else polygon_iou(detected, truth)


def jaccard_smartdoc(
    detected: Sequence[Sequence[float]] | np.ndarray | None,
    truth: Sequence[Sequence[float]] | np.ndarray,
    page_size: tuple[float, float] = A4_MM,
) -> float:
    """Jaccard index in the page's own frame (SmartDoc 2015); ``truth`` in the page's order
    (its top-left, top-right, bottom-right, bottom-left), ``page_size`` its (width, height)."""
    if detected is None:
        return 0.0
    w, h = page_size
    rect = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    homography = cv2.getPerspectiveTransform(np.asarray(truth, np.float32).reshape(4, 2), rect)
    pts = np.asarray(detected, np.float64).reshape(-1, 2)
    ones = np.ones((len(pts), 1))
    mapped = np.hstack([pts, ones]) @ homography.T
    if np.any(mapped[:, 2] <= 1e-9):  # a corner beyond the page's horizon: hopeless
        return 0.0
    return polygon_iou(mapped[:, :2] / mapped[:, 2:], rect)
