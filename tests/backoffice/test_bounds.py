"""An upload is bounded before it is parsed, and every answer has the documented body
(issue 12, item 4: 200,000 records (6.6 MB) were validated in full before the 5,000-record
limit answered 413, stalling /healthz and the terminals' uploaders; unknown routes answered
FastAPI's `{"detail": "Not Found"}`)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from backoffice.clearing import service as service_module
from backoffice.clearing.app import build_service, create_app
from tests.backoffice.conftest import TOKEN, Clock, Live, settings_for

AUTH = {"Authorization": f"Bearer {TOKEN}"}


class CountingAdapter:
    """Wraps a pydantic TypeAdapter and counts how often a body reaches it."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls = 0

    def validate_json(self, *args: Any, **kw: Any) -> Any:
        self.calls += 1
        return self.real.validate_json(*args, **kw)


@pytest.fixture
def adapters(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[CountingAdapter]]:
    # the service's own module-level adapters (not exported), spied on where it looks them up
    spies = [CountingAdapter(service_module.RECORDS_ADAPTER),  # type: ignore[attr-defined]
             CountingAdapter(service_module.RECORD_ADAPTER)]  # type: ignore[attr-defined]
    monkeypatch.setattr(service_module, "RECORDS_ADAPTER", spies[0])
    monkeypatch.setattr(service_module, "RECORD_ADAPTER", spies[1])
    yield spies


@pytest.mark.parametrize(("record", "code"), [
    ({"card_no": "4102000000000001"}, "payload_too_large"),  # 6.6 MB, as in the issue
    ({}, "batch_too_large"),  # 600 kB: under the byte limit, over the record count
])
def test_too_many_records_are_refused_before_any_is_validated(
        live_sqlite: Live, adapters: list[CountingAdapter], record: dict[str, str],
        code: str) -> None:
    body = json.dumps([record] * 200_000).encode()
    answer = httpx.post(f"{live_sqlite.url}/v1/transactions", content=body, timeout=60,
                        headers={**AUTH, "Content-Type": "application/json"})
    assert answer.status_code == 413
    assert answer.json()["error"] == code
    assert [spy.calls for spy in adapters] == [0, 0]
    assert httpx.get(f"{live_sqlite.url}/healthz", timeout=10).status_code == 200


def _app(sqlite_url: str, clock: Clock, **kw: object) -> Any:
    settings = settings_for(sqlite_url, **kw)
    return create_app(settings, service=build_service(settings, clock))


def _post_stream(app: Any, chunks: int, chunk: bytes, *,
                 declare: bool) -> tuple[httpx.Response, int]:
    """POST an upload whose body comes from a generator; returns the answer and how many
    chunks the server pulled."""
    pulled = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(chunks):
            pulled += 1
            yield chunk

    async def go() -> httpx.Response:
        headers = {**AUTH, "Content-Type": "application/json"}
        if declare:
            headers["Content-Length"] = str(chunks * len(chunk))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://clearing") as client:
            return await client.post("/v1/transactions", content=body(), headers=headers)

    return asyncio.run(go()), pulled


def test_a_body_over_the_limit_is_refused_by_its_length_unread(
        sqlite_url: str, clock: Clock) -> None:
    app = _app(sqlite_url, clock, max_body_bytes=64 * 1024)
    answer, pulled = _post_stream(app, 1000, b" " * 1024, declare=True)
    assert answer.status_code == 413 and answer.json()["error"] == "payload_too_large"
    assert pulled <= 1  # refused on Content-Length, before the body


def test_a_streamed_body_is_cut_off_at_the_limit(sqlite_url: str, clock: Clock) -> None:
    app = _app(sqlite_url, clock, max_body_bytes=64 * 1024)
    answer, pulled = _post_stream(app, 1000, b" " * 1024, declare=False)
    assert answer.status_code == 413
    assert pulled <= 66  # 64 KiB and a chunk: not the megabyte that was on offer


def test_deeply_nested_json_is_a_malformed_request(live_sqlite: Live) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    answer = httpx.post(f"{live_sqlite.url}/v1/transactions", content=body, headers=AUTH,
                        timeout=30)
    assert answer.status_code == 422 and answer.json()["error"] == "invalid_input"


@pytest.mark.parametrize(("method", "path", "status", "code"), [
    ("GET", "/nosuch", 404, "not_found"),
    ("GET", "/v1/nosuch", 404, "not_found"),
    ("DELETE", "/v1/transactions", 405, "bad_request"),
])
def test_routing_errors_have_the_documented_body(
        live_sqlite: Live, method: str, path: str, status: int, code: str) -> None:
    answer = httpx.request(method, f"{live_sqlite.url}{path}", headers=AUTH, timeout=10)
    assert answer.status_code == status
    assert set(answer.json()) == {"error", "message", "message_zh"}
    assert answer.json()["error"] == code
