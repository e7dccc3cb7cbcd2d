"""The last look for "cut off" on the page the detector reports: paper running on past a side
that lies far from the frame's edge, all the way to it.

:func:`drivers.scanner.support.continues_to_border` reads only the sides that face the frame's
edge closely (a quarter of the frame's longer side), and only a strip just beyond them. A cut
page whose part bounded by a printed rule wins (a form's ruled column, a table's line) can leave
its ruled side further from the frame's edge than that. Such a side is judged here, on the
page finally reported only (never during the search, which it would cut short): the page goes
on past it when

* just beyond it, and at every depth from there to the frame's edge, the bright part of the
  picture (80th percentile across the side: text and lines are sparse, and near the corners a
  turned page's rays may leave it; the brightest within 3 steps of depth: a rule parallel to
  the side is dark at one depth only) stays nearer the paper than halfway to the desk and
  changes by less than ``1.5 tolerance`` from one depth to the next (7 steps further): one
  sheet, unbroken, out to the frame's edge (the light may fall off slowly across it);
* the desk beyond the other sides is clearly darker than the paper (3 ``tolerance``; on a pale
  desk a page's surroundings would pass for paper);
* the page's neighbouring sides carry on past its corners as edges
  (:func:`drivers.scanner.support.flanks_go_on`): a sheet the page lies on has its own edges.
"""

from __future__ import annotations

import cv2
import numpy as np

from drivers.scanner.support import flanks_go_on, side_points


def runs_off(white: np.ndarray, quad: np.ndarray, unit: float = 1.0, facing: float = 0.25,
             probes: int = 9, tolerance: float = 8.0) -> bool:
    """Whether paper runs on, unbroken, from a side of ``quad`` (pixels of ``white``, the plain
    view's whiteness, uint8) that lies further than ``facing`` times the frame's longer side
    from the frame's edge, out to that edge (see the module's notes)."""
    h, w = white.shape
    q = np.asarray(quad, np.float64)
    pts, normal = side_points(q[None], probes)
    pts, normal = pts[0].astype(np.float64), normal[0].astype(np.float64)  # 4 x P x 2, 4 x 2
    n = normal[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        tx = np.where(n[..., 0] > 0, (w - 1 - pts[..., 0]) / n[..., 0],
                      np.where(n[..., 0] < 0, -pts[..., 0] / n[..., 0], np.inf))
        ty = np.where(n[..., 1] > 0, (h - 1 - pts[..., 1]) / n[..., 1],
                      np.where(n[..., 1] < 0, -pts[..., 1] / n[..., 1], np.inf))
    reach = np.minimum(tx, ty)  # 4 x P: how far out each point's ray meets the frame's edge
    middle = np.median(reach, axis=1)
    steps = np.arange(2.0, 2.0 + 3.0 * unit, 1.0)
    if _pale_and_tight(white, pts, normal, reach, steps, unit, tolerance):
        return True
    far = np.flatnonzero(np.isfinite(reach).all(axis=1) & (middle > facing * max(w, h)))
    for i in far:
        paper = _bright(_at(white, pts[i][:, None, :] - steps[None, :, None] * normal[i]))
        level = _bright(_at(white, pts[i][:, None, :] + steps[None, :, None] * normal[i]))
        if abs(level - paper) >= 1.5 * tolerance:
            continue  # a quick look: no paper just beyond (a whole page's side: the desk)
        desk = np.concatenate([
            _at(white, pts[j][:, None, :] + steps[None, :, None] * normal[j])[
                steps[None, :] <= reach[j][:, None]] for j in range(4) if j != i])
        if desk.size < probes:
            continue
        gap = abs(_bright(desk) - paper)
        near = min(0.5 * gap, 1.5 * tolerance)
        if gap < 3.0 * tolerance or abs(level - paper) >= near:
            continue
        depth = np.arange(2.0, float(middle[i]) - 1.0, max(1.0, unit))
        ray = _at(white, pts[i][:, None, :] + depth[None, :, None] * normal[i])
        ray[depth[None, :] > reach[i][:, None]] = np.nan  # past the frame's edge
        inside = np.count_nonzero(~np.isnan(ray), axis=0)
        rank = np.round(0.8 * (inside[inside > 0] - 1)).astype(np.intp)
        level_at = np.sort(ray[:, inside > 0], axis=0)[rank, np.arange(len(rank))]
        # (per depth, across the side: NaNs sort last)
        # a printed rule or column of text parallel to the side is dark at one depth only
        span = 3
        padded = np.pad(level_at, span, mode="edge")
        level_at = np.max(np.lib.stride_tricks.sliding_window_view(padded, 2 * span + 1), axis=1)
        apart = level_at[:: 2 * span + 1]
        if (np.all(np.abs(level_at - paper) < 0.5 * gap)
                and (len(apart) < 2 or float(np.abs(np.diff(apart)).max()) < near)
                and flanks_go_on(white.astype(np.float32), q, int(i), float(reach[i].max()),
                                  gap, unit)):
            return True
    return False


def _pale_and_tight(white: np.ndarray, pts: np.ndarray, normal: np.ndarray, reach: np.ndarray,
                    steps: np.ndarray, unit: float, tolerance: float) -> bool:
    """Whether a side lies within 4 ``unit`` of the frame's edge with what is beyond it as
    bright as the paper, on a desk as bright as the paper (both within ``tolerance``): there is
    too little room, and too little contrast, to tell a page's margin running on from the desk
    (a cut page's rule just inside the frame's edge: the strip check wants the strip nearer the
    paper than halfway to the desk, which a desk as bright as paper leaves no room for)."""
    tight = np.flatnonzero(np.isfinite(reach).all(axis=1)
                           & (np.median(reach, axis=1) < 4.0 * unit))
    if not len(tight):
        return False
    beyond = [_at(white, pts[j][:, None, :] + steps[None, :, None] * normal[j]) for j in range(4)]
    within = [steps[None, :] <= reach[j][:, None] for j in range(4)]
    for i in tight:
        strip = beyond[i][within[i]]
        desk = np.concatenate([beyond[j][within[j]] for j in range(4) if j != i])
        if strip.size < len(pts[i]) or desk.size < len(pts[i]):
            continue
        paper = _bright(_at(white, pts[i][:, None, :] - steps[None, :, None] * normal[i]))
        if abs(_bright(desk) - paper) < tolerance and abs(_bright(strip) - paper) < tolerance:
            return True
    return False


def _bright(values: np.ndarray) -> float:
    """The bright part of ``values``: the 80th percentile (nearest rank)."""
    flat = values.ravel()
    k = round(0.8 * (len(flat) - 1))
    return float(np.partition(flat, k)[k])


def _at(img: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """The uint8 ``img`` at ``pts`` (... x 2; fewer than 32767 of them), bilinear, as floats
    (the nearest edge pixel beyond the frame)."""
    flat = np.ascontiguousarray(pts.reshape(1, -1, 2), dtype=np.float32)
    out = cv2.remap(img, flat[..., 0], flat[..., 1], cv2.INTER_LINEAR,
                    borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(out, np.float32).reshape(pts.shape[:-1])
