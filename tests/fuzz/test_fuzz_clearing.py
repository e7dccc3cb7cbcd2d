"""JSON into the clearing service: schemathesis from its own OpenAPI document, bounded for CI
(tests/fuzz/clearing_target.py says what is checked). Crashes found are kept as tests here."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fuzz.clearing_target import AUTH, Clearing, clearing, fuzz_operation
from tests.fuzz.profiles import fuzz_settings

EXAMPLES = max(10, fuzz_settings().max_examples // 5)  # per operation: 9 operations


@pytest.fixture
def target() -> Iterator[Clearing]:
    with clearing() as app:
        yield app


def test_every_operation_of_the_openapi_document(target: Clearing) -> None:
    for operation in target.operations():
        fuzz_operation(target, operation, EXAMPLES)


def _call(target: Clearing, method: str, path: str, **kw: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=target.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://clearing",
                                     headers=AUTH) as client:
            return await client.request(method, path, **kw)

    return asyncio.run(go())


@pytest.mark.parametrize("path", ["/v1/reconciliation/0", "/v1/transactions?date=0",
                                  "/v1/flagged?date=20261126"])
def test_a_day_is_only_yyyy_mm_dd(target: Clearing, path: str) -> None:
    """Found by the fuzzer: `0` was read as 1970-01-01."""
    answer = _call(target, "GET", path)
    assert answer.status_code == 422 and answer.json()["error"] == "invalid_input"


@pytest.mark.parametrize("path", ["/v1/flagged?after_id=9223372036854775808",
                                  "/v1/transactions?after_id=9223372036854775808",
                                  "/v1/hotlist?since=9223372036854775808"])
def test_an_id_past_64_bits_is_a_malformed_request(target: Clearing, path: str) -> None:
    """Found by the fuzzer: an OverflowError in the SQLite driver, a 500."""
    answer = _call(target, "GET", path)
    assert answer.status_code == 422 and answer.json()["error"] == "invalid_input"


def test_a_body_that_is_not_json_is_a_malformed_request(target: Clearing) -> None:
    """Found by the fuzzer: an undocumented 400 with FastAPI's words."""
    answer = _call(target, "POST", "/v1/cards", content=b"\xff\xfe",
                   headers={"Content-Type": "application/json"})
    assert answer.status_code == 422 and answer.json()["error"] == "invalid_input"


def test_a_card_type_is_one_of_the_profiles(target: Clearing) -> None:
    """Found by the fuzzer: any string up to 20 characters was registered as a card type."""
    before = target.state()
    answer = _call(target, "POST", "/v1/cards", json={
        "card_no": "4102000000000099", "issued_balance_fen": 0, "card_type": "balance_after_fen"})
    assert answer.status_code == 422
    assert target.state() == before
