"""The journal's keys (issue 15 item 2, issue 10 item 1).

* The unique key (card, counter kind, card counter, terminal, TTSN) refuses a second record of
  the same transaction, and only that: each part of the key tells real transactions apart.
* One completion per card counter: a counter is one transaction, so a second entry can never
  be completed with it (the journal refuses, whatever the caller).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from cardsvc.journal import Journal, JournalError, NewEntry

TAC = bytes.fromhex("56416C95")
MAC2 = bytes.fromhex("50EF395D")
BASE = NewEntry(card_no="4102000000000001", card_atc=5, terminal_id="410200000001", ttsn=16,
                type="purchase", kind="canteen", amount_fen=1250, balance_before_fen=10000,
                date_time=dt.datetime(2026, 11, 26, 12, 0, 0), alg="3des", hotlist_version=1)


def test_a_second_record_of_the_same_transaction_is_refused_and_nothing_written(
        tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.sqlite") as j:
        first = j.begin(BASE)
        with pytest.raises(JournalError):
            j.begin(dataclasses.replace(BASE, amount_fen=1))
        assert [e.id for e in j.entries()] == [first]


LOAD = dataclasses.replace(BASE, type="load", kind="topup")


# A PSAM never gives one TTSN twice, so two debits with the same terminal and TTSN are refused
# whatever the card (robust item: two SAMs sharing a terminal ID); the card and counter parts
# of the key are therefore shown on loads, whose TTSN is not the PSAM's.
@pytest.mark.parametrize(("part", "base", "change"), [
    ("ttsn", BASE, {"ttsn": 17}),                        # a retry after a refusal: same counter
    ("terminal", BASE, {"terminal_id": "410200000002"}),  # the same TTSN from another PSAM
    ("card", LOAD, {"card_no": "4102000000000002"}),
    ("counter", LOAD, {"card_atc": 6}),
    ("counter kind", BASE, {"type": "load", "kind": "topup"}),  # online counter and load seq.
])
def test_each_part_of_the_key_tells_transactions_apart(tmp_path: Path, part: str,
                                                       base: NewEntry,
                                                       change: dict[str, object]) -> None:
    with Journal.open(tmp_path / "j.sqlite") as j:
        j.begin(base)
        j.begin(dataclasses.replace(base, **change))  # type: ignore[arg-type]
        assert len(j.entries()) == 2, part


@pytest.mark.parametrize("change", [{"card_no": "4102000000000002"}, {"card_atc": 6}])
def test_a_debit_reusing_a_terminal_and_ttsn_is_refused_whatever_the_card(
        tmp_path: Path, change: dict[str, object]) -> None:
    with Journal.open(tmp_path / "j.sqlite") as j:
        j.begin(BASE)
        with pytest.raises(JournalError):
            j.begin(dataclasses.replace(BASE, **change))  # type: ignore[arg-type]
        assert len(j.entries()) == 1


def test_a_counter_completed_once_cannot_complete_a_second_entry(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.sqlite") as j:
        first = j.begin(BASE)
        second = j.begin(dataclasses.replace(BASE, ttsn=17))  # same counter, other session
        j.complete(first, tac=TAC, mac2=MAC2, mac2_verified=True)
        with pytest.raises(JournalError):
            j.complete(second, tac=TAC, mac2=MAC2, mac2_verified=None)
        assert j.get(second).status == "pending" and j.get(second).tac is None
        assert j.completed_owner(BASE.card_no, "debit", 5) == first
        j.fail(second, "the counter went to the first entry")
        assert j.get(second).status == "failed"


def test_the_owner_of_a_counter_is_the_completed_entry_of_that_kind_and_card(
        tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.sqlite") as j:
        pending = j.begin(BASE)
        assert j.completed_owner(BASE.card_no, "debit", 5) is None
        load = j.begin(dataclasses.replace(BASE, type="load", kind="topup", ttsn=1))
        j.complete(load, tac=TAC, mac2=MAC2, mac2_verified=None)
        assert j.completed_owner(BASE.card_no, "debit", 5) is None
        assert j.completed_owner(BASE.card_no, "load", 5) == load
        assert j.completed_owner("4102000000000002", "load", 5) is None
        j.complete(pending, tac=TAC, mac2=MAC2, mac2_verified=True)
        assert j.completed_owner(BASE.card_no, "debit", 5) == pending
        assert j.completed_owner(BASE.card_no, "debit", 6) is None


def test_a_journal_that_already_holds_two_completions_of_a_counter_still_opens(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Issue 10's field journal: two completed entries with one counter. It opens (the card
    service must start), says so, and recovery fails any further claimant."""
    path = tmp_path / "j.sqlite"
    with Journal.open(path) as j:
        a, b = j.begin(BASE), j.begin(dataclasses.replace(BASE, ttsn=17))
        j.complete(a, tac=TAC, mac2=MAC2, mac2_verified=True)
    with sqlite3.connect(path) as db:  # as an older version left it
        db.execute("DROP INDEX entries_one_completion_per_counter")
        db.execute("UPDATE entries SET status = 'completed', tac = ? WHERE id = ?",
                   (TAC.hex().upper(), b))
    with caplog.at_level(logging.WARNING, logger="cardsvc.journal"), Journal.open(path) as j:
        assert [e.status for e in j.entries()] == ["completed", "completed"]
        assert j.completed_owner(BASE.card_no, "debit", 5) == a
    assert "completed twice" in caplog.text


def test_the_balance_after_follows_the_counter_kind(tmp_path: Path) -> None:
    with Journal.open(str(tmp_path / "new" / "dir" / "j.sqlite")) as j:  # created, str or Path
        debit = j.begin(BASE)
        load = j.begin(dataclasses.replace(BASE, type="load", kind="topup", ttsn=1))
        assert (j.get(debit).balance_after_fen, j.get(load).balance_after_fen) == (8750, 11250)
        assert (j.get(debit).counter_kind, j.get(load).counter_kind) == ("debit", "load")


def test_a_journal_whose_schema_is_damaged_is_a_journal_error(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    Journal.open(path).close()
    with sqlite3.connect(path) as db:  # the index's name taken by something else
        db.execute("DROP INDEX entries_one_completion_per_counter")
        db.execute("CREATE TABLE entries_one_completion_per_counter (x)")
    with pytest.raises(JournalError, match="cannot open the journal"):
        Journal.open(path)


def test_a_file_that_is_not_a_journal_is_a_journal_error(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    path.write_bytes(b"not a database, " * 100)
    with pytest.raises(JournalError, match="cannot open the journal"):
        Journal.open(path)


def test_resolving_an_entry_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.sqlite") as j:
        j.begin(BASE)
        resolvers: list[Callable[[], object]] = [
            lambda: j.complete(99, tac=TAC, mac2=MAC2, mac2_verified=True),
            lambda: j.fail(99, "refused"), lambda: j.mark_unknown(99, "lost")]
        for resolve in resolvers:
            with pytest.raises(JournalError, match="no journal entry 99"):
                resolve()



def test_two_cards_may_complete_the_same_counter_value(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.sqlite") as j:
        mine = j.begin(BASE)
        theirs = j.begin(dataclasses.replace(BASE, card_no="4102000000000002", ttsn=17))
        j.complete(mine, tac=TAC, mac2=MAC2, mac2_verified=True)
        j.complete(theirs, tac=TAC, mac2=MAC2, mac2_verified=True)
        assert [e.status for e in j.entries()] == ["completed", "completed"]


def test_dead_letters_name_journal_entries_and_listings_can_be_limited(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.sqlite") as j:
        first = j.begin(BASE)
        j.begin(dataclasses.replace(BASE, ttsn=17))
        assert [e.id for e in j.entries(limit=1)] == [first]
        with pytest.raises(JournalError):
            j.dead_letter(99, "no such entry")
