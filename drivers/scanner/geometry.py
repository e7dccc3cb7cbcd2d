"""Quadrilateral helpers, vectorised over stacks of quads (Q x 4 x 2) where it matters."""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

_FOUR = np.arange(4)


@lru_cache(maxsize=16)
def along_side(samples: int) -> np.ndarray:
    """``np.linspace(0.06, 0.94, samples)``: where points along a side are read (share of its
    length; the refinement's profiles, the support's points), made once per count (read
    only)."""
    t = np.linspace(0.06, 0.94, samples)
    t.flags.writeable = False
    return t


@lru_cache(maxsize=16)
def along_side32(samples: int) -> np.ndarray:
    """:func:`along_side` as float32, the same bits as ``np.linspace(0.06, 0.94, samples,
    dtype=np.float32)`` (linspace computes in float64 and casts), made once per count (read
    only)."""
    t = along_side(samples).astype(np.float32)
    t.flags.writeable = False
    return t


@lru_cache(maxsize=16)
def _grid(u: tuple[float, ...], v: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The shares of a u x v grid (``np.meshgrid(u, v)``, raveled: u runs fastest), made once
    per grid (read only)."""
    gu, gv = (np.asarray(a.ravel()) for a in np.meshgrid(np.asarray(u, np.float64),
                                                           np.asarray(v, np.float64)))
    gu.flags.writeable = False
    gv.flags.writeable = False
    return gu, gv


def grid_in_quads(quads: np.ndarray, u: tuple[float, ...], v: tuple[float, ...],
                  corners: bool = False) -> np.ndarray:
    """Points of a ``len(u)`` x ``len(v)`` grid inside each quad of a Q x 4 x 2 stack, u
    running fastest: the one home of the grids read inside a quad. Over the whole quad
    (Q x N x 2), bilinear: the point (u, v) is ``u`` of the way from the first side's start
    to its end and ``v`` from the first corner to the last (the interior's 6 x 6 grid, the
    paper-beside reading's 15 x 15). With ``corners``, at each corner along its own two sides
    (Q x 4 x N x 2): ``u`` of the way to the next corner and ``v`` to the one before (the
    corners' 3 x 3 grids)."""
    q = np.asarray(quads, np.float64)
    gu, gv = _grid(tuple(u), tuple(v))
    if corners:
        prev, nxt = np.roll(q, 1, axis=1), np.roll(q, -1, axis=1)
        return np.asarray(q[:, :, None, :] + gu[None, None, :, None] * (nxt - q)[:, :, None, :]
                          + gv[None, None, :, None] * (prev - q)[:, :, None, :])
    a, b = gu[None, :, None], gv[None, :, None]
    return np.asarray((1 - a) * (1 - b) * q[:, None, 0] + a * (1 - b) * q[:, None, 1]
                      + a * b * q[:, None, 2] + (1 - a) * b * q[:, None, 3])


def order_clockwise(points: np.ndarray) -> np.ndarray:
    """Quads with their corners clockwise on screen (y down), starting from the corner nearest
    the image's top-left (smallest x + y). Accepts 4 x 2 or Q x 4 x 2."""
    pts = np.asarray(points, np.float64)
    single = pts.ndim == 2
    q = pts.reshape(-1, 4, 2)
    centre = np.add.reduce(q, axis=1, keepdims=True) / 4  # q.mean(axis=1), as it computes it
    angles = np.arctan2(q[..., 1] - centre[..., 1], q[..., 0] - centre[..., 0])
    order = np.argsort(angles, axis=1)
    rows = np.arange(len(q))[:, None]
    # the sorted corners' first is the one of least x + y; both reorderings in one gather
    start = np.argmin((q[..., 0] + q[..., 1])[rows, order], axis=1)
    q = np.asarray(q[rows, order[rows, (start[:, None] + _FOUR) % 4]])
    return q[0] if single else q


def unique_quads(quads: np.ndarray) -> np.ndarray:
    """``np.unique(quads, axis=0)`` of a Q x ... float stack, the same bits: the distinct
    quads in lexicographic order of their coordinates, by one ``lexsort`` (half the time of
    numpy's sort of the rows as records). Where numpy's own pick could differ (NaN, or equal
    quads told apart only by the sign of a zero) it is numpy's."""
    if not len(quads):
        return np.unique(quads, axis=0)
    flat = np.asarray(quads).reshape(len(quads), -1)
    if np.isnan(flat).any():
        return np.unique(quads, axis=0)
    rows = flat[np.lexsort(flat.T[::-1])]
    new = np.empty(len(rows), bool)
    new[:1] = True
    np.any(rows[1:] != rows[:-1], axis=1, out=new[1:])
    if np.any(np.signbit(rows) & (rows == 0)):  # -0.0 == 0.0: which copy is kept is numpy's sort's
        same = ~new[1:]
        if rows[1:][same].tobytes() != rows[:-1][same].tobytes():
            return np.unique(quads, axis=0)
    return np.asarray(rows[new].reshape(-1, *np.shape(quads)[1:]))


def quad_areas(quads: np.ndarray) -> np.ndarray:
    """Areas (shoelace) of a Q x 4 x 2 stack."""
    x, y = quads[..., 0], quads[..., 1]
    # np.roll(., -1, axis=-1) as slices: the next corner's
    nx = np.concatenate((x[..., 1:], x[..., :1]), axis=-1)
    ny = np.concatenate((y[..., 1:], y[..., :1]), axis=-1)
    return np.asarray(0.5 * np.abs(np.sum(x * ny - nx * y, axis=-1)))


def quad_area(quad: np.ndarray) -> float:
    return float(quad_areas(np.asarray(quad, np.float64).reshape(1, 4, 2))[0])


def convex_and_open(quads: np.ndarray, min_angle_deg: float) -> np.ndarray:
    """Which quads are convex with every interior angle at least ``min_angle_deg`` (Q bools).

    Corners must be in order around the quad (either direction)."""
    prev = np.concatenate((quads[:, 3:], quads[:, :3]), axis=1) - quads  # np.roll(., 1)
    nxt = np.concatenate((quads[:, 1:], quads[:, :1]), axis=1) - quads  # np.roll(., -1)
    px, py, nx, ny = prev[..., 0], prev[..., 1], nxt[..., 0], nxt[..., 1]
    cross = px * ny - py * nx
    convex = np.all(cross > 0, axis=1) | np.all(cross < 0, axis=1)
    dot = px * nx + py * ny  # np.sum over x, y
    # np.linalg.norm(., axis=-1), as it computes it: the root of the sum of the squares
    norms = np.sqrt(px * px + py * py) * np.sqrt(nx * nx + ny * ny) + 1e-12
    angles = np.degrees(np.arccos(np.clip(dot / norms, -1.0, 1.0)))
    return np.asarray(convex & np.all(angles >= min_angle_deg, axis=1))


def corners_within(outer: np.ndarray, inner: np.ndarray, slack: float,
                   strict: bool = False) -> bool:
    """Whether every corner of quad ``inner`` is within quad ``outer`` or at most ``slack``
    pixels outside it (signed distance ``>= -slack``; with ``strict``, ``> -slack``), by
    ``cv2.pointPolygonTest`` on ``outer``'s corners as float32: a cell held by a page
    (:func:`drivers.scanner.cell.holds`), a page that only grows when carried on."""
    outline = np.asarray(outer, np.float32).reshape(-1, 1, 2)
    distances = [cv2.pointPolygonTest(outline, (float(x), float(y)), True)
                 for x, y in np.asarray(inner, np.float64)]
    return all(d > -slack if strict else d >= -slack for d in distances)


def to_frame_edge(pts: np.ndarray, d: np.ndarray, w: int, h: int) -> np.ndarray:
    """How far out from each point of ``pts`` (... x 2) its ray in direction ``d`` (... x 2,
    broadcast) meets the edge of a ``w`` x ``h`` frame (in units of ``d``; inf where ``d``
    is zero, or runs along the edge it would meet): the room beyond a side, read by the strip
    check and the far cut-off check."""
    with np.errstate(divide="ignore", invalid="ignore"):
        tx = np.where(d[..., 0] > 0, (w - 1 - pts[..., 0]) / d[..., 0],
                      np.where(d[..., 0] < 0, -pts[..., 0] / d[..., 0], np.inf))
        ty = np.where(d[..., 1] > 0, (h - 1 - pts[..., 1]) / d[..., 1],
                      np.where(d[..., 1] < 0, -pts[..., 1] / d[..., 1], np.inf))
    return np.asarray(np.minimum(tx, ty))


def intersect(line_a: np.ndarray, line_b: np.ndarray) -> np.ndarray | None:
    """Intersection of two lines given as (vx, vy, x0, y0); None if parallel."""
    vx1, vy1, x1, y1 = line_a
    vx2, vy2, x2, y2 = line_b
    det = vx2 * vy1 - vx1 * vy2
    if abs(det) < 1e-9:
        return None
    t = ((x2 - x1) * (-vy2) + (y2 - y1) * vx2) / det
    return np.array([x1 + t * vx1, y1 + t * vy1])


def intersect_segments_lines(
    p: np.ndarray, d: np.ndarray, q: np.ndarray, e: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised intersection of lines ``p + t d`` and ``q + s e`` (N x 2 each).

    Returns the points (N x 2) and a mask of the pairs that are not parallel."""
    det = e[:, 0] * d[:, 1] - d[:, 0] * e[:, 1]
    ok = np.abs(det) > 1e-9
    safe = np.where(ok, det, 1.0)
    t = ((q[:, 0] - p[:, 0]) * (-e[:, 1]) + (q[:, 1] - p[:, 1]) * e[:, 0]) / safe
    return p + t[:, None] * d, ok
