"""Auto-capture: keep a page once it has lain still for N frames and passed the gates.

Feed it frames; it answers with a :class:`Status` for each (its :class:`CaptureState`, a
stable code a kiosk shows in words from its catalogue, and the quality verdict with its reason)
and, when a page is kept, a :class:`Capture` with the page flattened to A4. After a capture it
waits for the page to be moved or taken away before it keeps another, so one page is not
captured twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from drivers.scanner.camera import Frame
from drivers.scanner.detect import detect_page
from drivers.scanner.detection import Detection
from drivers.scanner.output import DPI, flatten_page
from drivers.scanner.params import DetectParams
from drivers.scanner.quality import Thresholds, Verdict, judge

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AutoCaptureParams:
    stable_frames: int = 5
    """Consecutive frames in which the page must stay put (5 at 15 fps = a third of a second)."""
    max_shift: float = 0.004
    """Largest corner movement between frames that still counts as still, as a share of the
    frame's diagonal (about 6 pixels at 1280 x 720)."""
    dpi: int = DPI


@dataclass(frozen=True)
class Capture:
    page: np.ndarray = field(repr=False)
    """The flattened page, A4 at ``dpi``, BGR."""
    frame: Frame = field(repr=False)
    detection: Detection = field(repr=False)
    verdict: Verdict
    still_since: float
    """Timestamp (camera clock) of the first frame of the still run."""
    process_ms: float
    """Wall time spent on the capturing frame (detection, gates and flattening)."""

    @property
    def wait_s(self) -> float:
        """Camera time from the page lying still to its capture."""
        return self.frame.timestamp - self.still_since


class CaptureState(StrEnum):
    """Where auto-capture stands with the frame just fed (a stable code; the values are the
    words this state was reported with before it was an enumeration)."""

    NO_PAGE = "no page"
    MOVING = "moving"
    STEADYING = "steadying"
    REFUSED = "refused"
    """A still page failed a quality gate: the verdict says why."""
    CAPTURED = "captured"
    WAITING_FOR_NEW_PAGE = "waiting for a new page"


@dataclass(frozen=True)
class Status:
    state: CaptureState
    detection: Detection = field(repr=False)
    verdict: Verdict | None = None
    capture: Capture | None = None

    @property
    def code(self) -> CaptureState:
        """The state, as the code a message catalogue has words for."""
        return self.state

    @property
    def params(self) -> Mapping[str, str]:
        return {}


class AutoCapture:
    """The auto-capture state machine for one camera (one instance per camera, not shared)."""

    def __init__(
        self,
        params: AutoCaptureParams | None = None,
        thresholds: Thresholds | None = None,
        detect_params: DetectParams | None = None,
    ) -> None:
        self.params = params or AutoCaptureParams()
        self.thresholds = thresholds or Thresholds()
        self.detect_params = detect_params or DetectParams()
        self._last: np.ndarray | None = None
        self._run = 0
        self._since = 0.0
        self._captured_at: np.ndarray | None = None

    def reset(self) -> None:
        self._last, self._run, self._since, self._captured_at = None, 0, 0.0, None

    def _moved(self, a: np.ndarray, b: np.ndarray, size: tuple[int, int]) -> bool:
        diagonal = float(np.hypot(*size))
        return float(np.max(np.linalg.norm(a - b, axis=1))) > self.params.max_shift * diagonal

    def feed(self, frame: Frame) -> Status:
        started = time.perf_counter()
        det = detect_page(frame.image, self.detect_params)
        if det.corners is None:
            self._last, self._run, self._captured_at = None, 0, None
            return Status(CaptureState.NO_PAGE, det, judge(frame.image, det, self.thresholds))
        if self._last is None or self._moved(det.corners, self._last, det.frame_size):
            self._run, self._since = 1, frame.timestamp
        else:
            self._run += 1
        self._last = det.corners
        if self._captured_at is not None:
            if not self._moved(det.corners, self._captured_at, det.frame_size):
                return Status(CaptureState.WAITING_FOR_NEW_PAGE, det)
            self._captured_at = None
        if self._run < self.params.stable_frames:
            return Status(CaptureState.MOVING if self._run == 1 else CaptureState.STEADYING, det)
        verdict = judge(frame.image, det, self.thresholds)
        if not verdict.ok:
            return Status(CaptureState.REFUSED, det, verdict)
        page = flatten_page(frame.image, det.corners, self.params.dpi)
        capture = Capture(
            page, frame, det, verdict, self._since, (time.perf_counter() - started) * 1e3
        )
        self._captured_at = det.corners
        log.info(
            "page captured",
            extra={
                "frame": frame.index,
                "wait_s": round(capture.wait_s, 3),
                "sharpness": round(verdict.measures.sharpness, 1),
                "glare": round(verdict.measures.glare, 4),
            },
        )
        return Status(CaptureState.CAPTURED, det, verdict, capture)
