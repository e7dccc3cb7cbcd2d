"""Two SAMs never share a terminal ID on one journal (issue 12, item 1).

`cardsvc pay 1 --sam soft:KEYFILE` with the demo key file used the PSAM's terminal ID
(410200000001) and TTSN 1, which the PSAM had already used: clearing rejected the record and
reconciliation showed a mismatch. Now the demo key file gives the software SAM its own terminal
ID, a journal lets one kind of SAM use a terminal ID, and a debit whose terminal ID and TTSN are
already journalled is refused before the card is asked to commit.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cardsvc.codes import ErrorCode
from cardsvc.demo_issuer import demo_issuer_keys, load_demo_data
from cardsvc.journal import JournalConflict, TerminalIdClash
from cardsvc.keys import load_issuer_keys
from cardsvc.messages import MESSAGES
from cardsvc.sam import SoftSam, open_sam
from cardsvc.terminal import CardTerminal
from tests.cardsvc.rig import Rig, psam_twin


def test_the_demo_software_sam_has_a_terminal_id_of_its_own() -> None:
    soft = demo_issuer_keys().require_terminal_id().hex()
    assert soft != load_demo_data().psam.terminal_id


def test_the_demo_software_sam_pays_beside_the_psam(rig: Rig, tmp_path: Path) -> None:
    by_psam = rig.terminal.purchase(100)
    with open_sam(f"soft:{rig.keys}", state_dir=tmp_path / "var") as soft:
        by_soft = CardTerminal(rig.channel, soft, rig.journal).purchase(100)
    assert by_psam.terminal_id == "410200000001" and by_soft.terminal_id == "410200009001"
    assert (by_psam.ttsn, by_soft.ttsn) == (1, 1)  # each terminal's own sequence
    assert rig.terminal.balance()[1] == 10000 - 200
    assert [e.status for e in rig.journal.entries()] == ["completed", "completed"]


def _balance(rig: Rig) -> int:
    return rig.terminal.balance()[1]


def test_a_software_sam_with_the_psams_terminal_id_is_refused(rig: Rig, tmp_path: Path) -> None:
    rig.terminal.purchase(100)  # the PSAM: terminal 410200000001, TTSN 1
    twin = SoftSam(psam_twin(load_issuer_keys(rig.keys)), tmp_path / "ttsn.json")
    with pytest.raises(TerminalIdClash) as caught:
        CardTerminal(rig.channel, twin, rig.journal).purchase(100)
    assert _balance(rig) == 9900  # nothing charged
    assert len(rig.journal.entries()) == 1
    assert twin.last_ttsn == 0  # it signed nothing
    line = MESSAGES.line(caught.value)
    assert "410200000001" in line and "[sam] terminal_id" in line and "\n" not in line
    assert caught.value.code == ErrorCode.TERMINAL_ID_CLASH


def test_a_reused_ttsn_is_refused_before_the_card_commits(rig: Rig, tmp_path: Path) -> None:
    """Two software SAMs of one terminal ID but two TTSN files (two copies of a key file with
    separate state): the second TTSN 1 never reaches the card."""
    keys = load_issuer_keys(rig.keys)
    first = SoftSam(keys, tmp_path / "a" / "ttsn.json")
    CardTerminal(rig.channel, first, rig.journal).purchase(100)
    second = SoftSam(keys, tmp_path / "b" / "ttsn.json")
    with pytest.raises(JournalConflict) as caught:
        CardTerminal(rig.channel, second, rig.journal).purchase(100)
    assert caught.value.code == ErrorCode.TTSN_REUSED
    assert _balance(rig) == 9900
    assert len(rig.journal.entries()) == 1
    assert "TTSN 1" in str(caught.value) and "410200009001" in str(caught.value)


def test_a_software_sams_ttsn_only_grows(rig: Rig, tmp_path: Path) -> None:
    state = tmp_path / "var"
    ttsns = []
    for _ in range(3):  # a new process each time: the TTSN file carries on
        with open_sam(f"soft:{rig.keys}", state_dir=state) as soft:
            ttsns.append(CardTerminal(rig.channel, soft, rig.journal).purchase(1).ttsn)
    assert ttsns == [1, 2, 3]
