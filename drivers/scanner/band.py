"""A band of colour printed to the page's edge: the found quad extended over it.

Forms and letters are sometimes printed with a solid band of colour across one end, right to
the paper's edge. The paper is white only up to the band, so the quad that wins the search ends
there: its side along the band's inner edge is a fine edge (paper, then something darker that
stays darker). What tells the band from the desk is its shape: beyond that side lies a strip of
one even colour, bounded on both flanks by the *continuations of the page's own neighbouring
sides* (the desk lies outside them), and ending at a step to something else, at a depth of at
most a quarter of the page. A side of a page lying on a desk has the desk beyond it, on both
sides of those continuations alike, so nothing is extended.
"""

from __future__ import annotations

import numpy as np

from drivers.scanner.support import sample_points

_ACROSS = np.linspace(0.12, 0.88, 12)
"""Where, across the side, the profiles into the band are read."""


def _colours(img: list[np.ndarray], pts: np.ndarray) -> np.ndarray:
    """B, G, R (... x 3, float) at ``pts`` (... x 2); NaN beyond the frame."""
    return np.stack([sample_points(c, pts, np.nan) for c in img], axis=-1)


def _distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray(np.linalg.norm(a - b, axis=-1))


def _band_end(profile: np.ndarray, band: np.ndarray, step: float) -> int:
    """The first depth (index) from which the colour ``profile`` (S x 3) stays away from the
    ``band`` colour by more than ``step`` for four samples; 0 when it never does."""
    away = _distance(profile, band) > step
    for s in range(4, len(profile) - 4):
        if away[s: s + 4].all():
            return s
    return 0


def extend_over_band(
    image: np.ndarray, quad: np.ndarray, depth: float = 0.25, step: float = 22.0,
    even: float = 10.0,
) -> np.ndarray:
    """``quad`` (4 x 2, clockwise, in pixels of the BGR ``image``) with one side moved out over
    a band of colour printed to the page's edge (see the module's notes), or ``quad``
    itself. ``depth`` bounds the band as a share of the neighbouring sides' length; ``step`` is
    the colour distance (BGR) that marks the band's end and flanks; ``even``, how far the
    band's own pixels may stray from its colour (median)."""
    if image.ndim != 3:
        return np.asarray(quad, np.float64)  # no colour, no band to see
    img = [np.ascontiguousarray(image[..., c], dtype=np.float32) for c in range(3)]
    q = np.asarray(quad, np.float64)
    for i in range(4):
        a, b = q[i], q[(i + 1) % 4]
        da, db = a - q[i - 1], b - q[(i + 2) % 4]  # the neighbouring sides, going on past a, b
        la, lb = float(np.linalg.norm(da)), float(np.linalg.norm(db))
        if min(la, lb) < 20:
            continue
        ua, ub = da / la, db / lb
        reach = int(depth * 0.5 * (la + lb))
        s = np.arange(0.0, reach, 1.0)
        u = _ACROSS[:, None, None]
        pts = (1 - u) * (a + s[:, None] * ua) + u * (b + s[:, None] * ub)  # 12 x S x 2
        inside = (1 - u) * (a - np.arange(3.0, 7.0)[:, None] * ua) + u * (
            b - np.arange(3.0, 7.0)[:, None] * ub)
        paper = np.median(_colours(img, inside).reshape(-1, 3), axis=0)
        near = _colours(img, pts[:, 3:7]).reshape(-1, 3)
        if np.isnan(near).any():
            continue
        band = np.median(near, axis=0)
        if float(_distance(band, paper)) < 2 * step:
            continue  # paper (or nearly) beyond the side: not a band
        cols = _colours(img, pts)  # 12 x S x 3
        ends = []
        for part in (slice(0, 6), slice(6, 12)):
            prof = np.median(cols[part], axis=0)
            ok = ~np.isnan(prof).any(axis=1)
            ends.append(_band_end(prof[: int(np.argmin(ok)) if not ok.all() else None], band,
                                  step))
        e1, e2 = ends
        if min(e1, e2) < 6 or max(e1, e2) > 1.5 * min(e1, e2) + 4:
            continue
        strip = cols[:, 2: min(e1, e2) - 2].reshape(-1, 3)
        if float(np.median(_distance(strip, band))) > even:
            continue  # not one even colour
        if not _flanked(img, a, ua, b, ub, q, min(e1, e2), band, step):
            continue
        # the band's end, read at a quarter and three quarters across, extended to the flanks
        ea, eb = 1.5 * e1 - 0.5 * e2, 1.5 * e2 - 0.5 * e1
        out = q.copy()
        out[i], out[(i + 1) % 4] = a + ea * ua, b + eb * ub
        return out
    return q


def _flanked(img: list[np.ndarray], a: np.ndarray, ua: np.ndarray, b: np.ndarray, ub: np.ndarray,
             q: np.ndarray, end: int, band: np.ndarray, step: float) -> bool:
    """Whether the strip's flanks, the page's neighbouring sides carried on past ``a`` and
    ``b``, have the band inside and something else outside along most of their length."""
    centre = q.mean(axis=0)
    s = np.arange(2.0, end - 2.0, 1.0)
    for p, d in ((a, ua), (b, ub)):
        n = np.array([d[1], -d[0]])
        if float(np.dot(p - centre, n)) < 0:
            n = -n
        line = p + s[:, None] * d
        inner = _colours(img, line - 3.0 * n)
        outer = _colours(img, line + 3.0 * n)
        if np.isnan(outer).any():
            return False
        seen = (_distance(inner, band) < step) & (_distance(outer, band) > step)
        if float(seen.mean()) < 0.6:
            return False
    return True
