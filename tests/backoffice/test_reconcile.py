"""Reconciliation per day, terminal and card, with and without mismatches (both databases)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from backoffice.clearing.models import CardRegistration, HotlistReport, Reconciliation
from backoffice.clearing.service import ClearingService
from tests.backoffice.cardsim import DAY, Card, at, flip_tac_byte
from tests.backoffice.conftest import Clock

T1, T2 = "410200000001", "410200000002"
A, B, C = "4102000000000001", "4102000000000002", "4102000000000003"


def register(service: ClearingService, card_no: str, balance: int, alg: str = "3des") -> None:
    service.register_card(CardRegistration.model_validate(
        {"card_no": card_no, "issued_balance_fen": balance, "alg": alg}))


def upload(service: ClearingService, records: list[dict[str, Any]]) -> None:
    result = service.ingest_json(json.dumps(records).encode())
    assert result.new + result.rejected == len(records)


def kinds(rec: Reconciliation) -> list[tuple[str, str | None]]:
    return sorted((m.kind, m.card_no) for m in rec.mismatches)


def test_a_clean_day(service: ClearingService) -> None:
    register(service, A, 10_000)
    register(service, B, 5_000, "sm4")
    a, b = Card(A), Card(B, alg="sm4", balance=5_000)
    yesterday = DAY - dt.timedelta(days=1)
    upload(service, [
        a.purchase(300, ttsn=1, when=at(18, day=yesterday)),       # counts for the balance only
        a.purchase(1250, ttsn=2, when=at(9)),
        a.load(1000, ttsn=1, when=at(10), terminal=T2),
        a.purchase(200, ttsn=3, when=at(12), compound=True),
        b.purchase(500, ttsn=4, when=at(12)),
        b.load(2000, ttsn=2, when=at(12), terminal=T2),             # same second as a debit
        Card("4102000000000005").purchase(1, ttsn=9, when=at(9, day=DAY + dt.timedelta(1))),
    ])
    rec = service.reconcile(DAY)
    assert rec.ok and rec.mismatches == []
    assert rec.totals.model_dump() == {"loads_count": 2, "loads_fen": 3000,
                                       "debits_count": 3, "debits_fen": 1950}
    terminals = {t.terminal_id: t for t in rec.terminals}
    assert (terminals[T1].debits_count, terminals[T1].debits_fen) == (3, 1950)
    assert (terminals[T2].loads_count, terminals[T2].loads_fen) == (2, 3000)
    cards = {c.card_no: c for c in rec.cards}
    assert set(cards) == {A, B}
    assert (cards[A].expected_balance_fen, cards[A].last_reported_balance_fen) == (9250, 9250)
    assert (cards[A].debits_count, cards[A].debits_fen, cards[A].loads_fen) == (2, 1450, 1000)
    assert (cards[B].expected_balance_fen, cards[B].last_reported_balance_fen) == (6500, 6500)
    empty = service.reconcile(DAY - dt.timedelta(days=5))
    assert empty.ok and empty.cards == [] and empty.totals.debits_count == 0


def test_mismatches_are_listed(service: ClearingService, clock: Clock) -> None:
    register(service, A, 10_000)
    register(service, B, 5_000)
    a, b, c = Card(A), Card(B, balance=5_000), Card(C)
    first = a.purchase(100, ttsn=1, when=at(9))
    a.purchase(100, ttsn=2, when=at(9, 30))  # counter 1 never reaches clearing
    third = a.purchase(100, ttsn=3, when=at(10))
    forged = flip_tac_byte(a.purchase(100, ttsn=4, when=at(11)))
    # the purchase TAC does not cover balance_after: a wrong balance is caught by the chain
    b1 = b.purchase(500, ttsn=5, when=at(9))
    b2 = {**b.purchase(500, ttsn=6, when=at(10)), "balance_after_fen": 4400}
    upload(service, [first, third, forged, b1, b2, c.purchase(50, ttsn=7, when=at(9))])
    clock.now = at(13)
    service.report_lost(HotlistReport(card_no=B))
    upload(service, [b.purchase(100, ttsn=8, when=at(14), hotlist_version=0)])
    rec = service.reconcile(DAY)
    assert not rec.ok
    assert kinds(rec) == [
        ("balance_chain", B), ("balance_mismatch", A), ("counter_gap", A), ("flagged", A),
        ("hotlisted_card", B), ("unregistered_card", C)]
    by_kind = {m.kind + (m.card_no or ""): m for m in rec.mismatches}
    assert "debit counter 1 missing before counter 2" in by_kind["counter_gap" + A].detail
    assert "4400 does not follow 4500 - 500" in by_kind["balance_chain" + B].detail
    assert "bad_tac" in by_kind["flagged" + A].detail
    cards = {x.card_no: x for x in rec.cards}
    assert (cards[A].expected_balance_fen, cards[A].last_reported_balance_fen) == (9800, 9700)
    # B's wrong balance is reported once; its next record follows what B should have had
    assert (cards[B].expected_balance_fen, cards[B].last_reported_balance_fen) == (3900, 3900)
    assert cards[C].registered is False and cards[C].expected_balance_fen is None
    # the gap closes when the missing record arrives late
    late = Card(A, offline_atc=1, balance=9900).purchase(100, ttsn=2, when=at(9, 30))
    upload(service, [late])
    after = service.reconcile(DAY)
    assert ("counter_gap", A) not in kinds(after)
    assert ("balance_mismatch", A) not in kinds(after)


def test_previous_days_mismatches_are_not_repeated(service: ClearingService) -> None:
    register(service, A, 10_000)
    a = Card(A)
    yesterday = DAY - dt.timedelta(days=1)
    upload(service, [{**a.purchase(100, ttsn=1, when=at(9, day=yesterday)),
                      "balance_after_fen": 1}])
    assert ("balance_chain", A) in kinds(service.reconcile(yesterday))
    upload(service, [a.purchase(100, ttsn=2, when=at(9))])
    today = service.reconcile(DAY)
    assert kinds(today) == []  # the chain restarts from the reported balance; totals agree
