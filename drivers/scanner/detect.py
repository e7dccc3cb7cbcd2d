"""Finding the page in a frame: a coarse quadrilateral on a small image, then the corners
refined at full resolution.

1. The frame is shrunk (area averaging) to ``work_width`` pixels wide (320 by default).
2. Candidates come from :mod:`drivers.scanner.candidates` (contours and Hough lines).
3. Each candidate side is scored by its *contrast support*: the share of points along it where
   the inside is whiter than the outside (paper is whiter than a desk). A candidate's score is
   its area times the product of its four sides' supports, so a quad that strays off the page on
   one side loses to the page itself, and a corner hidden by glare costs only part of a side.
4. Refinement at full resolution: along each side, intensity profiles across the edge locate the
   step with sub-pixel precision; a robust line (Huber) is fitted per side, twice, and the
   corners are the intersections of neighbouring lines.

Corners are clockwise on screen from the one nearest the image's top-left, in pixels of the full
frame (pixel centres at integers, OpenCV's convention).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from drivers.scanner.candidates import contour_candidates, line_candidates, whiteness
from drivers.scanner.edges import edge_map
from drivers.scanner.geometry import (
    convex_and_open,
    intersect,
    order_clockwise,
    quad_area,
    quad_areas,
)


@dataclass(frozen=True)
class DetectParams:
    work_width: int = 320
    """Width of the image the coarse search runs on."""
    min_area: float = 0.01
    """Smallest page considered, as a share of the frame (the quality gate is stricter)."""
    min_angle: float = 45.0
    """A candidate with an interior angle below this (degrees) is not a page."""
    min_support: float = 0.25
    """Below this product of side supports, nothing is reported."""
    refine: bool = True
    refine_samples: int = 40
    """Profiles taken along each side for the refinement."""
    border_margin: float = 6.0
    """A corner closer than this (full-resolution pixels) to the frame edge touches it."""


@dataclass(frozen=True)
class Detection:
    """What the detector found in one frame."""

    corners: np.ndarray | None
    """4 x 2 float pixels, clockwise from the top-left one; None when no page was found."""
    frame_size: tuple[int, int]
    """(width, height) of the frame."""
    touches_border: bool = False
    """A corner is at (or beyond) the frame's edge: the page is probably cut off."""
    support: float = 0.0
    """How well the sides are seen (product of the four sides' shares, 0..1)."""

    @property
    def found(self) -> bool:
        return self.corners is not None

    @property
    def area_share(self) -> float:
        if self.corners is None:
            return 0.0
        w, h = self.frame_size
        return quad_area(self.corners) / float(w * h)

    def as_list(self) -> list[list[float]] | None:
        if self.corners is None:
            return None
        return [[round(float(x), 2), round(float(y), 2)] for x, y in self.corners]


def contrast_support(
    white: np.ndarray,
    quads: np.ndarray,
    samples: int = 20,
    offset: float = 1.5,
    contrast: float = 8.0,
) -> np.ndarray:
    """Per quad and side (Q x 4): the share of points along the side where the inside is
    whiter than the outside by ``contrast`` grey levels. Quads must be ordered around."""
    q = quads.astype(np.float32)
    nxt = np.roll(q, -1, axis=1)
    d = nxt - q
    normal = np.stack([d[..., 1], -d[..., 0]], axis=-1)
    normal /= np.linalg.norm(normal, axis=-1, keepdims=True) + 1e-6
    centre = q.mean(axis=1, keepdims=True)
    outward = np.sign(np.sum(((q + nxt) / 2 - centre) * normal, axis=-1, keepdims=True))
    normal *= np.where(outward == 0, 1.0, outward)
    t = np.linspace(0.06, 0.94, samples, dtype=np.float32)
    pts = q[:, :, None, :] + t[None, None, :, None] * d[:, :, None, :]
    both = np.stack([pts - offset * normal[:, :, None, :], pts + offset * normal[:, :, None, :]])
    flat = both.reshape(-1, samples, 2)
    vals = cv2.remap(
        white.astype(np.float32),
        np.ascontiguousarray(flat[..., 0]),
        np.ascontiguousarray(flat[..., 1]),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=np.nan,
    )
    vals = vals.reshape(both.shape[:-1])
    seen = (vals[0] - vals[1]) > contrast
    # beyond the frame nothing is seen: half credit, so a cut-off page is still found (and
    # reported as cut off) but a quad running along the frame's edge does not beat the page
    unknown = np.isnan(vals[0]) | np.isnan(vals[1])
    return np.asarray(np.where(unknown, 0.5, seen).mean(axis=-1))


def continues_to_border(
    white: np.ndarray, quad: np.ndarray, probes: int = 7, step: float = 2.0
) -> bool:
    """Whether the paper goes on past a side of ``quad`` to the frame's edge: the quad is then
    a part of a page that is cut off (a ruled line inside the page can pass for its edge)."""
    h, w = white.shape
    q = np.asarray(quad, np.float64)
    centre = q.mean(axis=0)
    img = white.astype(np.float32)
    for i in range(4):
        a, b = q[i], q[(i + 1) % 4]
        d = b - a
        n = np.array([d[1], -d[0]]) / (np.linalg.norm(d) + 1e-12)
        if np.dot((a + b) / 2 - centre, n) < 0:
            n = -n
        t = np.linspace(0.2, 0.8, probes)
        base = a[None, :] + t[:, None] * d[None, :]
        inner = base[:, None, :] - np.arange(3, 9)[None, :, None] * n
        paper = float(np.median(_sample(img, inner)))
        reach = max(w, h)
        steps = np.arange(3.0, reach, step)
        ray = base[:, None, :] + steps[None, :, None] * n
        inside = (ray[..., 0] >= 0) & (ray[..., 0] < w) & (ray[..., 1] >= 0) & (ray[..., 1] < h)
        vals = _sample(img, ray)
        hits = 0
        for k in range(probes):
            count = int(inside[k].sum())
            if count == 0 or count == len(steps):
                continue  # the side is on the frame's edge already, or the ray never leaves
            like = vals[k, :count] >= paper - 25.0
            if like.mean() >= 0.8:
                hits += 1
        if hits >= (probes + 1) // 2:
            return True
    return False


def _near_edge(corners: np.ndarray, size: tuple[int, int], margin: float) -> bool:
    w, h = size
    return bool(
        np.any(corners < margin)
        or np.any(corners[:, 0] > w - 1 - margin)
        or np.any(corners[:, 1] > h - 1 - margin)
    )


def _sample(img: np.ndarray, pts: np.ndarray) -> np.ndarray:
    flat = pts.reshape(-1, pts.shape[-2], 2).astype(np.float32)
    out = cv2.remap(
        img,
        np.ascontiguousarray(flat[..., 0]),
        np.ascontiguousarray(flat[..., 1]),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return np.asarray(out).reshape(pts.shape[:-1])


def _edge_points(
    gray: np.ndarray, a: np.ndarray, b: np.ndarray, outward: np.ndarray, radius: float, samples: int
) -> np.ndarray | None:
    """Sub-pixel positions of the strongest step across the side ``a``-``b``."""
    d = b - a
    length = float(np.linalg.norm(d))
    if length < 8:
        return None
    u = d / length
    steps = np.arange(-radius, radius + 0.25, 0.5)
    t = np.linspace(0.06, 0.94, samples)
    base = a[None, :] + t[:, None] * d[None, :]
    prof = np.zeros((samples, len(steps)), np.float32)
    for along in (-1.0, 0.0, 1.0):  # average three parallel profiles against noise
        q = base[:, None, :] + steps[None, :, None] * outward + along * u
        prof += cv2.remap(
            gray,
            q[..., 0].astype(np.float32),
            q[..., 1].astype(np.float32),
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
    grad = np.abs(np.diff(prof, axis=1))
    rows = np.arange(samples)
    k = np.argmax(grad, axis=1)
    peak = grad[rows, k]
    left = grad[rows, np.maximum(k - 1, 0)]
    right = grad[rows, np.minimum(k + 1, grad.shape[1] - 1)]
    denom = left - 2 * peak + right
    safe = np.where(np.abs(denom) > 1e-6, denom, -1.0)
    sub = np.clip(np.where(np.abs(denom) > 1e-6, 0.5 * (left - right) / safe, 0.0), -0.5, 0.5)
    pos = steps[0] + (k + 0.5 + sub) * 0.5
    good = peak > max(9.0, 0.3 * float(np.median(peak)))
    if good.sum() < max(5, samples // 4):
        return None
    return np.asarray(base[good] + pos[good, None] * outward[None, :])


def refine_corners(
    gray: np.ndarray, quad: np.ndarray, radius: float, samples: int = 40, rounds: int = 2
) -> np.ndarray:
    """Corners from robust lines fitted to sub-pixel edge points along each side; the quad is
    returned unchanged if a side cannot be seen well enough."""
    img = gray.astype(np.float32)
    current = np.asarray(quad, np.float64)
    for r in range(rounds):
        centre = current.mean(axis=0)
        lines = []
        for i in range(4):
            a, b = current[i], current[(i + 1) % 4]
            d = b - a
            n = np.array([d[1], -d[0]]) / (np.linalg.norm(d) + 1e-12)
            if np.dot((a + b) / 2 - centre, n) < 0:
                n = -n
            pts = _edge_points(img, a, b, n, radius if r == 0 else max(2.5, radius / 3), samples)
            if pts is None:
                return current
            lines.append(
                cv2.fitLine(pts.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01)
                .reshape(4)
                .astype(np.float64)
            )
        corners = [intersect(lines[i - 1], lines[i]) for i in range(4)]
        if any(c is None for c in corners):
            return current
        refined = np.array(corners)
        if np.max(np.linalg.norm(refined - current, axis=1)) > 3 * radius:
            return current
        current = refined
    return current


def detect_page(image: np.ndarray, params: DetectParams | None = None) -> Detection:
    """Find the page in a BGR (or grey) frame."""
    p = params or DetectParams()
    h, w = image.shape[:2]
    scale = min(1.0, p.work_width / float(w))
    small = (
        image
        if scale >= 1.0
        else cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    )
    white = whiteness(small)
    gray_small = small if small.ndim == 2 else cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    sh, sw = gray_small.shape
    limit = p.min_area * sw * sh
    edges = edge_map(cv2.GaussianBlur(gray_small, (3, 3), 0), 20, 60)
    found = contour_candidates(white, edges, limit)
    stacks = [np.array(found).reshape(-1, 4, 2), line_candidates(edges)]
    quads = order_clockwise(np.concatenate(stacks, axis=0))
    if len(quads):
        areas = quad_areas(quads)
        quads = quads[(areas >= limit) & convex_and_open(quads, p.min_angle)]
    if not len(quads):
        return Detection(None, (w, h))
    support = np.prod(contrast_support(white, quads), axis=1)
    best = int(np.argmax(support * quad_areas(quads)))
    if support[best] < p.min_support:
        return Detection(None, (w, h))
    quad = quads[best] / scale
    if p.refine:
        gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        quad = refine_corners(gray, quad, radius=max(3.0, 2.5 / scale), samples=p.refine_samples)
    corners = order_clockwise(quad)
    m = p.border_margin
    coarse = quads[best]
    touches = (
        _near_edge(corners, (w, h), m)
        or _near_edge(coarse, (sw, sh), 1.0)
        or continues_to_border(white, coarse)
    )
    return Detection(corners, (w, h), touches, float(support[best]))
