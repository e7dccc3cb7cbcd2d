"""Light, lens and sensor for the held-out scenes: reflectance in, an 8-bit JPEG-damaged frame out.

* Light: a lamp (a point that may lie outside the frame) with a falloff over the desk, an
  ambient share, a colour temperature and lens vignetting; computed coarse and enlarged (light
  is smooth).
* Lens: defocus (Gaussian) and motion blur (a straight or slightly curved smear), applied to the
  linear radiance as the optics would.
* Sensor: a Bayer mosaic (RGGB), photo-electrons with shot noise (Poisson, by its normal
  approximation above a few electrons), read noise, an automatic gain that brings the bright
  end of the frame up to the top of the range (so dim scenes get noisy, not dark), 10-bit
  quantisation, a display gamma, demosaicing, an optional ISP (light denoise, unsharp mask)
  and JPEG compression.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

Rng = np.random.Generator


@dataclass(frozen=True)
class Light:
    lamp: tuple[float, float]
    """Lamp position over the desk, as a share of the frame's width and height (may be outside)."""
    reach: float
    """Falloff radius as a share of the frame's diagonal (small = strong gradient)."""
    ambient: float
    """Share of the light that is even (0..1)."""
    colour: tuple[float, float, float]
    """BGR multipliers (warm light: blue low)."""
    vignette: float
    """Brightness lost at the frame's corners (0..1)."""


@dataclass(frozen=True)
class Optics:
    defocus: float = 0.0
    """Gaussian sigma in pixels."""
    motion: float = 0.0
    """Motion blur length in pixels."""
    motion_angle: float = 0.0
    motion_bend: float = 0.0
    """Curvature of the smear (0 = straight)."""


@dataclass(frozen=True)
class Sensor:
    electrons: float
    """Photo-electrons a white page collects at the brightest point (exposure x light)."""
    read_noise: float
    """Read noise, electrons RMS."""
    jpeg_quality: int
    isp_denoise: bool
    sharpen: float
    """Unsharp-mask amount of the camera's processing (0 = none)."""
    exposure: float = 0.8
    """Where automatic exposure puts the frame's bright end (linear, 1 = full scale)."""
    chroma_smooth: bool = True
    """The camera's processing smooths the colour channels."""


def random_light(rng: Rng, strong_gradient: bool = False) -> Light:
    warm = rng.uniform(-1, 1)
    colour = (1.0 - 0.25 * max(0.0, warm), 1.0, 1.0 - 0.2 * max(0.0, -warm))
    return Light(
        lamp=(float(rng.uniform(-0.4, 1.4)), float(rng.uniform(-0.4, 1.4))),
        reach=float(rng.uniform(0.35, 0.7) if strong_gradient else rng.uniform(0.8, 2.5)),
        ambient=float(rng.uniform(0.05, 0.3) if strong_gradient else rng.uniform(0.3, 0.8)),
        colour=colour,
        vignette=float(rng.uniform(0.0, 0.35)),
    )


def illumination(light: Light, h: int, w: int) -> np.ndarray:
    """H x W x 3 light field, 1.0 at its brightest."""
    sh, sw = max(2, h // 8), max(2, w // 8)
    y, x = np.mgrid[0:sh, 0:sw].astype(np.float32)
    x = (x + 0.5) / sw
    y = (y + 0.5) / sh
    diag = math.hypot(w, h)
    dx = (x - light.lamp[0]) * w / diag
    dy = (y - light.lamp[1]) * h / diag
    lamp = 1.0 / (1.0 + (dx * dx + dy * dy) / (light.reach * light.reach))
    field = light.ambient + (1 - light.ambient) * lamp
    r2 = ((x - 0.5) ** 2 * w * w + (y - 0.5) ** 2 * h * h) / (0.25 * diag * diag)
    field *= 1 - light.vignette * r2
    field = cv2.resize(field / field.max(), (w, h), interpolation=cv2.INTER_CUBIC)
    return np.asarray(field[..., None] * np.array(light.colour, np.float32)[None, None, :])


def _motion_kernel(length: float, angle: float, bend: float) -> np.ndarray:
    size = math.ceil(length) | 1
    size = max(size, 3)
    k = np.zeros((size * 2 + 1, size * 2 + 1), np.float32)
    t = np.linspace(-0.5, 0.5, max(8, int(length * 4)))
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    along = t * length
    across = bend * length * (t * t - 1 / 12)
    xs = size + along * c - across * s
    ys = size + along * s + across * c
    for x, y in zip(xs, ys, strict=True):
        k[round(y), round(x)] += 1
    return np.asarray(k / k.sum(), np.float32)


def apply_optics(radiance: np.ndarray, optics: Optics) -> np.ndarray:
    out = radiance
    if optics.motion > 1.0:
        out = cv2.filter2D(out, -1, _motion_kernel(optics.motion, optics.motion_angle,
                                                   optics.motion_bend))
    if optics.defocus > 0.3:
        out = cv2.GaussianBlur(out, (0, 0), optics.defocus)
    return out


def _mosaic(radiance: np.ndarray) -> np.ndarray:
    """RGGB: R at (even, even), B at (odd, odd), G elsewhere; BGR input."""
    m = np.empty(radiance.shape[:2], np.float32)
    m[0::2, 0::2] = radiance[0::2, 0::2, 2]
    m[0::2, 1::2] = radiance[0::2, 1::2, 1]
    m[1::2, 0::2] = radiance[1::2, 0::2, 1]
    m[1::2, 1::2] = radiance[1::2, 1::2, 0]
    return m


def expose(radiance: np.ndarray, sensor: Sensor, rng: Rng) -> np.ndarray:
    """The camera's 8-bit BGR frame (after JPEG) of a linear radiance image (white page ~1)."""
    h, w = radiance.shape[:2]
    if h % 2 or w % 2:  # the mosaic needs even sizes: sense a frame one pixel larger
        radiance = cv2.copyMakeBorder(radiance, 0, h % 2, 0, w % 2, cv2.BORDER_REFLECT)
    electrons = _mosaic(radiance) * np.float32(sensor.electrons)
    noisy = electrons + np.sqrt(np.maximum(electrons, 0)) * rng.standard_normal(
        electrons.shape, dtype=np.float32
    )
    noisy += rng.standard_normal(electrons.shape, dtype=np.float32) * np.float32(
        sensor.read_noise
    )
    bright = float(np.percentile(electrons[::7, ::7], 99.5))
    gain = sensor.exposure / max(bright, 1e-3)
    signal = np.clip(noisy * gain, 0, 1)
    signal = np.round(signal * 1023) / 1023  # 10-bit converter
    raw = np.clip(np.power(signal, 1 / 2.2) * 255 + 0.5, 0, 255).astype(np.uint8)
    bgr = cv2.cvtColor(raw, cv2.COLOR_BayerBG2BGR)
    if sensor.isp_denoise:
        bgr = cv2.bilateralFilter(bgr, 5, 18, 3)
    if sensor.chroma_smooth:  # most webcams' processing smears colour noise (not luminance)
        ycc = cv2.cvtColor(bgr, cv2.COLOR_BGR2YCrCb)
        ycc[..., 1:] = cv2.GaussianBlur(ycc[..., 1:], (0, 0), 1.5)
        bgr = cv2.cvtColor(ycc, cv2.COLOR_YCrCb2BGR)
    if sensor.sharpen > 0:
        soft = cv2.GaussianBlur(bgr, (0, 0), 1.2)
        bgr = cv2.addWeighted(bgr, 1 + sensor.sharpen, soft, -sensor.sharpen, 0)
    bgr = bgr[:h, :w]
    ok, data = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, int(sensor.jpeg_quality)])
    if not ok:  # pragma: no cover - imencode of a uint8 BGR image does not fail
        return np.ascontiguousarray(bgr)
    return np.asarray(cv2.imdecode(data, cv2.IMREAD_COLOR))
