"""Real parts for the kiosk's end-to-end tests: the hall back office as its own process
(``backoffice serve --only hall --demo``: the demo catalogue), stopped and started again on
the same port and database to play "the back office is down"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

from backoffice.auth import TokenStore
from config.runtime import free_tcp_port, wait_http_ok

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
