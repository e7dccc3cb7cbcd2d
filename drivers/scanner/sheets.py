"""A page that goes on past a side of the found quad: its own sides carried on say where.

When another sheet lies under (or against) the page, the page's edge over that sheet is paper
on paper: a step of a few grey levels, either way, that the search barely sees. A side of a
part of the page, bounded by a printed rule, a text column or a table's edge, can then win:
that part's other sides are the page's own edges, and the part's own side has paper beyond it
(the rest of the page). The page is found again from its sides: across such a side, the paper
must go on (the bright part of the picture just beyond it is as bright as just inside) while
beyond both its neighbours the desk is clearly darker (they are the page's own edges; on a
striped or pale desk every side can have paper-bright desk beyond it, and nothing moves);
then the two neighbours are followed on past their corners for as long as they stay edges
(paper inside, darker outside, as they are along the quad); where they end are the page's
corners. When one of them ends early with paper on both sides (the other sheet comes under
it there), the page's side is taken parallel to the quad's, through the other one's end.
A page whose side truly lies over another sheet has neighbours that end at its corners
(carried on, they run over that sheet or the desk: no edge), so it is left as it is.

All on the whiteness image of the finer search image (``unit`` pixels to a search pixel).
"""

from __future__ import annotations

import numpy as np

from drivers.scanner.geometry import convex_and_open
from drivers.scanner.support import sample_points, side_points, side_support


def _beyond_level(white: np.ndarray, quad: np.ndarray, unit: float, probes: int = 12
                  ) -> np.ndarray:
    """Per side: how much darker than the paper just inside it the picture is just beyond it
    (80th percentiles of strips 2 to 5 ``unit`` deep: text and lines are sparse); NaN where
    the strip beyond is mostly out of the frame (that is for the "cut off" check)."""
    pts, normal = side_points(quad[None], probes)
    depth = np.arange(2.0 * unit, 5.0 * unit + 0.5, 1.0)
    out = np.full(4, np.nan)
    for i in range(4):
        n = normal[0, i]
        outer = sample_points(white, pts[0, i][:, None, :] + depth[None, :, None] * n, np.nan)
        inner = sample_points(white, pts[0, i][:, None, :] - depth[None, :, None] * n)
        if np.isnan(outer).mean() <= 0.3:
            out[i] = float(np.percentile(inner, 80)) - float(np.nanpercentile(outer, 80))
    return out


def _edge_run(white: np.ndarray, corner: np.ndarray, along: np.ndarray, normal: np.ndarray,
              length: float, unit: float, need: float, paper: float, tolerance: float,
              gap: int = 3) -> tuple[float, bool]:
    """How far past ``corner`` (pixels along ``along``) the edge whose outward normal is
    ``normal`` goes on: paper inside (within ``tolerance`` of ``paper``, or brighter), at
    least ``need`` darker outside (at one of a few
    parallel shifts); the run ends at ``gap`` + 1 misses in a row (a pen or a fold may cross
    the edge). And whether it ends with paper on both sides (another sheet under the page)."""
    t = np.arange(1.0, length, 1.0)
    if not len(t):
        return 0.0, False
    h, w = white.shape
    base = corner[None, :] + t[:, None] * along[None, :]
    shifts = np.arange(-2.0, 2.5, 1.0)
    offsets = np.array([-2.5, -1.5, 1.5, 2.5]) * unit
    probe = (base[None, :, None, :] + (shifts[:, None, None, None] + offsets[None, None, :, None])
             * normal[None, None, None, :])
    vals = sample_points(white, probe, np.nan)  # shifts x T x 4
    step = 0.5 * (vals[..., 0] + vals[..., 1]) - 0.5 * (vals[..., 2] + vals[..., 3])
    inner = 0.5 * (vals[..., 0] + vals[..., 1])
    seen = (np.nan_to_num(step, nan=-1.0) > need) & (np.nan_to_num(inner, nan=0.0)
                                                      > paper - tolerance)
    seen = seen.any(axis=0)
    inside = (base >= 0).all(axis=1) & (base[:, 0] <= w - 1) & (base[:, 1] <= h - 1)
    end, last = 0.0, -1
    misses = 0
    for k in range(len(t)):
        if not inside[k]:
            break
        if seen[k]:
            end, last, misses = float(t[k]), k, 0
        else:
            misses += 1
            if misses > gap:
                break
    after = vals[2, last + 1: last + 1 + int(4 * unit) + 4]  # unshifted, just past the end
    on_paper = bool(len(after) >= 4 and np.all(np.isfinite(after))
                    and np.median(np.abs(after[:, 2:].mean(axis=1) - paper)) < need)
    return end, on_paper


def carry_on(white: np.ndarray, quad: np.ndarray, unit: float, contrast: float = 6.0,
             tolerance: float = 10.0, rounds: int = 3, seen: float = 0.95) -> np.ndarray:
    """``quad`` (4 x 2, in order around) moved out past each side with paper beyond it to
    where its neighbouring sides end (see the module's notes); ``quad`` itself when none
    moves. Up to ``rounds`` times: a flank along a blotchy desk (stone) can lose its edge for
    a few pixels and end early, leaving the moved side inside the page with paper still beyond
    it; it is carried on again from there. A neighbour with the desk only 1.5 ``tolerance``
    darker beyond it (a striped cloth's light ground lifts the 80th percentile there) is the
    page's edge too when it is seen as one (:func:`drivers.scanner.support.side_support`) on
    at least ``seen`` of its length (above 1: never)."""
    q = np.asarray(quad, np.float64)
    white = np.asarray(white, np.float32)  # once, not at every sampling
    for k in range(rounds):
        out = _carry_once(white, q, unit, contrast, tolerance, seen)
        if out is q:
            break
        if k and not _ends_there(white, q, out, unit, tolerance):
            break  # carried again onto a printed rule with paper still beyond: a cut page
        q = out
    return q


def _ends_there(white: np.ndarray, before: np.ndarray, after: np.ndarray, unit: float,
                tolerance: float) -> bool:
    """Whether a further round of carrying on ended the carrying: every side it moved has no
    paper beyond it any more. A page carried on short ends at its edge (on stone the step
    there is 17 levels); a part of a page running off the frame, carried from one printed
    column rule to the next, has paper beyond it again (2: tuning 9002 cut-ruled #79, which
    rounds taken regardless carried to within 80 px of the frame's edge and accepted)."""
    moved = np.any(np.abs(after - before) > 0.5 * unit, axis=1)  # per corner
    sides = moved & np.roll(moved, -1)  # side i runs from corner i to corner i + 1
    drop = np.nan_to_num(_beyond_level(white, after, unit), nan=0.0)
    return bool(np.all(np.abs(drop[sides]) >= tolerance))


def _carry_once(white: np.ndarray, q: np.ndarray, unit: float, contrast: float,
                tolerance: float, seen: float) -> np.ndarray:
    """One round of :func:`carry_on`: ``q`` itself when nothing moves."""
    drop = _beyond_level(white, q, unit)
    level = np.nan_to_num(drop, nan=-1.0)
    clear = level >= 2.5 * tolerance  # desk beyond: the page's edge
    half = (level >= 1.5 * tolerance) & ~clear  # or, on a striped cloth, seen as an edge
    if seen <= 1.0 and half.any() and (np.abs(np.nan_to_num(drop, nan=99.0)) < tolerance).any():
        clear |= half & (side_support(white, q[None], contrast=contrast, slack=1,
                                      unit=unit)[0] >= seen)
    # paper beyond a side whose neighbours both have the desk clearly beyond them
    open_sides = (np.abs(np.nan_to_num(drop, nan=99.0)) < tolerance) & np.roll(clear, 1) \
        & np.roll(clear, -1)
    if not open_sides.any():
        return q
    pts, normal = side_points(q[None], 16)
    # how strong each side's edge is along the quad (the step its carried-on part must keep)
    inner = sample_points(white, pts[0] - 2.0 * unit * normal[0][:, None, :])
    outer = sample_points(white, pts[0] + 2.0 * unit * normal[0][:, None, :])
    strength = np.median(inner - outer, axis=1)
    paper = np.percentile(inner, 80, axis=1)
    out = q.copy()
    moved = False
    for i in (int(k) for k in np.flatnonzero(open_sides)):
        ends: list[tuple[int, np.ndarray, float, bool]] = []
        for corner, far, j in ((i, i - 1, (i - 1) % 4), ((i + 1) % 4, (i + 2) % 4, (i + 1) % 4)):
            along = q[corner] - q[far % 4]
            size = float(np.linalg.norm(along))
            along /= size + 1e-9
            need = max(contrast, 0.4 * float(strength[j]))
            if strength[j] < 2.0 * contrast:
                ends = []
                break  # the neighbour is not a clear edge itself: nothing to follow
            run, on_paper = _edge_run(white, q[corner], along,
                                      normal[0, j].astype(np.float64), 1.5 * size, unit, need,
                                      float(paper[j]), 1.5 * tolerance)
            ends.append((corner, along, run, on_paper))
        if len(ends) != 2:
            continue
        (ca, da, a, pa), (cb, db, b, pb) = ends
        if max(a, b) < 4.0 * unit:
            continue
        early = (pa and not pb and a < b - 4.0 * unit) or (pb and not pa and b < a - 4.0 * unit)
        if not early:
            if min(a, b) >= 0.4 * max(a, b):  # both flanks go on, by a like amount
                out[ca] = q[ca] + a * da
                out[cb] = q[cb] + b * db
                moved = True
            continue
        # one flank stops early where the other sheet comes under it: the page's side is
        # taken parallel to the quad's, through the end of the flank that goes on
        if max(a, b) < 8.0 * unit:
            continue
        far = q[ca] + a * da if a > b else q[cb] + b * db
        side_dir = q[cb] - q[ca]
        (near_c, near_d) = (ca, da) if a < b else (cb, db)
        det = near_d[0] * side_dir[1] - near_d[1] * side_dir[0]
        if abs(det) < 1e-9:
            continue
        rel = far - q[near_c]
        s_len = (rel[0] * side_dir[1] - rel[1] * side_dir[0]) / det
        if s_len <= min(a, b):
            continue
        out[near_c] = q[near_c] + s_len * near_d
        out[ca if a > b else cb] = far
        moved = True
    if not moved or not convex_and_open(out[None], 45.0)[0]:
        return q
    return out
