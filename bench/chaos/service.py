"""``cardsvc serve`` as a child process, killed and restarted by the kill family."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.chaos.clearing import TOKEN
from cardsvc.journal import Entry, Journal
from config.files import atomic_write
from config.layout import VarLayout
from config.runtime import free_tcp_port


class ServiceProcess:
    """The real card service (``python -m cardsvc.cli serve``) with its own var dir, the PSAM
    in ``Virtual PCD 00 01``, the card in the other reader, and the clearing service."""

    def __init__(self, root: Path, env: dict[str, str], clearing_url: str) -> None:
        self.root = root
        self.var = root / "var"
        self.port = free_tcp_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = root / "cardsvc.toml"
        root.mkdir(parents=True, exist_ok=True)
        atomic_write(VarLayout(self.var).clearing_client_token, TOKEN, mode=0o600)
        self.config.write_text(
            f'[paths]\nvar_dir = "{self.var}"\n[service]\nport = {self.port}\n'
            f'[clearing_client]\nurl = "{clearing_url}"\n', encoding="utf-8")
        self.env = {**os.environ, **env, "CITIZEN_HALL_CONFIG": str(self.config)}
        self.proc: subprocess.Popen[bytes] | None = None
        self.http = httpx.Client(base_url=self.url, timeout=30)
        self.starts = 0
        self.kills = 0
        self._lock = threading.Lock()

    @property
    def journal_path(self) -> Path:
        return self.var / "journal.sqlite"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def start(self, timeout: float = 30.0) -> bool:
        """Start and wait until it answers; False if it was killed (by us) meanwhile."""
        with (self.root / "cardsvc.log").open("ab") as log:
            proc = subprocess.Popen([sys.executable, "-m", "cardsvc.cli", "serve"], env=self.env,
                                    stdout=log, stderr=log)
        with self._lock:
            self.proc = proc
            self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not proc:
                return False
            if proc.poll() is not None:
                raise RuntimeError(f"cardsvc serve exited with {proc.returncode}; "
                                   f"see {self.root / 'cardsvc.log'}")
            with contextlib.suppress(httpx.TransportError):
                if self.http.get("/healthz", timeout=1).status_code == 200:
                    return True
            time.sleep(0.02)
        raise RuntimeError("cardsvc serve did not come up")

    def kill(self) -> bool:
        """kill -9 and wait until it is gone (callable from any thread); False if not running."""
        with self._lock:
            proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return False
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        self.kills += 1
        return True

    def stop(self) -> int | None:
        with self._lock:
            proc, self.proc = self.proc, None
        if proc is None:
            return None
        proc.send_signal(signal.SIGTERM)
        return proc.wait(30)

    @property
    def token(self) -> str:
        return (self.var / "cardsvc.token").read_text(encoding="ascii").strip()

    def call(self, method: str, path: str, body: Any = None,
             timeout: float = 30.0) -> httpx.Response:
        return self.http.request(method, path, json=body, timeout=timeout,
                                 headers={"Authorization": f"Bearer {self.token}"})

    def unresolved(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = self.call(
            "GET", "/v1/journal", timeout=10).json()["entries"]
        return [e for e in entries if e["status"] in ("pending", "unknown")]

    def wait_resolved(self, timeout: float = 20.0) -> bool:
        """Wait until the journal has nothing unresolved; False on timeout or once killed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc is not None:
            with contextlib.suppress(httpx.HTTPError, KeyError, ValueError):
                if not self.unresolved():
                    return True
            time.sleep(0.05)
        return False

    def entries(self) -> list[Entry]:
        """The journal, read from its file (the service may be running or not)."""
        with Journal.open(self.journal_path) as journal:
            return journal.entries()

    def close(self) -> None:
        self.kill()
        self.http.close()
