"""A quad that is a page and the sheet under it taken as one: the page's edge over the sheet,
a straight step across the quad.

Where a page lies over another sheet and their outer sides happen to line up (or the sheet's
part beyond the page is a quad of its own), the union of the two is a clean quadrilateral whose
sides are all seen: it scores as a page and is accepted. Inside it, though, the page's edge over
the sheet runs straight across from one side to the opposite one: paper on both sides of it,
a step of a few levels between them, the same way all along (the two sheets' papers differ, or
the upper one's edge throws a faint line). A page's own print does not: text and rules are thin
and dark (taken out by a grey dilation of the flattened quad), a colour band is not paper.

The quad is flattened (a perspective warp of the whiteness image to ``size`` x ``size``, then
dilated and shrunk), and every straight line from one side to the opposite one (corners on a
grid) is read for that step; the quad is split along the best, and the larger part kept (the
page on top hides part of the sheet under it).
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from drivers.scanner.detection import Detection, near_edge
from drivers.scanner.finish import paper_runs_on
from drivers.scanner.frames import Frames
from drivers.scanner.geometry import order_clockwise
from drivers.scanner.params import DetectParams
from drivers.scanner.refine import refine_corners
from drivers.scanner.support import seen_finely

_SIZE = 48
"""Side of the flattened quad (pixels)."""


@lru_cache(maxsize=8)
def _lines(size: int, margin: int) -> tuple[np.ndarray, np.ndarray]:
    """Every line from the top row to the bottom one of a ``size`` square, its ends at least
    ``margin`` from the left and right: (x at the top, x at the bottom) pairs, and each line's
    x at every row (L x rows); made once a size (read only)."""
    xs = np.arange(margin, size - margin)
    top, bottom = (v.ravel() for v in np.meshgrid(xs, xs, indexing="ij"))
    rows = np.arange(size)
    x = top[:, None] + (bottom - top)[:, None] * rows[None, :] / (size - 1.0)
    ends, at = np.stack([top, bottom], axis=1), np.rint(x).astype(np.intp)
    ends.flags.writeable = at.flags.writeable = False
    return ends, at


def _best_line(flat: np.ndarray, paper: float, step: float, share: float, tolerance: float,
               margin: int, near: tuple[float, float, float] | None = None
               ) -> tuple[float, int, int] | None:
    """The strongest top-to-bottom line of steady step in ``flat`` (see the module's notes):
    (its step, x at the top, x at the bottom), or None. With ``near`` (x at the top, at the
    bottom, reach), only the lines whose ends are within reach of those."""
    size = flat.shape[0]
    ends, x = _lines(size, margin)
    if near is not None:
        keep = np.max(np.abs(ends - np.array(near[:2])), axis=1) <= near[2]
        ends, x = ends[keep], x[keep]
    f = flat.astype(np.float32)
    pad = np.pad(f, ((0, 0), (3, 3)), mode="edge")
    left = 0.5 * (pad[:, 1:-5] + pad[:, 2:-4])  # x-2, x-1
    right = 0.5 * (pad[:, 4:-2] + pad[:, 5:-1])  # x+1, x+2
    rows = np.arange(size)[None, 2:-2]
    xx = x[:, 2:-2]
    lv, rv = left[rows, xx], right[rows, xx]
    diff = np.abs(rv - lv)
    steady = np.mean(diff >= 0.5 * step, axis=1)
    good = (steady >= share) & (np.mean(diff >= step, axis=1) >= 0.5)  # (the median: step)
    good[good] = np.mean(np.maximum(lv[good], rv[good]) >= paper - tolerance, axis=1) >= share
    if not good.any():
        return None
    med = np.median(diff[good], axis=1)  # (only where it can count: the rest is costly)
    rank = med * steady[good] + 0.01 * diff[good].mean(axis=1)  # (ties: the sharpest line)
    k = int(np.argmax(rank))
    at = np.flatnonzero(good)[k]
    return float(med[k]), int(ends[at, 0]), int(ends[at, 1])


def odd_shape(quad: np.ndarray, long: float = 1.7, square: float = 0.0) -> bool:
    """Whether ``quad`` (4 x 2, in order around) is longer (or squarer) than a sheet of paper
    looks: its opposite sides' mean lengths in a ratio of at least ``long`` (or at most
    ``square``). Paper is 1.29-1.41; pages found right, tuning seeds: 1.23-1.50; the first
    generator's steep views reach 1.65 (frame 291 of the accuracy set, which a first gate of
    1.6 cut at a shadow's edge). Squarer: off (1.15 cut a page extended over a colour band,
    and the squarer unions of the tuning seeds have desk along part of their seam)."""
    q = np.asarray(quad, np.float64)
    s = np.linalg.norm(np.roll(q, -1, axis=0) - q, axis=1)
    r = float((s[0] + s[2]) / max(s[1] + s[3], 1e-9))
    r = max(r, 1.0 / max(r, 1e-9))
    return r >= long or r <= square


def split_union(white: np.ndarray, quad: np.ndarray, step: float = 4.0, share: float = 0.85,
                tolerance: float = 30.0, least: float = 0.08) -> np.ndarray | None:
    """``quad`` (4 x 2, clockwise from the top-left, pixels of ``white``) cut to its larger part
    where a straight step across it says it is a page and the sheet under it (see the module's
    notes), None where there is none. ``least``: the smaller part's least share of the width."""
    q = np.asarray(quad, np.float32)
    big = 2 * _SIZE
    square = np.array([[0, 0], [big - 1, 0], [big - 1, big - 1], [0, big - 1]], np.float32)
    m = cv2.getPerspectiveTransform(q, square)
    flat = cv2.warpPerspective(white, m, (big, big), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)
    fine = cv2.dilate(flat, np.ones((3, 3), np.uint8))
    flat = cv2.resize(fine, (_SIZE, _SIZE), interpolation=cv2.INTER_AREA)
    paper = float(np.percentile(flat, 80))
    margin = max(3, round(least * _SIZE))
    found = []
    for turned in (False, True):
        img = flat.T if turned else flat
        best = _best_line(img, paper, step, share, tolerance, margin)
        if best is not None:
            found.append((abs(best[0]), turned, best[1], best[2]))
    if not found:
        return None
    _, turned, a, b = max(found)
    # the line found again on the square twice as fine, within a step of the coarse one
    sharp = _best_line(fine.T if turned else fine, paper, step, 0.0, 255.0, 2 * margin - 1,
                       near=(2 * a + 0.5, 2 * b + 0.5, 2.5))
    top, bottom = (float(sharp[1]), float(sharp[2])) if sharp is not None else (
        2 * a + 0.5, 2 * b + 0.5)  # the line's ends in the big square's pixels
    end = big - 1.0
    if not turned:  # from (top, 0) to (bottom, end)
        first = np.array([[0, 0], [top, 0], [bottom, end], [0, end]])
        second = np.array([[top, 0], [end, 0], [end, end], [bottom, end]])
    else:  # from (0, top) to (end, bottom)
        first = np.array([[0, 0], [end, 0], [end, bottom], [0, top]])
        second = np.array([[0, top], [end, bottom], [end, end], [0, end]])
    inv = np.linalg.inv(m)
    parts = [cv2.perspectiveTransform(part[None].astype(np.float64), inv)[0]
             for part in (first, second)]
    areas = [abs(float(cv2.contourArea(part.astype(np.float32)))) for part in parts]
    kept = np.asarray(parts[int(np.argmax(areas))], np.float64)
    return None if odd_shape(kept) else kept  # the page on top is shaped as paper is


def split_page(f: Frames, page: Detection, p: DetectParams) -> Detection:
    """``page`` cut to its larger part where it is shaped as no sheet of paper is and a
    straight step across it says it is a page and the sheet under it (:func:`split_union`);
    ``page`` itself otherwise (every page found right: no reading at all)."""
    if (page.corners is None or not p.split_unions or not odd_shape(page.corners)
            or (page.touches_border and not (p.split_at_edge and near_edge(
                page.corners, page.frame_size, p.border_margin)))):
        return page  # (cut off by paper going on past a side, not the frame's edge: not read)
    if page.touches_border and paper_runs_on(f.fine_white32, page.corners * f.fine_scale,
                                             f.small.shape[1], p):
        return page  # at the frame's edge and paper running on too: the part is not read
    part = split_union(f.fine_white, page.corners * f.fine_scale)
    if part is None:
        return page
    corners = order_clockwise(part / f.fine_scale)
    if page.touches_border and near_edge(corners, page.frame_size, 2 * p.border_margin):
        return page  # at the frame's edge: the part kept must be clear of it (the sheet not)
    reach = float(np.linalg.norm(corners[2] - corners[0])) / 60.0  # about a step of the split
    refined = order_clockwise(refine_corners(f.gray, corners, radius=max(3.0, reach),
                                             samples=p.refine_samples))
    seen = seen_finely(f.fine_white32, refined * f.fine_scale, p.contrast, (1.0,))
    # the new side has the sheet beyond it, the others were read with the whole quad's
    touches = near_edge(refined, page.frame_size, p.border_margin)
    return Detection(refined, page.frame_size, touches, seen)
