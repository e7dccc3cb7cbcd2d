"""The hall's devices and services for the kiosk demo, each its own process, as in a hall:
the back office with the demo catalogue, the virtual receipt printer on TCP, the virtual
document camera, the virtual ID-card reader on a pty, and the city card's side (pcscd, the demo
card and PSAM, ``cardsvc serve``: :mod:`demo.cards`). Started and stopped by :class:`Stack`
(everything it started is stopped, in reverse, also on an error)."""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from backoffice.auth import TokenStore
from config.runtime import free_tcp_port, wait_http_ok
from demo.cards import CardStack, CardStackError
from simulators.camera.store import FRAMES, PATTERN, remove_manifest, write_manifest


class StackError(Exception):
    """A device or service did not start; the message says which and why."""


@dataclass
class Stack:
    root: Path
    children: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    hall_url: str = ""
    hall_port: int = 0
    kiosk_token: str = ""
    printer_port: int = 0
    printer_out: Path = Path()
    camera_dir: Path = Path()
    idcard_pty: Path = Path()
    cards: CardStack | None = None

    def __post_init__(self) -> None:
        self._libc = ctypes.CDLL(None, use_errno=True)

    def _pdeathsig(self) -> None:
        """In the child: SIGTERM when the demo dies, however it dies (a closed X display ends
        a Qt program without running Python's cleanup)."""
        self._libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

    def _spawn(self, name: str, args: list[str], env: dict[str, str] | None = None
               ) -> subprocess.Popen[bytes]:
        logs = self.root / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        with (logs / f"{name}.log").open("ab") as log:
            proc = subprocess.Popen([sys.executable, "-m", *args], stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=log, start_new_session=True,
                                    env={**(env or os.environ), "PYTHONUNBUFFERED": "1"},
                                    # only prctl(2) through libc loaded before the fork
                                    preexec_fn=self._pdeathsig)  # noqa: PLW1509
        self.children.append((name, proc))
        return proc

    def _tail(self, name: str) -> str:
        path = self.root / "logs" / f"{name}.log"
        return path.read_text(errors="replace")[-600:] if path.exists() else ""

    def start_hall(self) -> None:
        """Start the hall (again: on the same port, database and tokens)."""
        port = self.hall_port or free_tcp_port()
        self.hall_port = port
        config = self.root / "backoffice.toml"
        config.write_text(f'[paths]\nvar_dir = "{self.root / "backoffice"}"\n',
                          encoding="utf-8")
        proc = self._spawn("hall", ["backoffice.cli", "serve", "--only", "hall", "--demo",
                                    "--port", str(port), "--config", str(config), "--hall-db",
                                    f"sqlite:///{self.root / 'hall.sqlite3'}"])
        self.hall_url = f"http://127.0.0.1:{port}"
        if not wait_http_ok(f"{self.hall_url}/healthz", 60, alive=lambda: proc.poll() is None):
            raise StackError(f"the hall back office did not start: {self._tail('hall')}")
        if not self.kiosk_token:
            store = TokenStore(self.root / "backoffice" / "backoffice" / "tokens.json")
            self.kiosk_token = store.issue("kiosk", label="demo-kiosk")[1]

    def start_printer(self) -> None:
        self.printer_port = free_tcp_port()
        self.printer_out = self.root / "printer"
        self.printer_out.mkdir(parents=True, exist_ok=True)
        proc = self._spawn("printer", ["simulators.cli", "printer", "serve", "--port",
                                       str(self.printer_port), "--out", str(self.printer_out)])
        _wait_port(self.printer_port, proc, "the virtual printer", lambda: self._tail("printer"))

    def start_camera(self, scenario: str = "place", pages: int = 3) -> None:
        self.camera_dir = self.root / "camera"
        proc = self._spawn("camera", ["simulators.cli", "camera", "serve", "--dir",
                                      str(self.camera_dir), "--scenario", scenario,
                                      "--pages", str(pages)])
        deadline = time.monotonic() + 60
        while not (self.camera_dir / "camera.json").exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise StackError(f"the virtual camera did not start: {self._tail('camera')}")
            time.sleep(0.1)

    def stop_child(self, name: str) -> None:
        for child, proc in list(self.children):
            if child == name:
                _stop(proc)
                self.children.remove((child, proc))

    def stop_camera(self) -> None:
        self.stop_child("camera")

    def start_idcard(self, citizen: int | str = 0) -> None:
        self.idcard_pty = self.root / "idcard.pty"
        self.idcard_pty.unlink(missing_ok=True)
        proc = self._spawn("idcard", ["simulators.cli", "idcard", "serve", "--pty",
                                      str(self.idcard_pty), "--citizen", str(citizen)])
        deadline = time.monotonic() + 30
        while not self.idcard_pty.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise StackError(f"the virtual ID-card reader did not start: "
                                 f"{self._tail('idcard')}")
            time.sleep(0.1)

    def start_cards(self, *, verbose: bool = False) -> CardStack:
        """pcscd, the demo card (lifted) and PSAM, and the card service (``verbose``: its debug
        log with the APDU trace)."""
        cards = CardStack(self.root / "card", verbose=verbose)
        self.cards = cards
        try:
            cards.start(self._spawn, self._tail)
        except CardStackError as exc:
            raise StackError(str(exc)) from exc
        return cards

    def stop(self) -> None:
        for _, proc in reversed(self.children):
            _stop(proc)
        self.children.clear()
        if self.cards is not None:
            self.cards.stop()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def _wait_port(port: int, proc: subprocess.Popen[bytes], what: str, tail: object) -> None:
    import socket  # noqa: PLC0415

    deadline = time.monotonic() + 30
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if proc.poll() is not None or time.monotonic() > deadline:
            raise StackError(f"{what} did not start: {tail() if callable(tail) else ''}")
        time.sleep(0.1)


def show_paper_to_camera(folder: Path, paper: np.ndarray, frames: int = 12,
                         fps: float = 15.0) -> None:
    """The camera now sees ``paper`` (a picture of a printed receipt) held up over the desk:
    frames written where the camera reads them, the manifest owned by this process (the
    camera simulator's own clip is replaced, as when a citizen holds up a receipt)."""
    remove_manifest(folder)
    out = folder / FRAMES
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("frame_*.jpg"):
        old.unlink()
    h, w = 720, 1280
    rng = np.random.default_rng(7)
    scale = min((h * 0.9) / paper.shape[0], (w * 0.6) / paper.shape[1])
    small = cv2.resize(paper, (int(paper.shape[1] * scale), int(paper.shape[0] * scale)),
                       interpolation=cv2.INTER_AREA)
    for i in range(frames):
        desk = np.full((h, w, 3), (92, 104, 118), np.uint8)
        y = (h - small.shape[0]) // 2 + int(rng.integers(-3, 4))
        x = (w - small.shape[1]) // 2 + int(rng.integers(-3, 4))
        desk[y:y + small.shape[0], x:x + small.shape[1]] = small
        cv2.imwrite(str(out / (PATTERN % i)), desk, [cv2.IMWRITE_JPEG_QUALITY, 90])
    write_manifest(folder, f"{FRAMES}/{PATTERN}", fps)


def receipt_qr_crop(png: Path) -> np.ndarray:
    """The part of a printed receipt (the virtual printer's PNG) around its QR code, as a
    citizen would hold it close to the camera; the whole receipt if no code is found."""
    image = cv2.imread(str(png))
    if image is None:
        raise StackError(f"cannot read the printed receipt {png}")
    found, points = cv2.QRCodeDetector().detect(image)
    if not found or points is None:
        return np.asarray(image)
    pts = np.asarray(points).reshape(-1, 2)
    x0, y0 = pts.min(axis=0).astype(int)
    x1, y1 = pts.max(axis=0).astype(int)
    m = (x1 - x0) // 2
    crop = image[max(0, y0 - m):y1 + m, max(0, x0 - m):x1 + m]
    return np.asarray(crop)


def receipt_files(out: Path) -> list[Path]:
    """The receipts the virtual printer decoded so far (PNG paths, oldest first)."""
    return sorted(out.glob("receipt-*.png"))


def receipt_json(png: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(png.with_suffix(".json").read_text("utf-8"))
    return data
