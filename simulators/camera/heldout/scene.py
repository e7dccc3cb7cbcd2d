"""Held-out scenes: one document (sometimes two) on a desk, every choice drawn from a seeded
generator, with the ground truth the bench and the tests score against.

Each scene has a **condition** (what makes it hard) and is reproducible on its own from
``(seed, index, condition)``; :meth:`HeldoutGenerator.scene` with no condition follows a fixed
schedule so that every condition is equally represented in a set.

Ground truth (:class:`Truth`):

* ``corners``: the target page's corners in the page's own order (its top-left, top-right,
  bottom-right, bottom-left), image pixels with pixel centres at integers; for a curled or bent
  sheet, the corners of the sheet as it would lie flat (where its straight edges meet);
* ``visibility``: ``clear`` (the whole page in view, large enough), ``cut`` (part of it beyond
  the frame), ``small`` (whole but under 5 % of the frame), ``none`` (no page);
* ``expected``: the verdict a correct scanner gives: ``ok``, ``blurred`` (strong motion blur),
  ``cut off``, ``too small``, ``no page``;
* **two documents**: the page to capture is the larger one; when the other is at least 80 % of
  its size, the one whose centre is nearer the frame's centre (the generator makes the target
  at most half as far from the centre as the other). The other's corners are in ``others``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import cv2
import numpy as np

from simulators.camera.heldout import objects, textures
from simulators.camera.heldout.document import KINDS, SIZES_MM, Document, render_document
from simulators.camera.heldout.sensor import (
    Optics,
    Sensor,
    apply_optics,
    expose,
    illumination,
    random_light,
)
from simulators.camera.heldout.warp import Curl, Placement, composite, random_corners, warp_document

Rng = np.random.Generator
Quad = tuple[tuple[float, float], ...]

CLEAR = ("noise", "busy", "white-on-light", "occlusion", "two-documents", "curled", "motion",
         "frame")
REFUSE = ("cut", "cut-ruled", "small", "empty")
CONDITIONS = CLEAR + REFUSE
SCHEDULE = CLEAR + CLEAR + REFUSE
"""Conditions by scene index (index modulo 20): each clear condition twice, each refusal once."""

FRAMES = ((1280, 720), (1280, 720), (1280, 720), (1280, 720), (1920, 1080), (640, 480),
          (1600, 1200))
ODD_FRAMES = ((720, 1280), (480, 640), (1080, 1920), (1000, 1000), (1203, 677), (333, 500),
              (2048, 1536), (1366, 768), (601, 1067), (1280, 960))


@dataclass(frozen=True)
class Truth:
    seed: int
    index: int
    condition: str
    frame_size: tuple[int, int]
    corners: Quad | None
    page_mm: tuple[float, float]
    visibility: str
    expected: str
    tags: tuple[str, ...] = ()
    others: tuple[Quad, ...] = ()
    details: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["corners"] = None if self.corners is None else [list(p) for p in self.corners]
        data["others"] = [[list(p) for p in q] for q in self.others]
        return data


@dataclass(frozen=True)
class HeldoutScene:
    image: np.ndarray
    """H x W x 3 uint8 BGR, as the camera's JPEG decodes."""
    truth: Truth


def _quad(q: np.ndarray) -> Quad:
    return tuple((round(float(x), 3), round(float(y), 3)) for x, y in q)


def _inside(q: np.ndarray, frame: tuple[int, int], margin: float) -> bool:
    w, h = frame
    return bool(np.all(q >= margin) and np.all(q[:, 0] <= w - 1 - margin)
                and np.all(q[:, 1] <= h - 1 - margin))


def _area(q: np.ndarray) -> float:
    return float(abs(cv2.contourArea(q.astype(np.float32))))


def _share_outside(q: np.ndarray, frame: tuple[int, int]) -> float:
    w, h = frame
    rect = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]],
                    np.float32)
    inter, _ = cv2.intersectConvexConvex(q.astype(np.float32), rect)
    return 1.0 - float(inter) / max(_area(q), 1e-9)


class HeldoutGenerator:
    """Scenes of the held-out set (see the module's notes); one instance per seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def condition_of(self, index: int) -> str:
        return SCHEDULE[index % len(SCHEDULE)]

    def scene(
        self, index: int, condition: str | None = None, frame: tuple[int, int] | None = None
    ) -> HeldoutScene:
        """Scene ``index`` (its condition from the schedule unless given); ``frame`` (width,
        height) overrides the frame size drawn for it (small frames make fast tests)."""
        which = condition or self.condition_of(index)
        if which not in CONDITIONS:
            raise ValueError(f"unknown condition {which!r}; known: {', '.join(CONDITIONS)}")
        rng = np.random.default_rng([self.seed, index, CONDITIONS.index(which)])
        for _ in range(20):
            builder = _Builder(rng, self.seed, index, which)
            if frame is not None:
                builder.frame = (int(frame[0]), int(frame[1]))
            built = builder.build()
            if built is not None:
                return built
        raise RuntimeError(f"no scene for seed {self.seed} index {index} {which}")


class _Builder:
    """One scene's choices and rendering."""

    def __init__(self, rng: Rng, seed: int, index: int, condition: str) -> None:
        self.rng, self.seed, self.index, self.condition = rng, seed, index, condition
        sizes = ODD_FRAMES if condition == "frame" else FRAMES
        self.frame: tuple[int, int] = sizes[int(rng.integers(len(sizes)))]
        self.tags: list[str] = []
        self.details: dict[str, float] = {}

    # -- choices ---------------------------------------------------------------------------
    def _angle(self) -> float:
        r = self.rng
        if self.condition == "cut-ruled":
            return float(90 * r.integers(4) + r.normal(0, 2.0))
        if r.random() < 0.6:
            return float(90 * r.integers(4) + r.normal(0, 8))
        return float(r.uniform(0, 360))

    def _page(self, area: float, margin: float, central: bool = False) -> np.ndarray | None:
        w, h = self.frame
        r = self.rng
        mm = self.size_mm
        for attempt in range(60):
            share = area * (0.92 ** (attempt // 10))
            if central:
                centre = (w / 2 + r.uniform(-0.12, 0.12) * w, h / 2 + r.uniform(-0.12, 0.12) * h)
            else:
                centre = (r.uniform(0.15, 0.85) * w, r.uniform(0.15, 0.85) * h)
            q = random_corners(r, self.frame, mm[1] / mm[0], share, centre, self.angle)
            if q is not None and _inside(q, self.frame, margin):
                return q
        return None

    def _cut_page(self, area: float) -> np.ndarray | None:
        r = self.rng
        for _ in range(60):
            w, h = self.frame
            centre = (r.uniform(-0.05, 1.05) * w, r.uniform(-0.05, 1.05) * h)
            q = random_corners(r, self.frame, self.size_mm[1] / self.size_mm[0], area, centre,
                               self.angle)
            if q is not None and 0.05 <= _share_outside(q, self.frame) <= 0.4:
                return q
        return None

    def _ruled_cut(self, doc: Document, area: float) -> np.ndarray | None:
        """The page pushed off a frame edge so that one of its printed rules runs just inside
        that edge (the rule can pass for the page's own edge)."""
        r = self.rng
        w_mm, h_mm = doc.size_mm
        rules = [y for y in doc.rules if 0.6 * h_mm <= y <= 0.95 * h_mm]
        if not rules:
            return None
        rule = float(rules[int(r.integers(len(rules)))])
        w, h = self.frame
        for _ in range(40):
            q = random_corners(r, self.frame, h_mm / w_mm, area, (0.0, 0.0), self.angle,
                               tilt=0.1)
            if q is None:
                continue
            t = rule / h_mm
            left, right = q[0] + t * (q[3] - q[0]), q[1] + t * (q[2] - q[1])
            down = (q[2] + q[3]) / 2 - (q[0] + q[1]) / 2
            k = int(np.argmax([-down[0], -down[1], down[0], down[1]]))  # left, top, right, bottom
            gap = r.uniform(2, 12) * (w / 1280)  # rule this far inside the frame's edge
            lo = np.minimum(q.min(axis=0), np.minimum(left, right))
            hi = np.maximum(q.max(axis=0), np.maximum(left, right))
            shift = np.array([r.uniform(-lo[0], w - 1 - hi[0]) if hi[0] - lo[0] < w else 0.0,
                              r.uniform(-lo[1], h - 1 - hi[1]) if hi[1] - lo[1] < h else 0.0])
            ends = np.stack([left, right])
            if k == 0:
                shift[0] = gap - ends[:, 0].min()
            elif k == 1:
                shift[1] = gap - ends[:, 1].min()
            elif k == 2:
                shift[0] = w - 1 - gap - ends[:, 0].max()
            else:
                shift[1] = h - 1 - gap - ends[:, 1].max()
            q2 = q + shift
            top_in = _inside(q2[:2], self.frame, 8.0)
            if top_in and 0.04 <= _share_outside(q2, self.frame) <= 0.45:
                self.details["rule_mm"] = round(rule, 1)
                return np.asarray(q2, np.float64)
        return None

    # -- rendering -------------------------------------------------------------------------
    def _document(self, kind: str, size_mm: tuple[float, float], on_screen_area: float,
                  band: bool) -> Document:
        ppm_screen = math.sqrt(on_screen_area / (size_mm[0] * size_mm[1]))
        ppm = float(np.clip(ppm_screen * 1.3, 1.2, 6.0))
        doc = render_document(self.rng, kind, size_mm, ppm, edge_band=band)
        shrink = ppm / max(ppm_screen, 1e-6)
        if shrink > 1.5:  # anti-alias what the warp will shrink a lot
            blurred = cv2.GaussianBlur(doc.image, (0, 0), 0.4 * shrink)
            doc = Document(blurred, doc.kind, doc.size_mm, doc.rules)
        return doc

    def build(self) -> HeldoutScene | None:
        r, cond = self.rng, self.condition
        w, h = self.frame
        if cond == "busy":
            desk_name = str(r.choice(textures.BUSY))
        elif cond == "white-on-light":
            desk_name = "light"
        else:
            desk_name = str(r.choice(textures.CALM))
        self.tags.append(f"desk {desk_name}")
        name_size = SIZES_MM[int(r.integers(len(SIZES_MM)))]
        size_mm = name_size[1]
        if r.random() < 0.25 and cond != "cut-ruled":
            size_mm = (size_mm[1], size_mm[0])
            self.tags.append("landscape page")
        self.size_mm = size_mm
        self.angle = self._angle()
        kind = str(r.choice(["form", "table"])) if cond == "cut-ruled" else str(r.choice(KINDS))
        band = cond not in ("white-on-light", "cut-ruled") and r.random() < 0.06
        if band:
            self.tags.append("colour band at the edge")
        margin = max(6.0, 0.02 * min(w, h))
        area = {"small": r.uniform(0.012, 0.045), "two-documents": r.uniform(0.13, 0.35)}.get(
            cond, r.uniform(0.15, 0.55))
        doc = self._document(kind, size_mm, area * w * h, band)
        near_equal = cond == "two-documents" and r.random() < 0.3
        corners: np.ndarray | None
        if cond == "empty":
            corners = None
        elif cond == "cut":
            corners = self._cut_page(area)
        elif cond == "cut-ruled":
            corners = self._ruled_cut(doc, area)
        else:
            corners = self._page(area, margin, central=near_equal)
        if cond != "empty" and corners is None:
            return None
        canvas = textures.desk(r, desk_name, h, w)
        others: list[np.ndarray] = []
        keep_out = np.zeros((h, w), np.uint8)
        if corners is not None:
            cv2.fillConvexPoly(keep_out, np.round(corners).astype(np.int32), 1)
        if cond == "two-documents" and corners is not None:
            other = self._other(corners, near_equal, margin)
            if other is None:
                return None
            others.append(other[0])
            cv2.fillConvexPoly(keep_out, np.round(other[0]).astype(np.int32), 1)
            composite(canvas, warp_document(other[1].image, Placement(other[0]), self.frame),
                      shadow=0.2, shadow_blur=3.0)
        for layer in objects.clutter(r, self.frame, cv2.dilate(keep_out, np.ones((41, 41),
                                                                                  np.uint8)),
                                     self._ppm(corners, doc)):
            composite(canvas, layer, shadow=0.3, shadow_offset=(4.0, 5.0), shadow_blur=5.0)
        if corners is not None:
            placement = self._placement(corners)
            weak = cond == "white-on-light"
            strength = r.uniform(0.0, 0.12) if weak else r.uniform(0.05, 0.35)
            offset = (float(r.uniform(-4, 4)), float(r.uniform(-4, 4)))
            composite(canvas, warp_document(doc.image, placement, self.frame),
                      shadow=strength, shadow_offset=offset, shadow_blur=float(r.uniform(1.5, 6)))
            if cond == "occlusion" and not self._occlude(canvas, corners, doc):
                return None
        if cond == "empty" and r.random() < 0.3:
            anchor = np.array([r.uniform(0.3, 0.7) * w, r.uniform(0.3, 0.7) * h])
            composite(canvas, objects.hand(r, self.frame, anchor, np.array([0.0, -1.0]),
                                           min(w, h) / 400), shadow=0.3)
        image = self._camera(canvas)
        return HeldoutScene(image, self._truth(corners, doc, others))

    def _ppm(self, corners: np.ndarray | None, doc: Document) -> float:
        if corners is None:
            return min(self.frame) / 350.0
        return math.sqrt(_area(corners) / (doc.size_mm[0] * doc.size_mm[1]))

    def _placement(self, corners: np.ndarray) -> Placement:
        r = self.rng
        curls: tuple[Curl, ...] = ()
        bend = 0.0
        if self.condition == "curled":
            n = 1 if r.random() < 0.6 else 2
            picks = r.choice(4, size=n, replace=False)
            curls = tuple(Curl(int(c), float(r.uniform(0.06, 0.16)), float(r.uniform(0.65, 1.2)))
                          for c in picks)
            if r.random() < 0.7:
                bend = float(r.uniform(0.004, 0.015))
            self.tags.append(f"{n} curled corner{'s' if n > 1 else ''}")
        elif r.random() < 0.15:
            bend = float(r.uniform(0.0, 0.004))
        self.details["bend"] = round(bend, 4)
        return Placement(corners, curls, bend, int(r.integers(2)))

    def _other(self, main: np.ndarray, near_equal: bool, margin: float
               ) -> tuple[np.ndarray, Document] | None:
        r = self.rng
        w, h = self.frame
        main_area = _area(main)
        ratio = r.uniform(0.8, 1.0) if near_equal else r.uniform(0.15, 0.6)
        small_sizes = ((85.6, 54.0), (80.0, 180.0), (148.0, 210.0), (105.0, 148.0))
        mm = SIZES_MM[int(r.integers(len(SIZES_MM)))][1] if near_equal else small_sizes[
            int(r.integers(len(small_sizes)))]
        if r.random() < 0.5:
            mm = (mm[1], mm[0])
        under = not near_equal and r.random() < 0.25
        centre_main = main.mean(axis=0)
        frame_c = np.array([w / 2, h / 2])
        for _ in range(80):
            centre = (r.uniform(0, 1) * w, r.uniform(0, 1) * h)
            q = random_corners(r, self.frame, mm[1] / mm[0], ratio * main_area / (w * h), centre,
                               float(r.uniform(0, 360)))
            if q is None or _share_outside(q, self.frame) > 0.3:
                continue
            if near_equal and (np.linalg.norm(centre_main - frame_c)
                               > 0.5 * np.linalg.norm(q.mean(axis=0) - frame_c)):
                continue
            inter, _ = cv2.intersectConvexConvex(q.astype(np.float32), main.astype(np.float32))
            if under:
                if inter <= 0 or inter > 0.5 * _area(q):
                    continue
            else:
                grown = cv2.convexHull(np.vstack([main, q]).astype(np.float32))
                gap_ok = inter <= 0 and _gap(main, q) > max(8.0, margin)
                if not gap_ok or grown is None:
                    continue
            doc = self._document(str(r.choice(KINDS)), mm, _area(q), False)
            self.tags.append("other under the page" if under else "other beside the page")
            if near_equal:
                self.tags.append("near-equal sizes")
            return q, doc
        return None

    def _occlude(self, canvas: np.ndarray, corners: np.ndarray, doc: Document) -> bool:
        r = self.rng
        ppm = self._ppm(corners, doc)
        diag = float(np.linalg.norm(corners[2] - corners[0]))
        for _ in range(12):
            i = int(r.integers(4))
            a, b = corners[i], corners[(i + 1) % 4]
            anchor = a + r.uniform(0.3, 0.7) * (b - a)
            d = (b - a) / np.linalg.norm(b - a)
            inward = np.array([-d[1], d[0]])
            if np.dot(corners.mean(axis=0) - anchor, inward) < 0:
                inward = -inward
            if r.random() < 0.6:
                layer = objects.hand(r, self.frame, anchor, inward, ppm)
                what = "hand over an edge"
            else:
                tilt = math.radians(r.uniform(25, 70)) * (1 if r.random() < 0.5 else -1)
                direction = inward * math.cos(tilt) + d * math.sin(tilt)
                length = r.uniform(125, 150) * ppm
                f = r.uniform(0.35, 0.65)
                layer = objects.pen(r, self.frame, anchor - direction * length * f,
                                    anchor + direction * length * (1 - f), ppm)
                what = "pen over an edge"
            alpha = layer[1]
            radius = 0.05 * diag
            clear = True
            for c in corners:
                x0, y0 = int(max(0, c[0] - radius)), int(max(0, c[1] - radius))
                x1, y1 = int(c[0] + radius) + 1, int(c[1] + radius) + 1
                if np.any(alpha[y0:y1, x0:x1] > 0.02):
                    clear = False
            if clear:
                composite(canvas, layer, shadow=0.35, shadow_offset=(5.0, 6.0), shadow_blur=6.0)
                self.tags.append(what)
                return True
        return False

    def _camera(self, canvas: np.ndarray) -> np.ndarray:
        r, cond = self.rng, self.condition
        h, w = canvas.shape[:2]
        strong = (cond == "busy" and "desk gradient" in self.tags) or r.random() < 0.15
        light = random_light(r, strong)
        radiance = canvas * illumination(light, h, w)
        scale = w / 1280
        if cond == "motion":
            mild = r.random() < 0.5
            length = r.uniform(1.5, 3.5) if mild else r.uniform(12, 28)
            self.tags.append("motion mild" if mild else "motion strong")
            optics = Optics(float(r.uniform(0, 0.6)), float(length * scale),
                            float(r.uniform(0, 180)), float(r.uniform(-0.3, 0.3)))
            self.details["motion_px"] = round(float(length * scale), 1)
        else:
            optics = Optics(defocus=float(r.uniform(0, 0.9) * max(1.0, scale)))
        if cond == "noise":
            sensor = Sensor(float(r.uniform(12, 70)), float(r.uniform(2, 6)),
                            int(r.integers(30, 76)), bool(r.random() < 0.5),
                            float(r.uniform(0, 1.0)), bool(r.random() < 0.7))
        else:
            sensor = Sensor(float(r.uniform(150, 3000)), float(r.uniform(1, 4)),
                            int(r.integers(65, 96)), bool(r.random() < 0.3),
                            float(r.uniform(0, 0.6)), bool(r.random() < 0.7))
        sensor = replace(sensor, exposure=float(r.uniform(0.7, 0.88)))
        self.details["electrons"] = round(sensor.electrons, 1)
        self.details["jpeg"] = sensor.jpeg_quality
        return expose(apply_optics(radiance.astype(np.float32), optics), sensor, r)

    def _truth(self, corners: np.ndarray | None, doc: Document, others: list[np.ndarray]
               ) -> Truth:
        cond = self.condition
        if corners is None:
            visibility, expected = "none", "no page"
        elif cond in ("cut", "cut-ruled"):
            visibility, expected = "cut", "cut off"
        elif cond == "small":
            visibility, expected = "small", "too small"
        else:
            visibility = "clear"
            expected = "blurred" if "motion strong" in self.tags else "ok"
        return Truth(
            seed=self.seed,
            index=self.index,
            condition=cond,
            frame_size=self.frame,
            corners=None if corners is None else _quad(corners),
            page_mm=doc.size_mm,
            visibility=visibility,
            expected=expected,
            tags=tuple(self.tags),
            others=tuple(_quad(q) for q in others),
            details=dict(self.details),
        )


def _gap(a: np.ndarray, b: np.ndarray) -> float:
    """Smallest distance between two convex quads that do not overlap (corner to side)."""
    best = math.inf
    for p_set, q_set in ((a, b), (b, a)):
        for p in p_set:
            for i in range(4):
                s, e = q_set[i], q_set[(i + 1) % 4]
                d = e - s
                t = float(np.clip(np.dot(p - s, d) / (np.dot(d, d) + 1e-12), 0, 1))
                best = min(best, float(np.linalg.norm(p - (s + t * d))))
    return best
