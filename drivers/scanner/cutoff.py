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
  desk a page's surroundings would pass for paper): read beyond them all together, and (round
  7) beyond each on its own, the middle one of the three. One of them may have paper beyond it
  too: a certificate whose quad took its printed frame on one side and a line of its text on
  the side facing the frame's edge has its margin beyond the first, and all together the
  "desk" came out as bright as the paper (tuning 9006 cut #30, #153: accepted). Read so, every
  side counts, also those near the frame's edge (which the strip check of the search reads
  with the desk all together). When two other sides have paper beyond them (the printed frame
  left and right: 9006 cut #188), they are moved out to where the desk begins, within 12 % of
  the quad's shorter side (a margin), and the quad is read again. (Round 8) when all three
  have paper beyond them (the printed frame on three sides: 9001 cut #91, refused only as
  blurred), the desk is read past where a margin would end, and a side with paper out to the
  frame's edge is left where it is;
* (round 7) a side within 4 % of the frame's longer side from its edge, with what lies just
  beyond it within half a ``tolerance`` of the paper (80th percentile, and point by point) on a
  desk within 3 ``tolerance`` of the paper (the middle one of the other sides'), is cut off:
  a rule just inside the frame's edge on a white-ground cloth, which the strip check's "nearer
  the paper than halfway to the desk" leaves no room for (9006 cut-ruled #161);
* "paper just beyond" (round 7) is also read point by point: the brightest just beyond against
  the brightest just inside, the median over the side's points. Light falling off along the
  side spreads both 80th percentiles, and text just beyond a rule weighs on the one beyond
  (9006 cut-ruled #178: a table's column rule, the lamp 80 levels darker at one end: 17 levels
  between the percentiles, 7 point by point);
* the page's neighbouring sides carry on past its corners as edges
  (:func:`drivers.scanner.support.flanks_go_on`): a sheet the page lies on has its own edges;
* (round 9) a texture reading, not a brightness one: the page's ink (strokes, nothing darker
  wider than a stroke) running on past a side out to the frame's edge while the desk beyond the
  other sides shows none (:func:`~drivers.scanner.margins.ink_runs_on`: a cut table on a
  striped cloth, its paper uneven under a lamp, 9002 cut-ruled #79; a cut form on a flowered
  cloth, 9010 cut-ruled #127); (round 11) with ``faint``, read again with fainter strokes
  beyond every side alike when that fails (a cut form's coloured rules, 9015 cut-ruled #73);
* (round 9) when every side is a printed rule with paper beyond it (a box printed on a bigger
  sheet: 9011 cut #181), the other sides are moved out to the desk as far as the frame's edge,
  not only within a margin (:func:`~drivers.scanner.margins.printed_all_round`).
"""

from __future__ import annotations

import numpy as np

from drivers.scanner.geometry import to_frame_edge
from drivers.scanner.margins import (
    between_flanks,
    bright,
    ink_runs_on,
    levels,
    past_a_margin,
    past_margins,
    printed_all_round,
)
from drivers.scanner.support import flanks_go_on, sample_points, side_points


def runs_off(white: np.ndarray, quad: np.ndarray, unit: float = 1.0, facing: float = 0.25,
             probes: int = 9, tolerance: float = 8.0, each_desk: bool = True,
             widen: bool = True, deep: bool = True, flanked: bool = True,
             inked: bool = True, printed: bool = True, faint: float = 0.0) -> bool:
    """Whether paper runs on, unbroken, from a side of ``quad`` (pixels of ``white``, the plain
    view's whiteness, uint8) that lies further than ``facing`` times the frame's longer side
    from the frame's edge, out to that edge; with ``each_desk``, from any side, the desk also
    read beyond each other side on its own (see the module's notes)."""
    h, w = white.shape
    q = np.asarray(quad, np.float64)
    pts, normal = side_points(q[None], probes)
    pts, normal = pts[0].astype(np.float64), normal[0].astype(np.float64)  # 4 x P x 2, 4 x 2
    reach = to_frame_edge(pts, normal[:, None, :], w, h)  # 4 x P
    middle = np.median(reach, axis=1)
    steps = np.arange(2.0, 2.0 + 3.0 * unit, 1.0)
    if _pale_and_tight(white, pts, normal, reach, steps, unit, tolerance):
        return True
    beyond = [levels(white, pts[j][:, None, :] + steps[None, :, None] * normal[j])[
        steps[None, :] <= reach[j][:, None]] for j in range(4)]
    if each_desk and _pale_and_near(white, pts, normal, reach, beyond, steps, 0.04 * max(w, h),
                                    0.5 * tolerance, 3.0 * tolerance):
        return True
    for i in np.flatnonzero(np.isfinite(reach).all(axis=1)):
        inner = levels(white, pts[i][:, None, :] - steps[None, :, None] * normal[i])
        paper = bright(inner)
        if beyond[i].size < probes:
            continue
        level = bright(beyond[i])
        # also point by point, the brightest just beyond against the brightest just inside:
        # light falling off along the side (a lamp at one end) spreads both 80th percentiles,
        # and a column of text just beyond a rule weighs on the one beyond
        local = np.inf
        if each_desk and np.all(reach[i] >= steps[-1]):
            outer = levels(white, pts[i][:, None, :] + steps[None, :, None] * normal[i])
            local = float(np.median(outer.max(axis=1) - inner.max(axis=1)))
        if min(abs(level - paper), abs(local)) >= 1.5 * tolerance:
            continue  # a quick look: no paper just beyond (a whole page's side: the desk)
        if (inked and each_desk and min(abs(level - paper), abs(local)) < 0.5 * tolerance
                and ink_runs_on(white, q, int(i), unit, tolerance, probes, faint)):
            return True
        desks = []
        if middle[i] > facing * max(w, h):  # the other sides' desk, all together
            pooled = np.concatenate([beyond[j] for j in range(4) if j != i])
            if pooled.size >= probes:
                desks.append(bright(pooled))
        # each other side's desk on its own, the middle one of the three: one of them may
        # have paper beyond it too (a certificate's margin past its printed frame), which
        # all together would pass for a desk as bright as the paper
        each = [bright(beyond[j]) for j in range(4) if j != i and beyond[j].size >= probes]
        if each_desk and len(each) == 3:
            desks.append(float(np.median(each)))
        for desk in desks:
            gap = abs(desk - paper)
            near = min(0.5 * gap, 1.5 * tolerance)
            if (gap >= 3.0 * tolerance and min(abs(level - paper), abs(local)) < near
                    and _unbroken(white, pts[i], normal[i], reach[i], float(middle[i]), paper,
                                  gap, near, unit)
                    and flanks_go_on(white.astype(np.float32), q, int(i),
                                     float(reach[i].max()), gap, unit)):
                return True
        if (flanked and each_desk and len(each) == 3 and middle[i] > facing * max(w, h)
                and between_flanks(white, q, int(i), paper, float(np.median(each)), unit,
                                    tolerance, probes)):
            return True
        if each_desk and widen and len(each) == 3:
            # two other sides with paper beyond (a certificate's margins past its printed
            # frame left and right): read again with those sides moved out to the desk
            desk = min(each)
            share = 0.12
            if printed and printed_all_round(white, pts, normal, unit, tolerance):
                share = 1.0  # (round 9) a frame printed inside a bigger sheet
            if deep and paper - desk < 3.0 * tolerance:
                # (round 8) paper beyond all three (a certificate's printed frame on three
                # sides: 9001 cut #91): the desk read past where a margin would end
                desk = min(desk, past_a_margin(white, q, int(i), pts, normal, reach, unit,
                                                share))
            wider = past_margins(white, q, int(i), pts, normal, reach, beyond, desk,
                                  tolerance, unit, deep, share)
            if wider is not None and runs_off(white, wider, unit, facing, probes, tolerance,
                                              each_desk, widen=False, deep=deep,
                                              flanked=flanked, inked=inked,
                                              printed=printed, faint=faint):
                return True
    return False


def along_edge(corners: np.ndarray, size: tuple[int, int], near: float) -> bool:
    """(Round 9) Whether a side of the quad ``corners`` has both its ends within ``near`` of
    the same edge of the frame (``size``: width, height): a page running off the frame whose
    refinement stopped at the picture's own border a search pixel or so inside it, its corners
    just past the corner rule's 6 px (tuning 9011 cut #220: 6.4 and 8.3 px at 1920 x 1080,
    where a search pixel is 6)."""
    w, h = size
    c = np.asarray(corners, np.float64)
    dist = np.stack([c[:, 0], w - 1 - c[:, 0], c[:, 1], h - 1 - c[:, 1]], axis=1)
    both = np.maximum(dist, np.roll(dist, -1, axis=0))  # side k: corners k and k + 1
    return bool(np.any(both < near))


def stepped(img: np.ndarray, pts: np.ndarray, normal: np.ndarray, reach: np.ndarray,
            unit: float, inside: np.ndarray, beyond: np.ndarray, near: np.ndarray,
            paper: float, desk: float, tolerance: float = 8.0, margin: float = 0.0) -> bool:
    """Whether the picture steps at a side the strip check reads as paper running on
    (:func:`drivers.scanner.support.continues_to_border`'s readings: ``img`` as float32, the
    side's P points ``pts``, its ``normal``, their ``reach`` to the frame's edge, ``inside``
    P x D, ``beyond`` P x S at the depths ``near``): the page's own edge, not its paper going
    on. Never with fewer than 5 points with room beyond; else at all of them but one (8 of 9):

    * on a desk brighter than the paper (``desk`` above ``paper``: 80th percentiles), the
      brightest just beyond a ``tolerance`` or more darker than the brightest just inside:
      the 80th percentile inside was pulled down by a frame printed just inside the edge
      (tuning 9011 white on light #80: 161 for paper 154-180 along the side, the desk just
      beyond 138-161: 13-19 darker at every point; 9012 mix #342);
    * on a desk 3 ``tolerance`` darker than the paper, the brightest in the strip's last
      ``unit`` (its last third) nearer the desk than the paper, and still so for 2 ``unit``
      past the strip: the desk right past a margin (a quad on a frame printed a few pixels
      inside a whole page, the margin read as paper going on: tuning 9012 mix #175, #192).
      Paper comes back past a rule along the side; a point with no room for it never counts.

    Paper running on past a printed rule or a line of text reads the same brightest level on
    both sides of it, and on past the strip."""
    keep = near.any(axis=1)
    if int(keep.sum()) < 5:
        return False
    need = min(near.shape[0] - 1, int(keep.sum()))
    if desk > paper:
        steps = np.where(near, beyond, -np.inf).max(axis=1) - inside.max(axis=1)
        return bool(np.sum(steps[keep] <= -tolerance) >= need)
    if paper - desk < 3.0 * tolerance:
        return False
    third, mid = max(1, near.shape[1] // 3), 0.5 * (paper + desk)
    deep = near[:, -third:]
    far = np.where(deep, beyond[:, -third:], -np.inf).max(axis=1)
    depths = 2.0 + near.shape[1] + np.arange(0.0, 2.0 * unit, 1.0)  # past the strip
    past = sample_points(img, pts[:, None, :] + depths[None, :, None] * normal).max(axis=1)
    hits = deep.any(axis=1) & (reach >= depths[-1]) & (far <= mid) & (past <= mid)
    if int(deep.any(axis=1).sum()) >= 5 and int(hits.sum()) >= need:
        return True
    return margin > 0 and _margin_beyond(img, pts, normal, reach, unit, mid, need, margin)


_DESK_ON = 6.0
"""How far (``unit``) past its first 3 the desk found beyond a page's margin must stay dark."""


def _margin_beyond(img: np.ndarray, pts: np.ndarray, normal: np.ndarray, reach: np.ndarray,
                   unit: float, mid: float, need: int, margin: float) -> bool:
    """(Round 12) Whether the desk begins past a margin a little wider than the strip, at the
    same depth all along the side: at ``need`` of the side's points the first depth from
    which 3 ``unit`` in a row (in the frame) are nearer the desk than the paper (at or below
    ``mid``) is no further than 2 pixels + ``margin`` ``unit`` from the side, and within a
    ``unit`` of the median of those depths. The paper just beyond is then the page's own
    margin (a quad on a frame printed inside its edge, or a sliver short of it: tuning 9010
    mix #195, #129), not the page running on to the frame's edge. A printed rule is dark for
    its own width only, and a striped or checked desk beyond a quad on it starts at a
    different depth at each point (tuning 9014 cut-ruled #88). The desk must go on past its
    first 3 ``unit`` for :data:`_DESK_ON` more (or to the frame's edge): a printed band a few
    millimetres wide beyond a rule, with paper after it, is not the desk (a reviewer's
    synthetic cut page)."""
    run, more = max(2, round(3.0 * unit)), max(2, round(_DESK_ON * unit))
    depths = np.arange(2.0, 2.0 + margin * unit + run + more, 1.0)
    ray = sample_points(img, pts[:, None, :] + depths[None, :, None] * normal)
    framed = depths[None, :] <= reach[:, None]
    dark = np.asarray((ray <= mid) & framed)
    starts_at = len(depths) - run - more + 1  # the desk begins within 2 + margin units
    windows = np.asarray(np.lib.stride_tricks.sliding_window_view(
        dark, run, axis=1).all(axis=2))[:, :starts_at]
    # and goes on: dark (or past the frame's edge) for _DESK_ON units more, not a printed band
    goes_on = np.asarray(np.lib.stride_tricks.sliding_window_view(
        (ray <= mid) | ~framed, more, axis=1).all(axis=2))[:, run:run + starts_at]
    windows &= goes_on
    found = windows.any(axis=1)
    if int(np.count_nonzero(found)) < need:
        return False
    starts = np.where(found, depths[np.argmax(windows, axis=1)], np.inf)
    return int(np.count_nonzero(np.abs(starts - np.median(starts)) <= unit)) >= need


def _unbroken(white: np.ndarray, pts: np.ndarray, normal: np.ndarray, reach: np.ndarray,
              middle: float, paper: float, gap: float, near: float, unit: float) -> bool:
    """Whether from the side at ``pts`` (outward ``normal``) the bright part across it stays
    nearer ``paper`` than half the ``gap`` to the desk at every depth out to the frame's edge
    (``reach`` per point), with no step of ``near`` from one 7-step stretch to the next."""
    depth = np.arange(2.0, middle - 1.0, max(1.0, unit))
    if not len(depth):
        return True
    ray = levels(white, pts[:, None, :] + depth[None, :, None] * normal)
    ray[depth[None, :] > reach[:, None]] = np.nan  # past the frame's edge
    inside = np.count_nonzero(~np.isnan(ray), axis=0)
    if not np.any(inside > 0):
        return True
    rank = np.round(0.8 * (inside[inside > 0] - 1)).astype(np.intp)
    level_at = np.sort(ray[:, inside > 0], axis=0)[rank, np.arange(len(rank))]
    # (per depth, across the side: NaNs sort last)
    # a printed rule or column of text parallel to the side is dark at one depth only
    span = 3
    padded = np.pad(level_at, span, mode="edge")
    level_at = np.max(np.lib.stride_tricks.sliding_window_view(padded, 2 * span + 1), axis=1)
    apart = level_at[:: 2 * span + 1]
    return bool(np.all(np.abs(level_at - paper) < 0.5 * gap)
                and (len(apart) < 2 or float(np.abs(np.diff(apart)).max()) < near))


def _pale_and_near(white: np.ndarray, pts: np.ndarray, normal: np.ndarray, reach: np.ndarray,
                   beyond: list[np.ndarray], steps: np.ndarray, near: float, same: float,
                   pale: float) -> bool:
    """Whether a side lies within ``near`` of the frame's edge with the paper going on just
    beyond it (within ``same`` of the paper's level, and point by point), on a desk within
    ``pale`` of the paper (the middle one of the other sides'): a rule printed just inside the
    frame's edge on a white-ground tablecloth, where the strip check's "nearer the paper than
    halfway to the desk" has no room (tuning 9006 cut-ruled #161: refused only as blurred)."""
    for i in np.flatnonzero(np.isfinite(reach).all(axis=1) & (np.median(reach, axis=1) <= near)):
        if not np.all(reach[i] >= steps[-1]):
            continue  # too little room: the corner check's and ``_pale_and_tight``'s
        each = [bright(beyond[j]) for j in range(4) if j != i and beyond[j].size >= len(pts[i])]
        if len(each) < 3:
            continue
        inner = levels(white, pts[i][:, None, :] - steps[None, :, None] * normal[i])
        outer = levels(white, pts[i][:, None, :] + steps[None, :, None] * normal[i])
        paper = bright(inner)
        local = float(np.median(outer.max(axis=1) - inner.max(axis=1)))
        if (abs(bright(outer) - paper) < same and abs(local) < same
                and abs(float(np.median(each)) - paper) < pale):
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
    beyond = [levels(white, pts[j][:, None, :] + steps[None, :, None] * normal[j])
              for j in range(4)]
    within = [steps[None, :] <= reach[j][:, None] for j in range(4)]
    for i in tight:
        strip = beyond[i][within[i]]
        desk = np.concatenate([beyond[j][within[j]] for j in range(4) if j != i])
        if strip.size < len(pts[i]) or desk.size < len(pts[i]):
            continue
        paper = bright(levels(white, pts[i][:, None, :] - steps[None, :, None] * normal[i]))
        if abs(bright(desk) - paper) < tolerance and abs(bright(strip) - paper) < tolerance:
            return True
    return False
