"""Things on the desk besides the page: a hand holding the page down, a pen, a phone, a mug,
sticky notes. Each is a layer (colour, alpha, desk shade, box) for :func:`warp.composite`.

A hand is a palm (ellipse) with four fingers and a thumb (thick rounded strokes) and the arm
(a sleeve) running off the frame; a pen is a long capsule with a highlight along it. Sizes are
in millimetres of the desk, turned into pixels by the page's own scale, so a hand is as large
next to the page as a real one.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

Rng = np.random.Generator
Layer = tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int, int, int]]

SKIN = ((0.32, 0.42, 0.62), (0.26, 0.36, 0.55), (0.16, 0.24, 0.38), (0.40, 0.52, 0.70))


def _finish(mask: np.ndarray, colour_of: np.ndarray, round_px: float) -> Layer:
    """Alpha from a 0/1 mask (anti-aliased), shading that rounds the shape off at its rims."""
    h, w = mask.shape
    alpha = cv2.GaussianBlur(mask, (0, 0), 0.8)
    dist = cv2.distanceTransform((mask > 0.5).astype(np.uint8), cv2.DIST_L2, 3)
    body = 0.65 + 0.35 * np.clip(dist / max(1.0, round_px), 0, 1)
    colour = (colour_of * body[..., None]).astype(np.float32)
    return colour, alpha.astype(np.float32), np.ones((h, w), np.float32), (0, 0, w, h)


def _capsule(mask: np.ndarray, colour: np.ndarray, a: np.ndarray, b: np.ndarray, width: float,
             rgb: tuple[float, float, float]) -> None:
    pa = (round(a[0] * 16), round(a[1] * 16))
    pb = (round(b[0] * 16), round(b[1] * 16))
    t = max(1, round(width))
    cv2.line(mask, pa, pb, 1.0, t, cv2.LINE_8, shift=4)
    cv2.line(colour, pa, pb, rgb, t, cv2.LINE_8, shift=4)


def hand(
    rng: Rng, frame: tuple[int, int], anchor: np.ndarray, inward: np.ndarray, ppm: float
) -> Layer:
    """A hand reaching from outside the page over its edge at ``anchor`` (pixels), fingers
    pointing along ``inward`` (unit vector into the page); ``ppm`` pixels per millimetre."""
    w, h = frame
    mask = np.zeros((h, w), np.float32)
    colour = np.zeros((h, w, 3), np.float32)
    skin = np.array(SKIN[int(rng.integers(len(SKIN)))], np.float32) * rng.uniform(0.85, 1.1)
    skin_t = (float(skin[0]), float(skin[1]), float(skin[2]))
    sb, sg, sr = rng.uniform(0.03, 0.5, 3)
    sleeve = (float(sb), float(sg), float(sr))
    side = np.array([-inward[1], inward[0]])
    reach = rng.uniform(8, 35) * ppm  # how far the fingertips go past the edge
    finger_len = rng.uniform(65, 80) * ppm
    palm_w, palm_l = rng.uniform(78, 92) * ppm, rng.uniform(90, 105) * ppm
    tips = anchor + inward * reach
    palm_top = tips - inward * finger_len
    palm_c = palm_top - inward * palm_l / 2
    angle = math.degrees(math.atan2(inward[1], inward[0]))
    cv2.ellipse(mask, (round(palm_c[0]), round(palm_c[1])),
                (round(palm_l / 2), round(palm_w / 2)), angle, 0, 360, 1.0, -1)
    cv2.ellipse(colour, (round(palm_c[0]), round(palm_c[1])),
                (round(palm_l / 2), round(palm_w / 2)), angle, 0, 360, skin_t, -1)
    finger_w = rng.uniform(15, 19) * ppm
    spread = rng.uniform(0.0, 0.25)
    for k, off in enumerate((-1.5, -0.5, 0.5, 1.5)):
        base = palm_top + side * off * palm_w / 4.3 + inward * palm_l * 0.1
        direction = inward * math.cos(spread * off) + side * math.sin(spread * off)
        length = finger_len * (0.8 if k in (0, 3) else 1.0) * rng.uniform(0.92, 1.05)
        _capsule(mask, colour, base, base + direction * length, finger_w, skin_t)
    thumb_side = 1 if rng.random() < 0.5 else -1
    tb = palm_c + side * thumb_side * palm_w * 0.45
    tdir = inward * 0.6 + side * thumb_side * 0.8
    _capsule(mask, colour, tb, tb + tdir / np.linalg.norm(tdir) * finger_len * 0.75,
             finger_w * 1.15, skin_t)
    arm_end = palm_c - inward * (w + h)
    wrist = palm_c - inward * palm_l * 0.45
    _capsule(mask, colour, wrist, wrist - inward * palm_l * 0.5, palm_w * 0.75, skin_t)
    _capsule(mask, colour, wrist - inward * palm_l * 0.45, arm_end, palm_w * 1.1, sleeve)
    return _finish(mask, colour, finger_w * 0.5)


def pen(rng: Rng, frame: tuple[int, int], a: np.ndarray, b: np.ndarray, ppm: float) -> Layer:
    """A pen lying from ``a`` to ``b`` (pixels)."""
    w, h = frame
    mask = np.zeros((h, w), np.float32)
    colour = np.zeros((h, w, 3), np.float32)
    body = [(0.35, 0.08, 0.05), (0.03, 0.03, 0.03), (0.05, 0.05, 0.45), (0.6, 0.6, 0.6),
            (0.1, 0.4, 0.1)][int(rng.integers(5))]
    width = rng.uniform(8, 11) * ppm
    _capsule(mask, colour, a, b, width, body)
    d = (b - a) / (np.linalg.norm(b - a) + 1e-9)
    n = np.array([-d[1], d[0]])
    hi = (min(1.0, body[0] * 1.8 + 0.25), min(1.0, body[1] * 1.8 + 0.25),
          min(1.0, body[2] * 1.8 + 0.25))
    _capsule(mask, colour, a + n * width * 0.2 + d * width, b + n * width * 0.2 - d * width,
             max(1.0, width * 0.15), hi)
    return _finish(mask, colour, width * 0.3)


def clutter(rng: Rng, frame: tuple[int, int], keep_out: np.ndarray, ppm: float) -> list[Layer]:
    """A few desk objects (phone, mug, sticky note, pen) that stay clear of ``keep_out`` (a
    uint8 mask of the page and its surroundings)."""
    w, h = frame
    out: list[Layer] = []
    for _ in range(int(rng.integers(0, 4))):
        kind = rng.choice(["phone", "mug", "note", "pen"])
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        if keep_out[int(min(h - 1, cy)), int(min(w - 1, cx))]:
            continue
        mask = np.zeros((h, w), np.float32)
        colour = np.zeros((h, w, 3), np.float32)
        angle = float(rng.uniform(0, 180))
        if kind == "pen":
            d = np.array([math.cos(math.radians(angle)), math.sin(math.radians(angle))])
            length = rng.uniform(120, 150) * ppm
            layer = pen(rng, frame, np.array([cx, cy]) - d * length / 2,
                        np.array([cx, cy]) + d * length / 2, ppm)
        else:
            size = {"phone": (70, 145), "mug": (85, 85), "note": (76, 76)}[str(kind)]
            sx, sy = size[0] * ppm, size[1] * ppm
            tone = {"phone": (0.03, 0.03, 0.04), "mug": tuple(rng.uniform(0.05, 0.8, 3)),
                    "note": (0.35, 0.85, 0.9)}[str(kind)]
            rgb = (float(tone[0]), float(tone[1]), float(tone[2]))
            if kind == "mug":
                cv2.circle(mask, (round(cx), round(cy)), round(sx / 2), 1.0, -1)
                cv2.circle(colour, (round(cx), round(cy)), round(sx / 2), rgb, -1)
                cv2.circle(colour, (round(cx), round(cy)), round(sx * 0.4),
                           (0.05, 0.1, 0.15), -1)
            else:
                box = cv2.boxPoints(((cx, cy), (sx, sy), angle)).astype(np.int32)
                cv2.fillConvexPoly(mask, box, 1.0)
                cv2.fillConvexPoly(colour, box, rgb)
            layer = _finish(mask, colour, min(sx, sy) * 0.05)
        if np.any((layer[1] > 0.05) & (keep_out > 0)):
            continue
        out.append(layer)
    return out
