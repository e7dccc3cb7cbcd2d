"""The document camera's worker process: reads the camera and analyses every frame (page
detection, quality gates, auto-capture, or a QR code) away from the kiosk's process, whose UI
thread would otherwise share the GIL with the analysis (``python -m kiosk.adapters.camera_worker``).

The kiosk (:class:`kiosk.adapters.scanner.CameraScanner`) starts it and talks to it through
its standard streams:

* commands in, one JSON object a line: ``{"op": "start", "run": N, "url": ..., "sim_root": ...,
  "qr": false, "params": {...}}`` starts run N (ending the one before), ``{"op": "stop"}``
  ends the run and forgets it (camera closed, the auto-capture's frames dropped),
  ``{"op": "ping", "run": N}`` asks what it holds; end of input ends the process;
* messages out, each ``>II`` (header length, data length), a JSON header and the data: the
  pictures as raw BGR bytes, their shapes in the header. ``kind``: ``frame`` (the live
  picture, the verdict as codes, with ``captured`` the flattened page), ``fault`` (the camera
  failed), ``idle`` (the answer to a ping: ``holds`` is the run it still holds, 0 for none).

It holds nothing between runs: a scan lives only in the run that took it, and the kiosk's
session end stops the run. Logs (to stderr, JSON-free plain lines) name camera events only.
"""

from __future__ import annotations

import json
import logging
import struct
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import cv2
import numpy as np

from drivers.scanner import (
    AutoCapture,
    AutoCaptureParams,
    CameraError,
    ScannerError,
    decode_qr,
    open_camera,
)

log = logging.getLogger(__name__)

PREVIEW_WIDTH = 960
HEAD = struct.Struct(">II")
STATES = {"no page": "no_page", "moving": "moving", "steadying": "steadying",
          "refused": "refused", "captured": "captured",
          "waiting for a new page": "waiting_new"}


# -- the framing, used by both sides -----------------------------------------------------------
def write_message(out: IO[bytes], header: dict[str, Any], *arrays: np.ndarray) -> None:
    """One message: the header (with the arrays' shapes) and the arrays' bytes."""
    blobs = [np.ascontiguousarray(a) for a in arrays]
    header = {**header, "shapes": [list(b.shape) for b in blobs]}
    head = json.dumps(header).encode()
    size = sum(b.nbytes for b in blobs)
    out.write(HEAD.pack(len(head), size) + head)
    for b in blobs:
        out.write(b.data.cast("B"))
    out.flush()


def read_message(stream: IO[bytes]) -> tuple[dict[str, Any], list[np.ndarray]] | None:
    """The next message, or None at the end of the stream (the worker ended)."""
    raw = _read_exactly(stream, HEAD.size)
    if raw is None:
        return None
    head_len, size = HEAD.unpack(raw)
    head = _read_exactly(stream, head_len)
    data = _read_exactly(stream, size) if size else b""
    if head is None or data is None:
        return None
    header = json.loads(head)
    arrays, offset = [], 0
    for shape in header.get("shapes", []):
        n = int(np.prod(shape))
        arrays.append(np.frombuffer(data, np.uint8, n, offset).reshape(shape))
        offset += n
    return header, arrays


def _read_exactly(stream: IO[bytes], n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def preview(image: np.ndarray) -> np.ndarray:
    h, w = image.shape[:2]
    if w <= PREVIEW_WIDTH:
        return image
    return cv2.resize(image, (PREVIEW_WIDTH, round(h * PREVIEW_WIDTH / w)),
                      interpolation=cv2.INTER_AREA)


# -- the worker's side -------------------------------------------------------------------------
@dataclass
class Run:
    number: int
    command: dict[str, Any]
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None


class Worker:
    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.lock = threading.Lock()  # one writer at a time on ``out``
        self.run: Run | None = None

    def send(self, header: dict[str, Any], *arrays: np.ndarray) -> None:
        with self.lock:
            write_message(self.out, header, *arrays)

    def handle(self, command: dict[str, Any]) -> None:
        op = command.get("op")
        if op in ("start", "stop"):
            self.end_run()
        if op == "start":
            run = Run(int(command["run"]), command)
            run.thread = threading.Thread(target=self.stream, args=(run,), daemon=True,
                                          name="camera-run")
            self.run = run
            run.thread.start()
        elif op == "ping":
            self.send({"kind": "idle", "run": int(command.get("run", 0)),
                       "holds": self.run.number if self.run is not None else 0})

    def end_run(self) -> None:
        run, self.run = self.run, None
        if run is not None:
            run.stop.set()
            if run.thread is not None:
                run.thread.join(timeout=10.0)

    def stream(self, run: Run) -> None:
        cmd = run.command
        try:
            camera = open_camera(str(cmd["url"]), sim_root=Path(str(cmd["sim_root"])))
        except ScannerError as exc:
            log.warning("kiosk.camera.unavailable: %s", exc)
            self.send({"kind": "fault", "run": run.number})
            return
        params = AutoCaptureParams(**cmd.get("params", {}))
        auto = AutoCapture(params)
        needed = max(1, params.stable_frames - 1)
        steady = 0
        try:
            with camera:
                while not run.stop.is_set():
                    frame = camera.read()
                    if cmd.get("qr"):
                        found = decode_qr(frame.image)
                        self.send({"kind": "frame", "run": run.number,
                                   "qr": found[0] if found else ""}, preview(frame.image))
                        continue
                    status = auto.feed(frame)
                    steady = steady + 1 if status.state == "steadying" else 0
                    h, w = frame.image.shape[:2]
                    corners = status.detection.corners
                    outline = [] if corners is None else [
                        [float(x) / w, float(y) / h] for x, y in np.asarray(corners)]
                    reasons: list[str] = []
                    if status.verdict is not None and not status.verdict.ok:
                        reasons = [r.value.replace(" ", "_") for r in status.verdict.reasons]
                    pictures = [preview(frame.image)]
                    if status.capture is not None:
                        pictures.append(status.capture.page)
                    self.send({"kind": "frame", "run": run.number, "outline": outline,
                               "state": STATES.get(status.state, "no_page"),
                               "reasons": reasons, "steady": min(1.0, steady / needed)},
                              *pictures)
        except (CameraError, ScannerError) as exc:
            log.warning("kiosk.camera.failed: %s", exc)
            self.send({"kind": "fault", "run": run.number})
        except (BrokenPipeError, ValueError):  # the kiosk went away
            pass


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="camera worker: %(message)s",
                        stream=sys.stderr)
    worker = Worker(sys.stdout.buffer)
    try:
        for line in sys.stdin:
            if line.strip():
                worker.handle(json.loads(line))
    finally:
        worker.end_run()


if __name__ == "__main__":
    main()
