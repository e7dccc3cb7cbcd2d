"""The e-purse on the virtual card: card-spec section 8 vectors, sessions, PIN, block, refusals.

The vector tests send literal APDUs and expect literal answers, all written from card-spec.md
section 8, so they check the card independently of any terminal-side code.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes

from cardsvc.crypto import Alg
from cardsvc.demo_issuer import demo_issuer_keys
from drivers.pcsc.spi import SimulatedCard
from simulators.card.card import VirtualCard, fixed_rng
from simulators.card.factory import build_card, open_user_card
from simulators.card.personalise import CardDescription, personalise_user_card
from simulators.card.purse import PurseApp
from simulators.card.reference import CardStatus, ReferenceTerminal
from simulators.card.state import PurseState
from simulators.card.store import StateStore

SELECT_ADF = "00A4040009A00000000386980701"
TID = "410200000001"
KEYS = demo_issuer_keys()


def tx(card: SimulatedCard, hexstr: str) -> str:
    return card.transmit(bytes.fromhex(hexstr.replace(" ", ""))).hex().upper()


def make_card(tmp_path: Path, *randoms: str, **desc: Any) -> VirtualCard:
    fields: dict[str, Any] = {
        "number": "4102000000000001",
        "holder": "张明华",
        "id_number": "410202198503150315",
        "balance_fen": 10000,
    }
    fields.update(desc)
    image = personalise_user_card(CardDescription(**fields), KEYS)
    store = StateStore(tmp_path / f"card-{fields['number']}.json")
    store.save(image.as_dict())
    rng = fixed_rng(*(bytes.fromhex(r) for r in randoms)) if randoms else None
    card = build_card(image, store, rng=rng)
    card.power_on()
    assert tx(card, SELECT_ADF).endswith("9000")
    return card


def purse(card: VirtualCard) -> PurseState:
    app = card.app("purse")
    assert isinstance(app, PurseApp)
    return app.state


def state_path(card: VirtualCard) -> Path:
    assert card.store is not None
    return card.store.path


def records(card: VirtualCard, sfi: int) -> list[str]:
    out = []
    for n in range(1, 12):
        r = tx(card, f"00B2{n:02X}{(sfi << 3) | 4:02X}00")
        if r == "6A83":
            break
        assert r.endswith("9000")
        out.append(r[:-4])
    return out


# --------------------------------------------------------------------------- personalisation


@pytest.mark.parametrize(
    ("alg", "dpk"),
    [("3des", "FB03BA2FCD080521AB52BCF28BBA5C8D"), ("sm4", "8A52ABE288C33BDB256DC43874A7CD6D")],
)
def test_card_stores_diversified_keys_only(tmp_path, alg, dpk):
    card = make_card(tmp_path, algorithm=alg)
    assert purse(card).dpk.hex().upper() == dpk
    if alg == "3des":
        assert purse(card).dlk.hex().upper() == "8538213A3FBEEF0F2B6C32C7B5301EE7"
        assert purse(card).dtk.hex().upper() == "43A8F7436344FEF87DAAE88149227FCB"
    text = state_path(card).read_text()
    for master in (KEYS.mpk, KEYS.mlk, KEYS.mtk, KEYS.mamk):
        assert master.hex().upper() not in text.upper()


# --------------------------------------------------------------------------- vectors


PURCHASE_INIT = "8050 0102 0B 01 000004E2" + TID + "0F"
PURCHASE_DEBIT = "8054 0100 0F 00000010 20261126 120000 {mac1} 08"
COMPOUND_INIT = "8050 0302 0B 01 000000C8" + TID + "0F"
COMPOUND_DEBIT = "8054 0100 0F 00000011 20261126 073015 {mac1} 08"
TRANSIT = (
    "03"
    "0000410200000001"
    "01"
    "00000100000001"
    "000000C8"
    "000021B6"
    "20261126073015"
    "4102"
    "4102000000000000"
    "000000000000"
)


@pytest.mark.parametrize(
    ("alg", "alg_id", "mac1", "tac", "mac2"),
    [
        ("3des", "00", "4156ECF8", "56416C95", "50EF395D"),
        ("sm4", "04", "1CA2F80C", "C9CAD79C", "E490BC86"),
    ],
)
def test_purchase_vector(tmp_path, alg, alg_id, mac1, tac, mac2):
    card = make_card(tmp_path, "1A2B3C4D", algorithm=alg, offline_atc=5)
    assert tx(card, PURCHASE_INIT) == "00002710000500000001" + alg_id + "1A2B3C4D9000"
    assert tx(card, PURCHASE_DEBIT.format(mac1=mac1)) == tac + mac2 + "9000"
    assert tx(card, "805C000204") == f"{10000 - 1250:08X}9000"
    assert records(card, 0x18) == ["0005000000000004E206" + TID + "20261126120000"]
    assert tx(card, "805A 0006 02 0006 08") == mac2 + tac + "9000"
    assert purse(card).offline_atc == 6


def test_compound_vector_after_purchase(tmp_path):
    card = make_card(tmp_path, "1A2B3C4D", "01020304", offline_atc=5)
    assert tx(card, PURCHASE_INIT).endswith("9000")
    assert tx(card, PURCHASE_DEBIT.format(mac1="4156ECF8")) == "56416C9550EF395D9000"
    init = tx(card, COMPOUND_INIT)
    assert init == "0000222E00060000000100010203049000"
    assert len(TRANSIT) == 96
    assert tx(card, "80DC 00F0 30" + TRANSIT) == "9000"
    assert tx(card, COMPOUND_DEBIT.format(mac1="217648B5")) == "5E748E6EBF7504369000"
    assert tx(card, "805C000204") == f"{10000 - 1250 - 200:08X}9000"
    log = records(card, 0x18)
    assert log[0] == "0006000000000000C809" + TID + "20261126073015"
    assert log[1].startswith("0005")
    assert records(card, 0x1E) == [TRANSIT]
    assert tx(card, "805A 0009 02 0007 08") == "BF7504365E748E6E9000"
    assert tx(card, "805A 0006 02 0006 08") == "50EF395D56416C959000"


@pytest.mark.parametrize(
    ("alg", "alg_id", "mac1", "mac2", "tac"),
    [
        ("3des", "00", "530882EB", "5E8990C3", "0EE5B348"),
        ("sm4", "04", "AF4967E5", "2083D29A", "5DEB1724"),
    ],
)
def test_load_vector(tmp_path, alg, alg_id, mac1, mac2, tac):
    card = make_card(tmp_path, "A1B2C3D4", algorithm=alg, balance_fen=0, online_atc=1)
    assert tx(card, "0020 0000 03 123456") == "9000"
    init = tx(card, "8050 0002 0B 01 00002710" + TID + "10")
    assert init == "00000000000101" + alg_id + "A1B2C3D4" + mac1 + "9000"
    assert tx(card, "8052 0000 0B 20261126 090000" + mac2 + "04") == tac + "9000"
    assert tx(card, "805C000204") == "000027109000"
    assert records(card, 0x18) == ["00010000000000271002" + TID + "20261126090000"]
    assert tx(card, "805A 0002 02 0002 08") == mac2 + tac + "9000"
    assert purse(card).online_atc == 2


# --------------------------------------------------------------------------- MAC failures


def test_bad_mac1_writes_nothing_and_closes_the_session(tmp_path):
    card = make_card(tmp_path, "1A2B3C4D", offline_atc=5)
    before = state_path(card).read_bytes()
    tx(card, PURCHASE_INIT)
    assert tx(card, PURCHASE_DEBIT.format(mac1="4156ECF9")) == "9302"
    assert state_path(card).read_bytes() == before
    assert tx(card, PURCHASE_DEBIT.format(mac1="4156ECF8")) == "6985"
    assert purse(card).balance == 10000 and purse(card).offline_atc == 5
    assert records(card, 0x18) == []
    assert tx(card, "805A 0006 02 0006 08") == "9406"


def test_bad_load_mac2_writes_nothing(tmp_path):
    card = make_card(tmp_path, "A1B2C3D4", balance_fen=0, online_atc=1)
    tx(card, "0020000003123456")
    tx(card, "8050 0002 0B 01 00002710" + TID + "10")
    assert tx(card, "8052 0000 0B 20261126 090000 5E8990C4 04") == "9302"
    assert purse(card).balance == 0 and purse(card).online_atc == 1
    assert records(card, 0x18) == []


def test_compound_with_bad_mac1_keeps_the_transit_record_out(tmp_path):
    card = make_card(tmp_path, "01020304", offline_atc=6, balance_fen=8750)
    tx(card, COMPOUND_INIT)
    assert tx(card, "80DC00F030" + TRANSIT) == "9000"
    assert tx(card, COMPOUND_DEBIT.format(mac1="00000000")) == "9302"
    assert records(card, 0x1E) == [] and records(card, 0x18) == []


# --------------------------------------------------------------------------- sessions


@pytest.mark.parametrize(
    "interloper",
    [
        "805C000204",
        "00B0950000",
        SELECT_ADF,
        "0084000004",
        "00",
        "0020000003123456",
        "80DC00F030" + TRANSIT,
    ],
)
def test_any_other_command_closes_the_purchase_session(tmp_path, interloper):
    card = make_card(tmp_path, "1A2B3C4D", offline_atc=5)
    assert tx(card, PURCHASE_INIT).endswith("9000")
    tx(card, interloper)
    tx(card, SELECT_ADF)
    assert tx(card, PURCHASE_DEBIT.format(mac1="4156ECF8")) == "6985"
    assert purse(card).balance == 10000


@pytest.mark.parametrize("event", ["reset", "power_off"])
def test_reset_and_power_off_close_the_session(tmp_path, event):
    card = make_card(tmp_path, "1A2B3C4D", offline_atc=5)
    tx(card, PURCHASE_INIT)
    getattr(card, event)()
    card.power_on()
    tx(card, SELECT_ADF)
    assert tx(card, PURCHASE_DEBIT.format(mac1="4156ECF8")) == "6985"


def test_load_session_closes_on_another_command(tmp_path):
    card = make_card(tmp_path, "A1B2C3D4", balance_fen=0, online_atc=1)
    tx(card, "0020000003123456")
    tx(card, "8050 0002 0B 01 00002710" + TID + "10")
    tx(card, "805C000204")
    assert tx(card, "8052 0000 0B 20261126 090000 5E8990C3 04") == "6985"
    assert purse(card).balance == 0


def test_compound_session_allows_one_update_then_debit(tmp_path):
    card = make_card(tmp_path, "01020304", offline_atc=6, balance_fen=8750)
    tx(card, COMPOUND_INIT)
    assert tx(card, "80DC00F030" + TRANSIT) == "9000"
    assert tx(card, "80DC00F030" + TRANSIT) == "6985"  # a second update closes the session
    assert tx(card, COMPOUND_DEBIT.format(mac1="217648B5")) == "6985"


def test_update_capp_outside_compound_session(tmp_path):
    card = make_card(tmp_path, "1A2B3C4D")
    assert tx(card, "80DC00F030" + TRANSIT) == "6985"
    tx(card, PURCHASE_INIT)
    assert tx(card, "80DC00F030" + TRANSIT) == "6985"


def test_compound_without_update_writes_only_ef18(tmp_path):
    card = make_card(tmp_path, "01020304", offline_atc=6, balance_fen=8750)
    tx(card, COMPOUND_INIT)
    assert tx(card, COMPOUND_DEBIT.format(mac1="217648B5")) == "5E748E6EBF7504369000"
    assert records(card, 0x1E) == [] and len(records(card, 0x18)) == 1


def test_t0_mode_get_response_does_not_close_the_session(tmp_path):
    card = make_card(tmp_path, "1A2B3C4D", offline_atc=5)
    card.t0 = True
    assert tx(card, PURCHASE_INIT) == "610F"
    assert tx(card, "00C000000F") == "00002710000500000001001A2B3C4D9000"
    assert tx(card, PURCHASE_DEBIT.format(mac1="4156ECF8")) == "6108"
    assert tx(card, "00C0000008") == "56416C9550EF395D9000"


# --------------------------------------------------------------------------- refusals


def test_purchase_refusals(tmp_path):
    card = make_card(tmp_path, "1A2B3C4D", balance_fen=1000)
    assert tx(card, "8050 0102 0B 01 000003E9" + TID + "0F") == "9401"
    assert tx(card, "8050 0102 0B 01 00000000" + TID + "0F") == "6A80"
    assert tx(card, "8050 0102 0A 01 000003E9 4102000000") == "6700"
    assert tx(card, "8050 0202 0B 01 00000001" + TID + "0F") == "6A86"
    assert tx(card, "8050 0102 0B 01 000003E8" + TID + "0F").endswith("9000")  # all of it
    assert tx(card, "8054 0100 0E 00000010 20261126 120000 4156EC 08") == "6700"


def test_load_refusals(tmp_path):
    card = make_card(tmp_path, "A1B2C3D4", balance_fen=99_000)
    assert tx(card, "8050 0002 0B 01 00000001" + TID + "10") == "6982"  # no PIN yet
    tx(card, "0020000003123456")
    assert tx(card, "8050 0002 0B 01 000003E9" + TID + "10") == "6A80"  # past 100000 fen
    assert tx(card, "8050 0002 0B 01 00000000" + TID + "10") == "6A80"
    assert tx(card, "8050 0002 0B 01 000003E8" + TID + "10").endswith("9000")
    tx(card, SELECT_ADF)  # a new SELECT forgets the PIN
    assert tx(card, "8050 0002 0B 01 00000001" + TID + "10") == "6982"


def test_load_up_to_the_maximum_balance(tmp_path):
    card = make_card(tmp_path, balance_fen=99_000)
    term = ReferenceTerminal(card, KEYS)
    term.load(1000, dt.datetime(2026, 11, 26, 9, 0))
    assert term.balance() == 100_000


def test_prove_refusals(tmp_path):
    card = make_card(tmp_path, "1A2B3C4D", offline_atc=5)
    assert tx(card, "805A 0006 02 0006 08") == "9406"
    tx(card, PURCHASE_INIT)
    tx(card, PURCHASE_DEBIT.format(mac1="4156ECF8"))
    assert tx(card, "805A 0006 02 0005 08") == "9406"  # INIT's ATC, not the one after
    assert tx(card, "805A 0002 02 0006 08") == "9406"  # no load yet
    assert tx(card, "805A 0006 03 000006 08") == "6700"


def test_purse_commands_need_the_adf(tmp_path):
    card = make_card(tmp_path)
    tx(card, "00A40000023F00")
    assert tx(card, "805C000204") == "6D00"
    assert tx(card, "005C000204") == "6D00"


# --------------------------------------------------------------------------- PIN


def test_pin_try_counter(tmp_path):
    card = make_card(tmp_path)
    assert tx(card, "0020000003123457") == "63C2"
    assert tx(card, "0020000003123456") == "9000"  # a right PIN resets the counter
    assert tx(card, "0020000003123457") == "63C2"
    assert tx(card, "0020000003123457") == "63C1"
    assert tx(card, "0020000003654321") == "6983"  # the last try blocks the PIN
    assert tx(card, "0020000003123456") == "6983"
    assert purse(card).pin_tries_left == 0
    assert tx(card, "0020000103123456") == "6A86"


def test_pin_counter_survives_a_restart(tmp_path):
    card = make_card(tmp_path)
    assert tx(card, "0020000003000000") == "63C2"
    again = open_user_card(tmp_path)
    again.power_on()
    tx(again, SELECT_ADF)
    assert tx(again, "0020000003000000") == "63C1"


# --------------------------------------------------------------------------- block / unblock


def _des(key8: bytes, block: bytes, decrypt: bool = False) -> bytes:
    cipher = Cipher(TripleDES(key8 * 3), modes.ECB())
    ctx = cipher.decryptor() if decrypt else cipher.encryptor()
    return ctx.update(block) + ctx.finalize()


def _retail_mac_from_spec(damk: bytes, challenge: bytes, data: bytes) -> bytes:
    """ISO 9797-1 MAC algorithm 3 written here from card-spec 4.5 (independent of cardsvc)."""
    padded = data + b"\x80" + bytes(-(len(data) + 1) % 8)
    chain = challenge + bytes(4)
    for i in range(0, len(padded), 8):
        chain = _des(damk[:8], bytes(a ^ b for a, b in zip(chain, padded[i : i + 8], strict=True)))
    return _des(damk[:8], _des(damk[8:], chain, decrypt=True))[:4]


def _damk_from_spec(factor: bytes) -> bytes:
    mk = KEYS.mamk
    tdes = Cipher(TripleDES(mk + mk[:8]), modes.ECB()).encryptor()
    return tdes.update(factor + bytes(b ^ 0xFF for b in factor)) + tdes.finalize()


def test_block_and_unblock_with_the_maintenance_mac(tmp_path):
    card = make_card(tmp_path, "11223344")
    damk = _damk_from_spec(bytes.fromhex("4102000000000001"))
    assert tx(card, "0084000004") == "112233449000"
    mac = _retail_mac_from_spec(damk, bytes.fromhex("11223344"), bytes.fromhex("841E000004"))
    assert tx(card, "841E000004" + mac.hex()) == "9000"
    fci = tx(card, SELECT_ADF)
    assert fci.endswith("6283") and fci.startswith("6F2E")
    for command in ("805C000204", PURCHASE_INIT, "0020000003123456", "805A0006020006"):
        assert tx(card, command) == "9303"
    assert tx(card, "00B0950000").endswith("9000")  # files stay readable
    restarted = open_user_card(tmp_path)
    assert tx(restarted, SELECT_ADF).endswith("6283")
    tx(restarted, "0084000004")
    restarted.rng = fixed_rng(bytes.fromhex("55667788"))
    assert tx(restarted, "0084000004") == "556677889000"
    mac = _retail_mac_from_spec(damk, bytes.fromhex("55667788"), bytes.fromhex("8418000004"))
    assert tx(restarted, "8418000004" + mac.hex()) == "9000"
    assert tx(restarted, SELECT_ADF).endswith("9000")
    assert tx(restarted, "805C000204") == "000027109000"


def test_block_refusals(tmp_path):
    card = make_card(tmp_path, "11223344")
    assert tx(card, "841E00000400000000") == "6985"  # no challenge
    tx(card, "0084000004")
    assert tx(card, "841E00000400000000") == "9302"
    tx(card, "0084000004")
    tx(card, "805C000204")  # the challenge is only good for the very next command
    damk = _damk_from_spec(bytes.fromhex("4102000000000001"))
    mac = _retail_mac_from_spec(damk, bytes.fromhex("11223344"), bytes.fromhex("841E000004"))
    assert tx(card, "841E000004" + mac.hex()) == "6985"
    assert not purse(card).blocked


def test_sm4_card_blocks_through_the_reference_terminal(tmp_path):
    card = make_card(tmp_path, algorithm="sm4")
    term = ReferenceTerminal(card, KEYS)
    term.maintenance(block=True, alg=Alg.SM4)
    assert tx(card, SELECT_ADF).endswith("6283")
    with pytest.raises(CardStatus) as exc:
        term.balance()
    assert exc.value.sw == 0x9303
    term.maintenance(block=False, alg=Alg.SM4)
    assert term.balance() == 10000


def test_sm4_card_does_everything(tmp_path):
    card = make_card(tmp_path, algorithm="sm4", number="4102000000000005")
    term = ReferenceTerminal(card, KEYS)
    when = dt.datetime(2026, 11, 26, 8, 0)
    term.purchase(1250, when)
    term.purchase(200, when, transit_record=bytes.fromhex(TRANSIT))
    term.load(5000, when)
    assert term.balance() == 10000 - 1250 - 200 + 5000
    assert [r[18:20] for r in records(card, 0x18)] == ["02", "09", "06"]
