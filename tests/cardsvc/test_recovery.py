"""Tears and crashes around DEBIT/CREDIT are resolved from the card before anything else."""

from collections.abc import Callable

import pytest

from cardsvc.errors import CardRemovedError
from cardsvc.journal import NewEntry
from cardsvc.recovery import resolve_card
from tests.cardsvc.rig import Rig


def _balance(rig: Rig) -> int:
    return rig.terminal.balance()[1]


@pytest.mark.parametrize(("prefix", "op"), [("8054", "pay"), ("8054", "ride"), ("8052", "load")])
def test_tear_after_the_card_applied_is_recovered_as_completed(rig: Rig, prefix: str,
                                                              op: str) -> None:
    ops: dict[str, Callable[[], object]] = {
        "pay": lambda: rig.terminal.purchase(700),
        "ride": lambda: rig.terminal.ride("1"),
        "load": lambda: rig.terminal.load(700, "123456"),
    }
    rig.card.tear(1, "after", prefix=prefix)
    with pytest.raises(CardRemovedError):
        ops[op]()
    [entry] = rig.journal.unresolved()
    assert entry.status == "unknown"
    rig.insert()
    rig.tick()
    rig.terminal.purchase(1)  # the next transaction resolves the torn one first
    done = rig.journal.get(entry.id)
    assert done.status == "completed" and done.tac
    assert done.detail and "GET TRANSACTION PROVE" in done.detail
    amount = 100 if op == "ride" else 700
    expected = 10000 + (amount if op == "load" else -amount) - 1
    assert _balance(rig) == expected


@pytest.mark.parametrize("prefix", ["8054", "8052"])
def test_tear_before_the_card_applied_is_recovered_as_failed(rig: Rig, prefix: str) -> None:
    rig.card.tear(1, "before", prefix=prefix)
    with pytest.raises(CardRemovedError):
        if prefix == "8054":
            rig.terminal.purchase(700)
        else:
            rig.terminal.load(700, "123456")
    rig.insert()
    rig.terminal.purse.select()
    resolved = resolve_card(rig.terminal.purse, rig.journal, rig.card_no)
    assert [r.outcome for r in resolved] == ["failed"]
    assert _balance(rig) == 10000
    assert rig.journal.unresolved() == []


def test_crash_before_debit_leaves_pending_that_resolves_failed(rig: Rig) -> None:
    """A kill between the journal write and DEBIT: the entry stays pending, nothing taken."""
    entry_id = rig.journal.begin(NewEntry(
        card_no=rig.card_no, card_atc=0, terminal_id="410200000001", ttsn=999, type="purchase",
        kind="canteen", amount_fen=500, balance_before_fen=10000, date_time=rig.clock_value,
        alg="3des", hotlist_version=1))
    rig.terminal.purchase(100)
    assert rig.journal.get(entry_id).status == "failed"
    assert _balance(rig) == 9900

# The proof superseded by a later transaction (at another terminal): test_recovery_paths.py.
