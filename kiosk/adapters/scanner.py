"""The document camera (drivers/scanner) as a :class:`kiosk.ports.ScannerPort`.

One thread per preview: read a frame, feed the auto-capture (page detection, quality gates,
still-frame count), send the screen a small copy of the picture with the page's outline and
the verdict as codes. In QR mode it looks for a QR code instead (a receipt shown to the
camera). The thread stops when asked or when the camera fails (told as ``Fault.DEVICE``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from drivers.scanner import (
    AutoCapture,
    AutoCaptureParams,
    CameraError,
    ScannerError,
    Status,
    decode_qr,
    open_camera,
    save_jpeg,
)
from kiosk.ports import Fault, ScanFrame

log = logging.getLogger(__name__)

PREVIEW_WIDTH = 960
STATES = {"no page": "no_page", "moving": "moving", "steadying": "steadying",
          "refused": "refused", "captured": "captured",
          "waiting for a new page": "waiting_new"}


def _preview(image: np.ndarray) -> np.ndarray:
    h, w = image.shape[:2]
    if w <= PREVIEW_WIDTH:
        return image
    return cv2.resize(image, (PREVIEW_WIDTH, round(h * PREVIEW_WIDTH / w)),
                      interpolation=cv2.INTER_AREA)


class CameraScanner:
    def __init__(self, url: str, *, sim_root: Path = Path("var/camera"),
                 params: AutoCaptureParams | None = None) -> None:
        self.url, self.sim_root, self.params = url, sim_root, params
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, on_frame: Callable[[ScanFrame], None], on_fault: Callable[[Fault], None],
              *, qr: bool = False) -> None:
        """Never blocks: the new thread waits for the previous one to let go of the camera."""
        previous = self._thread
        self._stop.set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(on_frame, on_fault, qr,
                                                                self._stop, previous),
                                        name="kiosk-camera", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Never blocks (called on the UI thread): the thread ends after its current frame."""
        self._stop.set()

    def close(self) -> None:
        """Stop and wait for the thread (shutdown)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=3.0)

    def save_page(self, page: np.ndarray, path: Path) -> Path:
        save_jpeg(page, path)
        path.chmod(0o600)
        return path

    def _run(self, on_frame: Callable[[ScanFrame], None], on_fault: Callable[[Fault], None],
             qr: bool, stop: threading.Event, previous: threading.Thread | None) -> None:
        if previous is not None:
            previous.join(timeout=5.0)
        if stop.is_set():
            return
        try:
            camera = open_camera(self.url, sim_root=self.sim_root)
        except ScannerError as exc:
            log.warning("kiosk.camera.unavailable: %s", exc,
                        extra={"event": "kiosk.camera.unavailable"})
            on_fault(Fault.DEVICE)
            return
        auto = AutoCapture(self.params)
        steady = 0
        try:
            with camera:
                while not stop.is_set():
                    frame = camera.read()
                    if qr:
                        found = decode_qr(frame.image)
                        on_frame(ScanFrame(_preview(frame.image), qr=found[0] if found else ""))
                        continue
                    status = auto.feed(frame)
                    steady = steady + 1 if status.state == "steadying" else 0
                    on_frame(self._frame(status, frame.image, steady))
        except (CameraError, ScannerError) as exc:
            log.warning("kiosk.camera.failed: %s", exc, extra={"event": "kiosk.camera.failed"})
            on_fault(Fault.DEVICE)

    def _frame(self, status: Status, image: np.ndarray, steady: int) -> ScanFrame:
        h, w = image.shape[:2]
        corners = status.detection.corners
        outline = () if corners is None else tuple(
            (float(x) / w, float(y) / h) for x, y in np.asarray(corners))
        reasons: tuple[str, ...] = ()
        if status.verdict is not None and not status.verdict.ok:
            reasons = tuple(r.value.replace(" ", "_") for r in status.verdict.reasons)
        needed = max(1, (self.params or AutoCaptureParams()).stable_frames - 1)
        return ScanFrame(
            image=_preview(image), outline=outline, state=STATES.get(status.state, "no_page"),
            reasons=reasons, steady=min(1.0, steady / needed),
            page=status.capture.page if status.capture is not None else None)
