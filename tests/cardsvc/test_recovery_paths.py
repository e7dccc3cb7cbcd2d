"""Recovery's other branches, with the card going from terminal A to terminal B in between:
the proof superseded by a later transaction of the same type (and not by one of another
type), a purse log that no longer reaches the torn counter, and a card that answers GET
TRANSACTION PROVE or READ RECORD with something unusable."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cardsvc.errors import CardProtocolError, CardRemovedError
from cardsvc.journal import Entry
from tests.cardsvc.hall import Hall
from tests.cardsvc.test_recovery_match import PIN, interleave, recover, torn_purchase

FEN = 10  # what terminal B charges per tap


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[Hall]:
    h = Hall(tmp_path)
    yield h
    h.close()


def taps_at_b(hall: Hall, n: int) -> None:
    for _ in range(n):
        hall.lanes["B"].tick()
        hall.at("B").purchase(FEN)


def test_a_later_purchase_elsewhere_supersedes_the_proof(hall: Hall) -> None:
    torn = torn_purchase(hall, "A", 700, "after")
    taps_at_b(hall, 1)
    entries = recover(hall, "A")
    done = entries[torn.id]
    assert done.status == "completed" and not done.tac and not done.mac2
    assert "no TAC" in (done.detail or "") and "later transaction" in (done.detail or "")
    assert hall.balance() == 10000 - 700 - FEN


@pytest.mark.parametrize("op", ["load", "ride"])
def test_a_later_transaction_of_another_type_leaves_the_proof(hall: Hall, op: str) -> None:
    """Proofs are kept per type: a load after a purchase, or a plain purchase after a bus fare
    (compound), leaves the torn transaction provable."""
    hall.card.tear(1, "after", prefix="8054")
    with pytest.raises(CardRemovedError):
        if op == "load":
            hall.at("A").purchase(700)
        else:
            hall.at("A").ride("1")
    [torn] = hall.lanes["A"].journal.unresolved()
    hall.insert()
    if op == "load":
        hall.at("B").load(500, PIN)
    else:
        hall.at("B").purchase(FEN)
    done = recover(hall, "A")[torn.id]
    assert done.status == "completed" and done.tac and len(done.tac) == 8
    assert "GET TRANSACTION PROVE" in (done.detail or "")


@pytest.mark.parametrize(("when", "taps", "outcome", "undetermined"), [
    ("before", 10, "failed", False),    # B's ten records: the oldest is the torn counter, B's
    ("before", 11, "completed", True),  # the log no longer reaches it (it was B's)
    ("after", 9, "completed", False),   # still in the log, superseded
    ("after", 10, "completed", True),   # scrolled out (it was ours)
])
def test_when_the_purse_log_no_longer_reaches_the_counter(hall: Hall, when: str, taps: int,
                                                          outcome: str,
                                                          undetermined: bool) -> None:
    """EF18 holds the last 10 transactions. Once the torn counter has scrolled out of it, the
    card cannot say whose transaction took that counter: the entry is completed without a TAC
    and says it is undetermined (clearing settles it against the other terminals' records),
    never failed while the card may have taken the money."""
    torn = torn_purchase(hall, "A", 700, when)
    taps_at_b(hall, taps)
    done = recover(hall, "A")[torn.id]
    assert done.status == outcome and not done.tac
    assert ("undetermined" in (done.detail or "")) is undetermined
    applied = 700 if when == "after" else 0
    assert hall.balance() == 10000 - applied - taps * FEN


def test_a_log_that_is_not_full_holds_every_transaction(hall: Hall) -> None:
    """Nine records, none a debit: the card has made no debit at all since issue, so the torn
    purchase did not happen (the log is not full: nothing scrolled out)."""
    for _ in range(8):
        hall.at("A").load(10, PIN)
        hall.lanes["A"].tick()
    torn = torn_purchase(hall, "A", 700, "before")
    hall.at("B").load(10, PIN)
    assert len(hall.at("A").history().purse) == 9
    assert recover(hall, "A")[torn.id].status == "failed"


def prove_fails(hall: Hall, answer: Callable[[Hall], None]) -> Entry:
    torn = torn_purchase(hall, "A", 700, "after")
    answer(hall)
    return recover(hall, "A")[torn.id]


def test_a_prove_answered_with_an_unexpected_status_completes_without_tac(hall: Hall) -> None:
    """The card did debit (its log says so); a card that cannot prove it must not keep the
    entry, and the card, stuck at this terminal."""
    done = prove_fails(hall, lambda h: h.card.answer("805A", 0x6985))
    assert done.status == "completed" and not done.tac
    assert "no TAC" in (done.detail or "") and "6985" in (done.detail or "")


def test_a_prove_answered_cut_short_completes_without_tac(hall: Hall) -> None:
    done = prove_fails(hall, lambda h: h.card.answer("805A", 0x9000, data=bytes(4)))
    assert done.status == "completed" and not done.tac


def test_a_card_torn_during_the_prove_leaves_the_entry_for_next_time(hall: Hall) -> None:
    torn = torn_purchase(hall, "A", 700, "after")
    hall.card.tear(1, "before", prefix="805A")
    with pytest.raises(CardRemovedError):
        hall.at("A").recover()
    assert hall.lanes["A"].journal.get(torn.id).status == "unknown"
    hall.insert()
    done = recover(hall, "A")[torn.id]
    assert done.status == "completed" and done.tac


def test_a_damaged_purse_record_is_a_card_error_and_resolves_nothing(hall: Hall) -> None:
    torn = torn_purchase(hall, "A", 700, "after")
    hall.card.answer("00B2", 0x9000, data=bytes.fromhex("0001"))
    with pytest.raises(CardProtocolError):
        hall.at("A").recover()
    assert hall.lanes["A"].journal.get(torn.id).status == "unknown"
    hall.insert()
    assert recover(hall, "A")[torn.id].status == "completed"


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_full_log_of_top_ups_elsewhere_leaves_the_purchase_waiting(hall: Hall,
                                                                     when: str) -> None:
    """Ten loads since the torn purchase: the log's oldest record has counter 0 too, but of
    the other counter, and says nothing of the debit counter. The entry waits (neither
    completed, which could book a counter the card has not used, nor failed) until the card
    has made a debit; then the card's next debit record, or the counter this terminal's own
    next purchase is given, settles it."""
    torn = torn_purchase(hall, "A", 700, when)  # debit counter 0
    for _ in range(10):
        hall.lanes["B"].tick()
        hall.at("B").load(10, PIN)  # load counters 0..9
    assert [r.atc for r in hall.at("A").history().purse][-1] == torn.card_atc
    assert hall.at("A").recover() == []
    waiting = hall.lanes["A"].journal.get(torn.id)
    assert waiting.status == "unknown" and "holds no debit since" in (waiting.detail or "")
    hall.lanes["A"].tick()
    if when == "after":
        hall.at("B").purchase(FEN)  # debit counter 1: counter 0 was used, and scrolled out
        done = recover(hall, "A")[torn.id]
        assert done.status == "completed" and not done.tac
        assert "undetermined" in (done.detail or "")
    else:
        again = hall.at("A").purchase(700)  # resolves first (still waiting), then counter 0
        assert again.card_atc == torn.card_atc
        done = recover(hall, "A")[torn.id]
        assert done.status == "failed" and f"entry {again.entry_id}" in (done.detail or "")
    assert hall.balance() == 10000 + 100 - 700 - (FEN if when == "after" else 0)


def test_a_torn_top_up_waits_through_ten_purchases_elsewhere(
        hall: Hall, caplog: pytest.LogCaptureFixture) -> None:
    hall.card.tear(1, "after", prefix="8052")
    with pytest.raises(CardRemovedError):
        hall.at("A").load(700, PIN)
    [torn] = hall.lanes["A"].journal.unresolved()
    hall.insert()
    taps_at_b(hall, 10)
    with caplog.at_level(logging.INFO, logger="cardsvc.recovery"):
        assert hall.at("A").recover() == []
    waiting = hall.lanes["A"].journal.get(torn.id)
    assert waiting.status == "unknown" and "holds no top-up since" in (waiting.detail or "")
    assert [r.getMessage() for r in caplog.records] == ["journal entry waits"]
    hall.at("B").load(10, PIN)  # online counter 1: counter 0 was used (ours), scrolled out
    done = recover(hall, "A")[torn.id]
    assert done.status == "completed" and "undetermined" in (done.detail or "")


def test_nothing_to_resolve_costs_nothing_but_the_select(hall: Hall) -> None:
    hall.at("A").purchase(10)
    before = hall.card.commands_total
    assert hall.at("A").recover() == []
    assert hall.card.commands_total - before == 1  # SELECT; the log is not read


def test_resolutions_come_back_in_journal_order_and_are_logged(
        hall: Hall, caplog: pytest.LogCaptureFixture) -> None:
    first, second = interleave(hall, 700, 700, second_torn=True)
    with caplog.at_level(logging.INFO, logger="cardsvc.recovery"):
        resolved = hall.at("A").recover()
    assert [r.entry_id for r in resolved] == [first.id, second.id]
    assert [r.outcome for r in resolved] == ["completed", "failed"]
    logged = [(r.entry_id, r.outcome) for r in caplog.records  # type: ignore[attr-defined]
              if r.getMessage() == "journal entry resolved"]
    assert logged == [(first.id, "completed"), (second.id, "failed")]


def test_recovery_of_one_card_leaves_the_other_cards_entries_alone(hall: Hall) -> None:
    other = torn_purchase(hall, "A", 700, "after")  # card 1, its answer lost at A
    hall.insert("4102000000000002")
    assert hall.at("A").recover() == []  # card 2 has nothing to resolve; card 1 is not here
    assert hall.lanes["A"].journal.get(other.id).status == "unknown"
    hall.insert("4102000000000001")
    assert recover(hall, "A")[other.id].status == "completed"
