"""`cardsvc serve` as a user runs it: a child process through the real pcscd; its loopback API
with the bearer token; crash recovery as the card comes back after a kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from config.runtime import free_tcp_port, wait_http_ok
from simulators.pcscd import PcscdProcess

pytestmark = pytest.mark.pcscd


class Service:
    def __init__(self, tmp: Path, pcscd: PcscdProcess) -> None:
        self.var = tmp / "var"
        self.port = free_tcp_port()
        self.config = tmp / "config.toml"
        self.config.write_text(f'[paths]\nvar_dir = "{self.var}"\n[service]\nport = {self.port}\n')
        self.env = {**os.environ, **pcscd.env, "CITIZEN_HALL_CONFIG": str(self.config)}
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "cardsvc.cli", "serve"],
                                     env=self.env, stderr=subprocess.PIPE)
        proc = self.proc
        if not wait_http_ok(f"{self.url}/healthz", 20, alive=lambda: proc.poll() is None):
            raise AssertionError("cardsvc serve did not come up")

    @property
    def token(self) -> str:
        return (self.var / "cardsvc.token").read_text().strip()

    def call(self, method: str, path: str, body: Any = None,
             token: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token if token is not None else self.token}"}
        return httpx.request(method, f"{self.url}{path}", json=body, headers=headers, timeout=30)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        code = self.proc.wait(15)
        self.proc = None
        return code


@pytest.fixture
def service(tmp_path: Path, pcscd: PcscdProcess, psam: Any) -> Iterator[Service]:
    svc = Service(tmp_path, pcscd)
    yield svc
    if svc.proc is not None:
        svc.stop(signal.SIGKILL)


def test_api_needs_the_token_and_moves_money(service: Service, attach_card: Any) -> None:
    attach_card("4102000000000001")
    service.start()
    assert (service.var / "cardsvc.token").stat().st_mode & 0o777 == 0o600
    assert service.call("GET", "/v1/card", token="wrong").status_code == 401
    denied = service.call("POST", "/v1/card/purchase", {"amount_fen": 1}, token="x")
    assert denied.status_code == 401
    who = service.call("GET", "/v1/card").json()
    assert who["holder_name"] == "张明华"
    pay = service.call("POST", "/v1/card/purchase", {"amount_fen": 1250, "kind": "retail"})
    assert pay.status_code == 200 and pay.json()["balance_fen"] == 8750
    poor = service.call("POST", "/v1/card/purchase", {"amount_fen": 9000})
    assert poor.status_code == 409 and poor.json()["error"] == "InsufficientBalance"
    assert poor.json()["balance_fen"] == 8750
    pin = service.call("POST", "/v1/card/load", {"amount_fen": 100, "pin": "111111"})
    assert pin.status_code == 409 and pin.json()["tries_left"] == 2
    bad = service.call("POST", "/v1/card/purchase", {"amount_fen": "12.50"})
    assert bad.status_code == 400
    status = service.call("GET", "/v1/status").json()
    assert status["journal"]["completed"] == 1
    assert service.stop() == 0


def test_a_crash_is_recovered_when_the_card_comes_back(service: Service,
                                                       attach_card: Any) -> None:
    card = attach_card("4102000000000001")
    service.start()
    card.card.tear(1, "after", prefix="8054")
    torn = service.call("POST", "/v1/card/purchase", {"amount_fen": 300})
    assert torn.status_code == 503
    service.stop(signal.SIGKILL)  # the service dies with an unresolved entry
    card.wait_absent()
    service.start()
    card.insert()  # the card comes back: the restarted service resolves its entry first
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        entries = service.call("GET", "/v1/journal").json()["entries"]
        if entries and entries[0]["status"] == "completed":
            break
        time.sleep(0.2)
    assert [(e["status"], e["amount_fen"]) for e in entries] == [("completed", 300)]
    assert service.call("GET", "/v1/card/balance").json()["balance_fen"] == 9700
