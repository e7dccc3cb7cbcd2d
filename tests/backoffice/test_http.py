"""The HTTP API through a real uvicorn server on loopback, with the terminal's client."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from cardsvc import crypto
from cardsvc.clearing_client import (
    ClearingBadAnswer,
    ClearingClient,
    ClearingRejected,
    ClearingUnauthorized,
    ClearingUnreachable,
    UploadResult,
)
from cardsvc.cli_common import exit_code
from cardsvc.crypto import Alg
from cardsvc.errors import DeviceError, ServiceConfigError
from cardsvc.load_authority import (
    LoadAuthority,
    LoadAuthorityError,
    LoadAuthorityUnavailable,
    LoadDeclined,
    LoadHotlisted,
    LoadMac1Error,
    LoadOverLimit,
)
from config.cli import EXIT_CONFIG, EXIT_UNAVAILABLE
from config.settings import Settings
from tests.backoffice.cardsim import Card, at, flip_tac_byte
from tests.backoffice.conftest import TOKEN, Live, settings_for

CARD1 = "4102000000000001"
TID = crypto.to_bcd("410200000001", 6)


@pytest.fixture
def client(live: Live) -> Iterator[ClearingClient]:
    with ClearingClient(live.url, TOKEN, timeout_s=5) as c:
        yield c


@pytest.fixture
def client_sqlite(live_sqlite: Live) -> Iterator[ClearingClient]:
    with ClearingClient(live_sqlite.url, TOKEN, timeout_s=5) as c:
        yield c


def test_upload_over_http_with_an_altered_tac(client: ClearingClient, live: Live) -> None:
    card = Card(CARD1)
    batch = [card.purchase(100 * (i + 1), ttsn=i + 1, when=at(9, i)) for i in range(4)]
    batch[1] = flip_tac_byte(batch[1])
    result = client.upload(batch)
    assert [o.status for o in result.outcomes] == ["new", "rejected", "new", "new"]
    assert result.outcomes[1].reason_code == "bad_tac"
    assert [o.acknowledged for o in result.outcomes] == [True, False, True, True]
    assert (result.received, result.new, result.duplicate, result.rejected) == (4, 3, 0, 1)
    again = client.upload(batch)
    assert [o.status for o in again.outcomes] == ["duplicate", "rejected", "duplicate",
                                                  "duplicate"]
    assert len(live.service.transactions()) == 3
    assert len(live.service.flagged()) == 2  # each forged copy received is kept


def test_concurrent_uploads_store_each_record_once(live: Live) -> None:
    card = Card(CARD1)
    batch = [card.purchase(10, ttsn=i, when=at(9, i // 60, i % 60)) for i in range(1, 201)]

    def send(_: int) -> UploadResult:
        with ClearingClient(live.url, TOKEN) as c:
            return c.upload(batch)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(send, range(4)))
    for i in range(len(batch)):
        assert sorted(r.outcomes[i].status for r in results) == ["duplicate"] * 3 + ["new"]
    assert len(live.service.transactions(limit=10_000)) == 200


def test_secrets_stay_hidden(live_sqlite: Live, sqlite_url: str) -> None:
    texts = [repr(live_sqlite.service.keys), repr(settings_for(sqlite_url)),
             repr(settings_for(sqlite_url).keys)]
    for text in texts:
        assert "0F1E2D3C" not in text.upper() and "5A6B7C8D" not in text.upper()
        assert TOKEN not in text


def test_every_v1_route_needs_the_token(live_sqlite: Live) -> None:
    routes: list[tuple[str, str, Any]] = [
              ("POST", "/v1/transactions", []), ("GET", "/v1/transactions", None),
              ("GET", "/v1/flagged", None), ("GET", "/v1/hotlist", None),
              ("POST", "/v1/hotlist", {"card_no": CARD1}),
              ("POST", "/v1/loads/authorise", {}), ("GET", "/v1/cards", None),
              ("POST", "/v1/cards", {"card_no": CARD1, "issued_balance_fen": 1}),
              ("GET", "/v1/reconciliation/2026-11-26", None)]
    with httpx.Client(base_url=live_sqlite.url) as http:
        for method, path, body in routes:
            for headers in ({}, {"Authorization": "Bearer wrong-token-xxxxxx"},
                            {"Authorization": f"Basic {TOKEN}"}):
                r = http.request(method, path, json=body, headers=headers)
                assert r.status_code == 401, (method, path, headers)
                assert r.json()["error"] == "unauthorized"
                assert r.headers["www-authenticate"] == "Bearer"
        # nothing changed
        assert live_sqlite.service.hotlist().version == 0
        assert http.get("/healthz").json()["status"] == "ok"
        ok = http.get("/v1/hotlist", headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200


def test_wrong_token_in_the_client(live_sqlite: Live) -> None:
    with ClearingClient(live_sqlite.url, "not-the-token") as c, \
            pytest.raises(ClearingUnauthorized) as info:
        c.hotlist()
    assert exit_code(info.value) == EXIT_CONFIG
    assert "not-the-token" not in str(info.value)


def test_openapi_document_is_meaningful(live_sqlite: Live) -> None:
    doc = httpx.get(f"{live_sqlite.url}/openapi.json").json()
    schemas = doc["components"]["schemas"]
    record = schemas["TransactionRecord"]
    assert set(record["required"]) == {"card_no", "card_atc", "terminal_id", "ttsn", "type",
                                       "amount_fen", "balance_after_fen", "date_time", "tac",
                                       "alg", "hotlist_version"}
    assert all(p.get("description") for p in record["properties"].values())
    upload = doc["paths"]["/v1/transactions"]["post"]
    body = upload["requestBody"]["content"]["application/json"]["schema"]
    assert body["items"] == {"$ref": "#/components/schemas/TransactionRecord"}
    assert upload["security"] == [{"token": []}]
    assert doc["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    assert "since" in str(doc["paths"]["/v1/hotlist"]["get"]["parameters"])
    for path in ("/v1/loads/authorise", "/v1/reconciliation/{day}", "/v1/cards"):
        assert path in doc["paths"]


def test_hotlist_through_the_client(client: ClearingClient) -> None:
    assert client.hotlist().version == 0
    first = client.report_lost("4102000000000004", "lost")
    assert (first.added, first.version) == (True, 1)
    second = client.report_lost("4102000000000002", "stolen")
    assert second.version == 2
    assert client.report_lost("4102000000000004").added is False
    full = client.hotlist()
    assert full.full and full.version == 2
    assert full.card_numbers == ("4102000000000002", "4102000000000004")
    changes = client.hotlist(since=1)
    assert (changes.full, changes.since, changes.card_numbers) == (False, 1,
                                                                   ("4102000000000002",))
    assert client.hotlist(since=2).cards == ()


# card-spec section 8: load, random A1B2C3D4, online ATC 1, balance 0, 10000 fen, 09:00:00
LOAD_VECTOR: dict[str, Any] = {
    "card_factor": crypto.to_bcd(CARD1, 8), "online_atc": 1,
    "card_random": bytes.fromhex("A1B2C3D4"), "balance_before": 0, "amount": 10_000,
    "terminal_id": TID, "date": bytes.fromhex("20261126"), "time": bytes.fromhex("090000")}


@pytest.mark.parametrize("alg,mac1,mac2", [(Alg.TDES, "530882EB", "5E8990C3"),
                                           (Alg.SM4, "AF4967E5", "2083D29A")])
def test_load_authorisation_gives_the_spec_mac2(client: ClearingClient, alg: Alg, mac1: str,
                                                mac2: str) -> None:
    authority: LoadAuthority = client
    answer = authority.authorize_load(alg=alg, mac1=bytes.fromhex(mac1), **LOAD_VECTOR)
    assert answer == bytes.fromhex(mac2)


def test_load_refusals(client_sqlite: ClearingClient, live_sqlite: Live) -> None:
    good = {**LOAD_VECTOR, "alg": Alg.TDES, "mac1": bytes.fromhex("530882EB")}
    with pytest.raises(LoadMac1Error) as bad_mac:
        client_sqlite.authorize_load(**{**good, "mac1": bytes.fromhex("530882EA")})
    refused = bad_mac.value.__cause__
    assert isinstance(refused, ClearingRejected) and refused.status == 403
    assert refused.service_code == "mac1_invalid"
    with pytest.raises(LoadOverLimit) as over:
        client_sqlite.authorize_load(**{**good, "balance_before": 95_000})
    assert over.value.code == "balance_limit"
    client_sqlite.report_lost(CARD1)
    with pytest.raises(LoadHotlisted) as hot:
        client_sqlite.authorize_load(**good)
    assert isinstance(hot.value, LoadDeclined) and hot.value.code == "load_hotlisted"
    with live_sqlite.service.repo.db.transaction() as tx:
        outcomes = [r[0] for r in tx.execute(
            "SELECT reason FROM load_authorisations ORDER BY id")]
    assert outcomes == ["mac1_invalid", "load_limit", "card_hotlisted"]


def test_unreachable_service() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with ClearingClient(f"http://127.0.0.1:{port}", TOKEN, timeout_s=2) as c:
        with pytest.raises(ClearingUnreachable) as info:
            c.upload([])
        assert isinstance(info.value, DeviceError)
        assert exit_code(info.value) == EXIT_UNAVAILABLE
        with pytest.raises(LoadAuthorityUnavailable) as load:
            c.authorize_load(alg=Alg.TDES, mac1=b"\0" * 4, **LOAD_VECTOR)
        assert isinstance(load.value.__cause__, ClearingUnreachable)


def test_timeout_is_unreachable() -> None:
    """A service that accepts the connection and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        with ClearingClient(url, TOKEN, timeout_s=0.3) as c, \
                pytest.raises(ClearingUnreachable, match="timed out"):
            c.hotlist()
    finally:
        for conn in accepted:
            conn.close()
        listener.close()


def _mock(status: int, body: Any) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        if isinstance(body, bytes):
            return httpx.Response(status, content=body)
        return httpx.Response(status, json=body)
    return httpx.MockTransport(handler)


@pytest.mark.parametrize("status,body,error", [
    (200, b"<html>", ClearingBadAnswer),
    (200, {"received": 1, "outcomes": []}, ClearingBadAnswer),
    (200, {"received": 1, "new": 1, "duplicate": 0, "rejected": 0,
           "outcomes": [{"index": 0, "status": "stored"}]}, ClearingBadAnswer),
    (503, {"error": "storage_unavailable", "message": "db down"}, ClearingUnreachable),
    (500, b"oops", ClearingUnreachable),
    (413, {"error": "batch_too_large", "message": "too many"}, ClearingRejected),
])
def test_bad_and_error_answers(status: int, body: Any, error: type[Exception]) -> None:
    record = Card(CARD1).purchase(1, ttsn=1, when=at(9))
    with ClearingClient("http://clearing.test", TOKEN, transport=_mock(status, body)) as c, \
            pytest.raises(error):
        c.upload([record])


def test_load_answer_checked() -> None:
    wrong_card = {"mac2": "5E8990C3", "card_no": "4102000000000002", "online_atc": 1,
                  "amount_fen": 10_000}
    for body in (wrong_card, {"mac2": "XYZ"}, {"card_no": CARD1}):
        with ClearingClient("http://clearing.test", TOKEN, transport=_mock(200, body)) as c, \
                pytest.raises(LoadAuthorityError) as info:
            c.authorize_load(alg=Alg.TDES, mac1=b"\0" * 4, **LOAD_VECTOR)
        assert info.value.code == "load_bad_answer"


def test_client_from_settings(tmp_path: Path) -> None:
    with pytest.raises(ServiceConfigError):
        ClearingClient.from_settings(Settings())
    token_file = tmp_path / "clearing.token"
    settings = Settings().override({"clearing_client": {
        "url": "http://127.0.0.1:1/", "token_file": str(token_file)}})
    with pytest.raises(ServiceConfigError, match="does not exist"):
        ClearingClient.from_settings(settings)
    token_file.write_text(TOKEN + "\n")
    token_file.chmod(0o644)
    with pytest.raises(ServiceConfigError, match="chmod 600"):
        ClearingClient.from_settings(settings)
    token_file.chmod(0o600)
    with ClearingClient.from_settings(settings) as c:
        assert c.base_url == "http://127.0.0.1:1"
        assert TOKEN not in repr(c)


def test_reconciliation_and_cards_over_http(live_sqlite: Live) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=live_sqlite.url, headers=auth) as http:
        reg = {"card_no": CARD1, "issued_balance_fen": 10_000}
        assert http.post("/v1/cards", json=reg).status_code == 201
        assert http.post("/v1/cards", json=reg).status_code == 200
        clash = http.post("/v1/cards", json={**reg, "issued_balance_fen": 1})
        assert (clash.status_code, clash.json()["error"]) == (409, "conflict")
        card = Card(CARD1)
        http.post("/v1/transactions", json=[card.purchase(250, ttsn=1, when=at(10))])
        rec = http.get("/v1/reconciliation/2026-11-26").json()
        assert rec["ok"] is True
        assert rec["cards"][0]["expected_balance_fen"] == 9750
        assert http.get("/v1/reconciliation/2026-13-01").status_code == 422
        listed = http.get("/v1/transactions", params={"card_no": CARD1}).json()
        assert [t["amount_fen"] for t in listed] == [250]
        assert http.get("/v1/transactions", params={"date": str(dt.date(2026, 11, 27))}
                        ).json() == []
