"""Fitting the quality thresholds to a real camera, and keeping them.

The technician lays a typical, clean page under the camera and holds it still; the frames are
measured and the thresholds set from what this camera sees:

* ``min_sharpness``: the default (:class:`Thresholds`), lowered to 40 % of the clean page's
  median sharpness when that is lower, but never under half the default: a camera that cannot
  show a page sharper (low resolution, a soft lens) is not held to a bar its own clean page
  would barely clear, while a sharp camera keeps the default (the measure reads sharpness where
  there is print, so the default holds across pages; on the synthetic scenes a blurred page
  scores under a quarter of a sharp one). The median, not a low percentile: frames taken while
  the page is still being laid down are smeared, and a tenth of them must not lower the bar to
  where a blurred page passes. The file records which measure the threshold was fitted on: one
  fitted on another (an older release's) is not used, the default stands until the camera is
  calibrated again (:func:`sharpness_outdated`; ``kioskctl doctor`` says so);
* ``max_glare``: the default (2 %), or twice the glare seen on the clean page if that is higher
  (a camera whose white balance clips a little everywhere);
* ``min_area`` is left alone (it is a policy, not a property of the camera).

The result is a small JSON file (``<var_dir>/scanner/calibration.json``, its place in
:mod:`config.layout`), replaced atomically; :func:`load_thresholds` reads it back, or gives the
defaults when there is none.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from config.files import atomic_write
from config.layout import VarLayout
from drivers.scanner.camera import Frame
from drivers.scanner.detect import detect_page
from drivers.scanner.errors import CalibrationError, NoGoodPage, OutputError
from drivers.scanner.params import DetectParams
from drivers.scanner.quality import SHARPNESS_MEASURE, Thresholds, measure

SHARPNESS_SHARE = 0.4
"""The calibrated ``min_sharpness`` is at most this share of the clean page's median sharpness."""

SHARPNESS_FLOOR = 0.5
"""... and at least this share of the default: a clip of a smeared page does not switch the gate
off."""


def fitted_sharpness(values: Iterable[float], default: float) -> float:
    """The blur bar for a camera whose clean page scored ``values`` (see the module's notes)."""
    median = float(np.median(np.asarray(list(values), float)))
    return round(min(default, max(SHARPNESS_FLOOR * default, SHARPNESS_SHARE * median)), 2)


@dataclass(frozen=True)
class Calibration:
    thresholds: Thresholds
    frames: int
    found: int
    sharpness_p10: float
    sharpness_median: float
    glare_max: float
    area_median: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "thresholds": self.thresholds.as_dict(),
            "sharpness_measure": SHARPNESS_MEASURE,
            "frames": self.frames,
            "found": self.found,
            "sharpness_p10": round(self.sharpness_p10, 2),
            "sharpness_median": round(self.sharpness_median, 2),
            "glare_max": round(self.glare_max, 4),
            "area_median": round(self.area_median, 4),
        }


def calibrate(
    frames: Iterable[Frame],
    base: Thresholds | None = None,
    detect_params: DetectParams | None = None,
    min_found: float = 0.6,
) -> Calibration:
    """Thresholds fitted to frames of a clean page; :class:`NoGoodPage` if it was not seen."""
    base = base or Thresholds()
    sharp, glare, area = [], [], []
    count = 0
    for frame in frames:
        count += 1
        det = detect_page(frame.image, detect_params)
        if det.corners is None or det.touches_border:
            continue
        m = measure(frame.image, det, base)
        sharp.append(m.sharpness)
        glare.append(m.glare)
        area.append(m.area)
    if count == 0 or len(sharp) < max(3, min_found * count):
        raise NoGoodPage(
            f"calibration needs a whole page in view: found in {len(sharp)} of "
            f"{count} frames; lay a clean page in the middle and keep it still",
            "no page",
        )
    p10 = float(np.percentile(sharp, 10))
    fitted = replace(
        base,
        min_sharpness=fitted_sharpness(sharp, Thresholds().min_sharpness),
        max_glare=round(max(base.max_glare, 2.0 * max(glare)), 4),
    )
    return Calibration(
        fitted, count, len(sharp), p10, float(np.median(sharp)), max(glare), float(np.median(area))
    )


def save_calibration(calibration: Calibration, var_dir: Path) -> Path:
    path = VarLayout(Path(var_dir)).scanner_calibration
    try:
        return atomic_write(path, json.dumps(calibration.as_dict(), indent=2) + "\n")
    except OSError as exc:
        raise OutputError(f"cannot write the calibration to {path}: {exc}") from exc


def _saved(var_dir: Path) -> dict[str, Any] | None:
    """The calibration file's contents, None when there is none."""
    path = VarLayout(Path(var_dir)).scanner_calibration
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise CalibrationError(f"the calibration file {path} is unreadable: {exc}") from exc
    if not isinstance(data, dict):
        raise CalibrationError(f"the calibration file {path} is malformed: not an object")
    return data


@dataclass(frozen=True)
class SavedCalibration:
    """What a kiosk's calibration file says, read once: the thresholds to use (the defaults
    when none was saved), whether one was saved, and whether its blur bar was fitted on another
    sharpness measure than this release's (then it is not used: the default bar stands until
    the camera is calibrated again)."""

    thresholds: Thresholds
    saved: bool
    outdated: bool


def read_calibration(var_dir: Path) -> SavedCalibration:
    """The calibration file read and checked once (:class:`SavedCalibration`)."""
    data = _saved(var_dir)
    if data is None:
        return SavedCalibration(Thresholds(), saved=False, outdated=False)
    path = VarLayout(Path(var_dir)).scanner_calibration
    outdated = data.get("sharpness_measure") != SHARPNESS_MEASURE
    try:
        fitted = dict(data.get("thresholds", {}))
        if outdated:
            fitted.pop("min_sharpness", None)  # fitted on another measure's scale
        thresholds = Thresholds.from_dict(fitted)
    except (TypeError, ValueError, AttributeError) as exc:
        raise CalibrationError(f"the calibration file {path} is malformed: {exc}") from exc
    bad = [k for k, v in thresholds.as_dict().items() if not math.isfinite(v) or v < 0]
    if bad:
        raise CalibrationError(
            f"the calibration file {path} is malformed: {', '.join(bad)} not a finite, "
            "non-negative number"
        )
    return SavedCalibration(thresholds, saved=True, outdated=outdated)


def sharpness_outdated(var_dir: Path) -> bool:
    """True when a calibration was saved on another sharpness measure than this release's: its
    blur bar is not used (the default stands) until the camera is calibrated again."""
    return read_calibration(var_dir).outdated


def load_thresholds(var_dir: Path) -> Thresholds:
    """The calibrated thresholds, or the defaults when no calibration was saved."""
    return read_calibration(var_dir).thresholds
