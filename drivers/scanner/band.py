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

import cv2
import numpy as np

_ACROSS = np.linspace(0.12, 0.88, 12)
"""Where, across the side, the profiles into the band are read."""


def _colours(img: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """B, G, R (... x 3, float) of the BGR ``img`` at ``pts`` (... x 2), bilinear; NaN beyond
    the frame."""
    h, w = img.shape[:2]
    flat = pts.reshape(1, -1, 2).astype(np.float32)
    out = cv2.remap(img, np.ascontiguousarray(flat[..., 0]), np.ascontiguousarray(flat[..., 1]),
                    cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    vals = np.asarray(out, np.float32).reshape(-1, 3)
    x, y = flat[0, :, 0], flat[0, :, 1]
    vals[(x < 0) | (y < 0) | (x > w - 1) | (y > h - 1)] = np.nan
    return vals.reshape(*pts.shape[:-1], 3)


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
    even: float = 10.0, curled: bool = True, looks: Looks | None = None,
) -> np.ndarray:
    """``quad`` (4 x 2, clockwise, in pixels of the BGR ``image``) with one side moved out over
    a band of colour printed to the page's edge (see the module's notes), or ``quad``
    itself. ``depth`` bounds the band as a share of the neighbouring sides' length; ``step`` is
    the colour distance (BGR) that marks the band's end and flanks; ``even``, how far the
    band's own pixels may stray from its colour (median); ``curled``, whether a flank may be
    cut short by a curled corner (:func:`_curled_off`); ``looks``, the frame's first looks
    (:class:`Looks`, on ``image``), read once a quad."""
    if image.ndim != 3:
        return np.asarray(quad, np.float64)  # no colour, no band to see
    img = image
    q = np.asarray(quad, np.float64)
    found = Looks.on(img, looks).banded(q, step)
    if found is None:
        return q
    sides, ends_a, ends_b, unit_a, unit_b, lengths, bands = found
    for i in sides:
        a, b, ua, ub, band = ends_a[i], ends_b[i], unit_a[i], unit_b[i], bands[i]
        cols, halves = _profiles(img, a, ua, b, ub, _reach(depth, lengths[i]))
        e1, e2 = (_band_end(prof[:inside], band, step) for prof, inside in halves)
        if min(e1, e2) < 6 or max(e1, e2) > 1.5 * min(e1, e2) + 4:
            continue
        strip = cols[:, 2: min(e1, e2) - 2].reshape(-1, 3)
        if float(np.median(_distance(strip, band))) > even:
            continue  # not one even colour
        if not _flanked(img, a, ua, b, ub, q, min(e1, e2), band, step, curled):
            continue
        # the band's end, read at a quarter and three quarters across, extended to the flanks
        ea, eb = 1.5 * e1 - 0.5 * e2, 1.5 * e2 - 0.5 * e1
        out = q.copy()
        out[i], out[(i + 1) % 4] = a + ea * ua, b + eb * ub
        return out
    return q


def _reach(depth: float, lengths: np.ndarray) -> int:
    """How deep (pixels) the profiles beyond a side are read: ``depth`` of the mean of its
    neighbouring sides' ``lengths`` (2)."""
    return int(depth * 0.5 * float(lengths.sum()))


def _profiles(img: np.ndarray, a: np.ndarray, ua: np.ndarray, b: np.ndarray, ub: np.ndarray,
              reach: int) -> tuple[np.ndarray, list[tuple[np.ndarray, int | None]]]:
    """The colours beyond a side from ``a`` to ``b``, read along its neighbouring sides carried
    on (unit directions ``ua``, ``ub``) out to ``reach`` pixels, at 12 places across it
    (12 x S x 3), and its two halves' median profiles (S x 3), each with the depth at which it
    leaves the frame (None: it never does)."""
    u = _ACROSS[:, None, None]
    s = np.arange(0.0, reach, 1.0)
    cols = _colours(img, (1 - u) * (a + s[:, None] * ua) + u * (b + s[:, None] * ub))
    halves: list[tuple[np.ndarray, int | None]] = []
    for part in (slice(0, 6), slice(6, 12)):
        prof = np.median(cols[part], axis=0)
        ok = ~np.isnan(prof).any(axis=1)
        halves.append((prof, None if ok.all() else int(np.argmin(ok))))
    return cols, halves


def runs_off_frame(image: np.ndarray, quad: np.ndarray, depth: float = 0.25,
                   step: float = 22.0, even: float = 10.0, least: int = 6,
                   looks: Looks | None = None) -> bool:
    """(Round 12) Whether a band of colour printed to the page's edge runs on past a side of
    ``quad`` (as :func:`extend_over_band` reads it) out of the frame: one even colour beyond
    the side, ``2 step`` from the paper and from what lies just beyond every other side in
    view (a striped cloth's light ground beyond a side near the frame's edge is no band: 9014
    mix #265, a clear page), flanked by the page's neighbouring sides carried on (band inside,
    something else outside, as far as they are in view, at least 4 pixels each), that never
    ends before the frame's edge, which comes within ``depth`` of the neighbouring sides'
    length, at least ``least`` pixels from the side. The band's own end is the page's edge, so the
    page is cut off: its quad ends at the band's inner edge, far from the frame's edge, and
    no reading of paper beyond it fires (tuning 9016 cut #96: a grey band 57 levels below the
    paper in the whiteness view, its text running off the frame's left edge). ``looks``: the
    frame's first looks (:class:`Looks`, on ``image``; :func:`extend_over_band` has read the
    plain view's page's)."""
    if image.ndim != 3:
        return False
    q = np.asarray(quad, np.float64)
    geometry = _geometry(q)
    off_frame = _reaches_frame_edge(q, geometry, image.shape[1], image.shape[0], depth)
    if not off_frame.any():
        return False  # (most pages: no side's band could run off the frame, nothing read)
    found = Looks.on(image, looks).banded(q, step)
    if found is None:
        return False
    sides, ends_a, ends_b, unit_a, unit_b, lengths, bands = found
    for i in sides[off_frame[sides]]:
        a, b, ua, ub, band = ends_a[i], ends_b[i], unit_a[i], unit_b[i], bands[i]
        desk = _distance(bands[np.arange(4) != i], band)
        desk = desk[np.isfinite(desk)]
        if not len(desk) or float(desk.min()) < 2 * step:
            continue  # the desk beyond another side is of the band's colour: no band
        cols, halves = _profiles(image, a, ua, b, ub, _reach(depth, lengths[i]))
        ins = []
        for prof, inside in halves:
            if inside is None or inside < least or _band_end(prof[:inside], band, step):
                break  # the frame's edge out of reach, or the band ends in view
            ins.append(inside)
        if len(ins) < 2:
            continue
        strip = cols[:, 2: min(ins) - 2].reshape(-1, 3)
        if float(np.median(_distance(strip, band))) > even:
            continue  # not one even colour
        if _flanked(image, a, ua, b, ub, q, max(ins), band, step, curled=False,
                    in_view=4):
            return True
    return False


Geometry = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""A quad's sides' ends and neighbouring sides (:func:`_geometry`)."""


def _geometry(q: np.ndarray) -> Geometry:
    """Side i of ``q`` runs from ``q[i]`` (its end a) to ``q[i + 1]`` (its end b); its
    neighbouring sides go on past each end: their directions there (each side's length) and
    their lengths (4 x 2: past a, past b)."""
    ends_a, ends_b = q, np.roll(q, -1, axis=0)
    dirs_a = ends_a - np.roll(q, 1, axis=0)
    dirs_b = ends_b - np.roll(q, -2, axis=0)
    lengths = np.stack([np.linalg.norm(dirs_a, axis=1), np.linalg.norm(dirs_b, axis=1)], axis=1)
    return ends_a, ends_b, dirs_a, dirs_b, lengths


def _reaches_frame_edge(q: np.ndarray, geometry: Geometry, w: int, h: int,
                        depth: float) -> np.ndarray:
    """Per side of ``q`` (its :func:`_geometry`): whether both halves of the profiles
    :func:`runs_off_frame` reads beyond it (its neighbouring sides carried on, out to
    ``depth`` of their length) leave the frame (``w`` x ``h``) somewhere."""
    ends_a, ends_b, dirs_a, dirs_b, lengths = geometry
    len_a, len_b = np.maximum(lengths[:, :1], 1e-9), np.maximum(lengths[:, 1:], 1e-9)
    # the last depth :func:`_reach` reads, for all four sides at once; written out here, not
    # called, to keep this order of operations (round 12's, bit for bit)
    reach = np.floor(depth * 0.5 * (lengths[:, :1] + lengths[:, 1:])) - 1.0
    u = _ACROSS[None, :, None]
    far = (1 - u) * (ends_a + reach * dirs_a / len_a)[:, None] + u * (
        ends_b + reach * dirs_b / len_b)[:, None]  # 4 x 12 x 2
    out = (far[..., 0] < 0) | (far[..., 1] < 0) | (far[..., 0] > w - 1) | (far[..., 1] > h - 1)
    return np.asarray(out[:, :6].any(axis=1) & out[:, 6:].any(axis=1))


Banded = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
               np.ndarray]
"""The sides with a band beyond them at a first look, and the quad's geometry and the bands'
colours (:func:`_banded_sides`)."""


class Looks:
    """One frame's first looks for a band (:func:`_banded_sides`) on its picture ``img``, each
    quad's read once: the plain view's page is looked at by :func:`extend_over_band` (when it
    is finished) and again by :func:`runs_off_frame` (the last look)."""

    def __init__(self, img: np.ndarray) -> None:
        self.img = img
        self._seen: dict[tuple[bytes, float], Banded | None] = {}

    @staticmethod
    def on(img: np.ndarray, looks: Looks | None) -> Looks:
        """``looks`` when given (it must be this picture's: another frame's readings would be
        taken for this one's), else a new one on ``img``."""
        if looks is None:
            return Looks(img)
        if looks.img is not img:
            raise ValueError("band looks made on another picture")
        return looks

    def banded(self, q: np.ndarray, step: float) -> Banded | None:
        """:func:`_banded_sides` of ``q`` (4 x 2 float64) on this frame (read only)."""
        key = (q.tobytes(), step)
        if key not in self._seen:
            self._seen[key] = _banded_sides(self.img, q.copy(), step)
        return self._seen[key]


def _banded_sides(img: np.ndarray, q: np.ndarray, step: float) -> Banded | None:
    """The sides of ``q`` with a band beyond them at a first look (its colour ``2 step`` from
    the paper's just inside, its flanks near the side with the band inside and something else
    outside), with the quad's ends, the neighbouring sides' directions and lengths and the
    bands' colours; None when there is none."""
    ends_a, ends_b, dirs_a, dirs_b, lengths = _geometry(q)
    if float(lengths.min()) < 20:
        return None
    unit_a, unit_b = dirs_a / lengths[:, :1], dirs_b / lengths[:, 1:]
    u = _ACROSS[None, :, None, None]
    off = np.array([-6.0, -5.0, -4.0, -3.0, 3.0, 4.0, 5.0, 6.0])[None, None, :, None]
    look = (1 - u) * (ends_a[:, None, None] + off * unit_a[:, None, None]) + u * (
        ends_b[:, None, None] + off * unit_b[:, None, None])  # 4 x 12 x 8 x 2
    seen = _colours(img, look)
    papers = np.median(seen[:, :, :4].reshape(4, -1, 3), axis=1)
    bands = np.median(seen[:, :, 4:].reshape(4, -1, 3), axis=1)  # NaN if any is beyond
    sides = np.flatnonzero(_distance(bands, papers) >= 2 * step)  # else paper beyond: no band
    if not len(sides):
        return None
    # a quick look at the flanks near the side: the desk has itself on both sides of them
    centre = q.mean(axis=0)
    flank_pts, flank_dirs = np.stack([ends_a, ends_b], 1), np.stack([unit_a, unit_b], 1)
    normal = np.stack([flank_dirs[..., 1], -flank_dirs[..., 0]], axis=-1)  # 4 x 2 x 2
    normal *= np.sign(np.sum((flank_pts - centre) * normal, axis=-1, keepdims=True) + 1e-9)
    depth_s = np.arange(2.0, 7.0)[:, None, None, None]  # 5 x 1 x 1 x 1
    line = flank_pts[None] + depth_s * flank_dirs[None]  # 5 x 4 x 2 x 2
    beside = _colours(img, np.stack([line - 3.0 * normal, line + 3.0 * normal]))  # 2x5x4x2x3
    inner = _distance(beside[0], bands[None, :, None]) < step
    outer = _distance(beside[1], bands[None, :, None]) > step
    flanked = ((inner & outer).mean(axis=0) >= 0.6).all(axis=1)  # 4
    sides = sides[flanked[sides]]
    return sides, ends_a, ends_b, unit_a, unit_b, lengths, bands


def _flanked(img: np.ndarray, a: np.ndarray, ua: np.ndarray, b: np.ndarray, ub: np.ndarray,
             q: np.ndarray, end: int, band: np.ndarray, step: float, curled: bool = True,
             in_view: int = 0) -> bool:
    """Whether the strip's flanks, the page's neighbouring sides carried on past ``a`` and
    ``b``, have the band inside and something else outside along most of their length (or,
    with ``curled``, a flank whose far end a curled corner took: :func:`_curled_off`); with
    ``in_view``, read only as far as they are in the frame, at least ``in_view`` points."""
    centre = q.mean(axis=0)
    s = np.arange(2.0, end - 2.0, 1.0)
    for p, d in ((a, ua), (b, ub)):
        n = np.array([d[1], -d[0]])
        if float(np.dot(p - centre, n)) < 0:
            n = -n
        line = p + s[:, None] * d
        inner = _colours(img, line - 3.0 * n)
        outer = _colours(img, line + 3.0 * n)
        if in_view:
            keep = ~(np.isnan(outer).any(axis=1) | np.isnan(inner).any(axis=1))
            if int(keep.sum()) < in_view:
                return False
            inner, outer = inner[keep], outer[keep]
        if np.isnan(outer).any():
            return False
        away = _distance(outer, band) > step
        seen = (_distance(inner, band) < step) & away
        if float(seen.mean()) < 0.6 and not (curled and _curled_off(seen, away)):
            return False
    return True


def _curled_off(seen: np.ndarray, away: np.ndarray) -> bool:
    """Whether a flank (``seen``: band inside and something else outside, point by point from
    the page out) is one whose far end a curled corner took: the band's tip rolled up, its
    flank is seen from the page over the first third and then no more, while outside it the
    desk stays unlike the band all along (a desk of the band's colour is not)."""
    first = seen[: max(4, len(seen) // 3)]
    return bool(float(first.mean()) >= 0.8 and float(away.mean()) >= 0.9)
