"""SoftSam: spec vectors, persisted TTSN that only grows, MAC2 check, maintenance MAC, no leaks."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from cardsvc import crypto
from cardsvc.crypto import Alg
from cardsvc.demo_issuer import install_demo_keys
from cardsvc.keys import IssuerKeys, KeyFileError, load_issuer_keys
from cardsvc.sam import (
    SamInputError,
    SamKeyError,
    SamMacError,
    SamStateError,
    SoftSam,
    TtsnStore,
    open_sam,
    soft_sam_state_path,
)
from tests.cardsvc.rig import psam_twin

H = bytes.fromhex
CARD = H("4102000000000001")
TID = H("410200000001")
DATE = H("20261126")
MAMK = H("C1C2C3C4C5C6C7C8D1D2D3D4D5D6D7D8")


@pytest.fixture
def keys(tmp_path: Path) -> IssuerKeys:
    """The demo keys with the terminal ID of card-spec's vectors (the demo PSAM's)."""
    return psam_twin(load_issuer_keys(install_demo_keys(tmp_path / "keys")))


def _purchase(sam: SoftSam, alg: Alg = Alg.TDES) -> tuple[int, bytes]:
    return sam.purchase_mac1(H("1A2B3C4D"), 5, 1250, 0x06, DATE, H("120000"), 1, alg, CARD)


def test_terminal_id(keys: IssuerKeys, tmp_path: Path) -> None:
    assert SoftSam(keys, tmp_path / "s.json").terminal_id() == TID


def test_3des_purchase_and_compound_vectors(keys: IssuerKeys, tmp_path: Path) -> None:
    sam = SoftSam(keys, tmp_path / "s.json", initial_ttsn=0x0F)
    assert _purchase(sam) == (0x10, H("4156ECF8"))
    sam.verify_mac2(H("50EF395D"))
    ttsn, mac1 = sam.purchase_mac1(
        H("01020304"), 6, 200, 0x09, DATE, H("073015"), 1, Alg.TDES, CARD
    )
    assert (ttsn, mac1) == (0x11, H("217648B5"))
    sam.verify_mac2(H("BF750436"))


def test_sm4_purchase_vector(keys: IssuerKeys, tmp_path: Path) -> None:
    sam = SoftSam(keys, tmp_path / "s.json", initial_ttsn=0x0F)
    assert _purchase(sam, Alg.SM4) == (0x10, H("1CA2F80C"))
    sam.verify_mac2(H("E490BC86"))


def test_wrong_mac2_and_no_session(keys: IssuerKeys, tmp_path: Path) -> None:
    sam = SoftSam(keys, tmp_path / "s.json", initial_ttsn=0x0F)
    with pytest.raises(SamMacError, match="no purchase session"):
        sam.verify_mac2(H("50EF395D"))
    _purchase(sam)
    with pytest.raises(SamMacError):
        sam.verify_mac2(H("50EF395E"))
    sam.verify_mac2(H("50EF395D"))  # the last session stays until the next MAC1
    _purchase(sam)  # TTSN 0x11: another session key, the old MAC2 no longer matches
    with pytest.raises(SamMacError):
        sam.verify_mac2(H("50EF395D"))


def test_ttsn_persisted_before_answer_and_only_grows(keys: IssuerKeys, tmp_path: Path) -> None:
    state = tmp_path / "state" / "s.json"
    sam = SoftSam(keys, state)
    assert sam.last_ttsn == 0
    assert _purchase(sam)[0] == 1
    assert json.loads(state.read_text()) == {"format": 1, "last_ttsn": 1}
    assert _purchase(sam)[0] == 2
    # a new SAM on the same state continues; initial_ttsn only applies to a new file
    again = SoftSam(keys, state, initial_ttsn=0x0F)
    assert _purchase(again)[0] == 3
    assert sam.last_ttsn == 3


def test_state_unwritable_gives_no_mac(keys: IssuerKeys, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    sam = SoftSam(keys, blocker / "s.json")
    with pytest.raises(SamStateError, match="not-a-dir"):
        _purchase(sam)
    with pytest.raises(SamMacError):
        sam.verify_mac2(H("50EF395D"))


@pytest.mark.parametrize(
    "content",
    [
        "",
        "{",
        '{"format": 1}',
        '{"format": 2, "last_ttsn": 3}',
        '{"format": 1, "last_ttsn": -1}',
        '{"format": 1, "last_ttsn": "7"}',
        '{"format": 1, "last_ttsn": 4294967296}',
        "[1]",
    ],
)
def test_corrupt_state_is_refused_not_reset(keys: IssuerKeys, tmp_path: Path, content: str) -> None:
    state = tmp_path / "s.json"
    state.write_text(content)
    with pytest.raises(SamStateError, match="corrupt"):
        _purchase(SoftSam(keys, state))
    assert state.read_text() == content


def test_ttsn_exhausted(tmp_path: Path) -> None:
    state = tmp_path / "s.json"
    state.write_text('{"format": 1, "last_ttsn": 4294967295}')
    with pytest.raises(SamStateError, match="exhausted"):
        TtsnStore(state).take_next()


def test_concurrent_stores_never_share_a_ttsn(tmp_path: Path) -> None:
    state = tmp_path / "s.json"
    taken: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        store = TtsnStore(state)
        for _ in range(25):
            n = store.take_next()
            with lock:
                taken.append(n)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(taken) == list(range(1, 101))
    assert TtsnStore(state).last() == 100


def test_key_version_mismatch(keys: IssuerKeys, tmp_path: Path) -> None:
    sam = SoftSam(keys, tmp_path / "s.json")
    with pytest.raises(SamKeyError, match="version 2"):
        sam.purchase_mac1(H("1A2B3C4D"), 5, 1250, 6, DATE, H("120000"), 2, Alg.TDES, CARD)
    assert sam.last_ttsn == 0  # nothing consumed


@pytest.mark.parametrize("alg", list(Alg))
def test_maintenance_mac(keys: IssuerKeys, tmp_path: Path, alg: Alg) -> None:
    sam = SoftSam(keys, tmp_path / "s.json")
    damk = crypto.diversify(alg, MAMK, CARD)
    for header in (H("841E000004"), H("8418000004")):
        expected = crypto.maintenance_mac(alg, damk, H("0A0B0C0D"), header)
        assert sam.maintenance_mac(CARD, H("0A0B0C0D"), header, alg) == expected


def test_needs_mpk_mamk_and_terminal_id(tmp_path: Path) -> None:
    k = H("00" * 16)
    with pytest.raises(KeyFileError, match="mamk"):
        SoftSam(IssuerKeys(mpk=k, terminal_id=TID), tmp_path / "s.json")
    with pytest.raises(KeyFileError, match="terminal_id"):
        SoftSam(IssuerKeys(mpk=k, mamk=k), tmp_path / "s.json")
    SoftSam(IssuerKeys(mpk=k, mamk=k, terminal_id=TID), tmp_path / "s.json")


def test_repr_hides_keys_and_session(keys: IssuerKeys, tmp_path: Path) -> None:
    sam = SoftSam(keys, tmp_path / "s.json")
    _purchase(sam)
    text = repr(sam) + repr(sam._session) + repr(sam._keys)
    for key in (keys.mpk, keys.mamk, keys.mlk, keys.mtk):
        assert key.hex() not in text.lower()
    assert "410200000001" in repr(sam)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((H("1A2B3C"), 5, 1250, 6, DATE, H("120000"), 1, Alg.TDES, CARD), "card random"),
        ((H("1A2B3C4D"), 70000, 1250, 6, DATE, H("120000"), 1, Alg.TDES, CARD), "ATC"),
        ((H("1A2B3C4D"), 5, -1, 6, DATE, H("120000"), 1, Alg.TDES, CARD), "amount"),
        ((H("1A2B3C4D"), 5, 1, 6, DATE[:3], H("120000"), 1, Alg.TDES, CARD), "date"),
        ((H("1A2B3C4D"), 5, 1, 6, DATE, H("120000"), 1, 4, CARD), "alg"),
        ((H("1A2B3C4D"), 5, 1, 6, DATE, H("120000"), 1, Alg.TDES, CARD[:7]), "card factor"),
    ],
)
def test_bad_arguments(keys: IssuerKeys, tmp_path: Path, args: tuple[Any, ...], match: str) -> None:
    sam = SoftSam(keys, tmp_path / "s.json")
    with pytest.raises(SamInputError, match=match):
        sam.purchase_mac1(*args)
    assert sam.last_ttsn == 0


def test_open_sam_soft(tmp_path: Path) -> None:
    key_file = install_demo_keys(tmp_path / "keys")
    with open_sam(f"soft:{key_file}", state_dir=tmp_path / "var") as sam:
        assert isinstance(sam, SoftSam)
        assert (
            sam.purchase_mac1(H("1A2B3C4D"), 5, 1, 6, DATE, H("120000"), 1, Alg.TDES, CARD)[0] == 1
        )
    assert soft_sam_state_path(tmp_path / "var", H("410200009001")).exists()
    for bad in ("soft:", "nothing", "usb:x"):
        with pytest.raises(SamInputError):
            open_sam(bad, state_dir=tmp_path)
