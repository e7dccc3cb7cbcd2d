"""The document camera (drivers/scanner) as a :class:`kiosk.ports.ScannerPort`.

The camera is read and every frame analysed (page detection, quality gates, still-frame count,
auto-capture; or a QR code in QR mode) in a worker process
(:mod:`kiosk.adapters.camera_worker`), so the analysis never competes with the kiosk's UI
thread for the GIL. The kiosk side only reads the worker's messages on a thread of its own
(raw pictures through a pipe: blocking reads release the GIL) and hands them on as
:class:`~kiosk.ports.ScanFrame`. Commands go to the worker from one control thread, so no call
here blocks the UI thread, not even the worker's start.

``stop()`` ends the run in the worker, which then holds nothing (camera closed, the
auto-capture's frames and pages dropped): the session's end stops the run, so no scan outlives
it in either process. The worker starts at the first scan and lives until :meth:`close`; when
it dies, the run in progress is told ``Fault.DEVICE`` and the next run starts a new one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from drivers.scanner import AutoCaptureParams, save_jpeg
from kiosk.adapters.camera_worker import read_message
from kiosk.ports import Fault, ScanFrame

log = logging.getLogger(__name__)

OnFrame = Callable[[ScanFrame], None]
OnFault = Callable[[Fault], None]


@dataclasses.dataclass
class _Proc:
    popen: subprocess.Popen[bytes]
    last_run: int = 0


class CameraScanner:
    def __init__(self, url: str, *, sim_root: Path = Path("var/camera"),
                 params: AutoCaptureParams | None = None) -> None:
        self.url, self.sim_root, self.params = url, sim_root, params
        self._lock = threading.Lock()
        self._proc: _Proc | None = None
        self._run = 0
        self._current: tuple[int, OnFrame, OnFault] | None = None
        self._pings: dict[int, Future[int]] = {}
        self._control = ThreadPoolExecutor(1, thread_name_prefix="kiosk-camera")
        self._closed = False

    # -- the port ---------------------------------------------------------------------------------
    def start(self, on_frame: OnFrame, on_fault: OnFault, *, qr: bool = False) -> None:
        """Never blocks: the command goes to the worker from the control thread."""
        with self._lock:
            self._run += 1
            run = self._run
            self._current = (run, on_frame, on_fault)
        params = dataclasses.asdict(self.params or AutoCaptureParams())
        self._submit({"op": "start", "run": run, "url": self.url,
                      "sim_root": str(self.sim_root), "qr": qr, "params": params})

    def stop(self) -> None:
        """Never blocks: the worker ends the run and forgets it; frames on their way are
        dropped here."""
        with self._lock:
            self._current = None
        self._submit({"op": "stop"})

    def save_page(self, page: np.ndarray, path: Path) -> Path:
        save_jpeg(page, path)
        path.chmod(0o600)
        return path

    # -- lifetime ---------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop, end the worker process and wait for it (shutdown)."""
        with self._lock:
            self._current, self._closed = None, True
        self._control.submit(self._end_worker)
        self._control.shutdown(wait=True)

    def worker_holds(self, timeout: float = 10.0) -> int | None:
        """The run the worker still holds (0: nothing), asked through the pipe; None when no
        worker runs. For checks and tests; blocks, never call it on the UI thread."""
        with self._lock:
            if self._proc is None:
                return None
            self._run += 1
            ask = self._run
            answer: Future[int] = Future()
            self._pings[ask] = answer
        self._submit({"op": "ping", "run": ask})
        return answer.result(timeout)

    @property
    def worker_pid(self) -> int | None:
        with self._lock:
            return self._proc.popen.pid if self._proc is not None else None

    # -- the control thread -----------------------------------------------------------------------
    def _submit(self, command: dict[str, Any]) -> None:
        if self._closed and command["op"] != "stop":
            return
        with contextlib.suppress(RuntimeError):  # closed meanwhile
            self._control.submit(self._send, command)

    def _send(self, command: dict[str, Any]) -> None:
        op = command["op"]
        with self._lock:
            proc = self._proc
        if proc is None or proc.popen.poll() is not None:
            if op != "start":
                return  # nothing to stop or ask: no worker holds anything
            proc = self._spawn()
            if proc is None:
                return
        if op == "start":
            proc.last_run = int(command["run"])
        assert proc.popen.stdin is not None
        try:
            proc.popen.stdin.write(json.dumps(command).encode() + b"\n")
            proc.popen.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass  # the worker died: its reader thread tells the run

    def _spawn(self) -> _Proc | None:
        try:
            popen = subprocess.Popen(
                [sys.executable, "-m", "kiosk.adapters.camera_worker"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True)
        except OSError as exc:
            log.warning("kiosk.camera.worker_failed: %s", exc,
                        extra={"event": "kiosk.camera.worker_failed"})
            self._tell_fault(None)
            return None
        proc = _Proc(popen)
        with self._lock:
            self._proc = proc
        threading.Thread(target=self._read, args=(proc,), name="kiosk-camera-read",
                         daemon=True).start()
        log.info("kiosk.camera.worker_started", extra={"event": "kiosk.camera.worker_started",
                                                        "pid": popen.pid})
        return proc

    def _end_worker(self) -> None:
        with self._lock:
            proc, self._proc = self._proc, None
        if proc is None:
            return
        assert proc.popen.stdin is not None
        with contextlib.suppress(BrokenPipeError, ValueError):
            proc.popen.stdin.close()  # end of input: the worker ends its run and exits
        try:
            proc.popen.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            proc.popen.kill()
            proc.popen.wait(timeout=5.0)

    # -- the reader thread ------------------------------------------------------------------------
    def _read(self, proc: _Proc) -> None:
        assert proc.popen.stdout is not None
        while (message := read_message(proc.popen.stdout)) is not None:
            header, pictures = message
            run, kind = int(header.get("run", 0)), header.get("kind")
            if kind == "idle":
                with self._lock:
                    answer = self._pings.pop(run, None)
                if answer is not None:
                    answer.set_result(int(header.get("holds", 0)))
                continue
            with self._lock:
                current = self._current
            if current is None or current[0] != run:
                continue  # a frame of an earlier run still in the pipe
            if kind == "fault":
                current[2](Fault.DEVICE)
            elif kind == "frame" and pictures:
                current[1](_frame(header, pictures))
        with self._lock:
            if self._proc is proc:
                self._proc = None
            pings, self._pings = self._pings, {}
        for answer in pings.values():
            answer.set_result(0)
        proc.popen.wait()
        if not self._closed:
            log.warning("kiosk.camera.worker_ended", extra={
                "event": "kiosk.camera.worker_ended", "code": proc.popen.returncode})
            self._tell_fault(proc.last_run)

    def _tell_fault(self, run: int | None) -> None:
        with self._lock:
            current = self._current
        if current is not None and (run is None or current[0] == run):
            current[2](Fault.DEVICE)


def _frame(header: dict[str, Any], pictures: list[np.ndarray]) -> ScanFrame:
    return ScanFrame(
        image=pictures[0],
        outline=tuple((float(x), float(y)) for x, y in header.get("outline", ())),
        state=str(header.get("state", "no_page")),
        reasons=tuple(str(r) for r in header.get("reasons", ())),
        steady=float(header.get("steady", 0.0)),
        page=pictures[1] if len(pictures) > 1 else None,
        qr=str(header.get("qr", "")))
