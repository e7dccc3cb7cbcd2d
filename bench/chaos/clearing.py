"""The clearing side of the chaos suite: ``backoffice serve`` as a child process we can kill,
and a read-only view of what it stored (through its HTTP API only)."""

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

from bench.chaos.devices import CardSpec, CardTruth
from config.runtime import free_tcp_port

TOKEN = "chaos-clearing-token-0123456789"


class BackofficeProcess:
    """``backoffice serve`` on a loopback port, its database under ``root``; restartable."""

    def __init__(self, root: Path, keys: Path, *, port: int | None = None) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.keys = keys
        self.port = port or free_tcp_port()
        self.db_url = f"sqlite:///{root / 'clearing.sqlite3'}"
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.kills = 0
        self._lock = threading.Lock()

    def start(self, timeout: float = 30.0) -> None:
        """Start the server (unless it runs) and wait until it answers."""
        with self._lock:
            proc = self.proc
            if proc is None or proc.poll() is not None:
                with (self.root / "backoffice.log").open("ab") as log:
                    proc = self.proc = subprocess.Popen(
                        [sys.executable, "-m", "backoffice.cli", "serve", "--port",
                         str(self.port), "--db", self.db_url, "--token", TOKEN, "--keys",
                         str(self.keys), "--log-level", "warning"],
                        stdout=log, stderr=log, env={**os.environ})
                self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not proc:
                return  # killed meanwhile: whoever killed it restarts it
            if proc.poll() is not None:
                raise RuntimeError(f"backoffice serve exited with {proc.returncode}; "
                                   f"see {self.root / 'backoffice.log'}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            time.sleep(0.05)
        raise RuntimeError("backoffice serve did not come up")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Kill the server (kill -9 by default) and wait for it to be gone."""
        with self._lock:
            proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)
        proc.wait(30)
        self.kills += 1

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


class ClearingView:
    """What clearing stored, asked through its HTTP API."""

    def __init__(self, url: str, token: str = TOKEN) -> None:
        self.http = httpx.Client(base_url=url, timeout=30,
                                 headers={"Authorization": f"Bearer {token}"})

    def close(self) -> None:
        self.http.close()

    def _get(self, path: str, **params: Any) -> Any:
        response = self.http.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def _paged(self, path: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        after = 0
        while True:
            page = self._get(path, after_id=after, limit=10_000)
            out.extend(page)
            if len(page) < 10_000:
                return out
            after = page[-1]["id"]

    def transactions(self) -> list[dict[str, Any]]:
        return self._paged("/v1/transactions")

    def flagged(self) -> list[dict[str, Any]]:
        return self._paged("/v1/flagged")

    def reconciliation(self, day: str) -> dict[str, Any]:
        result: dict[str, Any] = self._get(f"/v1/reconciliation/{day}")
        return result

    def register(self, spec: CardSpec, truth: CardTruth) -> None:
        """Register an issued card with what it holds now (its state at issue, for clearing)."""
        response = self.http.post("/v1/cards", json={
            "card_no": spec.number, "alg": spec.algorithm,
            "issued_balance_fen": truth.balance, "offline_atc": truth.offline_atc,
            "online_atc": truth.online_atc, "card_type": spec.card_type})
        response.raise_for_status()
