"""The document camera's analysis runs in a worker process (kiosk/adapters/camera_worker.py),
not in the kiosk's: tested on the virtual camera (its own process). Frames and verdicts arrive,
a page is captured in full, a stopped run (the session's end) leaves nothing in the worker, a
dead worker is told as a device fault and the next scan starts a new one; and through the
kiosk: the session's end makes the worker forget the scan."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from demo.devices import Stack
from drivers.scanner import a4_pixels
from kiosk.adapters.scanner import CameraScanner
from kiosk.ports import Fault, ScanFrame
from tests.kiosk.stack import kiosk_on, running_stack, to_materials

STATES = {"no_page", "moving", "steadying", "refused", "captured", "waiting_new"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("camera"), Stack.start_hall, Stack.start_camera,
                       Stack.start_idcard) as s:
        yield s


class Seen:
    def __init__(self) -> None:
        self.frames: list[ScanFrame] = []
        self.faults: list[Fault] = []
        self.threads: set[str] = set()
        self.lock = threading.Lock()

    def frame(self, f: ScanFrame) -> None:
        with self.lock:
            self.frames.append(f)
            self.threads.add(threading.current_thread().name)

    def fault(self, f: Fault) -> None:
        with self.lock:
            self.faults.append(f)


def _until(cond: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()


def test_the_worker_analyses_captures_forgets_and_is_replaced_when_it_dies(
        stack: Stack) -> None:
    scanner = CameraScanner(f"sim:{stack.camera_dir}")
    seen = Seen()
    try:
        assert scanner.worker_pid is None  # started at the first scan, not before
        scanner.start(seen.frame, seen.fault)
        _until(lambda: any(f.page is not None for f in seen.frames), "a captured page")
        pid = scanner.worker_pid
        assert pid is not None and pid != os.getpid() and _alive(pid)
        page = next(f.page for f in seen.frames if f.page is not None)
        assert page is not None and (page.shape[1], page.shape[0]) == a4_pixels()
        states = {f.state for f in seen.frames}
        assert states <= STATES and "captured" in states
        captured = next(f for f in seen.frames if f.page is not None)
        assert len(captured.outline) == 4 and all(0 <= x <= 1 and 0 <= y <= 1
                                                  for x, y in captured.outline)
        assert seen.threads == {"kiosk-camera-read"}  # not the camera's own thread: none here
        assert not seen.faults

        scanner.stop()  # what the session's end does
        assert scanner.worker_holds() == 0
        count = len(seen.frames)
        time.sleep(0.5)
        assert len(seen.frames) == count  # frames still in the pipe were dropped

        scanner.start(seen.frame, seen.fault)
        _until(lambda: len(seen.frames) > count, "frames of the second run")
        assert scanner.worker_holds() != 0
        os.kill(pid, signal.SIGKILL)  # the worker dies mid-run
        _until(lambda: seen.faults == [Fault.DEVICE], "the device fault")

        scanner.start(seen.frame, seen.fault)  # the next scan starts a new worker
        count = len(seen.frames)
        _until(lambda: len(seen.frames) > count, "frames from a new worker")
        new = scanner.worker_pid
        assert new is not None and new != pid
    finally:
        scanner.close()
    assert scanner.worker_pid is None
    _until(lambda: not _alive(new), "the worker's end", 10)


def test_the_sessions_end_leaves_nothing_in_the_worker(stack: Stack, qapp: Any,
                                                       tmp_path: Path) -> None:
    with kiosk_on(stack, tmp_path) as (j, closers):
        kiosk = j.kiosk
        assert kiosk is not None
        scanner = next(c.__self__ for c in closers
                       if isinstance(getattr(c, "__self__", None), CameraScanner))
        vm: Any = kiosk.vm
        materials = to_materials(j).materials
        materials.scan("application")
        j.wait(lambda: materials.thumbnails.count >= 1, "a page", 60)
        assert materials.live.startswith("image://pic/live")
        folder = kiosk.folder.path
        j.wait(lambda: any(p.suffix == ".jpg" for p in folder.iterdir()), "the page on disk")
        kiosk.session.end("exit")  # 退出 in the middle of the scan
        j.wait(lambda: vm.current == "home" and not kiosk.session.is_personal, "the wipe")
        assert materials.thumbnails.count == 0 and materials.live == ""
        assert not list(folder.rglob("*.jpg"))
        left = list(kiosk.pictures.keys())
        assert not [k for k in left if k.startswith(("page/", "live"))]
        holds: list[int | None] = []
        threading.Thread(target=lambda: holds.append(scanner.worker_holds())).start()
        j.wait(lambda: bool(holds), "the worker's answer")
        assert holds == [0]
