"""Clips for the virtual camera: pages laid down and left still, a receipt held up, an empty
desk. Each frame comes with its ground truth (corners, or none; whether the page is still).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from simulators.camera.page import render_receipt
from simulators.camera.scene import Corners, SceneGenerator, SceneSpec, add_noise

SCENARIOS = ("place", "clean", "blurred", "glare", "qr", "mixed", "empty")


@dataclass(frozen=True)
class ClipFrame:
    image: np.ndarray
    """BGR uint8."""
    spec: SceneSpec
    still: bool
    """The page has not moved since the previous frame (false while it is being laid down)."""
    page_number: int
    """Which page of the clip this is (0-based), -1 for an empty desk."""
    qr_text: str = ""

    def truth(self, index: int) -> dict[str, object]:
        return {
            "index": index,
            "corners": [list(p) for p in self.spec.corners],
            "landscape": self.spec.landscape,
            "still": self.still,
            "page": self.page_number,
            "kind": self.spec.kind,
            "expected": self.spec.expected if self.spec.corners else "no page",
            "qr": self.qr_text,
            "conditions": {
                "backdrop": self.spec.backdrop,
                "clutter": self.spec.clutter,
                "blur_sigma": round(self.spec.blur_sigma, 2),
                "motion_px": round(self.spec.motion[0], 1),
                "glare_peak": round(self.spec.glare[3], 1),
                "shadow_depth": round(self.spec.shadow[3], 2),
                "light_gain": round(self.spec.light_gain, 2),
                "noise": round(self.spec.noise, 2),
                "pen_across_edge": self.spec.occluder,
            },
        }


def _moved(corners: Corners, dx: float, dy: float, angle_deg: float) -> Corners:
    pts = np.array(corners)
    centre = pts.mean(axis=0)
    a = math.radians(angle_deg)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    out = (pts - centre) @ rot.T + centre + np.array([dx, dy])
    return tuple((float(x), float(y)) for x, y in out)


def laid_down(
    gen: SceneGenerator, spec: SceneSpec, number: int, moving: int = 8, still: int = 15
) -> Iterator[ClipFrame]:
    """The page slides in (a smooth stop, motion-blurred by its speed), then lies still."""
    rng = np.random.default_rng(spec.seed + 5)
    dx, dy = float(rng.uniform(-260, 260)), float(rng.uniform(140, 260))
    turn = float(rng.uniform(-12, 12))
    previous = _moved(spec.corners, dx, dy, turn)
    for i in range(1, moving + 1):
        left = 1.0 - (3 * (i / moving) ** 2 - 2 * (i / moving) ** 3)  # smoothstep to rest
        corners = _moved(spec.corners, dx * left, dy * left, turn * left)
        shift = np.array(corners).mean(axis=0) - np.array(previous).mean(axis=0)
        speed = float(np.hypot(*shift))
        motion = (speed * 0.5, math.degrees(math.atan2(shift[1], shift[0])))
        frame_spec = replace(spec, corners=corners, motion=motion if speed > 2 else (0.0, 0.0))
        yield ClipFrame(
            gen.render(frame_spec, noise_seed=spec.seed + i).image, frame_spec, False, number
        )
        previous = corners
    clean = gen.render_noiseless(spec)
    for j in range(still):
        image = add_noise(clean, spec.noise, spec.seed + 1000 + j, gen.noise_bank())
        yield ClipFrame(image, spec, True, number)


def empty_desk(gen: SceneGenerator, spec: SceneSpec, frames: int) -> Iterator[ClipFrame]:
    bare = replace(spec, corners=(), glare=(0.0, 0.0, 0.0, 0.0), kind="empty")
    clean = gen.render_noiseless(bare)
    for j in range(frames):
        yield ClipFrame(
            add_noise(clean, spec.noise, spec.seed + 2000 + j, gen.noise_bank()), bare, True, -1
        )


def receipt_held(gen: SceneGenerator, number: str, frames: int = 10) -> Iterator[ClipFrame]:
    """A thermal receipt held up close to the lens, its QR code large in the picture."""
    rng = np.random.default_rng(zlib.crc32(number.encode()))
    page = render_receipt(number)
    w, h = gen.size
    ph = 0.9 * h
    pw = ph * page.size[0] / page.size[1]
    a = math.radians(float(rng.uniform(-8, 8)))
    base = np.array([[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2], [-pw / 2, ph / 2]])
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    pts = base @ rot.T + rng.uniform(-0.03, 0.03, (4, 2)) * np.array([pw, ph])
    pts += np.array([w / 2 + float(rng.uniform(-150, 150)), h / 2])
    spec = replace(
        gen.draw("clean"),
        corners=tuple((float(x), float(y)) for x, y in pts),
        kind="qr",
        expected="",
        blur_sigma=0.6,
    )
    for j in range(frames):
        held = replace(
            spec,
            corners=_moved(spec.corners, float(rng.normal(0, 1.5)), float(rng.normal(0, 1.5)), 0.0),
        )
        yield ClipFrame(
            gen.render(held, noise_seed=spec.seed + j, page=page).image,
            held,
            False,
            0,
            page.qr_text,
        )


def scenario(gen: SceneGenerator, name: str, pages: int = 3) -> Iterator[ClipFrame]:
    """The frames of a named scenario (see :data:`SCENARIOS`)."""
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; one of {', '.join(SCENARIOS)}")
    if name == "qr":
        yield from receipt_held(gen, "KF2024000123")
        return
    if name == "empty":
        yield from empty_desk(gen, gen.draw("clean"), 10)
        return
    kind = {"place": "clean"}.get(name, name)
    for number in range(pages if name in ("place", "mixed") else 1):
        spec = gen.draw(kind)
        yield from laid_down(gen, spec, number)
        if name in ("place", "mixed"):
            yield from empty_desk(gen, spec, 4)
