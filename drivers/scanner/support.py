"""How well a candidate quadrilateral is seen as a page: evidence along its sides and inside it.

All on the *whiteness* image (the darkest channel: paper is bright and colourless), vectorised
over stacks of quads (Q x 4 x 2, corners in order around).

* **Side support**: along each side, at evenly spaced points, the step across the side (the
  mean a little inside minus a little outside) must exceed ``contrast`` and the outside must
  *stay* darker a few pixels further out (a printed line inside a page is dark only for its own
  width; a page's edge has desk beyond it). A side placed a pixel or two wrong still reads its
  edge: the side is tried at a few parallel shifts and the best one counts, the same shift for
  the whole side (a textured desk offers a step somewhere near any single point, but not along
  a whole side at one offset). Points beyond the frame count half.
* **Interior**: the share of points inside the quad as bright as the paper seen along its
  sides: a quad spanning a patterned desk is mostly not paper.
* **Continues to the border**: whether paper goes on past a side to the frame's edge (the quad
  is then part of a page that is cut off): the strip between the side and the frame's edge is
  compared with the paper inside and the desk beyond the other sides.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import cast

import cv2
import numpy as np

from drivers.scanner.geometry import along_side32, grid_in_quads, to_frame_edge

_SMOOTHED = threading.local()
"""This thread's last two smoothed pictures of each sigma (:func:`smoothed`)."""

_SMOOTHED_KEPT = 2
"""Pictures kept per sigma: a search reads its own view's picture and the plain one in turn."""


def smoothed(white: np.ndarray, sigma: float) -> np.ndarray:
    """``cv2.GaussianBlur(white.astype(np.float32), (0, 0), sigma)``, read only. The last two
    of each sigma are kept (in this thread) and given again for a picture of the same shape,
    dtype and bytes: the interior, rim and corner readings of one search (which read the
    view's picture and the plain one in turn), and the two snaps of the zoomed-out
    candidates, blur the same pictures. Known by its bytes, not by the array: the search's
    picture can be the caller's own buffer, refilled between frames; the blur is taken of the
    bytes kept, so what is kept always belongs together."""
    content = white.tobytes()
    if not hasattr(_SMOOTHED, "kept"):
        _SMOOTHED.kept = {}
    kept: dict[float, list[tuple[tuple[int, ...], np.dtype, bytes, np.ndarray]]]
    kept = _SMOOTHED.kept
    entries = kept.setdefault(sigma, [])
    for shape, dtype, seen, out in entries:
        if shape == white.shape and dtype == white.dtype and seen == content:
            return np.asarray(out)
    source = np.frombuffer(content, white.dtype).reshape(white.shape)
    out = cv2.GaussianBlur(source.astype(np.float32), (0, 0), sigma)
    out.flags.writeable = False
    entries.insert(0, (white.shape, white.dtype, content, out))
    del entries[_SMOOTHED_KEPT:]
    return np.asarray(out)


def sample_points(img: np.ndarray, pts: np.ndarray, border: float | None = None,
                  own_depth: bool = False) -> np.ndarray:
    """``img`` (one channel) at the points ``pts`` (... x 2, x then y), bilinear; beyond the
    frame ``border`` (or the nearest edge pixel when None). Any number of points. With
    ``own_depth`` a uint8 ``img`` is read as uint8 (OpenCV's fixed-point bilinear, each value
    rounded to a whole level), as float32: the far cut-off check's reading."""
    shape = pts.shape[:-1]
    n = pts.size // 2
    width = 1024  # cv2.remap wants fewer than 32767 rows: lay the points out in wide rows
    rows = max(1, -(-n // width))
    grid = np.empty((rows * width, 2), np.float32)  # one copy, x and y side by side (CV_32FC2)
    grid[:n] = pts.reshape(-1, 2)
    grid[n:] = 0.0
    out = _remap(img, grid.reshape(rows, width, 2), None, border, own_depth)
    if own_depth:
        return np.asarray(out.reshape(-1)[:n].reshape(shape), np.float32)
    return out.reshape(-1)[:n].reshape(shape)


def sample_across(img: np.ndarray, pts: np.ndarray, normal: np.ndarray, offsets: np.ndarray,
                  border: float | None = None) -> np.ndarray:
    """``sample_points(img, pts[None] + offsets[:, None, None, None, None] * normal[None, :, :,
    None, :], border)`` for points along sides (Q x 4 x S x 2), their normals (Q x 4 x 2) and
    O offsets: O x Q x 4 x S values, the same to the bit (the same sums, the same points in
    the same places of the same maps), without making the O x Q x 4 x S x 2 array: x and y
    are written straight into remap's two maps."""
    shape = (len(offsets), *pts.shape[:-1])
    n = int(np.prod(shape))
    width = 1024  # as sample_points lays them out
    rows = max(1, -(-n // width))
    maps = []
    for c in (0, 1):
        flat = np.empty(rows * width, np.float32)
        np.add(pts[None, ..., c], offsets[:, None, None, None] * normal[None, :, :, None, c],
               out=flat[:n].reshape(shape))
        flat[n:] = 0.0
        maps.append(flat.reshape(rows, width))
    out = _remap(img, maps[0], maps[1], border)
    return out.reshape(-1)[:n].reshape(shape)


def _remap(img: np.ndarray, map1: np.ndarray, map2: np.ndarray | None,
           border: float | None, own_depth: bool = False) -> np.ndarray:
    """``img`` as float32 (or in its own depth), read bilinearly at ``map1`` (x and y side by
    side, CV_32FC2, with no ``map2``) or at ``map1``, ``map2`` (x, y); beyond the frame
    ``border``, or the nearest edge pixel when None: the one reading of :func:`sample_points`
    and :func:`sample_across`."""
    return np.asarray(cv2.remap(
        img if own_depth or img.dtype == np.float32 else img.astype(np.float32),
        map1,
        cast(np.ndarray, map2),  # None with a CV_32FC2 map1 (stubs before opencv 5.1 refuse it)
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE if border is None else cv2.BORDER_CONSTANT,
        borderValue=0.0 if border is None else border,
    ))


def side_points(quads: np.ndarray, samples: int) -> tuple[np.ndarray, np.ndarray]:
    """Points along each side (Q x 4 x S x 2, from 6 % to 94 % of its length) and each side's
    outward unit normal (Q x 4 x 2)."""
    q = quads.astype(np.float32)
    nxt = np.concatenate((q[:, 1:], q[:, :1]), axis=1)  # np.roll(q, -1, axis=1)
    d = nxt - q
    normal = np.empty_like(d)  # (dy, -dx)
    normal[..., 0] = d[..., 1]
    np.negative(d[..., 0], out=normal[..., 1])
    # np.linalg.norm(normal, axis=-1), as it computes it (the sum of two squares), x and y apart
    x, y = normal[..., 0], normal[..., 1]
    normal /= (np.sqrt(x * x + y * y) + 1e-6)[..., None]
    centre = ((q[:, 0] + q[:, 1]) + q[:, 2]) + q[:, 3]  # q.mean(axis=1), as it sums
    centre /= 4
    mid = (q + nxt) / 2 - centre[:, None]
    outward = np.sign(mid[..., 0] * normal[..., 0] + mid[..., 1] * normal[..., 1])
    normal *= np.where(outward == 0, 1.0, outward)[..., None]
    t = along_side32(samples)
    pts = np.empty((*q.shape[:2], samples, 2), np.float32)
    for c in (0, 1):  # x and y apart: the same sums, in longer runs than pairs
        np.add(q[:, :, None, c], t * d[:, :, None, c], out=pts[..., c])
    return pts, normal


def side_support(
    white: np.ndarray,
    quads: np.ndarray,
    samples: int = 16,
    contrast: float = 6.0,
    slack: int = 2,
    unit: float = 1.0,
) -> np.ndarray:
    """Per quad and side (Q x 4): the share of points that see the page's edge (see the
    module's notes). The step is read 1.5 ``unit`` each side of the line, the outside must stay
    darker from 2.5 to 4.5 ``unit`` out, and the line is tried at ``slack`` whole ``unit``
    shifts each way."""
    if not len(quads):
        return np.zeros((0, 4))
    pts, normal = side_points(quads, samples)
    first = -(slack + 3.5)
    offsets = np.arange(first, slack + 4.5 + 0.5, 1.0, dtype=np.float32)
    vals = sample_across(white, pts, normal, unit * offsets, np.nan)  # O x Q x 4 x S

    def at(o: float) -> np.ndarray:
        return np.asarray(vals[round(o - first)])

    unseen = np.isnan(at(-0.5)) | np.isnan(at(0.5))
    # every shift at once (K = 2 slack + 1 of them; the same sums as one shift at a time):
    # vals[i] is at offset first + i, so at(shift + o) is vals[shift + slack + o + 3.5]
    k = 2 * slack + 1
    across = vals[2:2 + k] - vals[5:5 + k]
    inner = 0.5 * (vals[1:1 + k] + vals[0:k])
    outer = (vals[6:6 + k] + vals[7:7 + k] + vals[8:8 + k]) / 3
    seen = (across > contrast) & (inner - outer > 0.5 * contrast) & ~unseen
    # each point counts 1 (seen), 0.5 (beyond the frame) or 0: the sums are exact, so the
    # share is the mean of np.where(unseen, 0.5, seen) to the bit
    share = (np.count_nonzero(seen, axis=-1) + 0.5 * np.count_nonzero(unseen, axis=-1)) / samples
    return np.asarray(share.max(axis=0))


def seen_finely(white: np.ndarray, corners: np.ndarray, contrast: float,
                units: Iterable[float]) -> float:
    """How well the sides of one quad ``corners`` (``white``'s pixels) are seen at the finer
    check: :func:`side_support` with a slack of 1, the best over the readings ``units``."""
    return float(max(np.prod(side_support(white, corners[None], contrast=contrast, slack=1,
                                          unit=unit)) for unit in units))


INTERIOR_GRID = tuple(float(g) for g in np.linspace(0.15, 0.85, 6))
"""The interior's 6 x 6 grid (:func:`interior_share`), from 15 % to 85 % along both ways."""

_CORNER = (0.05, 0.1, 0.15)
"""Each corner's 3 x 3 grid (:func:`corner_share`), 5 % to 15 % along its two sides."""


def interior_share(
    white: np.ndarray, quads: np.ndarray, tolerance: float = 40.0
) -> tuple[np.ndarray, np.ndarray]:
    """Per quad: the share of a 6 x 6 grid of points inside it that are within ``tolerance``
    of the paper's level, and that level (the median just inside its sides)."""
    if not len(quads):
        return np.zeros(0), np.zeros(0)
    inner = grid_in_quads(quads, INTERIOR_GRID, INTERIOR_GRID)
    smooth = smoothed(white, 1.0)
    pts, normal = side_points(quads, 12)
    rim = sample_points(smooth, pts - 2.5 * normal[:, :, None, :]).reshape(len(quads), -1)
    level = np.median(rim, axis=1)
    vals = sample_points(smooth, inner)
    return np.asarray((vals > level[:, None] - tolerance).mean(axis=1)), np.asarray(level)


def corner_share(white: np.ndarray, quads: np.ndarray, level: np.ndarray,
                 tolerance: float = 40.0) -> np.ndarray:
    """Per quad: the least, over its four corners, share of a 3 x 3 grid of points just inside
    the corner (from 5 % to 15 % of the way along both its sides) within ``tolerance`` of the
    paper's ``level``. A page is paper in all its corners; a quad over a page and the sheet
    under it, the two joined by a line across the desk, has a corner on the desk."""
    if not len(quads):
        return np.zeros(0)
    pts = grid_in_quads(quads, _CORNER, _CORNER, corners=True)  # Q x 4 x 9 x 2
    smooth = smoothed(white, 1.0)
    vals = sample_points(smooth, pts, 0.0)
    near = vals > np.asarray(level)[:, None, None] - tolerance
    return np.asarray(near.mean(axis=2).min(axis=1))


def _percentile(values: np.ndarray, q: float) -> float:
    """``float(np.percentile(values, q))`` (linear) of a float array, the same bits (numpy
    2's virtual index and interpolation, step by step) read off a partition: a tenth of the
    time on the few hundred points a side gives."""
    flat = np.asarray(values).ravel()
    n = flat.size
    if not n or np.isnan(flat).any():
        return float(np.percentile(flat, q))
    share = q / 100
    at = n * share + (1 + share * -1) - 1  # numpy's virtual index, as it computes it
    if at >= n - 1:
        return float(np.max(flat))
    low = np.floor(at)
    k = int(low)
    part = np.partition(flat, (k, k + 1))
    a, b, t = part[k], part[k + 1], float(at - low)
    return float(b - (b - a) * (1 - t)) if t >= 0.5 else float(a + (b - a) * t)


def continues_to_border(
    white: np.ndarray, quad: np.ndarray, unit: float = 1.0, probes: int = 9,
    tolerance: float = 8.0, facing: float = 0.25, most: float = 0.5,
    stepped: Callable[..., bool] | None = None, own: float = 0.0,
) -> bool:
    """Whether the paper goes on past a side of ``quad`` to the frame's edge: the quad is then
    a part of a page that is cut off (a ruled line or a line of text inside the page passed for
    its edge). Only sides that face the frame's edge closely count (their median distance to
    it at most ``facing`` times the frame's longer side). Just beyond such a side (up
    to 3 ``unit`` out, or to the frame's edge if nearer) the bright part of the picture (80th
    percentile: text and lines are sparse) is compared with the same just inside the side (the
    paper) and just beyond the other sides (the desk): nearer the paper than halfway to the
    desk and within 1.5 ``tolerance`` of it, it is paper (a pale card lying beside the page is
    further off than that); with no desk in sight, within ``tolerance`` of the paper is paper.
    Paper there, with a desk well darker than the paper, is the page going on only if the
    page's neighbouring sides carry on past their corners as edges with paper inside
    (:func:`flanks_go_on`: a checked cloth has steps anywhere), both of them for a side
    further than a quarter of the frame from its edge (a cut page goes on on both flanks; one
    edge of a sheet under the page can run on in line with the page's side). With a desk in
    sight, the paper must be there beyond more than ``most`` of the side too (each probe's own
    strip read alone: :func:`_along`), not only in the strip's bright part as a whole. With
    ``stepped`` (the gates' :func:`drivers.scanner.cutoff.stepped`), a side where the picture
    steps point by point (a page's own edge) does not count. With ``own`` (round 11, in
    ``tolerance``), a stretch also reads as paper within ``own`` of its own paper just inside
    (:func:`_along`)."""
    h, w = white.shape
    img = np.asarray(white, np.float32)  # read only
    q = np.asarray(quad, np.float64)
    pts, normal = side_points(q[None], probes)
    steps = np.arange(2.0, 2.0 + 3.0 * unit, 1.0)
    reach = to_frame_edge(pts[0].astype(np.float64), normal[0, :, None, :].astype(np.float64),
                          w, h)  # 4 x P
    beyond = [sample_points(img, pts[0, i][:, None, :] + steps[None, :, None] * normal[0, i])
              for i in range(4)]
    middle = np.median(reach, axis=1)  # each side's np.median(reach[i]), read once
    for i in range(4):
        if not np.all(np.isfinite(reach[i])) or float(middle[i]) > facing * max(w, h):
            continue  # the side does not face the frame's edge closely
        base, n = pts[0, i].astype(np.float64), normal[0, i].astype(np.float64)
        near = steps[None, :] <= reach[i][:, None]
        strip = beyond[i][near]
        if strip.size < probes:
            continue
        depth = max(2.0, min(3.0 * unit, float(middle[i])))
        inner = base[:, None, :] - np.arange(2.0, 2.0 + depth)[None, :, None] * n
        inside = sample_points(img, inner)
        paper = _percentile(inside, 80)
        level = _percentile(strip, 80)
        desks = [beyond[j][steps[None, :] <= reach[j][:, None]] for j in range(4) if j != i]
        desk = np.concatenate([d for d in desks if d.size])
        if desk.size >= probes:
            desk_level = _percentile(desk, 80)
            gap = abs(desk_level - paper)
            far = float(middle[i]) > 0.25 * max(w, h)
            if abs(level - paper) < min(0.5 * gap, 1.5 * tolerance) and _along(
                    img, q, i, unit, paper, 1.5 * tolerance, most, probes,
                    own=own * tolerance) and (
                    gap < 3.0 * tolerance or flanks_go_on(img, q, i, float(reach[i].max()),
                                                           gap, unit, both=far, paper=True)) and (
                    stepped is None or not stepped(img, base, n, reach[i], unit, inside,
                                                   beyond[i], near, paper, desk_level,
                                                   tolerance)):
                return True
        elif abs(level - paper) < tolerance:
            return True
    return False


def _along(img: np.ndarray, q: np.ndarray, side: int, unit: float, paper: float,
           within: float, most: float, probes: int, sub: int = 7, own: float = 0.0) -> bool:
    """Whether more than ``most`` of side ``side``'s ``probes`` stretches (each ``sub``
    points along it) see paper just beyond it on their own (the 80th percentile of each
    stretch's strip, 2 to 2 + 3 ``unit`` out and in the frame, within ``within`` of
    ``paper``): a cut page goes on past the whole side (a stretch of ``sub`` points is wide
    enough for a line of text or a table's column beyond a rule to show its paper: tuning
    9006 cut #49, 9003 cut-ruled #23); another sheet under the page (or beside it) is beyond
    a part of it only, the desk beyond the rest, while the strip's 80th percentile as a whole
    is the sheet's (tuning 9013 two-documents #138, #164). Stretches with nothing in the
    frame beyond them do not count. With ``own`` (round 11), a stretch also sees paper when it
    is within ``own`` of its own paper just inside (the same depths, 80th percentile): light
    falling off along the side moves the paper from one end to the other, and the strip beyond
    follows it (tuning 9001 cut #38: a cut page under a lamp, 207 to 163 along the side, its
    paper going on past a fold read as desk at 5 of 9 stretches). Kept tight (half a
    ``tolerance``): a newspaper under a page is 5-10 levels off its paper (9001 mix #381)."""
    h, w = img.shape
    pts, normal = side_points(q[None], probes * sub)
    base, n = pts[0, side].astype(np.float64), normal[0, side].astype(np.float64)
    steps = np.arange(2.0, 2.0 + 3.0 * unit, 1.0)
    near = steps[None, :] <= to_frame_edge(base, n, w, h)[:, None]
    vals = np.where(near, sample_points(img, base[:, None, :] + steps[None, :, None] * n),
                    np.nan).reshape(probes, -1)
    counted = ~np.isnan(vals).all(axis=1)
    if not counted.any():
        return True
    levels = np.nanpercentile(vals[counted], 80, axis=1)
    seen = np.abs(levels - paper) < within
    if own > 0:
        inner = sample_points(img, base[:, None, :] - steps[None, :, None] * n)
        mine = np.percentile(inner.reshape(probes, -1)[counted], 80, axis=1)
        seen |= np.abs(levels - mine) < own
    return bool(np.mean(seen) > most)


def flanks_go_on(img: np.ndarray, q: np.ndarray, side: int, reach: float, gap: float,
                  unit: float, both: bool = False, paper: bool = False) -> bool:
    """Whether the page's sides next to ``side`` carry on past its corners as edges (paper
    inside, desk outside): they do when the page goes on past the frame's edge. When the paper
    beyond ``side`` is another sheet the page lies on, its neighbours' lines run on over that
    sheet (paper both sides) or over the desk (desk both sides). True also when there is too
    little room to tell (a corner near the frame's edge). With ``both`` (a side far from the
    frame's edge: a cut page goes on past it on both flanks) both must carry on: one edge of
    the sheet under a page can run on in line with the page's side. With ``paper`` a flank
    carries on only with paper inside it (as bright as inside the page along that flank,
    within half ``gap``): on a checked or striped cloth the step across a line over the desk is
    as often the page's edge's as not."""
    h, w = img.shape
    for corner, other in ((side, side - 1), ((side + 1) % 4, (side + 2) % 4)):
        a, b = q[corner], q[other % 4]
        along = a - b
        along /= np.linalg.norm(along) + 1e-9
        across = np.array([along[1], -along[0]])
        if np.dot(q.mean(axis=0) - a, across) > 0:
            across = -across  # outward from the page
        t = np.arange(1.5 * unit, min(reach + 2.0 * unit, 16.0 * unit), 1.0)
        line = a[None, :] + t[:, None] * along[None, :]
        inside = line - 2.0 * unit * across
        outside = line + 2.0 * unit * across
        ok = np.all((outside >= 0) & (outside <= [w - 1, h - 1])
                    & (inside >= 0) & (inside <= [w - 1, h - 1]), axis=1)
        if ok.sum() < 4 * unit:
            goes_on = True
        else:
            within = sample_points(img, inside[ok])
            step = within - sample_points(img, outside[ok])
            edge = step > 0.5 * gap
            if paper:  # and paper inside: a checked cloth has such steps anywhere
                before = sample_points(img, a[None, :] - t[:, None] * along[None, :]
                                       - 2.0 * unit * across)
                edge &= within > float(np.median(before)) - 0.5 * gap
            goes_on = float(np.mean(edge)) >= 0.3
        if goes_on and not both:
            return True
        if not goes_on and both:
            return False
    return both


def rim_roughness(white: np.ndarray, quads: np.ndarray, samples: tuple[int, ...] = (24, 64)
                  ) -> np.ndarray:
    """Per quad: how much the paper just inside its sides changes from one point to the next
    along them (median of the steps, grey levels). Paper is even there (a margin; light
    changes slowly); a quad drawn along the lines of a gingham or a checked tablecloth has its
    squares, light and dark in turn, just inside. The steps are read at two spacings (24 and
    64 points a side) and the larger counts: at one spacing a tablecloth's period can alias
    (every point on a light square), or the points fall two or three to a square."""
    if not len(quads):
        return np.zeros(0)
    smooth = smoothed(white, 1.0)
    out = np.zeros(len(quads))
    for count in samples:
        pts, normal = side_points(quads, count)
        rim = sample_points(smooth, pts - 2.5 * normal[:, :, None, :])  # Q x 4 x S
        steps = np.abs(np.diff(rim, axis=-1)).reshape(len(quads), -1)
        out = np.maximum(out, np.median(steps, axis=1))
    return out


def stands_out(paper: np.ndarray, quad: np.ndarray, step: float, median: bool = False) -> bool:
    """Whether the inside of ``quad`` (its middle, 90 % across) is on average at least
    ``step`` brighter in the view ``paper`` than a ring around it (a quarter as wide as the quad
    again): a page is; a quad drawn along the rows of a dotted tablecloth's pattern, whose
    sides the view sees as well as a page's, is the same cloth inside and out. With
    ``median``, also when its median is (:func:`median_stands_out`)."""
    q = np.asarray(quad, np.float64)
    centre = q.mean(axis=0)
    inner, outer, body = (np.zeros(paper.shape[:2], np.uint8) for _ in range(3))
    cv2.fillConvexPoly(inner, np.round(centre + 0.9 * (q - centre)).astype(np.int32), 1)
    cv2.fillConvexPoly(outer, np.round(centre + 1.25 * (q - centre)).astype(np.int32), 1)
    cv2.fillConvexPoly(body, np.round(q).astype(np.int32), 1)
    ring = cv2.subtract(outer, body)
    if not cv2.countNonZero(inner) or not cv2.countNonZero(ring):
        return True
    if cv2.mean(paper, inner)[0] - cv2.mean(paper, ring)[0] >= step:
        return True
    return median and median_stands_out(paper, inner, ring, step)


def median_stands_out(paper: np.ndarray, inner: np.ndarray, ring: np.ndarray,
                      step: float) -> bool:
    """Whether the view ``paper``'s median inside the mask ``inner`` is at least ``step`` above
    its median in the mask ``ring`` (:func:`stands_out` for the pale views): on a light desk
    a white page stands 5-15 levels above it in the faint view, and its print (text, a
    photo's grey), 100 levels darker, can bring its mean under the desk's (tuning 9010 white
    on light #40: the mean 3 under, the median 14 over); a cloth's pattern is the same inside
    and out by either."""
    return bool(float(np.median(paper[inner > 0])) - float(np.median(paper[ring > 0]))
                >= step)
