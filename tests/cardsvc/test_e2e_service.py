"""`cardsvc serve` as a user runs it: a child process through the real pcscd with the virtual
card and PSAM, its API through cardsvc/client.py, the CLI beside it, clearing behind it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from cardsvc.client import CardServiceClient, RemoteRefusal, RemoteUnavailable
from cardsvc.journal import Journal
from config.files import atomic_write
from config.layout import VarLayout
from config.runtime import free_tcp_port, wait_http_ok
from simulators.pcscd import PcscdProcess
from tests.cardsvc.cli import run_cardsvc
from tests.cardsvc.test_e2e_clearing import TOKEN as CLEARING_TOKEN
from tests.cardsvc.test_e2e_clearing import clearing  # noqa: F401 - the fixture

pytestmark = pytest.mark.pcscd


class Service:
    def __init__(self, tmp: Path, pcscd: PcscdProcess, clearing_url: str | None = None) -> None:
        self.var = tmp / "var"
        self.port = free_tcp_port()
        self.config = tmp / "config.toml"
        text = f'[paths]\nvar_dir = "{self.var}"\n[service]\nport = {self.port}\n'
        if clearing_url:
            atomic_write(VarLayout(self.var).clearing_client_token, CLEARING_TOKEN + "\n",
                         mode=0o600)
            text += f'[clearing_client]\nurl = "{clearing_url}"\n'
        self.config.write_text(text)
        self.env = {**os.environ, **pcscd.env, "CITIZEN_HALL_CONFIG": str(self.config)}
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self, *extra: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "cardsvc.cli", "serve", *extra],
                                     env=self.env, stderr=subprocess.DEVNULL)
        proc = self.proc
        if not wait_http_ok(f"{self.url}/healthz", 20, alive=lambda: proc.poll() is None):
            raise AssertionError("cardsvc serve did not come up")

    @property
    def token(self) -> str:
        return (self.var / "cardsvc.token").read_text().strip()

    def client(self, timeout_s: float = 30.0) -> CardServiceClient:
        return CardServiceClient(self.token, self.url, timeout_s=timeout_s)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_cardsvc(*args, env=self.env)

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
    assert httpx.get(f"{service.url}/v1/card", headers={"Authorization": "Bearer x"}
                     ).status_code == 401
    with service.client() as svc:
        assert svc.identify().holder_name == "张明华"
        assert svc.purchase(1250, "retail").balance_fen == 8750
        with pytest.raises(RemoteRefusal) as poor:
            svc.purchase(9000)
        assert poor.value.code == "insufficient_balance"
        assert svc.status()["journal"]["completed"] == 1
    assert service.stop() == 0


def test_a_crash_is_recovered_when_the_card_comes_back(service: Service,
                                                       attach_card: Any) -> None:
    card = attach_card("4102000000000001")
    service.start()
    card.card.tear(1, "after", prefix="8054")
    with service.client() as svc, pytest.raises(RemoteUnavailable):
        svc.purchase(300, client_ref="crash-1")
    service.stop(signal.SIGKILL)  # the service dies with an unresolved entry
    card.wait_absent()
    service.start()
    card.insert()  # the card comes back: the restarted service resolves its entry first
    with service.client() as svc:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            entries = svc.journal()["entries"]
            if entries and entries[0]["status"] == "completed":
                break
            time.sleep(0.2)
        assert [(e["status"], e["amount_fen"]) for e in entries] == [("completed", 300)]
        assert svc.purchase(300, client_ref="crash-1").replayed  # the retry: not again
        assert svc.balance().balance_fen == 9700


def test_a_lost_answer_is_retried_with_the_same_key(service: Service, attach_card: Any) -> None:
    card = attach_card("4102000000000001")
    service.start()
    card.card.delay(1.5, "8054", times=1)  # the answer comes after the client gave up
    # the client retries with the same key itself; under load it may still give up
    with service.client(timeout_s=0.5) as svc, contextlib.suppress(RemoteUnavailable):
        svc.purchase(200, client_ref="slow-1")
    with service.client() as svc:
        tx = svc.purchase(200, client_ref="slow-1")  # asked again later: the first result
        assert tx.replayed and tx.amount_fen == 200
        assert svc.balance().balance_fen == 9800
        assert [e["client_ref"] for e in svc.journal()["entries"]] == ["slow-1"]


def test_the_cli_beside_the_service_never_interleaves_on_the_psam(
        tmp_path: Path, pcscd: PcscdProcess, psam: Any, attach_card: Any,
        clearing: str) -> None:  # noqa: F811 - the fixture
    svc_proc = Service(tmp_path, pcscd, clearing)
    attach_card("4102000000000001")
    svc_proc.start()
    try:
        local = svc_proc.cli("pay", "0.10", "--local")
        assert local.returncode == 3 and "卡服务正在使用 PSAM" in local.stderr
        with svc_proc.client() as svc, ThreadPoolExecutor(25) as pool:
            go = threading.Barrier(25)

            def cli(_: int) -> int:
                go.wait()
                return svc_proc.cli("pay", "0.10").returncode

            def api(i: int) -> int:
                go.wait()
                return svc.purchase(10, client_ref=f"api-{i}").amount_fen

            clis = [pool.submit(cli, i) for i in range(5)]
            apis = [pool.submit(api, i) for i in range(20)]
            assert [f.result() for f in clis] == [0] * 5
            assert [f.result() for f in apis] == [10] * 20
            assert svc.balance().balance_fen == 10000 - 25 * 10
            upload = svc._call("POST", "/v1/upload")
            assert upload["rejected"] == 0
    finally:
        svc_proc.stop()
    with Journal.open(svc_proc.var / "journal.sqlite") as journal:
        done = [e for e in journal.entries() if e.status == "completed"]
    assert len(done) == 25 and sum(e.amount_fen for e in done) == 250
    assert len({e.card_atc for e in done}) == 25 and len({e.ttsn for e in done}) == 25
    cleared = httpx.get(f"{clearing}/v1/transactions", params={"card_no": "4102000000000001"},
                        headers={"Authorization": f"Bearer {CLEARING_TOKEN}"}).json()
    assert sum(t["amount_fen"] for t in cleared) == 250 and len(cleared) == 25


def test_the_kiosk_journey_through_pcscd(service: Service, attach_card: Any) -> None:
    card = attach_card("4102000000000001")
    card.remove()
    service.start()
    with service.client() as svc:
        stop = threading.Event()
        events: list[Any] = []
        present = threading.Event()
        removed = threading.Event()

        def watch() -> None:
            for event in svc.events(stop=stop):
                events.append(event)
                if event.type == "card_present":
                    present.set()
                if event.type == "card_removed":
                    removed.set()

        threading.Thread(target=watch, daemon=True).start()
        time.sleep(0.5)
        card.insert()
        assert present.wait(10)
        shown = next(e for e in events if e.type == "card_present").data
        assert (shown["holder_name"], shown["card_no_masked"]) == ("张明华", "4102********0001")
        assert "*" in shown["id_number_masked"]
        assert svc.identify().card_type == "adult"
        topped = svc.load(2000, "123456", client_ref="kiosk-1")
        assert topped.balance_fen == 12000
        assert svc.history()["purse"][0]["type_zh"] == "充值"
        assert svc.block(pin="123456") == "4102000000000001"
        with pytest.raises(RemoteRefusal) as blocked:
            svc.purchase(1)
        assert blocked.value.code == "card_blocked"
        card.remove()
        assert removed.wait(10)
        stop.set()


def test_a_sale_made_by_mistake_is_refunded_once(tmp_path: Path, pcscd: PcscdProcess, psam: Any,
                                                 attach_card: Any,
                                                 clearing: str) -> None:  # noqa: F811
    svc_proc = Service(tmp_path, pcscd, clearing)
    attach_card("4102000000000001")
    svc_proc.start("--no-receipts")
    try:
        with svc_proc.client() as svc:
            sold = svc.sale(1500, "canteen", "till-7", timeout_s=10, receipt=False)
            assert sold.balance_fen == 8500
            back = svc.refund("till-7", "123456", client_ref="refund-7")
            assert back.balance_fen == 10000 and back.raw["kind"] == "refund"
            assert svc.refund("till-7", "123456", client_ref="refund-7").replayed
            with pytest.raises(RemoteRefusal) as twice:
                svc.refund("till-7", "123456", client_ref="refund-7b")
            assert twice.value.code == "refund_refused"
            assert svc.balance().balance_fen == 10000
    finally:
        svc_proc.stop()
