"""PcscSam against a fake PSAM channel: exact APDUs, same answers as SoftSam, error mapping."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from cardsvc import crypto
from cardsvc.crypto import Alg
from cardsvc.demo_issuer import install_demo_keys
from cardsvc.keys import load_issuer_keys
from cardsvc.sam import (
    PcscSam,
    SamMacError,
    SamProtocolError,
    SamStatusError,
    SamUnavailable,
    SoftSam,
    open_sam,
)
from drivers.pcsc.errors import CardRemoved, ReaderUnavailable
from tests.cardsvc.rig import psam_twin

H = bytes.fromhex
MPK = H("3F1A5C7E9B2D4F6081A3C5E7092B4D6F")
MAMK = H("C1C2C3C4C5C6C7C8D1D2D3D4D5D6D7D8")
CARD = H("4102000000000001")
TID = H("410200000001")
DATE = H("20261126")


@dataclass(frozen=True)
class Resp:
    data: bytes
    sw: int


class FakePsam:
    """A minimal PSAM of card-spec 4.4 behind a channel-shaped ``transmit``."""

    def __init__(self, next_ttsn: int = 1) -> None:
        self.next_ttsn = next_ttsn
        self.sent: list[bytes] = []
        self.selected = False
        self.session: tuple[Alg, bytes, int] | None = None
        self.damk: tuple[Alg, bytes] | None = None
        self.fail_next: Exception | None = None
        self.override: Callable[[bytes], Resp | None] | None = None

    def transmit(self, apdu: bytes, *, sensitive: bool = False) -> Resp:
        self.sent.append(apdu)
        if self.fail_next is not None:
            exc, self.fail_next = self.fail_next, None
            self.selected = False
            raise exc
        if self.override is not None and (r := self.override(apdu)) is not None:
            return r
        if apdu == H("00A40000021001"):
            self.selected = True
            return Resp(b"", 0x9000)
        if not self.selected:
            return Resp(b"", 0x6985)
        if apdu == H("00B0960006"):
            return Resp(TID, 0x9000)
        head, lc, body = apdu[:4], apdu[4], apdu[5:]
        if head == H("80700000") and lc == 0x1C and body[-1] == 0x08:
            d = body[:-1]
            rnd, atc, amount, typ = d[:4], int.from_bytes(d[4:6]), int.from_bytes(d[6:10]), d[10]
            date, time, alg, factor = d[11:15], d[15:18], Alg(d[19]), d[20:28]
            ttsn, self.next_ttsn = self.next_ttsn, self.next_ttsn + 1
            dpk = crypto.diversify(alg, MPK, factor)
            ses = crypto.purchase_session_key(alg, dpk, rnd, atc, ttsn)
            mac1 = crypto.purchase_mac1(
                alg, ses, amount=amount, tx_type=typ, terminal_id=TID, date=date, time=time
            )
            self.session = (alg, ses, amount)
            return Resp(ttsn.to_bytes(4, "big") + mac1, 0x9000)
        if head == H("80720000") and lc == 4:
            if self.session is None:
                return Resp(b"", 0x9302)
            alg, ses, amount = self.session
            ok = crypto.purchase_mac2(alg, ses, amount=amount) == body
            return Resp(b"", 0x9000 if ok else 0x9302)
        if head == H("801A2501") and lc in (8, 9):
            alg = Alg.TDES if lc == 8 else Alg(body[8])
            self.damk = (alg, crypto.diversify(alg, MAMK, body[:8]))
            return Resp(b"", 0x9000)
        if head == H("80FA0500") and self.damk is not None and body[-1] == 0x04:
            alg, damk = self.damk
            data = body[:lc]
            iv, rest = data[: alg.block_size], data[alg.block_size :]
            assert iv[4:] == bytes(alg.block_size - 4)
            return Resp(crypto.maintenance_mac(alg, damk, iv[:4], rest), 0x9000)
        return Resp(b"", 0x6D00)


def _mac1_args(alg: Alg = Alg.TDES) -> tuple[bytes, int, int, int, bytes, bytes, int, Alg, bytes]:
    return (H("1A2B3C4D"), 5, 1250, 0x06, DATE, H("120000"), 1, alg, CARD)


def test_exact_apdus_and_spec_vector() -> None:
    psam = FakePsam(next_ttsn=0x10)
    sam = PcscSam(psam)
    assert sam.terminal_id() == TID
    assert sam.purchase_mac1(*_mac1_args()) == (0x10, H("4156ECF8"))
    sam.verify_mac2(H("50EF395D"))
    assert psam.sent == [
        H("00A40000021001"),
        H("00B0960006"),
        H("807000001C1A2B3C4D 0005 000004E2 06 20261126 120000 01 00 4102000000000001 08"),
        H("8072000004 50EF395D"),
    ]
    sam.terminal_id()
    assert len(psam.sent) == 4  # the terminal ID is read once


@pytest.mark.parametrize("alg", list(Alg))
def test_same_answers_as_soft_sam(tmp_path: Path, alg: Alg) -> None:
    keys = psam_twin(load_issuer_keys(install_demo_keys(tmp_path)))
    soft = SoftSam(keys, tmp_path / "ttsn.json", initial_ttsn=0x0F)
    pcsc = PcscSam(FakePsam(next_ttsn=0x10))
    for args in (_mac1_args(alg), (H("01020304"), 6, 200, 9, DATE, H("073015"), 1, alg, CARD)):
        assert pcsc.purchase_mac1(*args) == soft.purchase_mac1(*args)
    for header in (H("841E000004"), H("8418000004")):
        challenge = H("99887766")
        assert pcsc.maintenance_mac(CARD, challenge, header, alg) == soft.maintenance_mac(
            CARD, challenge, header, alg
        )


def test_maintenance_apdus() -> None:
    psam = FakePsam()
    sam = PcscSam(psam)
    sam.maintenance_mac(CARD, H("11223344"), H("841E000004"), Alg.TDES)
    assert psam.sent[1:] == [
        H("801A250108 4102000000000001"),
        H("80FA05000D 1122334400000000 841E000004 04"),
    ]
    psam.sent.clear()
    sam.maintenance_mac(CARD, H("11223344"), H("8418000004"), Alg.SM4)
    assert psam.sent == [
        H("801A250109 4102000000000001 04"),
        H("80FA050015 11223344000000000000000000000000 8418000004 04"),
    ]


def test_mac2_mismatch_and_status_words() -> None:
    psam = FakePsam()
    sam = PcscSam(psam)
    with pytest.raises(SamMacError):
        sam.verify_mac2(H("00000000"))  # no session: 9302
    sam.purchase_mac1(*_mac1_args())
    with pytest.raises(SamMacError):
        sam.verify_mac2(H("00000000"))
    psam.override = lambda apdu: Resp(b"", 0x6985) if apdu[:2] == H("8072") else None
    with pytest.raises(SamStatusError, match="6985") as info:
        sam.verify_mac2(H("00000000"))
    assert info.value.sw == 0x6985
    psam.override = lambda apdu: Resp(b"", 0x6A88) if apdu[:2] == H("8070") else None
    with pytest.raises(SamStatusError, match="6A88"):
        sam.purchase_mac1(*_mac1_args())


def test_select_refused() -> None:
    psam = FakePsam()
    psam.override = lambda apdu: Resp(b"", 0x6A82) if apdu[:2] == H("00A4") else None
    with pytest.raises(SamStatusError, match="6A82"):
        PcscSam(psam).terminal_id()


@pytest.mark.parametrize(
    ("prefix", "answer"),
    [("8070", H("0000001041")), ("00B0", TID[:5]), ("80FA", H("0102030405"))],
)
def test_wrong_answer_length(prefix: str, answer: bytes) -> None:
    psam = FakePsam()
    psam.override = lambda apdu: Resp(answer, 0x9000) if apdu[:2] == H(prefix) else None
    sam = PcscSam(psam)
    with pytest.raises(SamProtocolError):
        if prefix == "8070":
            sam.purchase_mac1(*_mac1_args())
        elif prefix == "00B0":
            sam.terminal_id()
        else:
            sam.maintenance_mac(CARD, H("11223344"), H("841E000004"), Alg.TDES)


def test_reader_errors_become_unavailable_and_reselect() -> None:
    psam = FakePsam()
    sam = PcscSam(psam)
    sam.purchase_mac1(*_mac1_args())
    psam.fail_next = CardRemoved("the PSAM left the reader")
    with pytest.raises(SamUnavailable, match="left the reader") as info:
        sam.purchase_mac1(*_mac1_args())
    assert isinstance(info.value.__cause__, CardRemoved)
    psam.sent.clear()
    sam.purchase_mac1(*_mac1_args())
    assert psam.sent[0] == H("00A40000021001")  # selected again after the fault


def test_close_and_open_sam_pcsc() -> None:
    psam = FakePsam()
    closed: list[bool] = []

    class Channel(FakePsam):
        def disconnect(self) -> None:
            closed.append(True)

    with open_sam("pcsc:Virtual PCD 00 01", state_dir="/nonexistent", connect=lambda r: Channel()):
        pass
    assert closed == [True]

    def refuse(reader: str) -> FakePsam:
        raise ReaderUnavailable(f"no reader {reader}")

    with pytest.raises(SamUnavailable, match="Virtual PCD 00 01"):
        open_sam("pcsc:Virtual PCD 00 01", state_dir="/x", connect=refuse)
    sam = PcscSam(psam, on_close=lambda: closed.append(True))
    sam.close()
    sam.close()
    assert closed == [True, True]
    assert "PcscSam" in repr(sam)
