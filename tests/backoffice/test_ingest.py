"""Ingest: TAC checks, idempotency, duplicates vs conflicts, flagged records (both databases)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from backoffice.clearing.models import UploadResult
from backoffice.clearing.service import ClearingService
from backoffice.errors import BatchTooLarge, InvalidInput
from tests.backoffice.cardsim import TERMINAL, Card, at, flip_tac_byte


def upload(service: ClearingService, records: list[dict[str, Any]]) -> UploadResult:
    return service.ingest_json(json.dumps(records).encode())


def statuses(result: UploadResult) -> list[str]:
    return [o.reason_code or o.status for o in result.outcomes]


def count(service: ClearingService) -> int:
    return len(service.transactions(limit=10_000))


# card-spec section 8: the TACs typed in as the spec prints them (card 4102000000000001,
# terminal 410200000001, 2026-11-26)
SPEC_RECORDS: list[tuple[dict[str, Any], str]] = [
    ({"card_atc": 5, "ttsn": 0x10, "type": "purchase", "amount_fen": 1250,
      "balance_after_fen": 8750, "date_time": "2026-11-26T12:00:00", "alg": "3des"}, "56416C95"),
    ({"card_atc": 6, "ttsn": 0x11, "type": "compound", "amount_fen": 200,
      "balance_after_fen": 8550, "date_time": "2026-11-26T07:30:15", "alg": "3des"}, "5E748E6E"),
    ({"card_atc": 1, "ttsn": 1, "type": "load", "amount_fen": 10000,
      "balance_after_fen": 10000, "date_time": "2026-11-26T09:00:00", "alg": "3des"}, "0EE5B348"),
]
SPEC_SM4: list[tuple[dict[str, Any], str]] = [
    ({"card_atc": 5, "ttsn": 0x10, "type": "purchase", "amount_fen": 1250,
      "balance_after_fen": 8750, "date_time": "2026-11-26T12:00:00", "alg": "sm4"}, "C9CAD79C"),
    ({"card_atc": 1, "ttsn": 1, "type": "load", "amount_fen": 10000,
      "balance_after_fen": 10000, "date_time": "2026-11-26T09:00:00", "alg": "sm4"}, "5DEB1724"),
]


def spec_record(fields: dict[str, Any], tac: str) -> dict[str, Any]:
    return {"card_no": "4102000000000001", "terminal_id": TERMINAL, "hotlist_version": 0,
            **fields, "tac": tac}


def test_spec_vector_tacs_verify(service: ClearingService) -> None:
    result = upload(service, [spec_record(f, t) for f, t in SPEC_RECORDS])
    assert statuses(result) == ["new", "new", "new"]


def test_spec_vector_tacs_verify_sm4(service: ClearingService) -> None:
    result = upload(service, [spec_record(f, t) for f, t in SPEC_SM4])
    assert statuses(result) == ["new", "new"]
    # the same records claimed as 3DES do not verify
    swapped = [spec_record({**f, "alg": "3des", "ttsn": f["ttsn"] + 100, "card_atc": 40 + i},
                           t) for i, (f, t) in enumerate(SPEC_SM4)]
    assert statuses(upload(service, swapped)) == ["bad_tac", "bad_tac"]


def test_a_record_sent_twice_is_stored_once(service: ClearingService) -> None:
    card = Card("4102000000000001")
    batch = [card.purchase(100 + i, ttsn=10 + i, when=at(9, i)) for i in range(5)]
    first = upload(service, batch)
    assert (first.new, first.duplicate, first.rejected) == (5, 0, 0)
    again = upload(service, batch)
    assert (again.new, again.duplicate, again.rejected) == (0, 5, 0)
    assert statuses(again) == ["duplicate"] * 5
    assert count(service) == 5
    # a copy inside the same batch is a duplicate too; the hotlist version is not content
    extra = card.purchase(77, ttsn=20, when=at(10))
    mixed = upload(service, [extra, batch[0], {**extra, "hotlist_version": 9}])
    assert statuses(mixed) == ["new", "duplicate", "duplicate"]
    assert count(service) == 6


def test_tac_case_and_unknown_fields_do_not_matter(service: ClearingService) -> None:
    rec = Card("4102000000000002").purchase(300, ttsn=1, when=at(11))
    assert statuses(upload(service, [{**rec, "tac": rec["tac"].lower(), "status": "x"}])) \
        == ["new"]
    assert statuses(upload(service, [rec])) == ["duplicate"]


def test_same_key_other_content_is_a_conflict_and_flagged(service: ClearingService) -> None:
    card = Card("4102000000000001")
    original = card.purchase(500, ttsn=30, when=at(9))
    assert statuses(upload(service, [original])) == ["new"]
    # same card counter, terminal and TTSN, another amount with a TAC that verifies for it
    twin = Card("4102000000000001", balance=10_000)
    altered = twin.purchase(900, ttsn=30, when=at(9))
    result = upload(service, [altered])
    assert statuses(result) == ["conflict"]
    outcome = result.outcomes[0]
    assert outcome.status == "rejected" and outcome.flag_id is not None
    assert "amount_fen" in (outcome.reason or "")
    stored = service.transactions()
    assert [(t.amount_fen, t.ttsn) for t in stored] == [(500, 30)]
    flags = service.flagged()
    assert [(f.reason_code, f.existing_id) for f in flags] == [("conflict", stored[0].id)]
    assert json.loads(flags[0].record)["amount_fen"] == 900


def test_same_card_counter_other_terminal_is_a_conflict(service: ClearingService) -> None:
    a = Card("4102000000000001")
    assert statuses(upload(service, [a.purchase(100, ttsn=1, when=at(9))])) == ["new"]
    b = Card("4102000000000001")  # the same counter value 0, seen on another terminal
    clash = b.purchase(100, ttsn=1, when=at(9), terminal="410200000002")
    assert statuses(upload(service, [clash])) == ["conflict"]


def test_reused_terminal_ttsn_is_a_conflict(service: ClearingService) -> None:
    """The purchase TAC covers the TTSN but not the card counter: replaying a purchase
    with another card_atc must not credit a second debit."""
    rec = Card("4102000000000001").purchase(100, ttsn=7, when=at(9))
    assert statuses(upload(service, [rec])) == ["new"]
    replay = {**rec, "card_atc": rec["card_atc"] + 1}
    result = upload(service, [replay])
    assert statuses(result) == ["conflict"]
    assert "TTSN 7" in (result.outcomes[0].reason or "")
    assert count(service) == 1


def test_one_altered_tac_byte_is_rejected_and_flagged_rest_stored(
        service: ClearingService) -> None:
    card = Card("4102000000000005", alg="sm4")
    batch = [card.purchase(100, ttsn=i, when=at(9, i)) for i in range(1, 6)]
    batch[2] = flip_tac_byte(batch[2], index=3)
    result = upload(service, batch)
    assert statuses(result) == ["new", "new", "bad_tac", "new", "new"]
    assert result.outcomes[2].status == "rejected"
    stored = service.transactions()
    assert sorted(t.ttsn for t in stored) == [1, 2, 4, 5]
    flags = service.flagged()
    assert [(f.reason_code, f.card_no, f.ttsn) for f in flags] == [("bad_tac", card.card_no, 3)]
    assert flags[0].id == result.outcomes[2].flag_id
    # sending the genuine record later works: the forged copy was never stored
    genuine = Card("4102000000000005", alg="sm4", offline_atc=2, balance=9800)
    assert statuses(upload(service, [genuine.purchase(100, ttsn=3, when=at(9, 3))])) == ["new"]


@pytest.mark.parametrize("field,value", [
    ("amount_fen", 1), ("date_time", "2026-11-26T09:00:01"), ("terminal_id", "410200000009"),
    ("ttsn", 99), ("type", "compound"), ("card_no", "4102000000000009"), ("alg", "sm4"),
])
def test_any_field_under_the_tac_altered_is_rejected(service: ClearingService, field: str,
                                                     value: Any) -> None:
    rec = Card("4102000000000001").purchase(500, ttsn=5, when=at(9))
    assert statuses(upload(service, [{**rec, field: value}])) == ["bad_tac"]
    assert count(service) == 0


def test_load_tac_covers_balance_and_counter(service: ClearingService) -> None:
    card = Card("4102000000000001", balance=0)
    rec = card.load(5000, ttsn=1, when=at(9))
    assert statuses(upload(service, [{**rec, "balance_after_fen": 6000},
                                      {**rec, "card_atc": 3}, rec])) == [
        "bad_tac", "bad_tac", "new"]


def test_malformed_records_are_rejected_alone(service: ClearingService) -> None:
    card = Card("4102000000000001")
    good = card.purchase(100, ttsn=1, when=at(9))
    bad: list[Any] = [
        {"card_no": "12"},
        {**good, "ttsn": 2, "card_atc": "1"},           # a string where an integer goes
        {**good, "ttsn": 3, "amount_fen": 0},
        {**good, "ttsn": 4, "date_time": "2026-11-26T09:00:00+08:00"},
        {**good, "ttsn": 5, "type": "refund"},
        "not an object",
    ]
    result = upload(service, [good, *bad])
    assert statuses(result) == ["new"] + ["malformed"] * len(bad)
    assert "card_atc" in (result.outcomes[2].reason or "")
    assert "offset" in (result.outcomes[4].reason or "")
    assert count(service) == 1
    assert {f.reason_code for f in service.flagged()} == {"malformed"}


def test_body_must_be_an_array(service: ClearingService) -> None:
    with pytest.raises(InvalidInput):
        service.ingest_json(b'{"card_no": "4102000000000001"}')
    with pytest.raises(InvalidInput):
        service.ingest_json(b"not json")
    assert service.ingest_json(b"[]").received == 0


def test_batch_limit(service: ClearingService) -> None:
    service.max_batch = 3
    with pytest.raises(BatchTooLarge):
        service.ingest_json(json.dumps([{}] * 4).encode())


def test_a_record_without_tac_is_flagged_against_its_card(service: ClearingService) -> None:
    """A terminal's entry recovered after its proof was superseded has no TAC: it is rejected,
    and the flag still names the card and counter so that the card's reconciliation shows it."""
    card = Card("4102000000000001")
    record = {**card.purchase(100, ttsn=1, when=at(9)), "tac": ""}
    result = upload(service, [record])
    assert statuses(result) == ["malformed"]
    [flag] = service.flagged()
    assert (flag.card_no, flag.terminal_id, flag.card_atc) == \
        ("4102000000000001", TERMINAL, record["card_atc"])
    mismatches = service.reconcile(at(9).date()).mismatches
    assert any(m.kind == "flagged" and m.card_no == "4102000000000001" for m in mismatches)
