"""PcscSam against the virtual PSAM (simulators/card): in-process and through the real pcscd.

The same inputs give the same TTSN and MAC1 as the software SAM, and the MAC2/maintenance
answers agree, for 3DES and SM4 cards.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cardsvc import crypto
from cardsvc.crypto import Alg
from cardsvc.demo_issuer import install_demo_keys
from cardsvc.keys import load_issuer_keys
from cardsvc.sam import PcscSam, Sam, SamMacError, SoftSam, open_sam
from drivers.pcsc import CardChannel, open_backend
from drivers.pcsc.memory_backend import MemoryBackend
from simulators.card.factory import open_psam
from tests.cardsvc.rig import psam_twin

H = bytes.fromhex
CARD = H("4102000000000001")
DATE = H("20261126")
MPK = H("3F1A5C7E9B2D4F6081A3C5E7092B4D6F")
READER = "Virtual PCD 00 01"


@pytest.fixture
def soft(tmp_path: Path) -> SoftSam:
    # the demo PSAM hands out TTSN 1 first, as a new SoftSam state does
    keys = psam_twin(load_issuer_keys(install_demo_keys(tmp_path / "keys")))
    return SoftSam(keys, tmp_path / "t.json")


@pytest.fixture
def memory_psam(tmp_path: Path) -> Iterator[PcscSam]:
    backend = MemoryBackend([READER])
    backend.insert(READER, open_psam(tmp_path / "psam"))
    channel = CardChannel.connect(backend, READER, transmit_timeout=None)
    with PcscSam(channel, on_close=channel.disconnect) as sam:
        yield sam


def _same_answers(pcsc: Sam, soft: SoftSam) -> None:
    assert pcsc.terminal_id() == soft.terminal_id() == H("410200000001")
    for alg in Alg:
        for amount in (1250, 1):
            args = (H("1A2B3C4D"), 5, amount, 0x06, DATE, H("120000"), 1, alg, CARD)
            ttsn, mac1 = pcsc.purchase_mac1(*args)
            assert (ttsn, mac1) == soft.purchase_mac1(*args)
            dpk = crypto.diversify(alg, MPK, CARD)
            sespk = crypto.purchase_session_key(alg, dpk, H("1A2B3C4D"), 5, ttsn)
            mac2 = crypto.purchase_mac2(alg, sespk, amount=amount)
            pcsc.verify_mac2(mac2)
            soft.verify_mac2(mac2)
            bad = bytes([mac2[0] ^ 1]) + mac2[1:]
            with pytest.raises(SamMacError):
                pcsc.verify_mac2(bad)
            with pytest.raises(SamMacError):
                soft.verify_mac2(bad)
        for header in (H("841E000004"), H("8418000004")):
            assert pcsc.maintenance_mac(CARD, H("CAFEBABE"), header, alg) == soft.maintenance_mac(
                CARD, H("CAFEBABE"), header, alg
            )


def test_virtual_psam_in_process(memory_psam: PcscSam, soft: SoftSam) -> None:
    _same_answers(memory_psam, soft)


@pytest.mark.pcscd
def test_virtual_psam_through_pcscd(attach_card, soft: SoftSam, tmp_path: Path) -> None:
    vcard = attach_card(psam=True, reader_index=1)
    backend = open_backend("pcsc://")
    try:
        sam = open_sam(
            f"pcsc:{vcard.reader}",
            state_dir=tmp_path,
            connect=lambda reader: CardChannel.connect(backend, reader, timeout=5.0),
        )
        with sam:
            _same_answers(sam, soft)
    finally:
        backend.close()
