"""The last look for "cut off" (round 11), beside the page reported rather than past its
sides: paper far brighter than the quad running off the frame apart from it. The page in view
is then cut off, and the quad is something beside it that the search took for the page (a
checked tablecloth's squares, a sticky note), which a blur gate reading sharpness where the
print is could pass (:func:`paper_beside`, from :func:`drivers.scanner.finish.cut_off_far`).
"""

from __future__ import annotations

import cv2
import numpy as np

from drivers.scanner.geometry import grid_in_quads, quad_area
from drivers.scanner.margins import bright
from drivers.scanner.support import sample_points

_GRID = tuple(float(g) for g in np.linspace(0.05, 0.95, 15))
"""A 15 x 15 grid over a quad, from 5 % to 95 % of the way along both pairs of sides
(:func:`drivers.scanner.geometry.grid_in_quads`)."""


def paper_beside(white: np.ndarray, quad: np.ndarray, unit: float = 1.0,
                 brighter: float = 32.0, share: float = 0.5) -> bool:
    """(Round 11) Whether paper far brighter than the quad's inside (``brighter`` levels above
    the 80th percentile, nearest rank, of a 15 x 15 grid of points over it; ``white`` the
    uint8 plain view) fills a region beside the quad (along less than a tenth of a ring 3
    ``unit`` wide around its sides) that runs off the frame (it reaches the picture's border)
    and is at least ``share`` of the quad's area: the page in view is cut off, and the quad
    reported is something beside it (squares of a checked tablecloth, a sticky note: tuning
    9004 cut #34, 9002 cut #42, 9010 cut #76, refused only as blurred). Paper, not a lamp's
    glow on the desk: the region's median is half ``brighter`` or more above the median of a
    ring 3 ``unit`` wide around it (a cut page 28-84 levels; a page in the shadow of a lit
    desk, 9012 mix #202: 7-9). A sheet the page lies on, and a desk brighter than a cream page
    (9001 mix #182), lie along the page's sides; another sheet beside a page was at most a
    quarter of its area (9002 mix #284). Read only when the picture's border is that bright
    somewhere."""
    h, w = white.shape
    q = np.asarray(quad, np.float64)
    grid = grid_in_quads(q[None], _GRID, _GRID)[0]
    level = bright(sample_points(white, grid, own_depth=True)) + brighter
    rim = np.concatenate((white[0], white[-1], white[:, 0], white[:, -1]))
    if level > 255 or int(rim.max()) < level:
        return False
    lit = (white >= level).astype(np.uint8)
    inside = np.zeros_like(lit)
    cv2.fillConvexPoly(inside, np.round(q).astype(np.int32), 1)
    r = max(1, round(3.0 * unit))
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    near = cv2.dilate(inside, disc)
    lit[inside > 0] = 0
    labels, stats = cv2.connectedComponentsWithStats(lit, connectivity=4)[1:3]
    x, y, bw, bh, area = (stats[:, k] for k in range(5))
    beside = (x == 0) | (y == 0) | (x + bw == w) | (y + bh == h)
    beside &= area >= share * quad_area(q)
    beside[0] = False  # the background
    ring = labels[near > inside]
    along = np.bincount(ring, minlength=len(beside))  # each region's share of the sides' ring
    beside &= along < 0.1 * max(1, ring.size)
    for k in np.flatnonzero(beside):  # paper: a step down all round it (not a lamp's glow)
        region = (labels == k).astype(np.uint8)
        around = cv2.dilate(region, disc) > region
        if (float(np.median(white[region > 0])) - float(np.median(white[around]))
                >= 0.5 * brighter):
            return True
    return False
