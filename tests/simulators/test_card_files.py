"""The virtual card's file system, ISO commands, status words, ATRs and T=0 framing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from drivers.pcsc.spi import SimulatedCard
from simulators.card.atr import PSAM_ATR, USER_CARD_ATR, AtrError, parse_atr
from simulators.card.factory import open_psam, open_user_card
from simulators.card.reference import exchange

AID = "A00000000386980701"
SELECT_ADF = "00A4040009" + AID
CARD1_EF15 = "41020000FFFFFFFF03010000410200000000000120240101203312310000"


def tx(card: SimulatedCard, hexstr: str) -> str:
    return card.transmit(bytes.fromhex(hexstr.replace(" ", ""))).hex().upper()


@pytest.fixture
def card(tmp_path: Path):
    c = open_user_card(tmp_path)
    c.power_on()
    return c


# --------------------------------------------------------------------------- ATR


def _independent_tck_ok(atr: bytes) -> bool:
    x = 0
    for b in atr[1:]:
        x ^= b
    return x == 0


def test_user_card_atr_is_contactless_style_with_correct_tck():
    assert USER_CARD_ATR[:4] == bytes.fromhex("3B858001")  # T=0 field + T=1 (TD1 80, TD2 01)
    parsed = parse_atr(USER_CARD_ATR)
    assert parsed.protocols == (0, 1)
    assert parsed.tck is not None and _independent_tck_ok(USER_CARD_ATR)
    assert parsed.historical == bytes.fromhex("8073C021C0")


def test_psam_atr_is_t0_without_tck():
    parsed = parse_atr(PSAM_ATR)
    assert parsed.protocols == (0,)
    assert parsed.tck is None
    assert bytes.fromhex("3B680000") + b"PSAM4102" == PSAM_ATR


@pytest.mark.parametrize("bad", ["3B858001", "3B8580018073C021C0D7", "3C00", "3B0201"])
def test_parse_atr_refuses_malformed(bad):
    with pytest.raises(AtrError):
        parse_atr(bytes.fromhex(bad))


def test_cards_answer_their_atr(tmp_path):
    assert open_user_card(tmp_path).atr == USER_CARD_ATR
    assert open_psam(tmp_path).atr == PSAM_ATR


# --------------------------------------------------------------------------- SELECT


def test_select_adf_by_aid_returns_fci_with_ef15(card):
    r = tx(card, SELECT_ADF)
    assert r == "6F2E8409" + AID + "A5219F0C1E" + CARD1_EF15 + "9000"


def test_select_adf_by_fid_from_mf(card):
    assert tx(card, "00A4000002 3F00").endswith("9000")
    assert tx(card, "00A4000002 1001") == tx(card, SELECT_ADF)


def test_select_mf_fci_names_the_pse(card):
    r = tx(card, "00A4000002 3F00")
    assert r == "6F12840E" + b"1PAY.SYS.DDF01".hex().upper() + "A5009000"
    assert tx(card, "00A404000E" + b"1PAY.SYS.DDF01".hex()) == r


def test_select_p2_0c_answers_no_data(card):
    assert tx(card, "00A4040C09" + AID) == "9000"


def test_select_errors(card):
    assert tx(card, "00A4040009A00000000386980799") == "6A82"
    assert tx(card, "00A4000002 2F01") == "6A82"
    assert tx(card, "00A4080002 1001") == "6A86"
    assert tx(card, "00A4000003 100100") == "6700"


def test_select_ef_by_fid_then_read_current_ef(card):
    tx(card, SELECT_ADF)
    assert tx(card, "00A4000002 0015") == "9000"
    assert tx(card, "00B0000000") == CARD1_EF15 + "9000"
    assert tx(card, "00B0000C04") == CARD1_EF15[24:32] + "9000"


# --------------------------------------------------------------------------- READ BINARY


def test_read_binary_sfi_forms(card):
    tx(card, SELECT_ADF)
    assert tx(card, "00B0950000") == CARD1_EF15 + "9000"
    assert tx(card, "00B095001E") == CARD1_EF15 + "9000"
    assert tx(card, "00B0950C08") == "4102000000000001" + "9000"
    assert tx(card, "00B095021E") == CARD1_EF15[4:] + "9000"  # Le past the end: what is left
    assert tx(card, "00B0951E00") == "6B00"


def test_read_binary_ef16_holder(card):
    tx(card, SELECT_ADF)
    r = bytes.fromhex(tx(card, "00B0960000"))
    data, sw = r[:-2], r[-2:]
    assert sw == b"\x90\x00" and len(data) == 55
    assert data[0:2] == b"\x00\x00"
    assert data[2:22].rstrip(b"\x00").decode("gb18030") == "张明华"
    assert data[22:54].rstrip(b"\x00") == b"410202198503150315"
    assert data[54] == 0x00


def test_read_binary_errors(card):
    assert tx(card, "00B0950000") == "6A82"  # MF current: EF15 lives in the ADF
    tx(card, SELECT_ADF)
    assert tx(card, "00B0000000") == "6986"  # no current EF
    assert tx(card, "00B0970000") == "6A82"
    assert tx(card, "00B0980000") == "6981"  # EF18 is a record file


# --------------------------------------------------------------------------- READ RECORD


def test_read_record_empty_log_is_record_not_found(card):
    tx(card, SELECT_ADF)
    assert tx(card, "00B201C400") == "6A83"
    assert tx(card, "00B201F400") == "6A83"


def test_read_record_errors(card):
    tx(card, SELECT_ADF)
    assert tx(card, "00B201BC00") == "6A82"  # SFI 0x17: no such file
    assert tx(card, "00B201AC00") == "6981"  # SFI 0x15: EF15 is binary
    assert tx(card, "00B201C000") == "6A86"  # P2 mode other than 'record P1'
    tx(card, SELECT_ADF)
    assert tx(card, "00B2010400") == "6986"  # current EF: none after a SELECT of the ADF


# --------------------------------------------------------------------------- SWs


def test_unknown_ins_and_cla(card):
    tx(card, SELECT_ADF)
    assert tx(card, "00CA000000") == "6D00"
    assert tx(card, "A0A4000002 3F00") == "6E00"
    assert tx(card, "80B0950000") == "6E00"
    assert tx(card, "00") == "6700"
    assert tx(card, "00A40000 05 3F00") == "6700"


def test_get_challenge(card):
    r = tx(card, "0084000004")
    assert len(r) == 12 and r.endswith("9000")
    assert len(tx(card, "0084000008")) == 20
    assert tx(card, "0084000005") == "6700"


# --------------------------------------------------------------------------- T=0 mode


@pytest.fixture
def t0card(tmp_path):
    c = open_user_card(tmp_path, t0=True)
    c.power_on()
    return c


def test_t0_case4_answers_61xx_and_get_response(t0card):
    fci = tx(open_user_card(t0card.store.path.parent), SELECT_ADF)[:-4]
    assert tx(t0card, SELECT_ADF) == "6130"
    assert tx(t0card, "00C0000030") == fci + "9000"
    assert tx(t0card, "00C0000030") == "6985"  # nothing pending any more


def test_t0_get_response_in_pieces_and_wrong_le(t0card):
    fci = tx(open_user_card(t0card.store.path.parent), SELECT_ADF)[:-4]
    assert tx(t0card, SELECT_ADF) == "6130"
    assert tx(t0card, "00C0000040") == "6C30"
    assert tx(t0card, "00C0000010") == fci[:32] + "6120"
    assert tx(t0card, "00C0000020") == fci[32:] + "9000"


def test_t0_case2_wrong_le_answers_6cxx(t0card):
    t0card.transmit(bytes.fromhex(SELECT_ADF))
    assert tx(t0card, "00B0950000") == "6C1E"
    assert tx(t0card, "00B095001E") == CARD1_EF15 + "9000"
    assert tx(t0card, "805C000200") == "6C04"


def test_t0_other_command_drops_pending_response(t0card):
    assert tx(t0card, SELECT_ADF) == "6130"
    assert tx(t0card, "00B095001E") == CARD1_EF15 + "9000"
    assert tx(t0card, "00C0000030") == "6985"


def test_t0_flag_can_be_switched(card):
    card.t0 = True
    assert tx(card, SELECT_ADF) == "6130"
    card.t0 = False
    assert tx(card, SELECT_ADF).endswith("9000")


def test_reference_exchange_follows_61xx_and_6cxx(t0card):
    data, sw = exchange(t0card, bytes.fromhex(SELECT_ADF))
    assert sw == 0x9000 and data[:2] == b"\x6f\x2e"
    data, sw = exchange(t0card, bytes.fromhex("00B0950000"))
    assert sw == 0x9000 and data.hex().upper() == CARD1_EF15


# --------------------------------------------------------------------------- power


def test_reset_and_power_off_go_back_to_mf(card):
    tx(card, SELECT_ADF)
    card.reset()
    assert tx(card, "00B0950000") == "6A82"
    tx(card, SELECT_ADF)
    card.power_off()
    assert not card.powered
    assert tx(card, "00B0950000") == "6A82"  # a transmit powers the card on again, at the MF
    assert card.powered


def test_expiry_date_is_bcd(card):
    tx(card, SELECT_ADF)
    ef15 = bytes.fromhex(tx(card, "00B0950000")[:-4])
    assert dt.date(
        int(ef15[24:26].hex()), int(ef15[26:27].hex()), int(ef15[27:28].hex())
    ) == dt.date(2033, 12, 31)
