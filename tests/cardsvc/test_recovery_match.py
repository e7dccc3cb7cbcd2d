"""Every condition of recovery's purse-log match is necessary (issue 15).

For each field of the EF18 record (counter, type, amount, terminal, time) a torn entry meets a
record on the card that agrees with it on everything but that field; the entry must be failed,
never completed with somebody else's transaction. The records are made by real transactions:
another terminal that took the same counter after the tear here, a second tap in the same second,
a top-up in the same second, and a second program sharing this terminal's PSAM and journal
(issue 10's interleaving: its INIT, DEBIT and journal entry fall between this program's INIT and
DEBIT).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from cardsvc.errors import CardRemovedError, CardServiceError
from cardsvc.journal import Entry, Journal
from cardsvc.terminal import CardTerminal
from tests.cardsvc.hall import NOW, BeforeDebit, Hall

PIN = "123456"


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[Hall]:
    h = Hall(tmp_path)
    yield h
    h.close()


def torn_purchase(hall: Hall, at: str, amount: int, when: str = "before") -> Entry:
    """A purchase at ``at`` torn ``when`` the card gets DEBIT; the card comes back."""
    hall.card.tear(1, when, prefix="8054")  # type: ignore[arg-type]
    with pytest.raises(CardRemovedError):
        hall.at(at).purchase(amount)
    [entry] = hall.lanes[at].journal.unresolved()
    hall.insert()
    return entry


def recover(hall: Hall, at: str) -> dict[int, Entry]:
    hall.at(at).recover()
    journal = hall.lanes[at].journal
    assert journal.unresolved() == []
    return {e.id: e for e in journal.entries()}


def completed_counters(journal: Journal) -> Counter[tuple[str, int]]:
    return Counter((e.counter_kind, e.card_atc) for e in journal.entries()
                   if e.status == "completed")


def test_terminal_another_terminal_took_the_counter_after_the_tear_here(hall: Hall) -> None:
    torn = torn_purchase(hall, "A", 700)
    other = hall.at("B").purchase(700)  # same counter, amount, type and second; terminal B
    assert (other.card_atc, other.date_time.isoformat()) == (torn.card_atc, torn.date_time)
    entries = recover(hall, "A")
    assert entries[torn.id].status == "failed"
    assert entries[torn.id].tac is None
    assert hall.balance() == 10000 - 700


def test_counter_a_second_tap_in_the_same_second_is_not_the_first_one(hall: Hall) -> None:
    first = hall.at("A").purchase(700)
    torn = torn_purchase(hall, "A", 700)  # same amount, type, terminal and second
    assert torn.card_atc == first.card_atc + 1
    entries = recover(hall, "A")
    assert entries[torn.id].status == "failed"
    assert entries[first.entry_id].status == "completed"
    assert hall.balance() == 10000 - 700


def test_type_a_top_up_in_the_same_second_is_not_the_purchase(hall: Hall) -> None:
    load = hall.at("A").load(700, PIN)  # online counter 0
    torn = torn_purchase(hall, "A", 700)  # offline counter 0, same amount, terminal, second
    assert (torn.card_atc, torn.counter_kind) == (load.card_atc, "debit")
    assert load.date_time.isoformat() == torn.date_time
    entries = recover(hall, "A")
    assert entries[torn.id].status == "failed"
    assert hall.balance() == 10000 + 700


def interleave(hall: Hall, first_fen: int, second_fen: int, *, later_s: int = 0,
               second_torn: bool) -> tuple[Entry, Entry]:
    """Two programs at terminal A on one card (same PSAM, same journal file): the second one's
    whole purchase falls between the first one's INIT and DEBIT. The first one's DEBIT then finds
    no session (6985) or no card (the second one was torn after the card applied its DEBIT).
    Returns (first entry, second entry), both as the programs left them."""
    lane = hall.lanes["A"]
    sam, channel = hall.second_session("A")
    with Journal.open(lane.journal.path) as journal:
        second = CardTerminal(channel, sam, journal,
                              clock=lambda: lane.clock_value.replace(second=later_s))

        def other_program() -> None:
            if second_torn:
                hall.card.tear(1, "after", prefix="8054")
                with pytest.raises(CardRemovedError):
                    second.purchase(second_fen)
            else:
                second.purchase(second_fen)

        with pytest.raises(CardServiceError):
            hall.at("A", channel=BeforeDebit(hall.channel, other_program)).purchase(first_fen)
    first_entry, second_entry = lane.journal.entries()
    assert first_entry.card_atc == second_entry.card_atc
    assert first_entry.status == "unknown"
    hall.insert()
    return first_entry, second_entry


def test_issue_10_a_counter_already_completed_is_never_given_to_a_second_entry(
        hall: Hall) -> None:
    first, second = interleave(hall, 10, 10, second_torn=False)
    assert second.status == "completed" and second.tac
    assert first.ttsn != second.ttsn
    entries = recover(hall, "A")
    assert entries[first.id].status == "failed"
    assert f"entry {second.id}" in (entries[first.id].detail or "")
    assert entries[second.id].status == "completed" and entries[second.id].tac == second.tac
    assert completed_counters(hall.lanes["A"].journal) == {("debit", 0): 1}
    hall.at("A").recover()  # `cardsvc recover` again: still one
    assert completed_counters(hall.lanes["A"].journal) == {("debit", 0): 1}
    assert hall.balance() == 10000 - 10


def test_amount_the_other_programs_amount_on_the_same_counter(hall: Hall) -> None:
    first, second = interleave(hall, 700, 500, second_torn=True)
    assert second.status == "unknown"
    entries = recover(hall, "A")
    assert entries[first.id].status == "failed"
    assert entries[second.id].status == "completed" and entries[second.id].tac
    assert "GET TRANSACTION PROVE" in (entries[second.id].detail or "")
    assert hall.balance() == 10000 - 500


def test_time_the_other_programs_second_on_the_same_counter(hall: Hall) -> None:
    first, second = interleave(hall, 700, 700, later_s=1, second_torn=True)
    assert (first.date_time, second.date_time) == (NOW.isoformat(),
                                                   NOW.replace(second=1).isoformat())
    entries = recover(hall, "A")
    assert entries[first.id].status == "failed"
    assert entries[second.id].status == "completed" and entries[second.id].tac
    assert hall.balance() == 10000 - 700


def test_two_entries_matching_one_record_share_it_out_once_and_without_a_tac(
        hall: Hall) -> None:
    """Same counter, amount, terminal and second: the log cannot tell which TTSN the card
    took, so one entry is completed (without a TAC, and says why) and the other failed."""
    first, second = interleave(hall, 700, 700, second_torn=True)
    entries = recover(hall, "A")
    statuses = sorted(entries[i].status for i in (first.id, second.id))
    assert statuses == ["completed", "failed"]
    [done] = [e for e in entries.values() if e.status == "completed"]
    assert done.id == first.id and not done.tac
    assert "no TAC" in (done.detail or "") and "2 journal entries" in (done.detail or "")
    assert completed_counters(hall.lanes["A"].journal) == {("debit", 0): 1}
    assert hall.balance() == 10000 - 700


def test_the_first_program_does_not_get_an_unexpected_answer_as_a_refusal(hall: Hall) -> None:
    """In the interleaving the first program's DEBIT is answered 6985: unknown, not failed."""
    first, _ = interleave(hall, 10, 10, second_torn=False)
    assert first.status == "unknown" and "6985" in (first.detail or "")
