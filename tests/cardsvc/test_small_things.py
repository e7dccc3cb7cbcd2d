"""Small things a user tripped on (issue 12, items 5, 7 and 9), in-process and as a user runs
the commands."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cardsvc.codes import ErrorCode
from cardsvc.errors import Refusal, SamUnavailableError
from cardsvc.journal import Journal, NewEntry
from cardsvc.sam.none import NoSam
from cardsvc.terminal import CardTerminal, TxResult
from tests.cardsvc.rig import Rig


def test_a_line_is_stored_the_same_on_the_card_and_in_the_journal(rig: Rig) -> None:
    tx = rig.terminal.ride("k1")
    assert isinstance(tx, TxResult) and tx.line == "K1"
    assert rig.journal.get(tx.entry_id).line == "K1"
    assert rig.terminal.history().transit[0].line_label == "K1"


@pytest.mark.parametrize("line", ["", "../../etc", "一号线", "X" * 200, "K 1"])
def test_a_line_that_is_not_one_is_refused_before_the_card(rig: Rig, line: str) -> None:
    before = rig.channel.stats.commands
    with pytest.raises(Refusal) as caught:
        rig.terminal.ride(line)
    assert caught.value.code == ErrorCode.LINE_INVALID
    assert rig.channel.stats.commands == before and rig.journal.entries() == []


def test_reading_the_card_needs_no_sam(rig: Rig) -> None:
    reader = CardTerminal(rig.channel, NoSam(), rig.journal)
    assert reader.balance() == ("4102000000000001", 10000)
    assert reader.identify().holder is not None
    with pytest.raises(SamUnavailableError):
        reader.purchase(100)
    assert rig.journal.entries() == []


def _entry(atc: int, card: str = "4102000000000001", ttsn: int | None = None) -> NewEntry:
    return NewEntry(card_no=card, card_atc=atc, terminal_id="410200000001",
                    ttsn=atc if ttsn is None else ttsn,
                    type="purchase", kind="canteen", amount_fen=1, balance_before_fen=10_000,
                    date_time=dt.datetime(2026, 11, 26, 12), alg="3des", hotlist_version=0)


def test_journal_counts_of_one_card(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.sqlite") as journal:
        for atc in range(3):
            journal.begin(_entry(atc))
        journal.begin(_entry(1, card="4102000000000002", ttsn=100))
        assert journal.counts()["pending"] == 4
        assert journal.counts("4102000000000002")["pending"] == 1


def test_output_piped_into_head_ends_quietly(tmp_path: Path) -> None:
    """`cardsvc journal --json | head` was a BrokenPipeError traceback."""
    var = tmp_path / "var"
    with Journal.open(var / "journal.sqlite") as journal:
        for atc in range(400):  # far more JSON than a pipe holds
            journal.begin(_entry(atc))
    config = tmp_path / "c.toml"
    config.write_text(f'[paths]\nvar_dir = "{var}"\n')
    env = {**os.environ, "CITIZEN_HALL_CONFIG": str(config)}
    done = subprocess.run(
        f"set -o pipefail; {sys.executable} -m cardsvc.cli journal --json | head -c 100",
        shell=True, executable="/bin/bash", env=env, capture_output=True, text=True, timeout=60,
        check=False)
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
    assert done.returncode == 0 and len(done.stdout) == 100


def test_a_journal_conflict_is_one_line_that_says_what_to_do(tmp_path: Path) -> None:
    """Issue 12, item 2: another virtual copy of card ...0001 had journalled this counter, and
    the user got `JournalError: ... UNIQUE constraint failed` with a traceback."""
    from cardsvc.journal import JournalConflict  # noqa: PLC0415
    from cardsvc.messages import MESSAGES  # noqa: PLC0415

    with Journal.open(tmp_path / "j.sqlite") as journal:
        journal.begin(_entry(7))
        with pytest.raises(JournalConflict) as caught:
            journal.begin(_entry(7))  # the same card counter, terminal and TTSN
        assert len(journal.entries()) == 1
    line = MESSAGES.line(caught.value)
    assert "\n" not in line and "4102000000000001" in line and "var_dir" in line
    assert "UNIQUE" not in line
