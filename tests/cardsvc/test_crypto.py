"""cardsvc.crypto against every vector of card-spec.md section 8, plus properties."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given
from hypothesis import strategies as st

from cardsvc import crypto
from cardsvc.crypto import Alg, CryptoError

H = bytes.fromhex

MPK = H("3F1A5C7E9B2D4F6081A3C5E7092B4D6F")
MLK = H("5A6B7C8D9EAFB0C1D2E3F40516273849")
MTK = H("0F1E2D3C4B5A69788796A5B4C3D2E1F0")
MAMK = H("C1C2C3C4C5C6C7C8D1D2D3D4D5D6D7D8")
CARD = H("4102000000000001")
TID = H("410200000001")
DATE = H("20261126")

# (random, ATC, TTSN, amount, type, time) -> per algorithm (MAC1, MAC2, TAC)
PURCHASE = (H("1A2B3C4D"), 5, 0x10, 1250, 0x06, H("120000"))
COMPOUND = (H("01020304"), 6, 0x11, 200, 0x09, H("073015"))
LOAD = (H("A1B2C3D4"), 1, 0, 10000, H("090000"))

PURCHASE_VECTORS = {
    (Alg.TDES, PURCHASE): ("4156ECF8", "50EF395D", "56416C95"),
    (Alg.TDES, COMPOUND): ("217648B5", "BF750436", "5E748E6E"),
    (Alg.SM4, PURCHASE): ("1CA2F80C", "E490BC86", "C9CAD79C"),
}
LOAD_VECTORS = {
    Alg.TDES: ("530882EB", "5E8990C3", "0EE5B348"),
    Alg.SM4: ("AF4967E5", "2083D29A", "5DEB1724"),
}


def test_alg_ids() -> None:
    assert Alg.from_id(0x00) is Alg.TDES
    assert Alg.from_id(0x04) is Alg.SM4
    assert (Alg.TDES.block_size, Alg.SM4.block_size) == (8, 16)
    with pytest.raises(CryptoError, match="0x01"):
        Alg.from_id(0x01)


def test_3des_diversified_keys() -> None:
    assert crypto.diversify(Alg.TDES, MPK, CARD) == H("FB03BA2FCD080521AB52BCF28BBA5C8D")
    assert crypto.diversify(Alg.TDES, MLK, CARD) == H("8538213A3FBEEF0F2B6C32C7B5301EE7")
    assert crypto.diversify(Alg.TDES, MTK, CARD) == H("43A8F7436344FEF87DAAE88149227FCB")


def test_sm4_diversified_purchase_key() -> None:
    assert crypto.diversify(Alg.SM4, MPK, CARD) == H("8A52ABE288C33BDB256DC43874A7CD6D")


@pytest.mark.parametrize(("alg", "case"), list(PURCHASE_VECTORS))
def test_purchase_vectors(alg: Alg, case: tuple[bytes, int, int, int, int, bytes]) -> None:
    random, atc, ttsn, amount, tx_type, time = case
    mac1, mac2, tac = (H(v) for v in PURCHASE_VECTORS[(alg, case)])
    dpk = crypto.diversify(alg, MPK, CARD)
    dtk = crypto.diversify(alg, MTK, CARD)
    sespk = crypto.purchase_session_key(alg, dpk, random, atc, ttsn)
    assert len(sespk) == alg.session_key_len
    kw = {"amount": amount, "tx_type": tx_type, "terminal_id": TID, "date": DATE, "time": time}
    assert crypto.purchase_mac1(alg, sespk, **kw) == mac1  # type: ignore[arg-type]
    assert crypto.purchase_mac2(alg, sespk, amount=amount) == mac2
    assert crypto.purchase_tac(alg, dtk, ttsn=ttsn, **kw) == tac  # type: ignore[arg-type]


@pytest.mark.parametrize("alg", list(LOAD_VECTORS))
def test_load_vectors(alg: Alg) -> None:
    random, atc, balance, amount, time = LOAD
    mac1, mac2, tac = (H(v) for v in LOAD_VECTORS[alg])
    dlk = crypto.diversify(alg, MLK, CARD)
    dtk = crypto.diversify(alg, MTK, CARD)
    seslk = crypto.load_session_key(alg, dlk, random, atc)
    assert crypto.load_mac1(alg, seslk, balance_before=balance, amount=amount, terminal_id=TID) == (
        mac1
    )
    assert (
        crypto.load_mac2(alg, seslk, amount=amount, terminal_id=TID, date=DATE, time=time) == mac2
    )
    got_tac = crypto.load_tac(
        alg,
        dtk,
        new_balance=balance + amount,
        online_atc=atc,
        amount=amount,
        terminal_id=TID,
        date=DATE,
        time=time,
    )
    assert got_tac == tac


def test_published_3des_mac_vectors() -> None:
    key = H("11223344556677888877665544332211")
    enc = Cipher(TripleDES(key + key[:8]), modes.ECB()).encryptor()
    session = enc.update(H("1122334400000001")) + enc.finalize()
    assert session == H("003238ABC57659DD")
    data = H("00001000 06 001122334455 20120229135100")
    assert crypto.cbc_mac(Alg.TDES, session, data) == H("F15CAB75")
    assert crypto.cbc_mac(Alg.TDES, session, H("00001000")) == H("56988A13")


def test_data_layouts() -> None:
    assert crypto.purchase_mac1_data(1250, 6, TID, DATE, H("120000")) == H(
        "000004E2 06 410200000001 20261126 120000"
    )
    assert crypto.purchase_mac2_data(1250) == H("000004E2")
    assert crypto.purchase_tac_data(1250, 6, TID, 0x10, DATE, H("120000")) == H(
        "000004E2 06 410200000001 00000010 20261126 120000"
    )
    assert crypto.load_mac1_data(7, 10000, TID) == H("00000007 00002710 02 410200000001")
    assert crypto.load_mac2_data(10000, TID, DATE, H("090000")) == H(
        "00002710 02 410200000001 20261126 090000"
    )
    assert crypto.load_tac_data(10000, 1, 10000, TID, DATE, H("090000")) == H(
        "00002710 0001 00002710 02 410200000001 20261126 090000"
    )


def test_tac_key() -> None:
    dtk = H("43A8F7436344FEF87DAAE88149227FCB")
    assert crypto.tac_key(Alg.TDES, dtk) == bytes(
        a ^ b for a, b in zip(dtk[:8], dtk[8:], strict=True)
    )
    assert crypto.tac_key(Alg.SM4, dtk) == dtk


def test_pad_always_pads() -> None:
    assert crypto.pad(b"", 8) == H("8000000000000000")
    assert crypto.pad(H("0102030405060708"), 8) == H("0102030405060708 8000000000000000")
    assert crypto.pad(H("01"), 16) == H("0180") + bytes(14)


def test_sm4_session_key_uses_80_block() -> None:
    dpk = crypto.diversify(Alg.SM4, MPK, CARD)
    enc = Cipher(algorithms.SM4(dpk), modes.ECB()).encryptor()
    expected = enc.update(H("1A2B3C4D 0005 0010 80 00000000000000")) + enc.finalize()
    assert crypto.purchase_session_key(Alg.SM4, dpk, H("1A2B3C4D"), 5, 0x10) == expected


def _des(key: bytes, block: bytes, decrypt: bool = False) -> bytes:
    cipher = Cipher(TripleDES(key * 3), modes.ECB())
    ctx = cipher.decryptor() if decrypt else cipher.encryptor()
    return ctx.update(block) + ctx.finalize()


def test_maintenance_mac_3des_is_retail_mac() -> None:
    damk = crypto.diversify(Alg.TDES, MAMK, CARD)
    challenge = H("11223344")
    # 841E000004 pads to one block: H = 3DES(IV xor block) = DES_KL(DES^-1_KR(DES_KL(..)))
    block = bytes(a ^ b for a, b in zip(H("841E000004800000"), challenge + bytes(4), strict=True))
    x = _des(damk[:8], block)
    expected = _des(damk[:8], _des(damk[8:], x, decrypt=True))[:4]
    assert crypto.maintenance_mac(Alg.TDES, damk, challenge, H("841E000004")) == expected
    # with equal halves, the retail MAC collapses to the single-DES CBC-MAC with that IV
    k = H("0123456789ABCDEF")
    assert crypto.maintenance_mac(Alg.TDES, k + k, challenge, b"hello world!") == crypto.cbc_mac(
        Alg.TDES, k, b"hello world!", challenge + bytes(4)
    )


def test_maintenance_mac_sm4_is_cbc_mac_with_challenge_iv() -> None:
    damk = crypto.diversify(Alg.SM4, MAMK, CARD)
    challenge = H("CAFEBABE")
    got = crypto.maintenance_mac(Alg.SM4, damk, challenge, H("8418000004"))
    assert got == crypto.cbc_mac(Alg.SM4, damk, H("8418000004"), challenge + bytes(12))
    assert got != crypto.maintenance_mac(Alg.SM4, damk, H("CAFEBABF"), H("8418000004"))


def test_bcd_helpers() -> None:
    moment = dt.datetime(2026, 11, 26, 7, 30, 15)
    assert crypto.bcd_datetime(moment) == (H("20261126"), H("073015"))
    assert crypto.parse_bcd_datetime(H("20261126073015")) == moment
    assert crypto.parse_bcd_date(H("20261126")) == dt.date(2026, 11, 26)
    assert crypto.parse_bcd_time(H("235959")) == dt.time(23, 59, 59)
    assert crypto.to_bcd("410200000001", 6) == TID
    assert crypto.to_bcd(123456, 3) == H("123456")
    assert crypto.to_bcd(5, 2) == H("0005")
    assert crypto.from_bcd(H("4102000000000001")) == "4102000000000001"
    for bad in (H("2026AB26"), H("20261332")):
        with pytest.raises(CryptoError):
            crypto.parse_bcd_date(bad)
    with pytest.raises(CryptoError):
        crypto.parse_bcd_time(H("246000"))
    with pytest.raises(CryptoError):
        crypto.to_bcd("1234567", 3)
    with pytest.raises(CryptoError):
        crypto.to_bcd(-1, 3)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: crypto.diversify(Alg.TDES, MPK[:15], CARD), "master key must be 16 bytes, got 15"),
        (lambda: crypto.diversify(Alg.SM4, MPK, CARD[:7]), "card factor must be 8 bytes"),
        (lambda: crypto.cbc_mac(Alg.TDES, MPK, b""), "session key must be 8 bytes"),
        (lambda: crypto.purchase_mac2_data(1 << 32), "amount out of range"),
        (lambda: crypto.purchase_mac2_data(-1), "amount out of range"),
        (lambda: crypto.purchase_mac1_data(1, 6, TID[:5], DATE, H("120000")), "terminal ID"),
        (lambda: crypto.load_session_key(Alg.TDES, MLK, H("01020304"), 70000), "online ATC"),
    ],
)
def test_malformed_inputs_are_refused_without_bytes(call, match: str) -> None:
    with pytest.raises(CryptoError, match=match) as info:
        call()
    assert MPK.hex() not in str(info.value).lower()
    assert MLK.hex() not in str(info.value).lower()


@given(
    st.sampled_from(list(Alg)),
    st.binary(min_size=16, max_size=16),
    st.binary(min_size=8, max_size=8),
    st.binary(max_size=64),
)
def test_mac_is_4_bytes_and_key_sensitive(alg: Alg, mk: bytes, factor: bytes, data: bytes) -> None:
    key = crypto.diversify(alg, mk, factor)
    assert len(key) == 16
    session = crypto.purchase_session_key(alg, key, factor[:4], 1, 2)
    mac = crypto.cbc_mac(alg, session, data)
    assert len(mac) == 4
    assert crypto.cbc_mac(alg, session, data) == mac
    assert crypto.macs_equal(mac, mac)


@given(st.datetimes(min_value=dt.datetime(1000, 1, 1)).map(lambda d: d.replace(microsecond=0)))
def test_bcd_datetime_roundtrip(moment: dt.datetime) -> None:
    date, time = crypto.bcd_datetime(moment)
    assert crypto.parse_bcd_datetime(date + time) == moment
