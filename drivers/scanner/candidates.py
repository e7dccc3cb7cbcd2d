"""Candidate page quadrilaterals on the small working image.

Four sources, all cheap:

* contours of the closed edges and of the bright, colourless regions (Otsu on the darkest
  channel: white paper keeps all three channels high). Each contour's hull gives its simplified
  four-corner form, and every choice of four of its long sides extended to meet (a page merged
  with a neighbouring object or a glare halo keeps its own sides among the long ones);
* Hough lines of the edges: two nearly parallel pairs crossing at a wide angle;
* the same contours on an image four times smaller still, where a patterned desk (gingham,
  stripes, dots) averages out to an even tone and the page stands alone; those quads are snapped
  back onto the working image's edges before they are scored;
* the bright regions opened with a square wider than a cloth's light stripes (the plain view
  only, scored apart and looked for only when the first search's best is unsure or at the
  frame's edge): a page whose bright region runs into a light-ground cloth's stripes or dots
  (:func:`opened_candidates`).

Scoring (in :mod:`drivers.scanner.detect`) picks among them; a wrong candidate costs little.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import lru_cache

import cv2
import numpy as np

from drivers.scanner.edges import edge_map
from drivers.scanner.geometry import intersect_segments_lines, order_clockwise, unique_quads
from drivers.scanner.refine import snap_quads
from drivers.scanner.views import WHITE, View

EDGE_LOW, EDGE_HIGH = 20.0, 60.0
"""Hysteresis thresholds of the coarse edge map (Sobel magnitude, L2)."""


def _hull_quads(contour: np.ndarray, max_sides: int) -> list[np.ndarray]:
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    out = []
    for eps in (0.02, 0.04, 0.06):
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4:
            out.append(approx.reshape(4, 2).astype(np.float64))
            break
    poly = cv2.approxPolyDP(hull, 0.008 * perimeter, True).reshape(-1, 2).astype(np.float64)
    if len(poly) <= 4:
        return out
    out.extend(_side_quads(poly, perimeter, max_sides))
    return out


@lru_cache(maxsize=16)
def _fours(count: int) -> np.ndarray:
    """``itertools.combinations(range(count), 4)`` as a C x 4 array, made once per count (read
    only)."""
    fours = np.array(list(itertools.combinations(range(count), 4)), np.intp).reshape(-1, 4)
    fours.flags.writeable = False
    return fours


_PREV = np.array([3, 0, 1, 2])
"""``np.roll(np.arange(4), 1)``: each side's previous one around the quad."""


def _side_quads(poly: np.ndarray, perimeter: float, max_sides: int,
                fitted: tuple[np.ndarray, np.ndarray] | None = None,
                hairpins_last: bool = False, only: np.ndarray | None = None
                ) -> list[np.ndarray]:
    """Quads made of every four of the polygon's longest sides (in order around), extended
    to meet; with ``fitted`` (a point and a direction a side, :func:`_fitted_sides`) the sides
    are those lines instead of the chords between the polygon's corners. With
    ``hairpins_last``, when sides that turn back on a neighbour (a hairpin, more than 150
    degrees: the two sides of a thin sliver, such as a certificate's margin cut off by its
    printed frame in the bright mask, or of the outline's way into a table's inside and back)
    are among the longest, every four of the ``max_sides`` + 2 longest sides, the shorter of
    each hairpin left out, too: the slivers' long sides can crowd out the short part of a
    page's side over the desk (tuning 9011 two-documents #94, 9010 #58), though a sliver's
    side may be the page's own edge (a certificate's margin: 9010 two-documents #9; the
    longer of the two: 9010 #58)."""
    out: list[np.ndarray] = []
    sides = np.concatenate((poly[1:], poly[:1])) - poly  # np.roll(poly, -1, axis=0) - poly
    hairpin = None
    if hairpins_last and len(sides) > max_sides:
        size = np.hypot(sides[:, 0], sides[:, 1])
        unit = sides / np.maximum(size, 1e-9)[:, None]
        turned = np.add.reduce(unit * np.roll(unit, -1, axis=0), axis=1) < -0.866  # k, k + 1
        longer = size >= np.roll(size, -1)  # of side k and side k + 1
        hairpin = (turned & ~longer) | np.roll(turned & longer, 1)  # the shorter of each
    if fitted is not None:
        poly, sides = fitted
    lengths = np.sqrt(np.add.reduce(sides * sides, axis=1))  # np.linalg.norm, as it computes it
    order = np.argsort(lengths)[::-1]
    chosen = [order[:max_sides]]
    if hairpin is not None and hairpin[chosen[0]].any():
        chosen.append(order[~hairpin[order]][:max_sides + 2])
    for picked in chosen:
        keep = np.sort(picked[lengths[picked] >= 0.04 * perimeter])
        if len(keep) < 4:
            continue
        combos = keep[_fours(len(keep))]  # C x 4, in hull order
        if only is not None:  # the fours with one of these sides at least
            combos = combos[only[combos].any(axis=1)]
        start, direction = poly[combos], sides[combos]
        pts, ok = intersect_segments_lines(
            start[:, _PREV].reshape(-1, 2),
            direction[:, _PREV].reshape(-1, 2),
            start.reshape(-1, 2),
            direction.reshape(-1, 2),
        )
        out.extend(pts.reshape(-1, 4, 2)[ok.reshape(-1, 4).all(axis=1)])
    return out


def contour_candidates(
    white: np.ndarray, edges: np.ndarray, min_area: float, max_sides: int = 8
) -> list[np.ndarray]:
    """Quads from the contours of the closed edges and of the bright regions."""
    _, bright = cv2.threshold(white, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    kernel = np.ones((3, 3), np.uint8)
    sources = (
        (cv2.dilate(edges, kernel), cv2.RETR_LIST),
        (cv2.morphologyEx(bright, cv2.MORPH_OPEN, kernel), cv2.RETR_EXTERNAL),
    )
    out: list[np.ndarray] = []
    for mask, mode in sources:
        contours, _ = cv2.findContours(mask, mode, cv2.CHAIN_APPROX_SIMPLE)
        for contour in contours:
            if cv2.contourArea(contour) >= 0.5 * min_area:
                out.extend(_hull_quads(contour, max_sides))
    return out


def opened_candidates(white: np.ndarray, min_area: float, size: int = 11) -> list[np.ndarray]:
    """Hull quads of the bright regions (Otsu on the darkest channel) opened with a ``size``
    pixel square: on a striped or dotted cloth whose light ground is as bright as paper, the
    page's bright region runs into the light stripes (or the gaps between the dots) wherever
    its edge meets one, so its outline is the cloth's; a hand or a pen over an edge joins it to
    more. The light bands, a few pixels wide on the search image, do not survive the opening;
    the page does (its sides, longer than the square, stay where they were; its corners are
    rounded, and the quad of its longest sides extended meets them again). A hand's fingers
    lying over the page leave it a dented outline whose hull is the page: the quad goes on
    straight under them."""
    _, bright = cv2.threshold(white, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(bright, cv2.MORPH_OPEN,
                            cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    out: list[np.ndarray] = []
    for contour in contours:
        if cv2.contourArea(contour) >= 0.5 * min_area:
            out.extend(_hull_quads(contour, 8))
    return out


def concave_candidates(white: np.ndarray, min_area: float, max_sides: int = 10,
                       fit: bool = True) -> list[np.ndarray]:
    """Quads from the sides of the bright regions' own outlines where they are not convex: a
    page lying over another sheet merges with it into one bright region whose hull skips the
    page's side over that sheet, but the outline keeps the part of that side over the desk
    (a dent). Only for the frames where the plain search is unsure. Every four of the ten
    longest sides: the part of the page's side over the desk can be short, and a certificate's
    printed frame under the page breaks the outline into many long sides (with eight, tuning
    9007 two-documents #22 lost the page's)."""
    _, bright = cv2.threshold(white, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(bright, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    return outline_quads(mask, min_area, max_sides, fit=fit)


def outline_quads(mask: np.ndarray, min_area: float, max_sides: int, hulls: bool = False,
                  fit: bool = True) -> list[np.ndarray]:
    """The side quads of ``mask``'s outer outlines where they are dented (and with ``hulls``
    each outline's hull quads too); with ``fit`` also those of its sides fitted to the
    outline (:func:`_fitted_sides`), and of the longest sides with slivers' shorter sides
    left out."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    out: list[np.ndarray] = []
    every: Sequence[np.ndarray] | None = None  # the outlines with every pixel: when needed
    for k, contour in enumerate(contours):
        area = cv2.contourArea(contour)
        if area < min_area:
            continue
        if hulls:
            out.extend(_hull_quads(contour, 8))
        hull = cv2.convexHull(contour)
        if area > 0.95 * cv2.contourArea(hull):
            continue  # convex: the hull's quads have it
        perimeter = cv2.arcLength(hull, True)
        poly = cv2.approxPolyDP(contour, 0.01 * perimeter, True).reshape(-1, 2)
        if len(poly) > 4:
            out.extend(_side_quads(poly.astype(np.float64), perimeter, max_sides,
                                   hairpins_last=fit))
            if fit:
                if every is None:
                    every, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
                fitted = _fitted_sides(every[k], poly, perimeter)
                if fitted[2].any():  # else its quads are the chords' already
                    out.extend(_side_quads(poly.astype(np.float64), perimeter, max_sides,
                                           fitted[:2], hairpins_last=True, only=fitted[2]))
    return out


def _fitted_sides(contour: np.ndarray, poly: np.ndarray, perimeter: float,
                  short: float = 0.2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each side of ``poly`` (corners on ``contour``, every pixel of the outline) shorter than
    ``short`` of ``perimeter`` as the line fitted to the outline's points between its corners
    (their middle two thirds: the corners are rounded by the opening), the others as their
    chords: a point on it, and its direction as long as the chord. A short side's chord is a
    few pixels of rounded outline, its direction degrees off: the corners it makes with long
    sides land pixels off (the part of a page's side over the desk, beside the sheet under
    it: tuning 9010 two-documents #9, 9011 #69). A long side's chord is true enough, and its
    fitted line only makes more quads, some wrong (fitting every side: 9007 #57, a sheet's
    side carried across the page won, 0.996 -> 0.876). And which sides were fitted."""
    pts = contour.reshape(-1, 2).astype(np.float64)
    chords = np.roll(poly, -1, axis=0).astype(np.float64) - poly
    starts, sides = poly.astype(np.float64), chords.copy()
    size = np.hypot(chords[:, 0], chords[:, 1])
    # a side under 4 % of the perimeter is never among the quads' sides (_side_quads)
    fit = np.flatnonzero((size >= 0.04 * perimeter) & (size < short * perimeter))
    done = np.zeros(len(poly), bool)
    if not len(fit):
        return starts, sides, done
    # each corner's place on the outline (its first, where the outline passes twice)
    w, h = int(pts[:, 0].max()) + 1, int(pts[:, 1].max()) + 1
    place = np.full((h, w), len(pts), np.intp)
    xy = contour.reshape(-1, 2)
    np.minimum.at(place, (xy[:, 1], xy[:, 0]), np.arange(len(pts)))
    at = place[poly[:, 1], poly[:, 0]]
    for k in (int(i) for i in fit):
        a, b = at[k], at[(k + 1) % len(poly)]
        run = pts[a:b + 1] if b >= a else np.concatenate((pts[a:], pts[:b + 1]))
        cut = max(1, len(run) // 6)
        run = run[cut:len(run) - cut]
        if len(run) < 3:
            continue
        middle = run.mean(axis=0)
        along = np.linalg.svd(run - middle, full_matrices=False)[2][0]
        if float(along @ chords[k]) < 0:
            along = -along
        starts[k] = middle + float((poly[k] - middle) @ along) * along
        sides[k] = along * float(np.hypot(*chords[k]))
        done[k] = True
    return starts, sides, done


def _distinct_lines(found: np.ndarray, max_lines: int) -> np.ndarray:
    kept: list[tuple[float, float]] = []
    for rho, theta in found:
        same = False
        for r2, t2 in kept:
            dt = abs(theta - t2)
            if (dt < 0.1 and abs(rho - r2) < 8) or (dt > np.pi - 0.1 and abs(rho + r2) < 8):
                same = True
                break
        if not same:
            kept.append((float(rho), float(theta)))
            if len(kept) >= max_lines:
                break
    return np.array(kept, np.float64).reshape(-1, 2)


def line_candidates(edges: np.ndarray, max_lines: int = 16) -> np.ndarray:
    """Quads (Q x 4 x 2) made of four strong Hough lines: two nearly parallel pairs (within
    35 degrees, perspective allows that much) crossing each other at 40 degrees or more."""
    h, w = edges.shape
    found = cv2.HoughLines(edges, 1, np.pi / 180, threshold=max(12, int(0.12 * min(w, h))))
    if found is None:
        return np.empty((0, 4, 2))
    lines = _distinct_lines(found[:, 0, :], max_lines)
    n = len(lines)
    if n < 4:
        return np.empty((0, 4, 2))
    rho, theta = lines[:, 0], lines[:, 1]
    diff = np.abs(theta[:, None] - theta[None, :])
    diff = np.minimum(diff, np.pi - diff)
    ii, jj = np.triu_indices(n, 1)
    parallel = diff[ii, jj] < np.radians(35)
    pi, pj = ii[parallel], jj[parallel]
    a, b = np.triu_indices(len(pi), 1)
    i, j, k, m = pi[a], pj[a], pi[b], pj[b]
    cross = np.minimum.reduce([diff[i, k], diff[i, m], diff[j, k], diff[j, m]])
    distinct = (i != k) & (i != m) & (j != k) & (j != m)
    sel = distinct & (cross >= np.radians(40))
    i, j, k, m = i[sel], j[sel], k[sel], m[sel]
    if len(i) == 0:
        return np.empty((0, 4, 2))
    cos, sin = np.cos(theta), np.sin(theta)

    def meet(p: np.ndarray, q: np.ndarray) -> np.ndarray:
        det = cos[p] * sin[q] - sin[p] * cos[q]
        return np.stack(
            [(rho[p] * sin[q] - rho[q] * sin[p]) / det, (rho[q] * cos[p] - rho[p] * cos[q]) / det],
            axis=-1,
        )

    quads = np.stack([meet(i, k), meet(k, j), meet(j, m), meet(m, i)], axis=1)
    lo, hi = -0.1 * np.array([w, h]), 1.1 * np.array([w, h])
    inside = np.all((quads > lo) & (quads < hi), axis=(1, 2))
    return np.asarray(quads[inside])


NOISY_BLUR = 2.0
"""Gaussian sigma (pixels of the image the edges are taken on) of the coarse edge map's blur
on a frame under heavy sensor noise where the detector asks for it
(``DetectParams.noisy_edges``), instead of the 3 x 3 kernel's (sigma 0.8). Under low light's
noise the search image's grey levels step by 6-20 from one pixel to the next (median; 1-2 on
other frames): after the 3 x 3 blur the grain's Sobel magnitudes pass the hysteresis thresholds
everywhere, the page's sides are lost among the grain's edges and no contour follows them
(tuning 9010 mix #348: a scrap at the frame's edge; 9012 mix #380: nothing). At sigma 2 the
grain falls under the thresholds and the page's outline stays (both found, 0.99)."""


def coarse_edges(gray: np.ndarray, noisy: bool = False) -> np.ndarray:
    """The edge map the coarse search uses (uint8 0/255); ``noisy``: the frame is under heavy
    sensor noise (blurred more, :data:`NOISY_BLUR`)."""
    if noisy:
        return edge_map(cv2.GaussianBlur(gray, (0, 0), NOISY_BLUR), EDGE_LOW, EDGE_HIGH)
    return edge_map(cv2.GaussianBlur(gray, (3, 3), 0), EDGE_LOW, EDGE_HIGH)


def zoomed_out_candidates(
    small: np.ndarray, white: np.ndarray, min_area: float, factor: int = 4, view: View = WHITE,
    noisy: bool = False,
) -> list[np.ndarray]:
    """Contour quads of ``small`` shrunk ``factor`` times more, snapped onto ``white``'s
    edges (see the module's notes); ``view`` says how paper is seen, ``noisy`` whether the
    frame is under heavy sensor noise (:func:`coarse_edges`)."""
    h, w = white.shape
    if min(h, w) < 8 * factor:
        return []
    tiny = cv2.resize(small, (w // factor, h // factor), interpolation=cv2.INTER_AREA)
    unit = 1.0 / factor
    found = contour_candidates(view.paper(tiny, unit), coarse_edges(view.gray(tiny, unit), noisy),
                               min_area / factor**2, max_sides=6)
    if not found:
        return []
    quads = unique_quads(np.round(order_clockwise(np.array(found).reshape(-1, 4, 2))))
    quads = snap_quads(white, quads * factor + (factor - 1) / 2.0, reach=1.5 * factor)
    return list(snap_quads(white, quads, reach=2.0))
