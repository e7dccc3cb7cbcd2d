"""Desk surfaces for the held-out scenes, as linear reflectance (H x W x 3 float32, BGR, 0..1).

Every texture is procedural and seeded by the caller's generator: wood grain (growth rings
bent by low-frequency noise, fibre streaks along the grain), printed tablecloths (gingham,
stripes, polka dots, a flower print), a newspaper page (columns of small text, headlines,
photographs, rules), checkerboards at any scale and angle, strong reflectance gradients, plain
light laminate (for a white page on a light desk), dark plain desks and speckled stone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from types import MappingProxyType

import cv2
import numpy as np

Rng = np.random.Generator
Texture = Callable[[Rng, int, int], np.ndarray]

BUSY = ("wood", "tablecloth", "newspaper", "checkerboard", "gradient")
CALM = ("dark", "stone", "wood", "tablecloth")
LIGHT = ("light",)


def smooth_noise(rng: Rng, h: int, w: int, cells: float) -> np.ndarray:
    """Noise with about ``cells`` blobs across the longer side, zero mean, unit-ish spread."""
    ch = max(2, round(cells * h / max(h, w)) + 2)
    cw = max(2, round(cells * w / max(h, w)) + 2)
    coarse = rng.standard_normal((ch, cw)).astype(np.float32)
    return np.asarray(cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC))


def _rotated_coords(rng: Rng, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    angle = rng.uniform(0, math.pi)
    c, s = math.cos(angle), math.sin(angle)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    x -= w / 2
    y -= h / 2
    return c * x + s * y, -s * x + c * y


def _tint(grey: np.ndarray, colour: tuple[float, float, float]) -> np.ndarray:
    return np.asarray(grey[..., None] * np.array(colour, np.float32)[None, None, :])


def _clip(img: np.ndarray) -> np.ndarray:
    return np.asarray(np.clip(img, 0.01, 0.95), np.float32)


def _mix(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    return np.asarray(a * (1 - t[..., None]) + b * t[..., None], np.float32)


def wood(rng: Rng, h: int, w: int) -> np.ndarray:
    u, v = _rotated_coords(rng, h, w)
    period = rng.uniform(14, 60)
    warp = smooth_noise(rng, h, w, rng.uniform(2, 6)) * rng.uniform(0.6, 2.2)
    rings = 0.5 + 0.5 * np.sin(2 * math.pi * (v / period + warp + 0.002 * u))
    rings = rings ** rng.uniform(1.5, 4.0)
    # fibres: 1-D noise across the grain, stretched along it
    fibre_len = max(h, w) * 2
    fibres = rng.standard_normal(fibre_len).astype(np.float32)
    fibres = cv2.GaussianBlur(fibres[None, :], (0, 0), rng.uniform(0.7, 2.0))[0]
    idx = np.clip((v + fibre_len / 2).astype(np.int32), 0, fibre_len - 1)
    streak = fibres[idx] * rng.uniform(0.02, 0.06)
    light = rng.uniform(0.15, 0.55)
    base = np.array([0.45, 0.62, 0.85], np.float32) * light / 0.85  # BGR: warm brown
    base = base * rng.uniform(0.85, 1.15, 3).astype(np.float32)
    grey = 1.0 - rng.uniform(0.2, 0.45) * rings + streak
    board = rng.random() < 0.5
    if board:  # planks: each a little different in tone
        plank = rng.uniform(60, 200)
        tone = 1.0 + 0.12 * np.sin(np.floor(u / plank) * 12.9898) * rng.uniform(0.5, 1.0)
        seam = (np.abs((u / plank) % 1.0 - 0.5) > 0.497).astype(np.float32)
        grey = grey * tone * (1 - 0.5 * seam)
    return _clip(_tint(grey, (float(base[0]), float(base[1]), float(base[2]))))


def _colour(rng: Rng, light: tuple[float, float]) -> tuple[float, float, float]:
    hue = rng.uniform(0, 180)
    sat = rng.uniform(80, 230)
    val = rng.uniform(*light) * 255
    hsv = np.array([[[hue, sat, val]]], np.uint8)
    b, g, r = cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)[0, 0] / 255.0
    return float(b) ** 2.2, float(g) ** 2.2, float(r) ** 2.2


def tablecloth(rng: Rng, h: int, w: int) -> np.ndarray:
    u, v = _rotated_coords(rng, h, w)
    kind = rng.choice(["gingham", "stripes", "dots", "flowers"])
    ink = np.array(_colour(rng, (0.35, 0.85)), np.float32)
    ground = np.array([rng.uniform(0.4, 0.72)] * 3, np.float32) * rng.uniform(0.9, 1.05, 3)
    ground = ground.astype(np.float32)
    period = rng.uniform(12, 70)
    if kind == "gingham":
        a = ((u / period) % 1.0 < 0.5).astype(np.float32)
        b = ((v / period) % 1.0 < 0.5).astype(np.float32)
        t = 0.5 * (a + b)
    elif kind == "stripes":
        widths = rng.uniform(0.1, 0.5)
        t = ((v / period) % 1.0 < widths).astype(np.float32)
        second = np.array(_colour(rng, (0.3, 0.9)), np.float32)
        t2 = ((v / (period * 2.7)) % 1.0 < 0.15).astype(np.float32)
        img = _mix(_mix(np.broadcast_to(ground, (h, w, 3)), np.broadcast_to(ink, (h, w, 3)),
                        t), np.broadcast_to(second, (h, w, 3)), t2)
        return _weave(rng, img)
    elif kind == "dots":
        du = (u / period) % 1.0 - 0.5
        dv = (v / period) % 1.0 - 0.5
        t = (du * du + dv * dv < rng.uniform(0.03, 0.12)).astype(np.float32)
    else:
        return _weave(rng, _flowers(rng, h, w, ground))
    t = np.asarray(cv2.GaussianBlur(t, (0, 0), 0.8), np.float32)
    img = _mix(np.broadcast_to(ground, (h, w, 3)), np.broadcast_to(ink, (h, w, 3)), t)
    return _weave(rng, img)


def _flowers(rng: Rng, h: int, w: int, ground: np.ndarray) -> np.ndarray:
    canvas = np.empty((h, w, 3), np.float32)
    canvas[:] = ground
    step = int(rng.uniform(40, 110))
    petal = [tuple(float(c) for c in _colour(rng, (0.4, 0.9))) for _ in range(3)]
    leaf = _colour(rng, (0.25, 0.5))
    for y in range(-step, h + step, step):
        for x in range(-step, w + step, step):
            cx = int(x + rng.uniform(-0.3, 0.3) * step + (step // 2 if (y // step) % 2 else 0))
            cy = int(y + rng.uniform(-0.3, 0.3) * step)
            r = max(3, int(step * rng.uniform(0.12, 0.22)))
            colour = petal[int(rng.integers(len(petal)))]
            for k in range(5):
                a = 2 * math.pi * k / 5 + rng.uniform(0, 1)
                px, py = int(cx + r * math.cos(a)), int(cy + r * math.sin(a))
                cv2.circle(canvas, (px, py), r, colour, -1, cv2.LINE_AA)
            cv2.ellipse(canvas, (cx + 2 * r, cy + r), (r, max(1, r // 2)),
                        float(rng.uniform(0, 180)), 0, 360, leaf, -1, cv2.LINE_AA)
            cv2.circle(canvas, (cx, cy), max(2, r // 2), (0.1, 0.5, 0.7), -1, cv2.LINE_AA)
    return canvas


def _weave(rng: Rng, img: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    fine = rng.standard_normal((h, w)).astype(np.float32) * rng.uniform(0.02, 0.06)
    return _clip(img * (1 + fine[..., None]))


_WORDS = (
    "market", "city", "council", "report", "weather", "sports", "school", "river", "bridge",
    "station", "price", "news", "the", "of", "and", "to", "in", "new", "plan", "year", "hall",
    "service", "public", "road", "bus", "rain", "north", "south", "train", "office", "open",
)


def _text_lines(
    img: np.ndarray, rng: Rng, box: tuple[int, int, int, int], size: float, ink: int,
    thickness: int = 1,
) -> None:
    x0, y0, x1, y1 = box
    line_h = max(4, int(22 * size))
    y = y0 + line_h
    while y < y1:
        x = x0
        while x < x1:
            word = str(_WORDS[int(rng.integers(len(_WORDS)))])
            (tw, _), _ = cv2.getTextSize(word, cv2.FONT_HERSHEY_SIMPLEX, size, thickness)
            if x + tw > x1:
                break
            cv2.putText(img, word, (x, y), cv2.FONT_HERSHEY_SIMPLEX, size, ink, thickness,
                        cv2.LINE_AA)
            x += tw + int(8 * size)
        y += line_h


def newspaper(rng: Rng, h: int, w: int) -> np.ndarray:
    side = int(math.hypot(h, w)) + 4
    paper = rng.uniform(0.5, 0.72)
    sheet = np.full((side, side), round(paper * 255), np.uint8)
    ink = 15
    cols = int(rng.integers(4, 8))
    margin = 20
    col_w = (side - 2 * margin) // cols
    size = rng.uniform(0.3, 0.5)
    for c in range(cols):
        x0 = margin + c * col_w + 6
        x1 = x0 + col_w - 12
        y = margin
        while y < side - margin:
            block = int(rng.uniform(80, 260))
            what = rng.random()
            if what < 0.15:  # a photograph
                photo = paper * (0.5 + 0.6 * smooth_noise(rng, block, x1 - x0, 6))
                sheet[y:y + block, x0:x1] = (np.clip(photo, 0.03, 0.9) * 255)[: side - y]
            elif what < 0.3:  # a headline
                _text_lines(sheet, rng, (x0, y, x1, y + block // 2), size * 2.2, ink, 2)
            else:
                _text_lines(sheet, rng, (x0, y, x1, y + block), size, ink)
            y += block + 10
            cv2.line(sheet, (x0, y - 5), (x1, y - 5), ink, 1, cv2.LINE_AA)
        if c:
            cv2.line(sheet, (x0 - 6, margin), (x0 - 6, side - margin), ink, 1, cv2.LINE_AA)
    angle = rng.uniform(-30, 30) + (90 if rng.random() < 0.3 else 0)
    m = cv2.getRotationMatrix2D((side / 2, side / 2), angle, 1.0)
    m[:, 2] += np.array([(w - side) / 2, (h - side) / 2])
    grey = cv2.warpAffine(sheet.astype(np.float32) / 255, m, (w, h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REFLECT)
    tone = (0.95, 1.0, 1.04) if rng.random() < 0.7 else (1.0, 1.0, 1.0)
    return _clip(_tint(grey, tone))


def checkerboard(rng: Rng, h: int, w: int) -> np.ndarray:
    u, v = _rotated_coords(rng, h, w)
    size = rng.uniform(12, 90)
    t = ((np.floor(u / size) + np.floor(v / size)) % 2).astype(np.float32)
    t = np.asarray(cv2.GaussianBlur(t, (0, 0), 0.7), np.float32)
    if rng.random() < 0.4:
        a = np.full(3, rng.uniform(0.02, 0.1), np.float32)
        b = np.full(3, rng.uniform(0.45, 0.7), np.float32)
    else:
        a = np.array(_colour(rng, (0.15, 0.5)), np.float32)
        b = np.array(_colour(rng, (0.5, 0.9)), np.float32)
    return _mix(np.broadcast_to(a, (h, w, 3)), np.broadcast_to(b, (h, w, 3)), t)


def gradient(rng: Rng, h: int, w: int) -> np.ndarray:
    u, v = _rotated_coords(rng, h, w)
    span = float(np.abs(u).max()) + 1
    lo, hi = rng.uniform(0.02, 0.2), rng.uniform(0.5, 0.8)
    if rng.random() < 0.5:
        t = (u / span + 1) / 2
    else:
        cx, cy = rng.uniform(-0.5, 0.5, 2) * np.array([w, h])
        t = 1 - np.clip(np.hypot(u - cx, v - cy) / (0.8 * span), 0, 1)
    grey = lo + (hi - lo) * t.astype(np.float32) ** rng.uniform(0.6, 2.0)
    colour = np.array(_colour(rng, (0.7, 1.0)), np.float32) ** 0.3
    return _clip(_tint(grey, (float(colour[0]), float(colour[1]), float(colour[2]))))


def light(rng: Rng, h: int, w: int) -> np.ndarray:
    """A light laminate or a pale tablecloth: close to the page's own whiteness."""
    level = rng.uniform(0.55, 0.76)
    cast = rng.uniform(0.93, 1.05, 3).astype(np.float32)
    grey = level * (1 + 0.03 * smooth_noise(rng, h, w, rng.uniform(3, 10)))
    grey += rng.standard_normal((h, w)).astype(np.float32) * 0.008
    return _clip(_tint(grey, (float(cast[0]), float(cast[1]), float(cast[2]))))


def dark(rng: Rng, h: int, w: int) -> np.ndarray:
    level = rng.uniform(0.03, 0.3)
    colour = np.array(_colour(rng, (0.6, 1.0)), np.float32) ** 0.4
    grey = level * (1 + 0.1 * smooth_noise(rng, h, w, rng.uniform(2, 8)))
    return _clip(_tint(grey, (float(colour[0]), float(colour[1]), float(colour[2]))))


def stone(rng: Rng, h: int, w: int) -> np.ndarray:
    level = rng.uniform(0.15, 0.5)
    grey = level * (1 + 0.25 * smooth_noise(rng, h, w, rng.uniform(8, 30)))
    speck = rng.random((h, w)) < rng.uniform(0.01, 0.05)
    grey = np.where(speck, grey * rng.uniform(0.3, 1.8), grey).astype(np.float32)
    grey = np.asarray(cv2.GaussianBlur(grey, (0, 0), 0.8), np.float32)
    return _clip(_tint(grey, (0.95, 1.0, 1.02)))


TEXTURES: Mapping[str, Texture] = MappingProxyType(
    {
    "wood": wood,
    "tablecloth": tablecloth,
    "newspaper": newspaper,
    "checkerboard": checkerboard,
    "gradient": gradient,
    "light": light,
    "dark": dark,
    "stone": stone,
    }
)


def desk(rng: Rng, name: str, h: int, w: int) -> np.ndarray:
    return TEXTURES[name](rng, h, w)
