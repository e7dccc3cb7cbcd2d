"""Putting a flat document into the frame: placement, curled corners, a bent sheet.

The document lies on the desk under a projective map (the camera looks down at an angle). Two
departures from a flat sheet:

* a **curled corner** rolls up on a cylinder whose axis cuts the corner off: paper at distance
  ``q`` beyond the axis is seen at ``R sin(q / R)`` (shorter), darkened as it turns away from
  the light, and the desk shows where the flat corner would have been (with a little shadow);
* a **bent sheet** bulges toward the camera along one of its axes: points move away from the
  principal point by ``1 + k sin(pi t)`` (``t`` across the sheet), so the edges bow by a few
  pixels and the corners stay put.

Ground truth is the flat sheet's corners: where its straight edges meet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

Rng = np.random.Generator


@dataclass(frozen=True)
class Curl:
    corner: int
    """Which corner of the page (0 top-left, clockwise) rolls up."""
    depth: float
    """Where the roll starts, as a share of the page's shorter side, along the diagonal."""
    radius: float
    """Cylinder radius as a share of ``depth`` (at least 2/pi: the corner never rolls over)."""


@dataclass(frozen=True)
class Placement:
    corners: np.ndarray
    """4 x 2 image pixels (pixel centres at integers) of the flat page, page order."""
    curls: tuple[Curl, ...] = ()
    bend: float = 0.0
    """Bulge toward the camera as a share of the distance to the principal point."""
    bend_axis: int = 0
    """0: the sheet bends across its width (the long edges bow), 1: across its height."""


def random_corners(
    rng: Rng,
    frame: tuple[int, int],
    aspect: float,
    area_share: float,
    centre: tuple[float, float],
    angle_deg: float,
    tilt: float = 0.25,
) -> np.ndarray | None:
    """A page (height / width = ``aspect``) of about ``area_share`` of the frame, centred at
    ``centre`` (pixels), turned by ``angle_deg``, seen at an angle; None if it came out
    degenerate (too skewed)."""
    w, h = frame
    area = area_share * w * h
    pw = math.sqrt(area / aspect)
    ph = pw * aspect
    rect = np.array([[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2], [-pw / 2, ph / 2]])
    a = math.radians(angle_deg)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    pts = rect @ rot.T
    size = max(pw, ph)
    kx, ky = rng.uniform(-tilt, tilt, 2) / size
    factor = 1.0 / (1.0 + kx * pts[:, 0] + ky * pts[:, 1])
    pts = pts * factor[:, None]
    pts += rng.normal(0, 0.008 * size, pts.shape)
    pts += np.array(centre)
    return pts if _reasonable(pts) else None


def _reasonable(q: np.ndarray, lo: float = 55.0, hi: float = 125.0) -> bool:
    for i in range(4):
        a, b, c = q[i - 1], q[i], q[(i + 1) % 4]
        u, v = a - b, c - b
        cross = u[0] * v[1] - u[1] * v[0]
        if cross >= 0:  # page order is clockwise on screen (y down): cross < 0 at every corner
            return False
        ang = math.degrees(math.acos(np.clip(np.dot(u, v) / (np.linalg.norm(u)
                                                             * np.linalg.norm(v)), -1, 1)))
        if not lo <= ang <= hi:
            return False
    return True


def _page_to_image(corners: np.ndarray, pw: int, ph: int) -> np.ndarray:
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
    return np.asarray(cv2.getPerspectiveTransform(src, corners.astype(np.float32)), np.float64)


def _apply(m: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    d = m[2, 0] * x + m[2, 1] * y + m[2, 2]
    d = np.where(np.abs(d) < 1e-9, 1e-9, d)
    return (m[0, 0] * x + m[0, 1] * y + m[0, 2]) / d, (m[1, 0] * x + m[1, 1] * y + m[1, 2]) / d


def warp_document(
    page: np.ndarray, placement: Placement, frame: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int, int, int]]:
    """The page's colour, its alpha and the desk shading its curls cause, inside a box.

    Returns (colour h x w x 3, alpha h x w, desk_shade h x w, (x0, y0, x1, y1)) where the box
    is the part of the frame the page may cover."""
    fw, fh = frame
    ph, pw = page.shape[:2]
    to_image = _page_to_image(placement.corners, pw, ph)
    to_page = np.linalg.inv(to_image)
    c = placement.corners
    grow = 16 + abs(placement.bend) * float(np.max(np.abs(c - np.array([fw / 2, fh / 2]))))
    x0 = int(max(0, math.floor(c[:, 0].min() - grow)))
    y0 = int(max(0, math.floor(c[:, 1].min() - grow)))
    x1 = int(min(fw, math.ceil(c[:, 0].max() + grow) + 1))
    y1 = int(min(fh, math.ceil(c[:, 1].max() + grow) + 1))
    if x1 <= x0 or y1 <= y0:
        empty = np.zeros((0, 0), np.float32)
        return np.zeros((0, 0, 3), np.float32), empty, empty, (0, 0, 0, 0)
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float64)
    u, v = _apply(to_page, xx, yy)
    if placement.bend:
        cx, cy = fw / 2, fh / 2
        for _ in range(3):  # fixed point: image = centre + (H(page) - centre)(1 + k bump)
            t = np.clip((u / pw) if placement.bend_axis == 0 else (v / ph), 0, 1)
            s = 1 + placement.bend * np.sin(np.pi * t)
            u, v = _apply(to_page, cx + (xx - cx) / s, cy + (yy - cy) / s)
    shade = np.ones_like(u)
    desk = np.ones_like(u)
    covered = np.ones(u.shape, bool)
    short = min(pw, ph)
    page_corners = ((0.0, 0.0), (pw, 0.0), (pw, ph), (0.0, ph))
    footprint = (u >= 0) & (u <= pw) & (v >= 0) & (v <= ph)  # where the flat sheet would lie
    for curl in placement.curls:
        px, py = page_corners[curl.corner]
        d = np.array([pw / 2 - px, ph / 2 - py])
        d /= np.linalg.norm(d)
        reach = curl.depth * short
        radius = max(curl.radius, 2 / math.pi + 0.02) * reach
        beyond = reach - ((u - px) * d[0] + (v - py) * d[1])  # > 0: on the corner's side
        inside = beyond > 0
        ratio = np.clip(beyond / radius, 0, None)
        lost = inside & (ratio > math.sin(reach / radius))
        q = radius * np.arcsin(np.clip(ratio, 0, 1))
        shift = np.where(inside, q - beyond, 0.0)
        u = u - shift * d[0]
        v = v - shift * d[1]
        angle = np.where(inside & ~lost, q / radius, 0.0)
        shade *= 1 - 0.45 * (1 - np.cos(angle))
        covered &= ~lost
        desk = np.where(lost & footprint, desk * 0.85, desk)
    mx = (u - 0.5).astype(np.float32)
    my = (v - 0.5).astype(np.float32)
    colour = cv2.remap(page, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    solid = np.zeros((ph + 4, pw + 4), np.float32)
    solid[2:-2, 2:-2] = 1
    alpha = cv2.remap(solid, mx + 2, my + 2, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    alpha = np.where(covered, alpha, 0).astype(np.float32)
    colour = (colour * shade[..., None].astype(np.float32)).astype(np.float32)
    return colour, alpha, desk.astype(np.float32), (x0, y0, x1, y1)


def composite(
    canvas: np.ndarray,
    layer: tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int, int, int]],
    shadow: float = 0.0,
    shadow_offset: tuple[float, float] = (3.0, 3.0),
    shadow_blur: float = 4.0,
) -> None:
    """Lay a warped document (or any layer) on ``canvas`` in place, with a soft drop shadow."""
    colour, alpha, desk, (x0, y0, x1, y1) = layer
    if x1 <= x0:
        return
    region = canvas[y0:y1, x0:x1]
    region *= desk[..., None]
    if shadow > 0:
        m = np.array([[1, 0, shadow_offset[0]], [0, 1, shadow_offset[1]]], np.float32)
        moved = cv2.warpAffine(alpha, m, (alpha.shape[1], alpha.shape[0]))
        soft = cv2.GaussianBlur(moved, (0, 0), max(0.5, shadow_blur))
        region *= (1 - shadow * soft)[..., None]
    a = alpha[..., None]
    region[:] = region * (1 - a) + colour * a
