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

import numpy as np

from drivers.scanner.support import _flanks_go_on, sample_points, side_points


def runs_off(white: np.ndarray, quad: np.ndarray, unit: float = 1.0, facing: float = 0.25,
             probes: int = 9, tolerance: float = 8.0) -> bool:
    """Whether paper runs on, unbroken, from a side of ``quad`` (on ``white``, the plain view's
    whiteness) that lies further than ``facing`` times the frame's longer side from the frame's
    edge, out to that edge (see the module's notes)."""
    h, w = white.shape
    q = np.asarray(quad, np.float64)
    pts, normal = side_points(q[None], probes)
    pts, normal = pts[0].astype(np.float64), normal[0].astype(np.float64)
    reach = np.empty((4, probes))
    for i in range(4):
        base, n = pts[i], normal[i]
        with np.errstate(divide="ignore", invalid="ignore"):
            tx = np.where(n[0] > 0, (w - 1 - base[:, 0]) / n[0],
                          np.where(n[0] < 0, -base[:, 0] / n[0], np.inf))
            ty = np.where(n[1] > 0, (h - 1 - base[:, 1]) / n[1],
                          np.where(n[1] < 0, -base[:, 1] / n[1], np.inf))
        reach[i] = np.minimum(tx, ty)
    far = [i for i in range(4) if np.all(np.isfinite(reach[i]))
           and float(np.median(reach[i])) > facing * max(w, h)]
    if not far:
        return False
    img = white.astype(np.float32)
    steps = np.arange(2.0, 2.0 + 3.0 * unit, 1.0)
    beyond = [sample_points(img, pts[i][:, None, :] + steps[None, :, None] * normal[i])
              for i in range(4)]
    for i in far:
        inner = pts[i][:, None, :] - np.arange(2.0, 2.0 + 3.0 * unit)[None, :, None] * normal[i]
        paper = float(np.percentile(sample_points(img, inner), 80))
        desk = np.concatenate([beyond[j][steps[None, :] <= reach[j][:, None]]
                               for j in range(4) if j != i])
        if desk.size < probes:
            continue
        gap = abs(float(np.percentile(desk, 80)) - paper)
        near = min(0.5 * gap, 1.5 * tolerance)
        if gap < 3.0 * tolerance or abs(float(np.percentile(beyond[i], 80)) - paper) >= near:
            continue
        depth = np.arange(2.0, float(np.median(reach[i])) - 1.0, max(1.0, unit))
        ray = sample_points(img, pts[i][:, None, :] + depth[None, :, None] * normal[i])
        ray[depth[None, :] > reach[i][:, None]] = np.nan  # past the frame's edge
        level = np.nanpercentile(ray, 80, axis=0)  # per depth, across the side
        # a printed rule or column of text parallel to the side is dark at one depth only
        span = 3
        padded = np.pad(level, span, mode="edge")
        level = np.max(np.lib.stride_tricks.sliding_window_view(padded, 2 * span + 1), axis=1)
        steps_out = np.abs(np.diff(level[:: 2 * span + 1])) if len(level) > 2 * span + 1 else [0.0]
        if (np.all(np.abs(level - paper) < 0.5 * gap) and float(np.max(steps_out)) < near
                and _flanks_go_on(
                img, q, i, float(reach[i].max()), gap, unit)):
            return True
    return False
