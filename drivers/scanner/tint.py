"""A quad too large on a light-ground cloth, told by the colour just inside its sides.

A gingham or striped cloth's light ground is as bright as paper in the darkest channel, so a
quad whose two sides lie on the cloth's lines beyond the page reads as paper inside those
sides, in its corners and all over its interior, and, larger, outscores the page's own quad
(tuning 9014 mix #169, #211, 9002 mix #241). The ground is tinted (a pale green, a lavender)
where the paper is not: just inside such a side the colour, brightness set aside, is not the
paper's. Read only where the search's best holds a rival seen better (see
:func:`without_tinted`): everywhere else nothing runs.
"""

from __future__ import annotations

import cv2
import numpy as np

from drivers.scanner.geometry import grid_in_quads, quad_areas
from drivers.scanner.support import (
    INTERIOR_GRID,
    interior_share,
    sample_points,
    side_points,
    smoothed,
)

_DEPTHS = (3.0, 5.0, 7.0)
"""How far inside each side (search pixels) its colour is read: the page's margin."""


def chroma(small: np.ndarray) -> np.ndarray:
    """Each pixel's colour with its brightness set aside: B, G, R over their mean (plus 8, so
    dark pixels count as grey), after a light blur (H x W x 3, float32)."""
    col = cv2.GaussianBlur(small.astype(np.float32), (0, 0), 1.0)
    return np.asarray(col / (col.mean(axis=2, keepdims=True) + 8.0), np.float32)


def side_tint(small: np.ndarray, white: np.ndarray, quads: np.ndarray,
              tolerance: float = 0.04, same_ground: float = 0.14, samples: int = 16
              ) -> np.ndarray:
    """Per quad: the least, over its sides, share of points just inside the side (16 along it,
    at 3, 5 and 7 search pixels in) whose chroma (:func:`chroma`) is within ``tolerance`` of
    the paper's: the median of the interior grid's points within the interior's own tolerance
    of the paper's level (:func:`drivers.scanner.support.interior_share`). Points beyond the
    frame count as paper. A side counts only where the ground just inside it (its median
    chroma, 3 to 7 pixels in) is within ``same_ground`` of the ground just outside it: the
    same cloth on both sides of one of its lines, where a page's coloured band or printed frame
    inside its own edge is not the desk beyond it (tuning 9001 mix #165, #231)."""
    if not len(quads) or small.ndim != 3:
        return np.ones(len(quads))
    level = interior_share(white, quads)[1]
    ch = chroma(small)
    smooth = smoothed(white, 1.0)
    inner = grid_in_quads(quads, INTERIOR_GRID, INTERIOR_GRID)  # Q x 36 x 2
    bright = sample_points(smooth, inner) > level[:, None] - 40.0
    grid = np.stack([sample_points(ch[..., c], inner) for c in range(3)], axis=-1)
    pts, normal = side_points(quads, samples)
    out = np.ones(len(quads))
    for i in range(len(quads)):
        paper = np.median(grid[i][bright[i]] if bright[i].any() else grid[i], axis=0)
        at = np.stack([pts[i] + d * normal[i][:, None, :] for d in (*_DEPTHS, *(
            -d for d in _DEPTHS))])  # 2D x 4 x S x 2: outside, then inside
        vals = np.stack([sample_points(ch[..., c], at, np.nan) for c in range(3)], axis=-1)
        vals = np.where(np.isnan(vals), paper, vals)  # beyond the frame: as paper
        outer, within = vals[:len(_DEPTHS)], vals[len(_DEPTHS):]
        near = (np.abs(within - paper).max(axis=-1) < tolerance).mean(axis=(0, 2))
        # a side counts only where the ground just inside it is the ground just outside it
        # (the same cloth on both sides of one of its lines); a page's coloured band or
        # printed frame inside its edge is not the desk beyond it
        same = np.abs(np.median(within, axis=(0, 2)) - np.median(outer, axis=(0, 2))
                      ).max(axis=-1) < same_ground
        out[i] = float(np.where(same, near, 1.0).min())
    return out


def without_tinted(small: np.ndarray, white: np.ndarray,
                   scored: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
                   rival: float, least: float
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The search's shortlist (quads, score, support, inside), where its best holds a rival
    (scoring at least ``rival`` times as much, its sides seen better, at most 0.9 times its
    area): every quad scoring at least ``rival`` times the best with a tint
    (:func:`side_tint`) under ``least`` has its score and inside scaled by its tint, when one
    of the rivals is paper-coloured inside its sides (tint at least 0.8). Otherwise unchanged
    (and no tint is read)."""
    quads, score, support, inside = scored
    best = int(np.argmax(score))
    areas = quad_areas(quads)
    outline = quads[best].astype(np.float32).reshape(-1, 1, 2)
    near = [i for i in range(len(quads)) if score[i] >= rival * score[best]]
    held = [i for i in near if i != best and support[i] > support[best]
            and areas[i] <= 0.9 * areas[best]
            and all(cv2.pointPolygonTest(outline, (float(x), float(y)), True) >= -2.0
                    for x, y in quads[i])]
    if not held:
        return scored
    tint = dict(zip(near, side_tint(small, white, quads[near]), strict=True))
    if tint[best] >= least or max(tint[i] for i in held) < 0.8:
        return scored
    score, inside = score.copy(), inside.copy()
    for i in near:
        if tint[i] < least:
            score[i] *= tint[i]
            inside[i] *= tint[i]
    return quads, score, support, inside
