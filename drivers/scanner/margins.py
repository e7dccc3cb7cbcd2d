"""Readings past a side for the last look for "cut off"
(:func:`drivers.scanner.cutoff.runs_off`), beyond what lies just past it: rays out between the
side's flanks to the frame's edge (the page's own paper, round 8: :func:`between_flanks`; its
ink, round 9: :func:`ink_runs_on`), a frame printed all round (:func:`printed_all_round`), and
the other sides moved out past a printed frame's margins to where the desk begins
(:func:`past_margins`, :func:`past_a_margin`). The samples are the uint8 whiteness's own levels
(:func:`levels`) and their bright part its 80th percentile (:func:`bright`).
"""

from __future__ import annotations

import cv2
import numpy as np

from drivers.scanner.geometry import to_frame_edge
from drivers.scanner.support import sample_points


def between_flanks(white: np.ndarray, q: np.ndarray, side: int, paper: float, desk: float,
                    unit: float, tolerance: float, probes: int) -> bool:
    """(Round 8) Whether the page's own paper runs on past ``side`` of ``q``, point by point at
    its own level, out to the frame's edge, between the quad's flanks extended: on a desk
    darker than the paper by ``1.5 tolerance`` or more (the far check wants 3), at least two
    thirds of ``probes`` rays (inset 10 % from the corners, each in a direction between the
    two flanks', so that the page beyond stays between them: a slanted side's own normal leaves
    the page through a flank) keep the brightest within 3 ``unit`` of depth within half the
    gap (at most ``tolerance``) of the paper just inside that point, at every depth to the
    frame's edge, and cross ink (a stroke or rule ``3 tolerance`` darker than that paper): a
    cut table whose quad took a line through it for a side (tuning 9009 cut-ruled #45, on a
    dotted cloth 15 levels darker than the paper: refused only as blurred)."""
    gap = paper - desk
    if gap < 1.5 * tolerance:
        return False
    h, w = white.shape
    rays = _flank_rays(q, side, probes, w, h)
    if rays is None:
        return False
    start, d, reach = rays
    steps = np.arange(2.0, 2.0 + 3.0 * unit, 1.0)
    own = levels(white, start[:, None, :] - steps[None, :, None] * d[:, None, :]).max(axis=1)
    depth = np.arange(2.0, float(reach.max()), 1.0)
    ray = levels(white, start[:, None, :] + depth[None, :, None] * d[:, None, :])
    past = depth[None, :] > reach[:, None]  # past the frame's edge
    span = max(1, round(3.0 * unit))
    padded = np.pad(np.where(past, -1.0, ray), ((0, 0), (span, span)), mode="edge")
    top = np.max(np.lib.stride_tricks.sliding_window_view(padded, 2 * span + 1, axis=1), axis=2)
    near = min(0.5 * gap, tolerance)
    level = np.all(past | (np.abs(top - own[:, None]) < near), axis=1)
    ink = np.any(~past & (ray < own[:, None] - 3.0 * tolerance), axis=1)
    mine = np.abs(own - paper) < tolerance  # the page's own paper just inside
    return bool(3 * np.count_nonzero(level & ink & mine) >= 2 * probes)


def _flank_rays(q: np.ndarray, side: int, probes: int, w: int,
                h: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """``probes`` rays out from ``side`` of ``q`` (inset 10 % from its corners), each in a
    direction between its two flanks' (the sides next to it, extended; the page beyond the side
    lies between them), and how far each goes before the frame's edge (``w`` x ``h``); None
    when a ray turns back into the page or never meets the frame's edge."""
    a, b = q[side], q[(side + 1) % 4]
    da, db = a - q[(side - 1) % 4], b - q[(side + 2) % 4]
    da, db = da / np.linalg.norm(da), db / np.linalg.norm(db)
    t = np.linspace(0.1, 0.9, probes)
    start = a + t[:, None] * (b - a)
    d = (1.0 - t)[:, None] * da + t[:, None] * db
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    if np.any(np.einsum("ij,ij->i", d, start - np.mean(q, axis=0)) <= 0):
        return None  # a ray turning back into the page
    reach = to_frame_edge(start, d, w, h)
    if not np.all(np.isfinite(reach)):
        return None
    return start, d, reach


def ink_runs_on(white: np.ndarray, q: np.ndarray, side: int, unit: float, tolerance: float,
                 probes: int, faint: float = 0.0) -> bool:
    """(Round 9) Whether the page's ink runs on past ``side`` of ``q`` out to the frame's edge
    while the desk beyond the other sides shows none: a texture reading, independent of how
    bright the paper and the desk are (a lamp's fall-off across the paper, a desk a few levels
    off the paper). Along rays between the flanks (:func:`_ink_rays`), more than half of those
    from ``side`` cross a stroke in their last third and no dark stretch wider than a stroke;
    of those from the other sides that have room (12 ``unit``) to the frame's edge, at least
    two, and no one has more than a quarter of its rays so (a dotted or finely striped desk is
    "ink" all round). A cut table whose quad took a column rule for its side (tuning 9002
    cut-ruled #79: paper 159-194 along the side on a striped cloth 19 levels darker, refused
    only as blurred). (Round 11) With ``faint`` (in ``tolerance``), when that fails, read
    again with strokes (and wide dark stretches) ``faint`` ``tolerance`` dark instead of 3,
    beyond every side alike: a cut form's further rules can be faint coloured lines, 20-23
    levels dark in the whiteness view (tuning 9015 cut-ruled #73, on a pale striped cloth as
    bright as its paper: 4 of 9 rays at 3 ``tolerance``, 8 at 2.5)."""
    for dark in (3.0, faint) if 0.0 < faint < 3.0 else (3.0,):
        own = _ink_rays(white, q, side, unit, tolerance, probes, 6.0 * unit, dark)
        if own is None or 2 * own[0] <= probes or not own[1]:
            continue
        others = [_ink_rays(white, q, j, unit, tolerance, probes, 12.0 * unit, dark)
                  for j in range(4) if j != side]
        read = [n[0] for n in others if n is not None]
        if len(read) >= 2 and 4 * max(read) <= probes:
            return True
    return False


def _ink_rays(white: np.ndarray, q: np.ndarray, side: int, unit: float, tolerance: float,
              probes: int, room: float, dark: float = 3.0) -> tuple[int, bool] | None:
    """How many of the rays from ``side`` of ``q`` between its flanks (:func:`_flank_rays`),
    out to the frame's edge, cross ink within their last third (at least 6 ``unit``: a point
    ``dark`` ``tolerance`` (3) darker than the brightest within 3 ``unit`` on each side of it,
    a stroke) and nowhere a dark stretch wider than that (a point as much darker than the
    brightest within 12 ``unit`` but with nothing that bright within 3: a desk's stripe, dot
    or shadow); None when the rays are shorter than ``room`` (their median)."""
    h, w = white.shape
    rays = _flank_rays(q, side, probes, w, h)
    if rays is None or float(np.median(rays[2])) < room:
        return None
    start, d, reach = rays
    depth = np.arange(2.0, max(3.0, float(np.ceil(reach.max()))), 1.0)
    past = depth[None, :] > reach[:, None]  # past the frame's edge
    ray = np.where(past, -1.0, levels(white, start[:, None, :] + depth[None, :, None]
                                   * d[:, None, :]))
    k = max(2, round(3.0 * unit))
    padded = np.pad(ray.astype(np.float32), ((0, 0), (4 * k, 4 * k)), constant_values=-1.0)
    # top[:, m]: the brightest of padded[:, m:m + k]; most[:, m]: of padded[:, m - 4k:m + 4k + 1]
    top = cv2.dilate(padded, np.ones((1, k), np.uint8), anchor=(0, 0))
    most = cv2.dilate(padded, np.ones((1, 8 * k + 1), np.uint8))
    n = ray.shape[1]
    left = top[:, 3 * k:3 * k + n]  # ray[s - k:s]
    right = top[:, 4 * k + 1:4 * k + 1 + n]  # ray[s + 1:s + k + 1]
    dark *= tolerance
    stroke = ~past & (np.minimum(left, right) - ray >= dark)
    near = np.maximum(np.maximum(left, right), ray)
    wide = ~past & (near <= most[:, 4 * k:4 * k + n] - dark)
    tail = depth[None, :] > reach[:, None] - np.maximum(6.0 * unit, reach[:, None] / 3.0)
    clean = ~np.any(wide, axis=1)
    return int(np.count_nonzero(np.any(stroke & tail, axis=1) & clean)), bool(np.all(clean))


def printed_all_round(white: np.ndarray, pts: np.ndarray, normal: np.ndarray, unit: float,
                       tolerance: float) -> bool:
    """(Round 9) Whether every side of the quad (points ``pts``, outward ``normal``) is a
    printed rule: the darkest within 2 ``unit`` of it ``3 tolerance`` darker than the paper
    just inside and just beyond (the brightest within 2-5 ``unit``, point by point, the
    medians), with the paper just beyond within a ``tolerance`` of the paper inside."""
    steps = np.arange(2.0, 2.0 + 3.0 * unit, 1.0)
    at = np.arange(-2.0 * unit, 2.0 * unit + 1.0, 1.0)
    for j in range(4):
        inner = levels(white, pts[j][:, None, :] - steps[None, :, None] * normal[j]).max(axis=1)
        outer = levels(white, pts[j][:, None, :] + steps[None, :, None] * normal[j]).max(axis=1)
        line = levels(white, pts[j][:, None, :] + at[None, :, None] * normal[j]).min(axis=1)
        if (abs(float(np.median(outer - inner))) >= tolerance
                or float(np.median(np.minimum(inner, outer) - line)) < 3.0 * tolerance):
            return False
    return True


def past_margins(white: np.ndarray, q: np.ndarray, side: int, pts: np.ndarray,
                  normal: np.ndarray, reach: np.ndarray, beyond: list[np.ndarray], desk: float,
                  tolerance: float, unit: float, deep: bool = True,
                  share: float = 0.12) -> np.ndarray | None:
    """``q`` with its sides other than ``side`` that have paper just beyond them moved out to
    where the desk (``desk``, the darkest other side's) begins, within ``share`` (12 %) of the
    quad's shorter side: a printed frame's margin; None when no side moves, or one has paper
    beyond it further than that. With ``deep`` (round 8): ``share`` of its longer side (the
    frame may cut the shorter one short), the desk looked for only past the paper (the printed
    rule a side lies on is dark too), and a side with paper beyond it out to the frame's edge,
    nearer than that, left where it is. (Round 9) ``share`` 1 past a frame printed all round
    (:func:`printed_all_round`): as far as the frame's edge."""
    sides = [float(np.linalg.norm(q[k] - q[(k + 1) % 4])) for k in range(4)]
    # (round 8, ``deep``) of the longer side: the shorter may be cut short by the frame
    span = share * (max(sides) if deep else min(sides))
    shift = np.zeros(4)
    for j in range(4):
        if j == side or not beyond[j].size:
            continue
        inner = levels(white, pts[j][:, None, :] - np.arange(2.0, 2.0 + 3.0 * unit)[None, :, None]
                    * normal[j])
        paper = bright(inner)
        gap = paper - desk
        if gap < 3.0 * tolerance or abs(bright(beyond[j]) - paper) >= min(0.5 * gap,
                                                                           1.5 * tolerance):
            continue  # the desk at once beyond this side
        depth = np.arange(2.0, min(span, float(reach[j].min())), 1.0)
        to_edge = deep and float(reach[j].min()) < span  # the frame's edge within a margin
        if len(depth) < 3:
            if to_edge:
                continue  # (round 8) left where it is: paper out to the frame's edge
            return None
        ray = levels(white, pts[j][:, None, :] + depth[None, :, None] * normal[j])
        low = np.percentile(ray, 80, axis=0) < paper - 0.5 * gap
        ends = np.flatnonzero(low[:-2] & low[1:-1] & low[2:])
        if deep:  # (round 8) past the paper: the printed rule the side lies on is dark too
            ends = ends[ends >= np.argmin(low)]
        if not len(ends):
            if to_edge:
                continue  # (round 8) left where it is: paper out to the frame's edge
            return None  # paper beyond this side too, as far as a margin goes
        shift[j] = depth[ends[0]]
    if not np.any(shift):
        return None
    moved = q + 0.0
    for k in range(4):  # corner k joins side k - 1 and side k, each moved out
        a, b = (k - 1) % 4, k
        pa = q[a] + shift[a] * normal[a]
        pb = q[b] + shift[b] * normal[b]
        da, db = q[(a + 1) % 4] - q[a], q[(b + 1) % 4] - q[b]
        det = db[0] * da[1] - da[0] * db[1]
        if abs(det) < 1e-9:
            return None
        t = ((pb[0] - pa[0]) * (-db[1]) + (pb[1] - pa[1]) * db[0]) / det
        moved[k] = pa + t * da
    return moved


def past_a_margin(white: np.ndarray, q: np.ndarray, side: int, pts: np.ndarray,
                   normal: np.ndarray, reach: np.ndarray, unit: float,
                   share: float = 0.12) -> float:
    """The darkest of the bright parts read beyond the sides other than ``side`` just past
    where a margin would end (``share``, 12 %, of the quad's longer side, as
    :func:`past_margins`, to 3 ``unit`` further), at the points whose rays stay in the frame
    that far; inf if none."""
    span = share * max(float(np.linalg.norm(q[k] - q[(k + 1) % 4])) for k in range(4))
    depth = span + np.arange(1.0, 1.0 + 3.0 * unit, 1.0)
    found = [np.inf]
    for j in range(4):
        inside = reach[j] >= depth[-1]
        if j == side or 2 * np.count_nonzero(inside) < len(inside):
            continue
        found.append(bright(levels(white, pts[j][inside][:, None, :]
                                   + depth[None, :, None] * normal[j])))
    return float(min(found))


def bright(values: np.ndarray) -> float:
    """The bright part of ``values``: the 80th percentile (nearest rank)."""
    flat = values.ravel()
    k = round(0.8 * (len(flat) - 1))
    return float(np.partition(flat, k)[k])


def levels(img: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """The uint8 ``img`` at ``pts`` (... x 2), bilinear, as floats rounded to whole levels (the
    nearest edge pixel beyond the frame): :func:`drivers.scanner.support.sample_points` in the
    picture's own depth."""
    return sample_points(img, pts, own_depth=True)
