"""The virtual PSAM (card-spec 4.4): T=0 answers, terminal ID, 8070/8072, TTSN, 801A/80FA."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes

from cardsvc import crypto
from cardsvc.demo_issuer import demo_issuer_keys
from drivers.pcsc.spi import SimulatedCard
from simulators.card.card import fixed_rng
from simulators.card.factory import build_card, open_psam, open_user_card, psam_path
from simulators.card.personalise import PsamDescription, personalise_psam
from simulators.card.reference import call, exchange
from simulators.card.store import StateStore

KEYS = demo_issuer_keys()
FACTOR = "4102000000000001"
MAC1_3DES = "8070 0000 1C 1A2B3C4D 0005 000004E2 06 20261126 120000 01 {alg} " + FACTOR + " 08"


def tx(card: SimulatedCard, hexstr: str) -> str:
    return card.transmit(bytes.fromhex(hexstr.replace(" ", ""))).hex().upper()


def make_psam(tmp_path: Path, ttsn: int = 0x10):
    store = StateStore(psam_path(tmp_path))
    image = personalise_psam(PsamDescription("410200000001", ttsn), KEYS)
    store.save(image.as_dict())
    psam = build_card(image, store, t0=True)
    psam.power_on()
    assert tx(psam, "00A4000002 1001") == "6108"
    assert tx(psam, "00C0000008") == "6F06840210 01A500".replace(" ", "") + "9000"
    return psam


def test_demo_psam_terminal_id_and_atr(tmp_path):
    psam = open_psam(tmp_path)
    psam.power_on()
    assert tx(psam, "00B0960006") == "4102000000019000"  # also readable from the MF
    assert tx(psam, "00A40000021001") == "6108"
    assert tx(psam, "00B0960006") == "4102000000019000"
    assert tx(psam, "00B0960000") == "6C06"  # T=0: wrong Le
    assert psam.t0


def test_mac1_vector_and_mac2_check(tmp_path):
    psam = make_psam(tmp_path)
    assert tx(psam, MAC1_3DES.format(alg="00")) == "6108"
    assert tx(psam, "00C0000010") == "6C08"
    assert tx(psam, "00C0000008") == "000000104156ECF89000"
    assert tx(psam, "8072 0000 04 50EF395E") == "9302"
    assert tx(psam, "8072 0000 04 50EF395D") == "9000"


def test_sm4_and_compound_vectors(tmp_path):
    psam = make_psam(tmp_path)
    tx(psam, MAC1_3DES.format(alg="04"))
    assert tx(psam, "00C0000008") == "000000101CA2F80C9000"
    assert tx(psam, "8072000004 E490BC86") == "9000"
    tx(psam, "8070 0000 1C 01020304 0006 000000C8 09 20261126 073015 01 00 " + FACTOR + " 08")
    assert tx(psam, "00C0000008") == "00000011217648B59000"
    assert tx(psam, "8072000004 BF750436") == "9000"
    assert tx(psam, "8072000004 E490BC86") == "9302"  # only the last session counts


def test_ttsn_only_grows_and_is_persisted_before_the_answer(tmp_path):
    psam = make_psam(tmp_path, ttsn=0x10)
    tx(psam, MAC1_3DES.format(alg="00"))
    # the answer has not been fetched yet (61xx), but the next TTSN is already on disk
    assert json.loads(psam_path(tmp_path).read_text())["apps"]["psam"]["ttsn"] == 0x11
    again = open_psam(tmp_path)
    again.power_on()
    tx(again, "00A40000021001")
    tx(again, MAC1_3DES.format(alg="00"))
    assert tx(again, "00C0000008")[:8] == "00000011"
    tx(again, MAC1_3DES.format(alg="00"))
    assert tx(again, "00C0000008")[:8] == "00000012"


def test_refused_8070_uses_no_ttsn(tmp_path):
    psam = make_psam(tmp_path, ttsn=0x10)
    bad_version = "8070 0000 1C 1A2B3C4D 0005 000004E2 06 20261126 120000 02 00 " + FACTOR + " 08"
    assert tx(psam, bad_version) == "6A88"
    assert tx(psam, MAC1_3DES.format(alg="07")) == "6A80"
    assert tx(psam, "8070 0000 1B" + "00" * 27 + "08") == "6700"
    tx(psam, MAC1_3DES.format(alg="00"))
    assert tx(psam, "00C0000008")[:8] == "00000010"


def test_8072_needs_a_session(tmp_path):
    psam = make_psam(tmp_path)
    assert tx(psam, "8072000004 50EF395D") == "9302"
    tx(psam, MAC1_3DES.format(alg="00"))
    psam.reset()
    tx(psam, "00A40000021001")
    assert tx(psam, "8072000004 50EF395D") == "9302"


def _independent_retail_mac(damk: bytes, iv: bytes, data: bytes) -> bytes:
    def des(key: bytes, block: bytes, decrypt: bool = False) -> bytes:
        c = Cipher(TripleDES(key * 3), modes.ECB())
        ctx = c.decryptor() if decrypt else c.encryptor()
        return ctx.update(block) + ctx.finalize()

    padded = data + b"\x80" + bytes(-(len(data) + 1) % 8)
    chain = iv
    for i in range(0, len(padded), 8):
        chain = des(damk[:8], bytes(a ^ b for a, b in zip(chain, padded[i : i + 8], strict=True)))
    return des(damk[:8], des(damk[8:], chain, decrypt=True))[:4]


def test_maintenance_mac_3des(tmp_path):
    psam = make_psam(tmp_path)
    assert tx(psam, "80FA 0500 0D 1122334400000000 841E000004 04") == "6985"  # 801A first
    assert tx(psam, "801A 2501 08" + FACTOR) == "9000"
    assert tx(psam, "80FA 0500 0D 1122334400000000 841E000004 04") == "6104"
    mac = tx(psam, "00C0000004")
    factor = bytes.fromhex(FACTOR)
    tdes = Cipher(TripleDES(KEYS.mamk + KEYS.mamk[:8]), modes.ECB()).encryptor()
    damk = tdes.update(factor + bytes(b ^ 0xFF for b in factor)) + tdes.finalize()
    expected = _independent_retail_mac(
        damk, bytes.fromhex("1122334400000000"), bytes.fromhex("841E000004")
    )
    assert mac == expected.hex().upper() + "9000"
    assert tx(psam, "80FA 0500 0D 1122334400000001 841E000004 04") == "6A80"
    assert tx(psam, "801A 2501 07 41020000000000") == "6700"
    assert tx(psam, "801A 2502 08" + FACTOR) == "6A86"


@pytest.mark.parametrize(
    ("number", "alg"), [("4102000000000001", crypto.Alg.TDES), ("4102000000000005", crypto.Alg.SM4)]
)
def test_psam_blocks_a_demo_card(tmp_path, number, alg):
    """GET CHALLENGE on the card, 801A + 80FA on the PSAM, APPLICATION BLOCK on the card."""
    psam = open_psam(tmp_path)
    card = open_user_card(tmp_path, number, rng=fixed_rng(bytes.fromhex("CAFEBABE")))
    psam.power_on()
    card.power_on()
    call(psam, "SELECT", bytes.fromhex("00A40000021001"))
    call(card, "SELECT", bytes.fromhex("00A4040009A00000000386980701"))
    factor = bytes.fromhex(number)
    suffix = b"" if alg is crypto.Alg.TDES else bytes((alg,))
    call(psam, "801A", bytes((0x80, 0x1A, 0x25, 0x01, 8 + len(suffix))) + factor + suffix)
    challenge = call(card, "GET CHALLENGE", bytes.fromhex("0084000004"))
    body = challenge + bytes(alg.block_size - 4) + bytes.fromhex("841E000004")
    mac = call(psam, "80FA", bytes((0x80, 0xFA, 0x05, 0x00, len(body))) + body + b"\x04")
    assert exchange(card, bytes.fromhex("841E000004") + mac) == (b"", 0x9000)
    assert exchange(card, bytes.fromhex("805C000204")) == (b"", 0x9303)


def test_purchase_with_card_and_psam(tmp_path):
    """The whole purchase of card-spec 3 in-process: SELECT, INIT, 8070, DEBIT, 8072."""
    psam = open_psam(tmp_path)
    card = open_user_card(tmp_path)
    psam.power_on()
    card.power_on()
    call(psam, "SELECT", bytes.fromhex("00A40000021001"))
    tid = call(psam, "TERMINAL ID", bytes.fromhex("00B0960006"))
    fci = call(card, "SELECT", bytes.fromhex("00A4040009A00000000386980701"))
    factor = fci[-30:][12:20]
    init = call(card, "INIT", bytes.fromhex("805001020B01000004E2") + tid + b"\x0f")
    date, time = crypto.bcd_datetime(dt.datetime(2026, 11, 26, 12, 0))
    answer = call(
        psam,
        "8070",
        bytes.fromhex("807000001C")
        + init[11:15]
        + init[4:6]
        + bytes.fromhex("000004E206")
        + date
        + time
        + init[9:11]
        + factor
        + b"\x08",
    )
    ttsn, mac1 = answer[:4], answer[4:]
    assert ttsn == b"\x00\x00\x00\x01"
    debit = call(card, "DEBIT", bytes.fromhex("805401000F") + ttsn + date + time + mac1 + b"\x08")
    call(psam, "8072", bytes.fromhex("8072000004") + debit[4:8])
    assert call(card, "BALANCE", bytes.fromhex("805C000204")) == (10000 - 1250).to_bytes(4, "big")
