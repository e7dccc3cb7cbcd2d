"""The local API (FastAPI) over the in-process runtime, through a real socket: the typed client,
events, sales, stable codes in the OpenAPI document, and the HTTP-server findings of issue 12
item 3 (Content-Length -1 and abc, the listen backlog, /openapi.json and /docs, a lowercase
bearer)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from cardsvc.api import MAX_BODY, create_app
from cardsvc.client import CardServiceClient, RemoteRefusal, RemoteUnavailable
from cardsvc.runtime import Runtime
from tests.cardsvc.test_runtime import World
from tests.fixtures.webserver import ThreadedServer

TOKEN = "test-token-0123456789abcdef"


class Served:
    def __init__(self, runtime: Runtime) -> None:
        self.server = ThreadedServer(create_app(runtime, TOKEN), backlog=1024,
                                     timeout_graceful_shutdown=1, lifespan="auto").__enter__()
        self.url, self.port = self.server.url, self.server.port
        self.client = CardServiceClient(TOKEN, self.url, timeout_s=10)

    def stop(self) -> None:
        self.client.close()
        self.server.__exit__()


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


@pytest.fixture
def served(world: World) -> Iterator[Served]:
    rt = world.runtime()
    s = Served(rt)
    yield s
    s.stop()
    rt.stop()


def raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks):
                break
        return b"".join(chunks)


def test_the_kiosk_journey_through_the_client(world: World, served: Served) -> None:
    svc = served.client
    stop = threading.Event()
    seen: list[str] = []
    present = threading.Event()

    def watch() -> None:
        for event in svc.events(stop=stop):
            seen.append(event.type)
            if event.type == "card_present":
                present.set()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    time.sleep(0.3)
    world.tap()
    assert present.wait(5)
    view = svc.identify()
    assert (view.holder_name, view.card_no_masked) == ("张明华", "4102********0001")
    holder = svc.holder()  # in full for the kiosk's form, never in an event
    assert (holder.name, holder.id_number) == ("张明华", "410202198503150315")
    assert "410202198503150315" not in repr(holder)
    assert svc.balance().balance_fen == 10000
    tx = svc.load(500, "123456", client_ref="kiosk-topup-1")
    assert tx.balance_fen == 10500
    again = svc.load(500, "123456", client_ref="kiosk-topup-1")
    assert again.replayed and svc.balance().balance_fen == 10500
    with pytest.raises(RemoteRefusal) as wrong:
        svc.load(100, "111111")
    assert wrong.value.code == "wrong_pin" and wrong.value.body["tries_left"] == 2
    assert svc.history()["purse"][0]["amount_fen"] == 500
    stop.set()
    world.lift()
    watcher.join(15)
    assert "card_removed" in seen or not watcher.is_alive()


def test_a_cash_register_sale_and_its_cancel(world: World, served: Served) -> None:
    svc = served.client
    results = []
    seller = threading.Thread(target=lambda: results.append(
        svc.sale(300, "canteen", "pos-1", timeout_s=10, receipt=False)))
    seller.start()
    time.sleep(0.3)
    world.tap()
    seller.join(15)
    assert results[0].amount_fen == 300 and results[0].balance_fen == 9700
    assert svc.sale(300, "canteen", "pos-1", timeout_s=1).replayed  # a retry: same answer
    errors: list[RemoteRefusal] = []

    def waiting() -> None:
        try:
            svc.sale(100, "retail", "pos-2", timeout_s=10, receipt=False)
        except RemoteRefusal as exc:
            errors.append(exc)

    waiter = threading.Thread(target=waiting)
    waiter.start()
    time.sleep(0.3)
    assert svc.cancel_sale("pos-2")
    waiter.join(10)
    assert errors and errors[0].code == "sale_cancelled"
    with pytest.raises(RemoteUnavailable) as timed_out:
        svc.sale(100, "retail", "pos-3", timeout_s=0.3, receipt=False)
    assert timed_out.value.status == 504 and timed_out.value.code == "sale_timeout"


def test_codes_are_an_enumeration_with_words_in_the_openapi_document(served: Served) -> None:
    doc = httpx.get(f"{served.url}/openapi.json").json()
    codes = doc["components"]["schemas"]["ErrorCode"]
    assert "insufficient_balance" in codes["enum"] and "several_cards" in codes["enum"]
    assert codes["x-messages"]["sam_held"]["zh"] == "卡服务正在使用 PSAM"
    assert doc["components"]["schemas"]["ErrorBody"]["properties"]["error"]["$ref"].endswith(
        "/ErrorCode")
    assert httpx.get(f"{served.url}/docs").status_code == 200


def test_tokens_and_the_bearer_scheme_in_any_case(world: World, served: Served) -> None:
    world.tap()
    assert httpx.get(f"{served.url}/v1/card").status_code == 401
    bad = httpx.get(f"{served.url}/v1/card", headers={"Authorization": "Bearer wrong"})
    assert bad.status_code == 401 and bad.json()["error"] == "unauthorized"
    lower = httpx.get(f"{served.url}/v1/card/balance",
                      headers={"Authorization": f"bearer {TOKEN}"})
    assert lower.status_code == 200 and lower.json()["balance_fen"] == 10000


def test_bad_content_lengths_and_big_bodies_run_nothing(world: World, served: Served) -> None:
    world.tap()
    head = (f"POST /v1/card/purchase HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
            "Content-Type: application/json\r\n").encode()
    body = b'{"amount_fen": 100}'
    for length in (b"-1", b"abc"):
        answer = raw(served.port, head + b"Content-Length: " + length + b"\r\n\r\n" + body)
        assert answer.startswith(b"HTTP/1.1 400"), answer[:80]
    big = b'{"amount_fen": 100, "kind": "' + b"x" * (MAX_BODY + 10) + b'"}'
    answer = raw(served.port, head + f"Content-Length: {len(big)}\r\n\r\n".encode() + big)
    assert answer.startswith(b"HTTP/1.1 413")
    assert served.client.balance().balance_fen == 10000  # nothing was charged
    malformed = httpx.post(f"{served.url}/v1/card/purchase", json={"amount_fen": "12.50"},
                           headers={"Authorization": f"Bearer {TOKEN}"})
    assert malformed.status_code == 400 and malformed.json()["error"] == "bad_request"


def test_two_hundred_connections_at_once_are_all_answered(served: Served) -> None:
    def ping(_: int) -> int:
        return httpx.get(f"{served.url}/healthz", timeout=30).status_code

    with ThreadPoolExecutor(200) as pool:
        codes = list(pool.map(ping, range(200)))
    assert codes == [200] * 200
