"""The card host: virtual cards and PSAMs served by a process of their own (bench.soak)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cardsvc.demo_issuer import demo_issuer_keys
from simulators.card import CardDescription, issue_user_card, open_psam, open_user_card
from simulators.card_host import CardHost, CardHostError, Slot
from tests.simulators.test_vpcd import FakeVpcd

NUMBERS = ["4102000977000001", "4102000977000002"]


@pytest.fixture
def readers():
    card, sam = FakeVpcd(), FakeVpcd()
    yield card, sam
    card.close()
    sam.close()


def test_host_serves_its_psam_and_inserts_and_removes_cards_on_command(tmp_path: Path,
                                                                         readers) -> None:
    card_reader, sam_reader = readers
    keys = demo_issuer_keys()
    for i, number in enumerate(NUMBERS):
        issue_user_card(tmp_path / "cards", CardDescription(number, f"乘客{i}", f"T{i:04d}"), keys)
    slot = Slot(card_port=card_reader.port, sam_port=sam_reader.port,
                psam_dir=str(tmp_path / "psam"), terminal_id="410299990001", cards=NUMBERS)
    host = CardHost(tmp_path / "cards", [slot], tmp_path / "spec.json", tmp_path / "host.log",
                    nice=3)
    try:
        sam_reader.accept()  # the PSAM is in from the start
        host.wait_ready()
        assert sam_reader.exchange(b"\x04") == bytes(open_psam(tmp_path / "psam").atr)
        assert os.getpriority(os.PRIO_PROCESS, host.proc.pid) == 3
        for k in (1, 0, 1):  # each tap a new connection with the card asked for
            host.insert(0, k)
            card_reader.accept()
            assert card_reader.exchange(b"\x04") == bytes(
                open_user_card(tmp_path / "cards", NUMBERS[k]).atr)
            assert card_reader.exchange(bytes.fromhex("00A40000023F00"))[-2:] == b"\x90\x00"
            host.remove(0)
            assert card_reader.closed_by_peer()
    finally:
        host.stop()
    assert host.proc.returncode == 0
    assert sam_reader.closed_by_peer()  # stopping the host takes the PSAM out
    with pytest.raises(CardHostError):
        host.insert(0, 0)


def test_host_that_cannot_reach_vpcd_is_reported(tmp_path: Path) -> None:
    listener = FakeVpcd()
    port = listener.port
    listener.close()  # nothing listens there
    slot = Slot(card_port=port, sam_port=port, psam_dir=str(tmp_path / "psam"),
                terminal_id="410299990002", cards=[])
    host = CardHost(tmp_path, [slot], tmp_path / "spec.json", tmp_path / "host.log")
    with pytest.raises(CardHostError):
        host.wait_ready(timeout=1.0)
    assert host.proc.poll() is not None
