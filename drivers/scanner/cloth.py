"""A white page on a white-ground dotted or flowered cloth, that no view found (round 11).

The cloth's ground is as white as the paper, and its marks (dots, flowers) are too far apart
for the smooth view's blur to turn it grey: every view sees paper on both sides of the page's
edge, and nothing is found (tuning seed 9013 curled #18, #21, 9011 curled #91). But the
page's print is grey and the cloth's marks are coloured: the coloured marks closed over with a
disc about their spacing (:data:`drivers.scanner.views.CLOTH`) make the cloth solid, and
the page is the large hole in it. The hole's outline follows the marks, a few pixels off the
page's edge where none touches it, so its corners are refined again in the plain view, where
the marks the page covers end on its edge. Searched only when nothing was found, or a scrap
too small to be the page and not sure of (``DetectParams.cloth_below``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import cv2
import numpy as np

from drivers.scanner.detection import Detection, near_edge
from drivers.scanner.finish import cut_off_far, finish
from drivers.scanner.frames import Frames
from drivers.scanner.geometry import order_clockwise
from drivers.scanner.params import DetectParams
from drivers.scanner.refine import refine_corners
from drivers.scanner.support import seen_finely
from drivers.scanner.views import CLOTH, View, coloured

MARKS = (0.05, 0.45)
"""The share of the (small) frame a patterned cloth's coloured marks take: tuning 9010-9013's
dotted and flowered cloths under a page 0.12-0.26; a frame nearly all colour (a coloured desk)
or nearly none is not one."""
SPOTS = 60
"""The least number of separate coloured marks a patterned cloth shows (tuning: 78-334); of the
7 speed frames where nothing is found, 5 show 0-27, one 51 (and one 311 over 52 % of it)."""


def patterned(small: np.ndarray) -> bool:
    """Whether the (small, BGR) frame looks like a white-ground cloth with coloured marks:
    many separate ones (:data:`SPOTS`), taking a share :data:`MARKS` of it."""
    if small.ndim == 2:
        return False
    marks = coloured(small)
    share = float(marks.mean())
    if not MARKS[0] <= share <= MARKS[1]:
        return False
    return int(cv2.connectedComponents(marks.astype(np.uint8))[0]) - 1 >= SPOTS


def on_cloth(f: Frames, p: DetectParams, search: Callable[[Frames, View, DetectParams], Any]
             ) -> Detection | None:
    """The page found in the cloth view of frames ``f`` (the detector's) with settings ``p``,
    refined in the plain view; None when it is not seen at least ``p.cloth_doubt``, is smaller
    than ``p.fallback_min_area`` of the frame or is at the frame's edge. ``search`` is
    the detector's. It is cut off (None) also as the detector's last look would have it
    (:func:`drivers.scanner.finish.cut_off_far`), read in the cloth view: in the plain one the
    cloth's white ground is paper running on to the frame's edge."""
    if not patterned(f.small):
        return None
    view = replace(CLOTH, cloth=p.cloth_radius)  # (its pictures made once: Frames.paper)
    found = search(f, view, p)
    if found is None:
        return None
    page: Detection = found.detection
    if page.corners is None or page.touches_border or page.area_share < p.fallback_min_area:
        return None
    h, w = f.frame.shape[:2]
    refined = order_clockwise(refine_corners(f.gray, page.corners,
                                             radius=max(3.0, 1.5 / f.scale),
                                             samples=p.refine_samples))
    if near_edge(refined, (w, h), p.border_margin):
        return None
    fine = f.paper(view, fine=True)  # (made by the search: kept)
    seen_on = np.asarray(fine, np.float32)
    seen = seen_finely(seen_on, refined * f.fine_scale, p.contrast, (view.reading,))
    if seen < p.cloth_doubt:
        return None
    sw, sh = f.small.shape[1::-1]
    out = finish(seen_on, (w, h), refined, refined * f.scale, (sw, sh), seen, p)
    if out.touches_border:
        return None
    judged = cut_off_far(f, out, p, white=fine)
    return None if judged.touches_border else out
