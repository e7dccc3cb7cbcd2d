"""Hotlist versions and load authorisation in the service (both databases)."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from backoffice.clearing.models import HotlistReport, LoadAuthorisationRequest
from backoffice.clearing.service import ClearingService
from backoffice.errors import CardHotlisted, InvalidInput, MacInvalid

CARDS = ["4102000000000009", "4102000000000003", "4102000000000007", "4102000000000001"]


def test_versions_grow_by_one_per_listing(service: ClearingService) -> None:
    assert service.hotlist().version == 0 and service.hotlist().cards == []
    versions = [service.report_lost(HotlistReport(card_no=c)).version for c in CARDS]
    assert versions == [1, 2, 3, 4]
    again = service.report_lost(HotlistReport(card_no=CARDS[0], reason="stolen"))
    assert (again.added, again.version, again.entry.version, again.entry.reason) == (
        False, 4, 1, "lost")
    full = service.hotlist()
    assert full.full and full.since is None and full.version == 4
    assert [e.card_no for e in full.cards] == sorted(CARDS)
    assert [e.version for e in full.cards] == [4, 2, 3, 1]


def test_changes_since_a_version(service: ClearingService) -> None:
    for card in CARDS:
        service.report_lost(HotlistReport(card_no=card))
    since2 = service.hotlist(since=2)
    assert (since2.full, since2.since, since2.version) == (False, 2, 4)
    assert [e.card_no for e in since2.cards] == sorted(CARDS[2:])
    assert service.hotlist(since=4).cards == []
    # a terminal ahead of the service (restored database) gets the whole list
    ahead = service.hotlist(since=9)
    assert ahead.full and len(ahead.cards) == 4
    with pytest.raises(InvalidInput):
        service.hotlist(since=-1)


def _load_request(**kw: object) -> LoadAuthorisationRequest:
    base: dict[str, object] = {
        "card_no": "4102000000000001", "alg": "3des", "online_atc": 1,
        "card_random": "A1B2C3D4", "balance_before_fen": 0, "amount_fen": 10_000,
        "terminal_id": "410200000001", "date_time": "2026-11-26T09:00:00",
        "mac1": "530882EB"}
    return LoadAuthorisationRequest.model_validate({**base, **kw})


def test_load_authorisation_vector_and_hotlist(service: ClearingService) -> None:
    answer = service.authorise_load(_load_request())
    assert answer.mac2 == "5E8990C3"
    assert service.authorise_load(_load_request(alg="sm4", mac1="AF4967E5")).mac2 == "2083D29A"
    with pytest.raises(MacInvalid):
        service.authorise_load(_load_request(amount_fen=10_001))
    service.report_lost(HotlistReport(card_no="4102000000000001"))
    with pytest.raises(CardHotlisted):
        service.authorise_load(_load_request())


def test_load_request_validation() -> None:
    for bad in ({"online_atc": "1"}, {"date_time": 1764147600}, {"mac1": "53088"},
                {"date_time": "2026-11-26T09:00:00Z"}, {"extra": 1}):
        with pytest.raises(ValidationError):
            _load_request(**bad)
    assert _load_request().date_time == dt.datetime(2026, 11, 26, 9)
