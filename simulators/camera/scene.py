"""Synthetic document-camera scenes with ground truth.

A scene is a page (from :mod:`simulators.camera.page`) laid on a desk: a backdrop (plain,
wood, fabric or cluttered with objects), a perspective placement with known corners, uneven
lighting with a colour cast, sometimes a soft shadow, a specular glare, defocus or motion blur,
sensor noise. Everything is drawn from one ``numpy`` generator seeded by the caller, so a scene
is reproducible from its seed and its :class:`SceneSpec` is the ground truth.

Coordinates: pixel centres are integers (OpenCV's convention); a page of ``w x h`` pixels spans
``[-0.5, w - 0.5] x [-0.5, h - 0.5]``. ``SceneSpec.corners`` are the page's own top-left,
top-right, bottom-right and bottom-left corners in image pixels.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from types import MappingProxyType
from typing import Any

import cv2
import numpy as np

from simulators.camera.page import Page, PageFactory

Corners = tuple[tuple[float, float], ...]
KINDS = ("clean", "blurred", "glare", "small", "cut", "mixed")
EXPECTED = MappingProxyType(
    {
        "clean": "ok",
        "blurred": "blurred",
        "glare": "glare",
        "small": "too small",
        "cut": "cut off",
        "mixed": "",
    }
)


@dataclass(frozen=True)
class SceneSpec:
    """Every random choice of a scene: enough to render it again, and the ground truth."""

    kind: str
    seed: int
    corners: Corners
    page_index: int = 0
    landscape: bool = False
    backdrop: str = "plain"
    clutter: int = 0
    occluder: bool = False
    light_gain: float = 1.0
    light_tilt: tuple[float, float] = (0.0, 0.0)
    vignette: float = 0.0
    tint: tuple[float, float, float] = (1.0, 1.0, 1.0)
    shadow: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    """x, y, radius, depth (0 = none) of a soft shadow."""
    glare: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    """x, y, radius, peak (added grey level) of a specular highlight."""
    blur_sigma: float = 0.0
    motion: tuple[float, float] = (0.0, 0.0)
    """Motion blur length (pixels) and angle (degrees)."""
    noise: float = 2.0
    expected: str = ""
    """The verdict a quality gate should give ("ok", "blurred", "glare", "too small", "cut off")."""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["corners"] = [list(p) for p in self.corners]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SceneSpec:
        values = dict(data)
        values["corners"] = tuple(tuple(map(float, p)) for p in data["corners"])
        for key in ("light_tilt", "tint", "shadow", "glare", "motion"):
            values[key] = tuple(data[key])
        return cls(**values)


@dataclass(frozen=True)
class Scene:
    image: np.ndarray
    """H x W x 3 uint8, BGR (OpenCV's order)."""
    spec: SceneSpec
    page: Page


def page_corners_px(size: tuple[int, int]) -> np.ndarray:
    w, h = size
    return np.array(
        [[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]], np.float32
    )


class SceneGenerator:
    """Draws and renders scenes; holds its random generator and page templates (no globals)."""

    def __init__(
        self, seed: int = 0, size: tuple[int, int] = (1280, 720), pages: PageFactory | None = None
    ) -> None:
        self.seed = seed
        self.size = size
        self.pages = pages or PageFactory(seed=seed)
        self._rng = np.random.default_rng(seed)
        self._backdrops: dict[tuple[str, int, int], np.ndarray] = {}
        self._bank: np.ndarray | None = None

    # -- drawing the random choices ---------------------------------------------------------
    def draw(self, kind: str = "mixed") -> SceneSpec:
        if kind not in KINDS:
            raise ValueError(f"unknown scene kind {kind!r}; one of {', '.join(KINDS)}")
        r = self._rng
        w, h = self.size
        landscape = bool(r.random() < 0.15)
        scale_lo, scale_hi = (0.18, 0.24) if kind == "small" else (0.55, 0.93)
        corners = self._placement(
            landscape, float(r.uniform(scale_lo, scale_hi)), cut=(kind == "cut")
        )
        spec = SceneSpec(
            kind=kind,
            seed=int(r.integers(1 << 31)),
            corners=corners,
            page_index=int(r.integers(0, 64)),
            landscape=landscape,
            backdrop=str(r.choice(["plain", "wood", "fabric", "clutter", "clutter"])),
            clutter=int(r.integers(4, 22)),
            occluder=bool(kind == "mixed" and r.random() < 0.08),
            light_gain=float(r.uniform(0.62, 1.0 if kind in ("mixed", "glare") else 0.9)),
            light_tilt=(float(r.uniform(-0.25, 0.25)), float(r.uniform(-0.25, 0.25))),
            vignette=float(r.uniform(0.0, 0.35)),
            tint=(
                float(r.uniform(0.85, 1.0)),
                float(r.uniform(0.92, 1.0)),
                float(r.uniform(0.85, 1.0)),
            ),
            noise=float(r.uniform(1.0, 5.0)),
            expected=EXPECTED[kind],
        )
        shadow = (0.0, 0.0, 0.0, 0.0)
        if r.random() < 0.3:
            shadow = (
                float(r.uniform(0, w)),
                float(r.uniform(0, h)),
                float(r.uniform(80, 300)),
                float(r.uniform(0.15, 0.45)),
            )
        glare = (0.0, 0.0, 0.0, 0.0)
        blur, motion = float(r.uniform(0.0, 0.8)), (0.0, 0.0)
        cx, cy = np.mean(np.array(corners), axis=0)
        if kind == "glare":
            glare = (
                float(cx + r.uniform(-120, 120)),
                float(cy + r.uniform(-120, 120)),
                float(r.uniform(70, 130)),
                float(r.uniform(220, 320)),
            )
        elif kind == "blurred":
            if r.random() < 0.7:
                blur = float(r.uniform(2.5, 5.0))
            else:
                blur, motion = 0.5, (float(r.uniform(14, 30)), float(r.uniform(0, 180)))
        elif kind == "mixed":
            if r.random() < 0.3:
                glare = (
                    float(cx + r.uniform(-250, 250)),
                    float(cy + r.uniform(-200, 200)),
                    float(r.uniform(40, 130)),
                    float(r.uniform(60, 300)),
                )
            roll = r.random()
            if roll < 0.2:
                blur = float(r.uniform(1.0, 3.0))
            elif roll < 0.3:
                motion = (float(r.uniform(4, 15)), float(r.uniform(0, 180)))
        elif kind in ("clean", "small", "cut"):
            shadow = (shadow[0], shadow[1], shadow[2], min(shadow[3], 0.3))
        return replace(spec, shadow=shadow, glare=glare, blur_sigma=blur, motion=motion)

    def _placement(self, landscape: bool, scale: float, cut: bool) -> Corners:
        """Corners of a page whose height is ``scale`` of the frame's, tilted in perspective."""
        r = self._rng
        w, h = self.size
        ph = scale * h * (0.8 if landscape else 1.0)
        pw = ph * (297 / 210 if landscape else 210 / 297)
        angle = math.radians(float(r.uniform(-25, 25)))
        base = np.array(
            [[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2], [-pw / 2, ph / 2]]
        )
        rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
        pts = base @ rot.T
        pts += r.uniform(-0.06, 0.06, size=(4, 2)) * np.array([pw, ph])  # perspective
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        margin = 16.0
        span = np.array([w, h]) - (hi - lo) - 2 * margin
        if np.any(span < 0):  # too big for the frame after rotation: shrink
            factor = float(np.min((np.array([w, h]) - 2 * margin) / (hi - lo)))
            pts *= factor
            lo, hi = pts.min(axis=0), pts.max(axis=0)
            span = np.maximum(np.array([w, h]) - (hi - lo) - 2 * margin, 0)
        offset = margin - lo + r.uniform(0, 1, 2) * span
        if cut:  # push it over one edge by 8-25 % of its size
            axis = int(r.integers(0, 2))
            push = float(r.uniform(0.08, 0.25)) * (hi - lo)[axis]
            offset[axis] = (w, h)[axis] - hi[axis] + push if r.random() < 0.5 else -lo[axis] - push
        pts = pts + offset
        return tuple((float(x), float(y)) for x, y in pts)

    # -- rendering -------------------------------------------------------------------------
    def scene(self, kind: str = "mixed") -> Scene:
        return self.render(self.draw(kind))

    def render(
        self, spec: SceneSpec, noise_seed: int | None = None, page: Page | None = None
    ) -> Scene:
        """The scene of ``spec``; ``noise_seed`` varies only the sensor noise (still frames)."""
        page = page or self.pages.page(spec.page_index, spec.landscape)
        clean = self.render_noiseless(spec, page)
        seed = spec.seed if noise_seed is None else noise_seed
        return Scene(add_noise(clean, spec.noise, seed, self.noise_bank()), spec, page)

    def noise_bank(self) -> np.ndarray:
        if self._bank is None:
            w, h = self.size
            self._bank = np.random.default_rng(self.seed + 17).standard_normal(
                (h + 97, w + 89, 3), dtype=np.float32
            )
        return self._bank

    def render_noiseless(self, spec: SceneSpec, page: Page | None = None) -> np.ndarray:
        """The scene before sensor noise: H x W x 3 float32, RGB. No corners: an empty desk."""
        albedo = self._backdrop(spec).copy()
        if spec.corners:
            page = page or self.pages.page(spec.page_index, spec.landscape)
            _paste_page(albedo, page, spec.corners)
            if spec.occluder:
                _draw_occluder(albedo, spec, np.random.default_rng(spec.seed + 1))
        img = albedo * _lighting(spec, self.size)[..., None] * np.array(spec.tint, np.float32)
        gx, gy, gr, gpeak = spec.glare
        if gpeak > 0:
            img += (gpeak * _blob(self.size, gx, gy, gr, 1.6))[..., None]
        if spec.blur_sigma > 0.05:
            img = cv2.GaussianBlur(img, (0, 0), spec.blur_sigma)
        if spec.motion[0] > 1:
            img = cv2.filter2D(img, -1, _motion_kernel(*spec.motion))
        return np.asarray(img, np.float32)

    def _backdrop(self, spec: SceneSpec) -> np.ndarray:
        key = (spec.backdrop, spec.clutter, spec.seed % 7)
        if key not in self._backdrops:
            if len(self._backdrops) > 32:
                self._backdrops.clear()
            self._backdrops[key] = make_backdrop(
                spec.backdrop,
                self.size,
                spec.clutter,
                np.random.default_rng(spec.seed % 7 + 100 * spec.clutter),
            )
        return self._backdrops[key]


def add_noise(
    image: np.ndarray, sigma: float, seed: int, bank: np.ndarray | None = None
) -> np.ndarray:
    """Sensor noise on a float RGB image; returns uint8 BGR (what a camera hands over).

    ``bank``: a larger field of unit normal noise to cut a randomly placed window from (much
    faster than drawing a fresh field for every frame)."""
    rng = np.random.default_rng(seed)
    h, w = image.shape[:2]
    if bank is None or bank.shape[0] < h or bank.shape[1] < w:
        noise = rng.standard_normal(image.shape, dtype=np.float32)
    else:
        dy = int(rng.integers(0, bank.shape[0] - h + 1))
        dx = int(rng.integers(0, bank.shape[1] - w + 1))
        noise = bank[dy : dy + h, dx : dx + w]
    noisy = cv2.scaleAdd(noise, float(sigma), image.astype(np.float32, copy=False))
    bgr = cv2.cvtColor(noisy, cv2.COLOR_RGB2BGR)
    return np.clip(bgr, 0, 255, out=bgr).astype(np.uint8)


def _paste_page(albedo: np.ndarray, page: Page, corners: Corners) -> None:
    h, w = albedo.shape[:2]
    dst = np.array(corners, np.float32)
    side = max(np.linalg.norm(dst[0] - dst[1]), np.linalg.norm(dst[1] - dst[2]))
    img = page.image
    factor = side / max(img.shape[:2])
    if factor < 0.7:  # shrink with area averaging first: a plain warp would alias the text
        img = cv2.resize(
            img, None, fx=factor * 1.25, fy=factor * 1.25, interpolation=cv2.INTER_AREA
        )
    src = page_corners_px((img.shape[1], img.shape[0]))
    matrix = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(img.astype(np.float32), matrix, (w, h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(
        np.ones(img.shape[:2], np.float32), matrix, (w, h), flags=cv2.INTER_LINEAR
    )
    # the paper's own thin shadow on the desk, then the page over it
    contact = cv2.GaussianBlur(mask, (0, 0), 3.0)
    albedo *= (1.0 - 0.35 * contact)[..., None]
    albedo *= (1.0 - mask)[..., None]
    albedo += warped * mask[..., None]


_SMOOTH = 4  # lighting, shadows and glare are smooth: computed at 1/4 scale, then enlarged


def _lighting(spec: SceneSpec, size: tuple[int, int]) -> np.ndarray:
    w, h = size
    ys, xs = np.mgrid[0:h:_SMOOTH, 0:w:_SMOOTH].astype(np.float32)
    u, v = xs / w - 0.5, ys / h - 0.5
    light = spec.light_gain * (1.0 + spec.light_tilt[0] * u + spec.light_tilt[1] * v)
    light *= 1.0 - spec.vignette * (u * u + v * v) * 2.0
    sx, sy, sr, depth = spec.shadow
    if depth > 0:
        light *= 1.0 - depth * np.exp(-(((xs - sx) / sr) ** 2 + ((ys - sy) / sr) ** 2))
    light = np.clip(light, 0.05, 1.02).astype(np.float32)
    return np.asarray(cv2.resize(light, (w, h), interpolation=cv2.INTER_LINEAR), np.float32)


def _blob(size: tuple[int, int], x: float, y: float, radius: float, aspect: float) -> np.ndarray:
    w, h = size
    ys, xs = np.mgrid[0:h:_SMOOTH, 0:w:_SMOOTH].astype(np.float32)
    d2 = ((xs - x) / (radius * aspect)) ** 2 + ((ys - y) / radius) ** 2
    small = np.exp(-d2).astype(np.float32)
    return np.asarray(cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR), np.float32)


def _motion_kernel(length: float, angle: float) -> np.ndarray:
    n = math.ceil(length) | 1
    kernel = np.zeros((n, n), np.float32)
    c = n // 2
    dx, dy = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    for t in np.linspace(-length / 2, length / 2, n * 2):
        kernel[round(c + t * dy), round(c + t * dx)] = 1.0
    return np.asarray(kernel / kernel.sum(), np.float32)


def make_backdrop(
    kind: str, size: tuple[int, int], clutter: int, rng: np.random.Generator
) -> np.ndarray:
    """A desk, as albedo in 0..255 (float32, RGB)."""
    w, h = size
    base = rng.uniform(25, 185, 3).astype(np.float32)
    if kind == "wood":
        ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
        freq, phase = rng.uniform(0.02, 0.06), rng.uniform(0, 6)
        grain = np.sin(ys * freq + 3 * np.sin(xs * 0.004 + phase)) * 0.5 + 0.5
        base = np.array(
            [rng.uniform(90, 160), rng.uniform(55, 100), rng.uniform(25, 60)], np.float32
        )
        img = base * (0.75 + 0.35 * grain[..., None])
    elif kind == "fabric":
        coarse = rng.normal(0, 1, (h // 4, w // 4, 3)).astype(np.float32)
        texture = np.asarray(cv2.resize(cv2.GaussianBlur(coarse, (0, 0), 1.2), (w, h)))
        img = base * (1.0 + 0.18 * texture)
    else:
        img = np.ones((h, w, 3), np.float32) * base
        low = cv2.resize(
            rng.normal(0, 1, (6, 10)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC
        )
        img *= (1.0 + 0.08 * low)[..., None]
    out = np.clip(img, 0, 255).astype(np.uint8)
    if kind == "clutter":
        _draw_clutter(out, clutter, rng)
    return np.asarray(out, np.float32)


def _draw_clutter(img: np.ndarray, count: int, rng: np.random.Generator) -> None:
    h, w = img.shape[:2]
    for _ in range(count):
        colour = tuple(float(c) for c in rng.uniform(0, 230, 3))
        if rng.random() < 0.12:  # a light object: a sticky note, a business card
            colour = tuple(float(c) for c in rng.uniform(170, 235, 3))
        x, y = int(rng.uniform(0, w)), int(rng.uniform(0, h))
        shape = rng.random()
        if shape < 0.35:
            box = (
                (x, y),
                (float(rng.uniform(30, 260)), float(rng.uniform(20, 160))),
                float(rng.uniform(0, 180)),
            )
            pts = cv2.boxPoints(box).astype(np.int32)
            cv2.fillConvexPoly(img, pts, colour, lineType=cv2.LINE_AA)
        elif shape < 0.6:
            cv2.ellipse(
                img,
                (x, y),
                (int(rng.uniform(10, 90)), int(rng.uniform(10, 90))),
                float(rng.uniform(0, 180)),
                0,
                360,
                colour,
                -1,
                cv2.LINE_AA,
            )
        elif shape < 0.85:
            x2, y2 = x + int(rng.uniform(-300, 300)), y + int(rng.uniform(-300, 300))
            cv2.line(img, (x, y), (x2, y2), colour, int(rng.uniform(2, 14)), cv2.LINE_AA)
        else:
            cv2.putText(
                img,
                "".join(chr(int(c)) for c in rng.integers(65, 90, 6)),
                (x, y),
                cv2.FONT_HERSHEY_SIMPLEX,
                float(rng.uniform(0.6, 2.0)),
                colour,
                int(rng.uniform(1, 4)),
                cv2.LINE_AA,
            )


def _draw_occluder(img: np.ndarray, spec: SceneSpec, rng: np.random.Generator) -> None:
    """A pen lying across one edge of the page (on top of it)."""
    pts = np.array(spec.corners)
    i = int(rng.integers(0, 4))
    a, b = pts[i], pts[(i + 1) % 4]
    mid = a + (b - a) * float(rng.uniform(0.3, 0.7))
    angle = math.atan2(*(b - a)[::-1]) + math.pi / 2 + float(rng.uniform(-0.6, 0.6))
    half = float(rng.uniform(40, 90))
    p1 = mid + half * np.array([math.cos(angle), math.sin(angle)])
    p2 = mid - half * np.array([math.cos(angle), math.sin(angle)])
    colour = tuple(float(c) for c in rng.uniform(0, 120, 3))
    cv2.line(img, (int(p1[0]), int(p1[1])), (int(p2[0]), int(p2[1])), colour, 9, cv2.LINE_AA)
