"""Corners to sub-pixel precision at full resolution.

Along each side of a coarse quad, intensity profiles across the side (three parallel ones
averaged against noise) locate the step from paper to desk: the largest *drop* in brightness
going outward (paper is the brighter side), to sub-pixel precision by a parabola through the
peak. A robust line (Huber) is fitted per side, twice (the second time within a narrower band),
and the corners are the intersections of neighbouring lines; the second time a side bowed
outward (a bent sheet) is taken as the chord between its ends. A side that cannot be seen well
enough (a printed frame that hardly shows in grey, a hand over it) keeps its line, if there is
paper inside it (its inner strip at least 85 % as bright as the other sides' darkest): a side
drawn on the desk beyond the page is not the page's. When two cannot, the quad is left as it
was.
"""

from __future__ import annotations

import cv2
import numpy as np

from drivers.scanner.geometry import along_side, intersect

_THREE = np.array([-1.0, 0.0, 1.0])
"""The three parallel profiles' offsets along a side (pixels)."""


def _median(values: np.ndarray) -> np.ndarray:
    """``np.median(values, axis=-1)`` of a float array without NaN, the same bits (the mean
    of the middle two in the array's own dtype), read off a partition: a tenth of the time on
    small arrays."""
    n = values.shape[-1]
    k = n // 2
    if n % 2:
        return np.asarray(np.partition(values, k, axis=-1)[..., k])
    part = np.partition(values, (k - 1, k), axis=-1)
    return np.asarray((part[..., k - 1] + part[..., k]) / 2)


def _edge_points(
    gray: np.ndarray, a: np.ndarray, b: np.ndarray, outward: np.ndarray, radius: float, samples: int
) -> np.ndarray | None:
    """Sub-pixel positions of the strongest drop in brightness going out across ``a``-``b``."""
    return _edge_points_sides(gray, [(a, b, outward)], radius, samples)[0]


def _edge_points_sides(
    gray: np.ndarray, sides: list[tuple[np.ndarray, np.ndarray, np.ndarray]], radius: float,
    samples: int,
) -> list[np.ndarray | None]:
    """:func:`_edge_points` of each side (``a``, ``b``, ``outward``), all read in one call:
    each side's result the same to the bit as on its own (the same sums side by side; remap's
    value at a point does not depend on where the point sits in its maps)."""
    out: list[np.ndarray | None] = [None] * len(sides)
    steps = np.arange(-radius, radius + 0.25, 0.5)
    t = along_side(samples)  # where the profiles cross a side
    live, bases, outwards, units = [], [], [], []
    for j, (a, b, outward) in enumerate(sides):
        d = b - a
        length = float(np.linalg.norm(d))
        if length < 8:
            continue
        live.append(j)
        bases.append(a[None, :] + t[:, None] * d[None, :])
        outwards.append(outward)
        units.append(d / length)
    if not live:
        return out
    count = len(live)
    base, normal, u = np.stack(bases), np.stack(outwards), np.stack(units)  # L x S x 2, L x 2
    # three parallel profiles a side, averaged against noise, read in one call (stacked rows:
    # side, profile, point); x and y apart: (base + steps * outward) + along * u, then float32
    qx, qy = (((base[:, None, :, None, c] + steps * normal[:, None, None, None, c])
               + (_THREE[None, :] * u[:, None, c])[:, :, None, None])
              .reshape(count * 3 * samples, len(steps)).astype(np.float32) for c in (0, 1))
    three = cv2.remap(gray, qx, qy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
                      ).reshape(count, 3, samples, len(steps))
    prof = ((three[:, 0] + three[:, 1]) + three[:, 2]).reshape(count * samples, len(steps))
    grad = np.maximum(-np.diff(prof, axis=1), 0.0)  # brightness lost going outward
    rows = np.arange(count * samples)
    k = np.argmax(grad, axis=1)
    peak = grad[rows, k]
    left = grad[rows, np.maximum(k - 1, 0)]
    right = grad[rows, np.minimum(k + 1, grad.shape[1] - 1)]
    denom = left - 2 * peak + right
    safe = np.where(np.abs(denom) > 1e-6, denom, -1.0)
    sub = np.clip(np.where(np.abs(denom) > 1e-6, 0.5 * (left - right) / safe, 0.0), -0.5, 0.5)
    pos = (steps[0] + (k + 0.5 + sub) * 0.5).reshape(count, samples)
    peak = peak.reshape(count, samples)
    middle = _median(peak)  # each side's
    for s, j in enumerate(live):
        good = peak[s] > max(9.0, 0.3 * float(middle[s]))
        if good.sum() >= max(5, samples // 4):
            out[j] = np.asarray(base[s][good] + pos[s][good, None] * normal[s][None, :])
    return out


def _inner_level(img: np.ndarray, a: np.ndarray, b: np.ndarray, outward: np.ndarray,
                 radius: float, samples: int = 16) -> float:
    """The brightness just inside side ``a``-``b`` (median, past the refinement's reach)."""
    t = np.linspace(0.1, 0.9, samples)
    depth = np.arange(radius + 2.0, radius + 6.0)
    q = (a[None, None, :] + t[:, None, None] * (b - a)[None, None, :]
         - depth[None, :, None] * outward[None, None, :]).reshape(-1, 1, 2).astype(np.float32)
    vals = cv2.remap(img, q[..., 0], q[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return float(np.median(vals))


def _chord(line: np.ndarray, pts: np.ndarray, a: np.ndarray, b: np.ndarray,
           outward: np.ndarray, min_bow: float = 2.0) -> np.ndarray:
    """A side bowed outward (a bent sheet bulges toward the camera; its corners stay put) is
    the chord between its ends, not the line through its middle: a parabola is fitted to the
    edge points' offsets from ``line`` (robustly: points far off it, a curled end, are
    dropped) and where it bows out by ``min_bow`` pixels and 0.5 % of the side or more (a lens
    bows a flat page's sides less) but no more than 1.6 % (a sheet bends no more: beyond, it
    is something else), the line through its ends (at the corners ``a``, ``b``) is taken
    instead."""
    vx, vy, x0, y0 = line
    d = np.array([vx, vy])
    if np.dot(d, b - a) < 0:
        d = -d
    normal = np.array([d[1], -d[0]])
    if np.dot(normal, outward) < 0:
        normal = -normal
    origin = np.array([x0, y0])
    length = float(np.dot(b - a, d))
    if length < 40:
        return line
    u = (pts - a) @ d / length
    v = (pts - origin) @ normal
    floor = max(min_bow, 0.005 * length)
    middle = np.abs(u - 0.5) < 0.2
    if not middle.any() or middle.all() or (
            float(np.mean(v[middle]) - np.mean(v[~middle])) < 0.25 * floor):
        return line  # a quick look first: most sides are straight
    keep = np.ones(len(u), bool)
    for _ in range(2):
        if keep.sum() < 8:
            return line
        coef = np.polyfit(u[keep], v[keep], 2)
        res = np.abs(v - np.polyval(coef, u))
        keep = res < max(1.0, 3.0 * float(np.median(res[keep])))
    ends = np.polyval(coef, [0.0, 1.0])
    bow = float(np.polyval(coef, 0.5) - ends.mean())
    if (not floor <= bow <= 0.016 * length
            or keep.sum() < max(20, 0.6 * len(u))):
        return line  # straight, or bowed more than a sheet bends (something else), or unsure
    p = origin + ends[0] * normal + float((a - origin) @ d) * d
    q = origin + ends[1] * normal + float((b - origin) @ d) * d
    e = (q - p) / (np.linalg.norm(q - p) + 1e-12)
    return np.array([e[0], e[1], p[0], p[1]])


def refine_corners(
    gray: np.ndarray, quad: np.ndarray, radius: float, samples: int = 40, rounds: int = 2
) -> np.ndarray:
    """Corners from robust lines fitted to sub-pixel edge points along each side; a side that
    cannot be seen well enough keeps its line (when paper lies inside it), and the quad is
    returned unchanged otherwise or if two cannot."""
    img = gray if gray.dtype == np.float32 else gray.astype(np.float32)  # read only
    current = np.asarray(quad, np.float64)
    for r in range(rounds):
        centre = current.mean(axis=0)
        lines = []
        unseen: list[int] = []
        sides: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for i in range(4):
            a, b = current[i], current[(i + 1) % 4]
            d = b - a
            n = np.array([d[1], -d[0]]) / (np.linalg.norm(d) + 1e-12)
            if np.dot((a + b) / 2 - centre, n) < 0:
                n = -n
            sides.append((a, b, n))
        found = _edge_points_sides(img, sides, radius if r == 0 else max(2.5, radius / 3),
                                   samples)  # the four sides' _edge_points, in one call
        for i, ((a, b, n), pts) in enumerate(zip(sides, found, strict=True)):
            if pts is None:
                unseen.append(i)
                if len(unseen) > 1:
                    return current
                unit = (b - a) / (np.linalg.norm(b - a) + 1e-12)  # this side stays where it was
                lines.append(np.array([unit[0], unit[1], a[0], a[1]]))
                continue
            line = (cv2.fitLine(pts.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01)
                    .reshape(4).astype(np.float64))
            if r == rounds - 1:
                line = _chord(line, pts, a, b, n)
            lines.append(line)
        if unseen:
            levels = [_inner_level(img, a, b, n, radius) for a, b, n in sides]
            if levels[unseen[0]] < 0.85 * min(v for k, v in enumerate(levels) if k != unseen[0]):
                return current  # no paper inside the side kept: it is not the page's side
        corners = [intersect(lines[i - 1], lines[i]) for i in range(4)]
        if any(c is None for c in corners):
            return current
        refined = np.array(corners)
        if np.max(np.linalg.norm(refined - current, axis=1)) > 3 * radius:
            return current
        current = refined
    return current


def snap_quads(white: np.ndarray, quads: np.ndarray, reach: float, samples: int = 16
               ) -> np.ndarray:
    """Quads (Q x 4 x 2) moved onto nearby edges, all at once: along each side the largest
    drop in brightness going outward within ``reach`` pixels is found at each point; the
    median position over each half of the side moves that half's end, and the corners are
    where the moved sides meet. Cheap and rough: for candidates found on a smaller image."""
    if not len(quads):
        return quads
    from drivers.scanner.support import (  # noqa: PLC0415 - cycle
        sample_across,
        side_points,
        smoothed,
    )

    pts, normal = side_points(quads, samples)
    step = 0.5
    offsets = np.arange(-reach, reach + step / 2, step, dtype=np.float32)
    vals = sample_across(smoothed(white, 0.8), pts, normal, offsets)  # O x Q x 4 x S
    drop = vals[:-1] - vals[1:]
    # np.argmax(drop, axis=0): the first offset where the column's largest drop is (an
    # argmax of booleans over the leading axis takes two thirds of the time of the floats')
    top = drop.max(axis=0)
    first_top = (np.argmax(drop, axis=0) if np.isnan(top).any()  # argmax's NaN is its max
                 else np.argmax(drop == top, axis=0))
    where = offsets[first_top] + step / 2  # Q x 4 x S
    half = samples // 2
    first = _median(where[..., :half])
    second = _median(where[..., half:])
    a = pts[..., half // 2, :] + first[..., None] * normal
    b = pts[..., half + half // 2, :] + second[..., None] * normal
    d = b - a
    prev_a = np.concatenate((a[:, -1:], a[:, :-1]), axis=1)  # np.roll(a, 1, axis=1)
    prev_d = np.concatenate((d[:, -1:], d[:, :-1]), axis=1)
    det = d[..., 0] * prev_d[..., 1] - prev_d[..., 0] * d[..., 1]
    ok = np.abs(det) > 1e-6
    safe = np.where(ok, det, 1.0)
    t = ((a[..., 1] - prev_a[..., 1]) * d[..., 0] - (a[..., 0] - prev_a[..., 0]) * d[..., 1]) / safe
    corners = prev_a + t[..., None] * prev_d
    return np.asarray(np.where(ok.all(axis=1)[:, None, None], corners, quads))
