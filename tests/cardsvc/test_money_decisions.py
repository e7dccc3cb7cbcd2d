"""The terminal's money-critical decisions, each made necessary by a test (issue 15 item 2):

* the journal entry is ``pending`` *before* DEBIT/CREDIT reaches the card, and a journal that
  cannot be written stops the transaction before the card commits anything;
* what the card's answer to DEBIT/CREDIT means for the entry: a refusal the profile defines
  (nothing written on the card) fails it; a lost, damaged or unexpected answer leaves it
  ``unknown``, for recovery to settle from the card's own log.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cardsvc.errors import AmountRefused, CardBlocked, CardNotYetValid, CardServiceError, MacError
from cardsvc.journal import Entry, Journal, JournalError
from cardsvc.terminal import CardTerminal
from simulators.card.wrapper import CardWrapper
from tests.cardsvc.hall import Hall
from tests.cardsvc.rig import Rig

PIN = "123456"
OPS: dict[str, tuple[str, Callable[[CardTerminal], object], int]] = {
    # name: (the commit command's header, the operation, what it moves on the card)
    "purchase": ("8054", lambda t: t.purchase(700), -700),
    "ride": ("8054", lambda t: t.ride("1"), -100),
    "load": ("8052", lambda t: t.load(700, PIN), +700),
}


class JournalAtCommit(CardWrapper):
    """The card looks at the terminal's journal (another connection) when the commit command
    arrives, before it applies it."""

    def __init__(self, inner: object, journal: Path, header: str) -> None:
        super().__init__(inner)  # type: ignore[arg-type]
        self.journal = journal
        self.header = bytes.fromhex(header)
        self.seen: list[Entry] | None = None
        """The journal's entries when the commit command arrived."""

    def transmit(self, apdu: bytes) -> bytes:
        if apdu[:2] == self.header:
            with Journal.open(self.journal) as journal:
                self.seen = journal.entries()
        return super().transmit(apdu)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    r = Rig(tmp_path)
    yield r
    r.close()


def balance(rig: Rig) -> int:
    return rig.terminal.balance()[1]


@pytest.mark.parametrize("op", list(OPS))
def test_the_entry_is_pending_in_the_journal_before_the_card_commits(rig: Rig, op: str) -> None:
    header, run, _ = OPS[op]
    spy = JournalAtCommit(rig.card.inner, rig.journal.path, header)
    rig.card.inner = spy
    result = run(rig.terminal)
    assert spy.seen is not None, "the commit command never reached the card"
    [entry] = spy.seen
    assert (entry.status, entry.amount_fen) == ("pending", abs(OPS[op][2]))
    assert rig.journal.get(entry.id).status == "completed"
    assert result.entry_id == entry.id  # type: ignore[attr-defined]


@pytest.mark.parametrize("op", list(OPS))
def test_a_journal_that_cannot_be_written_stops_before_the_card_commits(rig: Rig,
                                                                         op: str) -> None:
    header, run, _ = OPS[op]
    with sqlite3.connect(rig.journal.path) as db:  # the disk is full, as far as we know
        db.execute("CREATE TRIGGER full BEFORE INSERT ON entries"
                   " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
    rig.card.answer(header, 0x6F00)  # used up if the command were sent
    with pytest.raises(JournalError):
        run(rig.terminal)
    assert rig.card.status()["pending"]["answers"] == 1
    assert rig.card.commands_total > 0
    rig.card.clear()
    assert balance(rig) == 10000
    assert rig.journal.entries() == []


REFUSALS = {"9302": 0x9302, "9303": 0x9303}
UNKNOWNS = {"6985": 0x6985, "6F00": 0x6F00, "9000 without data": 0x9000}


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("sw", list(REFUSALS))
def test_a_refusal_of_the_commit_fails_the_entry(rig: Rig, op: str, sw: str) -> None:
    """9302 (MAC refused) and 9303 (application locked): the card wrote nothing."""
    header, run, _ = OPS[op]
    rig.card.answer(header, REFUSALS[sw])
    with pytest.raises(CardServiceError):
        run(rig.terminal)
    [entry] = rig.journal.entries()
    assert entry.status == "failed" and "refused" in (entry.detail or "")
    assert balance(rig) == 10000


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("sw", list(UNKNOWNS))
def test_an_unexpected_answer_to_the_commit_leaves_the_entry_unknown(rig: Rig, op: str,
                                                                     sw: str) -> None:
    """Not a refusal the profile defines: the card may have committed; recovery settles it
    from the card's log (here the card never got the command: failed, nothing taken)."""
    header, run, _ = OPS[op]
    rig.card.answer(header, UNKNOWNS[sw])
    with pytest.raises(CardServiceError):
        run(rig.terminal)
    [entry] = rig.journal.entries()
    assert entry.status == "unknown" and "interrupted" in (entry.detail or "")
    assert [r.outcome for r in rig.terminal.recover()] == ["failed"]
    assert balance(rig) == 10000


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("when", ["before", "after"])
def test_a_lost_answer_leaves_the_entry_unknown_until_the_card_says(rig: Rig, op: str,
                                                                    when: str) -> None:
    header, run, moves = OPS[op]
    rig.card.tear(1, when, prefix=header)  # type: ignore[arg-type]
    with pytest.raises(CardServiceError):
        run(rig.terminal)
    [entry] = rig.journal.entries()
    assert entry.status == "unknown" and "lost" in (entry.detail or "")
    rig.insert()
    [resolution] = rig.terminal.recover()
    assert resolution.outcome == ("completed" if when == "after" else "failed")
    assert balance(rig) == 10000 + (moves if when == "after" else 0)


def test_a_damaged_answer_after_the_card_debited_is_not_a_refusal(rig: Rig) -> None:
    """DEBIT applied, its answer cut short (9000 kept): unknown, then completed from the log."""
    class CutShort(CardWrapper):
        def transmit(self, apdu: bytes) -> bytes:
            answer = super().transmit(apdu)
            return answer[:3] + answer[-2:] if apdu[:2] == b"\x80\x54" else answer

    rig.card.inner = CutShort(rig.card.inner)
    with pytest.raises(CardServiceError):
        rig.terminal.purchase(700)
    assert rig.journal.entries()[0].status == "unknown"
    rig.insert()
    [resolution] = rig.terminal.recover()
    assert resolution.outcome == "completed" and balance(rig) == 9300


# -- the MAC2 check after the card debited: the debit is booked whatever the PSAM says --------

@pytest.fixture
def hall(tmp_path: Path) -> Iterator[Hall]:
    h = Hall(tmp_path)
    yield h
    h.close()


def test_a_mac2_the_psam_rejects_still_books_the_debit(hall: Hall) -> None:
    hall.lanes["A"].psam.answer("8072", 0x9302)
    with pytest.raises(MacError, match="debited"):
        hall.at("A").purchase(700)
    [entry] = hall.lanes["A"].journal.entries()
    assert (entry.status, entry.mac2_verified) == ("completed", False) and entry.tac
    assert "did not verify" in (entry.detail or "")
    assert hall.balance() == 10000 - 700


def test_a_psam_that_cannot_check_the_mac2_books_the_debit_with_a_warning(hall: Hall) -> None:
    hall.lanes["A"].psam.answer("8072", 0x6F00)
    result = hall.at("A").purchase(700)
    assert result.warnings == ["MAC2 not verified: PSAM 8072 MAC2: unexpected status word 6F00"]
    [entry] = hall.lanes["A"].journal.entries()
    assert (entry.status, entry.mac2_verified) == ("completed", None) and entry.tac
    assert (entry.detail or "").startswith("MAC2 not verified")
    assert hall.balance() == 10000 - 700


def test_a_verified_mac2_has_no_warning(hall: Hall) -> None:
    result = hall.at("A").purchase(700)
    assert result.warnings == []
    assert hall.lanes["A"].journal.get(result.entry_id).mac2_verified is True


# -- refusals before the purse is touched -----------------------------------------------------

def test_a_blocked_card_is_refused_before_the_purse(hall: Hall) -> None:
    hall.at("A").block()
    hall.insert()
    before = hall.card.commands_total
    with pytest.raises(CardBlocked):
        hall.at("A").purchase(10)
    assert hall.card.commands_total - before == 1  # SELECT (6283), nothing else


def test_a_card_not_yet_valid_is_refused_before_the_purse(hall: Hall) -> None:
    hall.lanes["A"].clock_value = dt.datetime(2023, 12, 31, 23, 59, 59)  # valid from 2024-01-01
    before = hall.card.commands_total
    with pytest.raises(CardNotYetValid):
        hall.at("A").purchase(10)
    assert hall.card.commands_total - before == 1
    assert hall.balance() == 10000


def test_a_terminal_without_a_load_authority_refuses_top_ups_before_the_card(hall: Hall) -> None:
    before = hall.card.commands_total
    with pytest.raises(AmountRefused, match="top-ups"):
        hall.at("A", loads=False).load(700, PIN)
    assert hall.card.commands_total == before
