"""Growing a found quad out to the page's own edges past a border printed inside them.

A certificate (a diploma, a licence) has a frame printed a few millimetres inside its edges.
The frame is a far stronger edge than the page's own against a pale desk or a white-ground
tablecloth, so the quad that wins the search can be the frame. Across a side of such a quad,
going outward, the whiteness shows the printed line (a dip a few pixels wide), the paper of the
margin again, and then the page's edge: a step down to a flat desk. A page's own edge shows
the desk at once (no paper comes back), and a line printed elsewhere on a page has no second
step beyond it at the same distance all round. So a side moves out to the margin's end only
where that pattern is seen on both halves of the side (perspective tilts the lines), and the
quad grows only when at least three sides agree (the frame runs round the page; one side may
lie on a colour band or a curl), or two do and the others are on the page's edge already (the
desk at once beyond them, flat and darker than the paper: a quad half on the frame, half on
the edges), their margins alike; the grown quad's moved sides must be seen as edges
(:func:`drivers.scanner.support.side_support`). The paper a side's printed line and margin
are read against is the page's (the median inside all sides), or the paper just inside that
side where that is darker (lamp falloff across the page).

A cream certificate on a pale laminate can show its printed line and margin in the whiteness
while its margin stands only 2-6 levels above the desk there: it differs from the desk in
colour. Given the picture in colour, a side half whose whiteness shows the line and the margin
coming back but no step down to the desk is read again on its *paperness* (the paper's
whiteness less twice the colour's distance, summed over B, G and R, from the paper's just
inside the side), where the desk's tint is a step down; the grown sides are then checked (and
"cut off" judged) on the paperness of the whole picture (:func:`paperness`).
"""

from __future__ import annotations

import numpy as np

from drivers.scanner.geometry import convex_and_open, intersect_segments_lines, quad_area
from drivers.scanner.support import sample_points, side_points, side_support


def _margin_end(v: np.ndarray, paper: float, tol: float, unit: float, reach: int,
                step: float) -> float:
    """Where the margin beyond a printed line ends along the outward profile ``v`` (offsets
    0, 1, ... from the side), or 0 when the profile is not line, margin, step down to desk."""
    line = int(4 * unit + 4)
    dips = np.flatnonzero(v[: int(3 * unit + 3)] < paper - tol)
    if not len(dips):
        return 0.0  # no printed line just beyond the side
    k = int(dips[0])
    for attempt in range(2):  # a double frame: two lines, paper between
        back = np.flatnonzero(v[k: k + line] >= paper - tol)
        if not len(back):
            return 0.0  # dark stays dark: the desk, not a line
        a = k + int(back[0])
        margin = float(np.max(v[a: a + 3]))
        low = v < margin - step
        ends = [e for e in range(a + 1, min(reach, len(v) - 8)) if low[e: e + 4].all()]
        if not ends:
            return 0.0
        e = ends[0]
        if attempt == 0 and float(np.max(v[e + 4: e + line + 4])) >= margin - 0.5 * step:
            k = e  # paper again just after: a second printed line
            continue
        tail = v[e + 2: e + 8]
        if float(np.ptp(tail)) > 2 * step and float(np.max(tail)) >= margin - 2 * step:
            return 0.0  # what lies beyond is neither a flat desk nor one that stays darker
        cut = 0.5 * (margin + float(np.median(tail)))
        start = a + int(np.argmax(v[a: e + 1] >= cut))  # into the margin
        # and out of it for good: a pixel of sensor noise under the cut is not the margin's end
        below = v[start: e + 8] < cut
        stays = below[: len(below) - 2] & below[1: len(below) - 1] & below[2:]
        c = start + int(np.argmax(stays))
        if c <= start:
            return 0.0
        drop = float(v[c - 1] - v[c])
        return float(c - 1) + (float(v[c - 1]) - cut) / drop if drop > 1e-6 else float(c)
    return 0.0


def _at_edge(v: np.ndarray, paper: float, step: float, reach: int, far: float = 0.0) -> bool:
    """Whether the outward profile ``v`` is a page's edge already: from 3 pixels out to
    ``reach``, a flat desk darker than ``paper`` by ``step`` or more, or (``far`` > 0) a desk
    of any pattern staying ``far`` steps darker (a mottled stone desk: no margin's paper comes
    back beyond the side)."""
    desk = v[3:reach]
    if len(desk) < 6 or np.isnan(desk).any():
        return False
    top = float(np.max(desk))
    return bool(top < paper - step and (float(np.ptp(desk)) <= 2 * step
                                        or (far > 0 and top < paper - far * step)))


def _line_then_paper(v: np.ndarray, paper: float, tol: float, unit: float) -> bool:
    """Whether the outward profile ``v`` starts with a printed line and paper after it (the
    first half of :func:`_margin_end`'s pattern)."""
    dips = np.flatnonzero(v[: int(3 * unit + 3)] < paper - tol)
    if not len(dips):
        return False
    k = int(dips[0])
    return bool(np.any(v[k: k + int(4 * unit + 4)] >= paper - tol))


def _paperness_of(bgr: np.ndarray, paper: np.ndarray) -> np.ndarray:
    """Paperness (see the module's notes) of colours ``bgr`` (... x 3, float: samples or a
    whole picture) against the paper's colour ``paper`` (3), in ``bgr``'s precision."""
    own = np.asarray(paper, bgr.dtype)
    return np.asarray(float(np.min(paper)) - 2.0 * np.abs(bgr - own).sum(axis=-1))


def paperness(colour: np.ndarray, paper: np.ndarray) -> np.ndarray:
    """The paperness (float32) of a BGR picture against the paper's colour ``paper`` (B, G, R):
    the paper's whiteness less twice the sum of the channels' distances from the paper's (a
    desk's tint of 3 levels a channel is a step of 18)."""
    return np.asarray(_paperness_of(colour.astype(np.float32), paper), np.float32)


def _colours(colour: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """B, G, R (... x 3, float32) of ``colour`` at ``pts``; NaN beyond the picture."""
    return np.stack([sample_points(colour[..., c], pts, np.nan) for c in range(3)], axis=-1)


def sides_seen(white: np.ndarray, quad: np.ndarray, contrast: float, slack: int = 2
               ) -> np.ndarray:
    """Per side of a grown ``quad``, its support (:func:`drivers.scanner.support.side_support`)
    read at the usual span or at half of it, whichever sees more: a margin of a few pixels has
    the printed line inside the usual span."""
    return np.asarray(np.maximum(
        side_support(white, quad[None], contrast=contrast, slack=slack)[0],
        side_support(white, quad[None], contrast=contrast, slack=slack, unit=0.5)[0]))


def grow_quad(
    white: np.ndarray,
    quad: np.ndarray,
    unit: float = 1.0,
    samples: int = 24,
    contrast: float = 6.0,
    min_support: float = 0.35,
    min_sides: int = 3,
) -> np.ndarray:
    """``quad`` (4 x 2, in ``white``'s pixels) grown out past a printed frame to the page's
    edges (see the module's notes), or ``quad`` itself. ``unit`` is a pixel of the search
    image in ``white``'s pixels."""
    return grow(white, quad, unit=unit, samples=samples, contrast=contrast,
                min_support=min_support, min_sides=min_sides)[0]


def grow(
    white: np.ndarray,
    quad: np.ndarray,
    colour: np.ndarray | None = None,
    unit: float = 1.0,
    samples: int = 24,
    contrast: float = 6.0,
    min_support: float = 0.35,
    min_sides: int = 3,
    far: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`grow_quad`, and with ``colour`` (the picture in BGR, ``white``'s pixels) also
    where the margin differs from the desk in colour only; and the picture the grown quad's
    sides are read on: ``white``, or its paperness when the colour was needed. ``far``: a
    side not grown is on the page's edge also over a patterned desk that stays ``far`` steps
    darker than the paper (:func:`_at_edge`; 0: over a flat desk only)."""
    q = np.asarray(quad, np.float64)
    smooth = np.asarray(white, np.float32)  # the medians over half a side smooth enough
    pts, normal = side_points(q[None], samples)
    pts, normal = pts[0].astype(np.float64), normal[0].astype(np.float64)
    inside = sample_points(smooth, pts[:, :, None, :] - np.arange(2.0, 6.0)[None, None, :, None]
                           * normal[:, None, None, :])
    paper = float(np.median(inside))
    step = max(5.0, contrast)
    centre = q.mean(axis=0)
    half = samples // 2
    moves = np.zeros((4, 2))
    edge = np.zeros(4, bool)
    failed, stray = 0, False
    tinted: list[np.ndarray] = []  # the paper's colours where the colour was read
    for i in range(4):
        across = 2.0 * abs(float(np.dot(pts[i, half] - centre, normal[i])))
        reach = int(max(12.0, 0.15 * across))
        steps = np.arange(0.0, reach + 12.0)
        probe = pts[i][:, None, :] + steps[None, :, None] * normal[i]
        vals = sample_points(smooth, probe, np.nan)  # beyond the frame: nothing to read
        local = float(np.median(inside[i]))
        level = min(paper, local)
        edges = []
        for k, part in enumerate((slice(0, half), slice(half, samples))):
            seen = ~np.isnan(vals[part]).any(axis=0)
            v = np.median(vals[part][:, : int(np.argmin(seen)) if not seen.all() else None],
                          axis=0)
            tol = max(10.0, 0.1 * level)
            moves[i, k] = _margin_end(v, level, tol, unit, reach, step)
            if (moves[i, k] == 0 and colour is not None and colour.ndim == 3
                    and _line_then_paper(v, level, tol, unit)):
                ins = _colours(colour, (pts[i][part][:, None, :] - np.arange(
                    2.0, 6.0)[None, :, None] * normal[i]).reshape(-1, 2))
                own = np.median(ins, axis=0)
                tone = np.median(_paperness_of(_colours(colour, probe[part][:, : len(v)]), own),
                                 axis=0)
                moves[i, k] = _margin_end(tone, float(np.median(_paperness_of(ins, own))),
                                          tol, unit, reach, step)
                if moves[i, k] > 0:
                    tinted.append(own)
            edges.append(_at_edge(v, max(paper, local), step, reach, far))
        if not np.all(moves[i] > 0):
            moves[i] = 0.0
            edge[i] = all(edges)
            failed += 1
            stray = stray or not edge[i]
            if failed > 4 - max(1, min_sides) and (failed > 2 or stray):
                return q, white  # too few sides can grow, the others not on the edge
    moved = moves[:, 0] > 0
    if int(moved.sum()) < min_sides and not (moved.sum() >= 2 and edge[~moved].all()):
        return q, white
    widths = moves[moved].mean(axis=1)
    if float(widths.max()) > 3.0 * float(widths.min()):
        return q, white  # margins unlike each other: not one frame round the page
    grown = _moved(pts, normal, moves, half)
    if grown is None or not convex_and_open(grown[None], 45.0)[0]:
        return q, white
    if quad_area(grown) > 1.6 * quad_area(q):
        return q, white
    seen_on = white
    if tinted and colour is not None:
        seen_on = paperness(colour, np.median(np.array(tinted), axis=0))
    seen = sides_seen(seen_on, grown, contrast)
    if np.any(seen[moved] < min_support):
        return q, white
    return grown, seen_on


def _moved(pts: np.ndarray, normal: np.ndarray, moves: np.ndarray, half: int) -> np.ndarray | None:
    """The quad whose sides pass through each half's middle point moved by ``moves``; None when
    two neighbouring sides are parallel."""
    a = pts[:, half // 2] + moves[:, :1] * normal
    d = pts[:, half + half // 2] + moves[:, 1:] * normal - a
    corners, ok = intersect_segments_lines(np.roll(a, 1, axis=0), np.roll(d, 1, axis=0), a, d)
    return corners if bool(ok.all()) else None
