"""Quality gates for a page found in a frame, with the reason told in plain words.

Measured on the page itself, flattened to a fixed size so that the figures do not depend on how
large the page appears:

* sharpness: how sharp the page's print is, read where there is print. The flattened page is
  smoothed (sigma 1 pixel: sensor noise is not detail) and its second derivative taken along 24
  directions (every 7.5 degrees, from the three second derivatives Lxx, Lyy, Lxy): motion blur
  wipes out one direction and leaves the others, so the weakest direction counts. The mean
  square of each direction is taken in 42 x 42 tiles and averaged over that direction's most
  detailed fifth of the tiles: a page whose print covers a fifth of it or more (a notice of a
  few paragraphs, an ID copy) is judged on its print, not on how much of it is blank (the whole
  page's variance, used before, counted how much print a page has as well as how sharp it is,
  and refused a sixth of the held-out generator's sharp pages). A page with less print than
  that (one or two short lines) still scores by how much it has, and may be called blurred. The
  figure is divided by the paper's brightness squared (per
  100 grey levels), so a dim page is not called blurred. Below the threshold (1.8) the page is
  *blurred*: on the tuning scenes a strongly motion-blurred page scores at most 1.5, the first
  generator's blurred pages at most 1.4 and its clean ones at least 6. The calibration command
  may lower the threshold for a camera that cannot show a page sharper.
* glare: the share of the page's pixels whose brightest channel is saturated once smoothed
  (Gaussian, sigma 1.5 pixels): glare is a smooth washed-out patch, saturated through the
  smoothing, while a dim camera's noise on white paper (a few dozen photo-electrons, the gain
  bringing white near the top) clips scattered single pixels all over the page, which the
  smoothing averages back below the level.
* size: the page's share of the frame; *cut off* when a corner reaches the frame's edge.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from typing import Any

import cv2
import numpy as np

from drivers.scanner.detection import Detection, as_frame

GATE_SIZE = (420, 594)
"""The page is flattened to this many pixels (A4 portrait at about 50 dpi) to be measured."""

SHARPNESS_MEASURE = "tiled-24"
"""Names the sharpness measure, so that a threshold fitted on another one is not used."""

SHARPNESS_TILE = 42
"""Side (pixels of the flattened page) of the square tiles the sharpness is read in."""

SHARPNESS_TOP = 0.2
"""The share of the tiles, the most detailed ones along each direction, whose mean counts."""

SHARPNESS_ANGLES = 24
"""Directions (every 7.5 degrees) along which the second derivative is taken."""

GLARE_SMOOTHING = 1.5
"""Sigma (pixels of the flattened page) of the smoothing before the saturated share is taken."""


@dataclass(frozen=True)
class Thresholds:
    min_sharpness: float = 1.8
    max_glare: float = 0.02
    saturation_level: int = 250
    min_area: float = 0.08

    def as_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Thresholds:
        known = {k: data[k] for k in asdict(cls()) if k in data}
        return cls(**{k: type(getattr(cls(), k))(v) for k, v in known.items()})


class Reason(enum.Enum):
    NO_PAGE = "no page"
    TOO_SMALL = "too small"
    CUT_OFF = "cut off"
    BLURRED = "blurred"
    GLARE = "glare"


@dataclass(frozen=True)
class Measures:
    sharpness: float = 0.0
    glare: float = 0.0
    area: float = 0.0


@dataclass(frozen=True)
class Verdict:
    """Whether a frame's page is good enough to keep, and if not, why (in plain words)."""

    ok: bool
    reasons: tuple[Reason, ...]
    measures: Measures
    thresholds: Thresholds

    @property
    def words(self) -> str:
        if self.ok:
            return "page ok"
        return "; ".join(_explain(r, self.measures, self.thresholds) for r in self.reasons)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "reasons": [r.value for r in self.reasons],
            "words": self.words,
            "sharpness": round(self.measures.sharpness, 1),
            "glare": round(self.measures.glare, 4),
            "area": round(self.measures.area, 4),
        }


def _explain(reason: Reason, m: Measures, t: Thresholds) -> str:
    if reason is Reason.NO_PAGE:
        return "no page found: lay the page flat under the camera, on a darker surface"
    if reason is Reason.TOO_SMALL:
        return (
            f"the page is too small in the picture ({m.area:.0%} of it, need "
            f"{t.min_area:.0%}): bring it closer or use a larger page"
        )
    if reason is Reason.CUT_OFF:
        return "the page is cut off at the edge of the picture: move it fully into view"
    if reason is Reason.BLURRED:
        return (
            f"the page is blurred (sharpness {m.sharpness:.2f}, need {t.min_sharpness:g}):"
            " hold it still and let the camera focus"
        )
    return (
        f"there is glare on the page ({m.glare:.1%} of it washed out, at most "
        f"{t.max_glare:.1%}): tilt the page or dim the light above it"
    )


def flatten_for_gate(
    image: np.ndarray, corners: np.ndarray, size: tuple[int, int] = GATE_SIZE
) -> np.ndarray:
    """The page warped to ``size`` (portrait or landscape, as the page lies)."""
    w, h = size
    c = np.asarray(corners, np.float32)
    top, left = np.linalg.norm(c[1] - c[0]), np.linalg.norm(c[3] - c[0])
    if top > left:
        w, h = h, w
    dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    return cv2.warpPerspective(
        image, cv2.getPerspectiveTransform(c, dst), (w, h), flags=cv2.INTER_AREA
    )


def measure(
    image: np.ndarray, detection: Detection, thresholds: Thresholds | None = None
) -> Measures:
    """Sharpness, glare share and area share of the detected page."""
    t = thresholds or Thresholds()
    if detection.corners is None:
        return Measures()
    page = flatten_for_gate(as_frame(image), detection.corners)  # 8-bit, BGR or grey
    gray = page if page.ndim == 2 else cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    return Measures(sharpness(gray), glare_share(page, t.saturation_level), detection.area_share)


def glare_share(page: np.ndarray, level: int, smoothing: float = GLARE_SMOOTHING) -> float:
    """The share of ``page`` whose brightest channel, smoothed, reaches ``level`` (see the
    module's notes; ``smoothing`` 0: every saturated pixel counts, noise included)."""
    brightest = page if page.ndim == 2 else page.max(axis=2)
    if smoothing > 0:
        brightest = cv2.GaussianBlur(brightest, (0, 0), smoothing)
    return float(np.count_nonzero(brightest >= level)) / brightest.size


def _second_derivative_weights(angles: int) -> np.ndarray:
    """Rows: for each direction theta, the weights of the six products (Lxx², Lyy², Lxy²,
    Lxx·Lyy, Lxx·Lxy, Lyy·Lxy) in (cos²θ Lxx + 2 sinθ cosθ Lxy + sin²θ Lyy)², the square of
    the second derivative along theta."""
    t = np.linspace(0.0, np.pi, angles, endpoint=False)
    c, s = np.cos(t), np.sin(t)
    return np.stack(
        [c**4, s**4, 4 * c**2 * s**2, 2 * c**2 * s**2, 4 * c**3 * s, 4 * c * s**3], axis=1
    ).astype(np.float32)


_WEIGHTS = _second_derivative_weights(SHARPNESS_ANGLES)
_SECOND = np.array([[1, -2, 1]], np.float32)
_CROSS = np.array([[1, 0, -1], [0, 0, 0], [-1, 0, 1]], np.float32) / 4
_GAUSS = cv2.getGaussianKernel(9, 1.0, cv2.CV_32F)
"""Sigma 1 pixel (9 taps, as ``cv2.GaussianBlur`` takes for floats): noise is not detail."""


def _paper_level(gray: np.ndarray) -> float:
    """The grey level 60 % of the page is darker than (the paper, on a printed page)."""
    if gray.dtype == np.uint8:
        counts = cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel()
        return float(np.searchsorted(np.cumsum(counts), 0.6 * gray.size))
    return float(np.percentile(gray, 60))


def sharpness(gray: np.ndarray, tile: int = SHARPNESS_TILE, top: float = SHARPNESS_TOP) -> float:
    """The second derivative's mean square in the page's most detailed tiles, along the weakest
    direction, per squared paper level (see the module's notes). ``gray``: one channel, any
    depth (uint8, uint16, int16 and float32 read as they are, the others as float32)."""
    if gray.dtype not in (np.uint8, np.uint16, np.int16, np.float32):
        gray = gray.astype(np.float32)
    h, w = gray.shape
    rows, cols = max(1, h // tile), max(1, w // tile)
    whole = np.ascontiguousarray(gray[: max(tile, rows * tile), : max(tile, cols * tile)])
    smooth = cv2.sepFilter2D(whole, cv2.CV_32F, _GAUSS, _GAUSS)
    xx = cv2.filter2D(smooth, cv2.CV_32F, _SECOND)
    yy = cv2.filter2D(smooth, cv2.CV_32F, _SECOND.T)
    xy = cv2.filter2D(smooth, cv2.CV_32F, _CROSS)
    means = np.empty((6, rows * cols), np.float32)
    product = smooth  # reused: one buffer for the six products (fresh pages are costly)
    for i, (a, b) in enumerate(((xx, xx), (yy, yy), (xy, xy), (xx, yy), (xx, xy), (yy, xy))):
        cv2.multiply(a, b, dst=product)
        means[i] = cv2.resize(product, (cols, rows), interpolation=cv2.INTER_AREA).ravel()
    energy = _WEIGHTS @ means  # directions x tiles
    count = max(1, int(energy.shape[1] * top))
    most = -np.partition(-energy, count - 1, axis=1)[:, :count]
    weakest = float(most.mean(axis=1).min())
    paper = max(_paper_level(gray), 10.0) / 100.0
    return 2.0 * weakest / (paper * paper)


def judge(image: np.ndarray, detection: Detection, thresholds: Thresholds | None = None) -> Verdict:
    """The verdict on one frame's page; every failing gate is listed, worst first."""
    t = thresholds or Thresholds()
    if detection.corners is None:
        return Verdict(False, (Reason.NO_PAGE,), Measures(), t)
    m = measure(image, detection, t)
    reasons = []
    if detection.touches_border:
        reasons.append(Reason.CUT_OFF)
    if m.area < t.min_area:
        reasons.append(Reason.TOO_SMALL)
    if m.glare > t.max_glare:
        reasons.append(Reason.GLARE)
    if m.sharpness < t.min_sharpness:
        reasons.append(Reason.BLURRED)
    return Verdict(not reasons, tuple(reasons), m, t)
