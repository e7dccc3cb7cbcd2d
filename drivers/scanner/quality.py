"""Quality gates for a page found in a frame, with the reason told in plain words.

Measured on the page itself, flattened to a fixed size so that the figures do not depend on how
large the page appears:

* sharpness: variance of the Laplacian of the flattened page, taken direction by direction: the
  Laplacian is the sum of second derivatives, and the weakest of four directional ones
  (0, 45, 90, 135 degrees) counts, because motion blur wipes out one direction and leaves the
  others. The page is smoothed first (sigma 1 pixel: sensor noise is not detail) and the figure
  is divided by the paper's brightness squared (per 100 grey levels), so a dim page is not
  called blurred. Below the threshold the page is *blurred*. A blank page has little detail and
  scores low too; the calibration command fits the threshold to the pages and camera actually
  used.
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

from drivers.scanner.detection import Detection

GATE_SIZE = (420, 594)
"""The page is flattened to this many pixels (A4 portrait at about 50 dpi) to be measured."""

GLARE_SMOOTHING = 1.5
"""Sigma (pixels of the flattened page) of the smoothing before the saturated share is taken."""


@dataclass(frozen=True)
class Thresholds:
    min_sharpness: float = 1.3
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
    page = flatten_for_gate(image, detection.corners)
    gray = page if page.ndim == 2 else cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    return Measures(sharpness(gray), glare_share(page, t.saturation_level), detection.area_share)


def glare_share(page: np.ndarray, level: int, smoothing: float = GLARE_SMOOTHING) -> float:
    """The share of ``page`` whose brightest channel, smoothed, reaches ``level`` (see the
    module's notes; ``smoothing`` 0: every saturated pixel counts, noise included)."""
    brightest = page if page.ndim == 2 else page.max(axis=2)
    if smoothing > 0:
        brightest = cv2.GaussianBlur(brightest, (0, 0), smoothing)
    return float(np.count_nonzero(brightest >= level)) / brightest.size


def sharpness(gray: np.ndarray) -> float:
    """Directional variance of the Laplacian per squared paper level (see the module's notes)."""
    second = np.array([[1, -2, 1]], np.float32)
    diagonal = np.array([[1, 0, 0], [0, -2, 0], [0, 0, 1]], np.float32) / 2
    kernels = (second, second.T, diagonal, diagonal[:, ::-1].copy())
    smooth = cv2.GaussianBlur(gray.astype(np.float32), (0, 0), 1.0)
    weakest = min(float(cv2.filter2D(smooth, cv2.CV_32F, k).var()) for k in kernels)
    paper = max(float(np.percentile(gray, 60)), 10.0) / 100.0
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
