"""Real parts for the kiosk's end-to-end tests: the hall back office as its own process
(``backoffice serve --only hall --demo``: the demo catalogue), stopped and started again on
the same port and database to play "the back office is down"."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PySide6.QtCore import QSize

from backoffice.auth import TokenStore
from config.runtime import free_tcp_port, wait_http_ok
from demo.devices import Stack
from demo.journey import Journey

YYZZ = "11410200MB1A40214201001010010001"
"""营业执照登记（个体工商户设立）in the demo catalogue."""
YYZZ_FORM = {"phone": "13912345678", "organisation": "personal", "business_name": "开封小吃店",
             "business_scope": "小吃服务", "premises": "鼓楼区书店街 88 号",
             "capital_fen": 5_000_000, "employees": 2}


class HallProcess:
    """``backoffice serve --only hall --demo`` on a fixed loopback port, its state in ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_tcp_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = root / "backoffice.toml"
        root.mkdir(parents=True, exist_ok=True)
        self.config.write_text(f'[paths]\nvar_dir = "{root / "var"}"\n', encoding="utf-8")
        self.log = root / "hall.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.kiosk_token = ""

    def start(self) -> HallProcess:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "backoffice.cli", "serve", "--only", "hall", "--demo",
                 "--port", str(self.port), "--config", str(self.config),
                 "--hall-db", f"sqlite:///{self.root / 'hall.sqlite3'}"],
                stdout=log, stderr=log, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        proc = self.proc
        if not wait_http_ok(f"{self.url}/healthz", 60, alive=lambda: proc.poll() is None):
            self.stop()
            raise RuntimeError(f"the hall did not start: {self.log.read_text()[-2000:]}")
        if not self.kiosk_token:
            store = TokenStore(self.root / "var" / "backoffice" / "tokens.json")
            self.kiosk_token = store.issue("kiosk", label="kiosk-test")[1]
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def token_file(self) -> Path:
        path = self.root / "kiosk.token"
        path.write_text(self.kiosk_token)
        path.chmod(0o600)
        return path


def jpeg_page(path: Path, seed: int = 1) -> Path:
    """A scanned-looking A4 page (text lines on paper) as a JPEG."""
    rng = np.random.default_rng(seed)
    page = np.full((1123, 794, 3), 245, np.uint8)
    for y in range(120, 1000, 48):
        cv2.line(page, (80, y), (int(rng.integers(300, 720)), y), (40, 40, 40), 3)
    cv2.imwrite(str(path), page, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return path


@contextlib.contextmanager
def running_stack(root: Path, *starts: Callable[[Stack], object]) -> Iterator[Stack]:
    """The demo's devices and services (``Stack.start_hall``, ``Stack.start_printer``, ...) as
    processes under ``root``, all stopped at the end."""
    stack = Stack(root)
    try:
        for start in starts:
            start(stack)
        yield stack
    finally:
        stack.stop()


@contextlib.contextmanager
def kiosk_on(stack: Stack, root: Path) -> Iterator[tuple[Journey, list[Callable[[], None]]]]:
    """A portrait kiosk on ``stack`` driven by a :class:`Journey`, and its ports' closers;
    closed at the end."""
    j = Journey(stack, root)
    j.kiosk, closers = j.build_kiosk(root / "kiosk", QSize(1080, 1920), 4.0)
    try:
        yield j, closers
    finally:
        j.kiosk.close()
        for close in closers:
            close()


def to_materials(j: Journey) -> Any:
    """From home to the materials step of yyzz: ``yyzz`` typed on the kiosk's keyboard, its
    guide, apply, the identity from the ID card on the reader, the form filled. The apply
    view-model."""
    vm: Any = j.kiosk.vm
    j.wait(lambda: vm.find.total > 0, "the catalogue")
    vm.open("apply")
    for ch in "yyzz":
        vm.find.type(ch)
    j.wait(lambda: not vm.find.busy and vm.find.results.count > 0, "results")
    vm.find.open(vm.find.results.get(0)["code"])
    j.wait(lambda: vm.guide.loaded, "the guide")
    vm.guide.apply()
    j.wait(lambda: vm.apply.stepCode == "form", "the ID card to be read", 30)
    j.fill_form()
    vm.apply.next()
    j.wait(lambda: vm.apply.materials.rows.count > 0, "the materials")
    return vm.apply
