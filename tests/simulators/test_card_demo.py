"""The demo issuer data of card-spec section 7 (cardsvc.demo_issuer) and the demo cards."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from cardsvc.demo_issuer import (
    DemoDataError,
    demo_issuer_keys,
    install_demo_keys,
    load_demo_data,
)
from cardsvc.keys import KeyFileError
from drivers.idcard.codes import check_character as id_check_digit
from drivers.idcard.codes import id_number_valid
from simulators.card.factory import open_psam, open_user_card
from simulators.card.reference import ReferenceTerminal

TODAY = dt.date(2026, 11, 26)


def _gb11643(body: str) -> str:
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def test_five_demo_cards_as_in_the_spec():
    data = load_demo_data()
    by_no = {c.number: c for c in data.cards}
    assert sorted(by_no) == [f"410200000000000{i}" for i in range(1, 6)]
    c1, c2, c3, c4, c5 = (by_no[f"410200000000000{i}"] for i in range(1, 6))
    assert (c1.card_type, c1.algorithm, c1.balance_fen) == ("adult", "3des", 10000)
    assert (c2.card_type, c2.algorithm) == ("student", "3des")
    assert c3.valid_until < TODAY and all(c.valid_until > TODAY for c in (c1, c2, c4, c5))
    assert c4.lost and data.hotlist == ("4102000000000004",)
    assert (c5.card_type, c5.algorithm) == ("adult", "sm4")
    assert data.psam.terminal_id == "410200000001"
    assert all(c.pin == "123456" for c in data.cards)


def test_holders_and_id_numbers_are_well_formed():
    for card in load_demo_data().cards:
        assert all("\u4e00" <= ch <= "\u9fff" for ch in card.holder)
        assert len(card.holder.encode("gb18030")) <= 20
        assert len(card.id_number) == 18
        assert _gb11643(card.id_number[:17]) == card.id_number[17]
        assert id_number_valid(card.id_number)


def test_id_check_digit():
    assert id_check_digit("11010519491231002") == "X"  # the GB 11643 example
    assert not id_number_valid("110105194912310021")
    with pytest.raises(ValueError):
        id_check_digit("123")


def test_issuer_keys_are_the_spec_demo_keys():
    keys = demo_issuer_keys()
    assert keys.mpk.hex().upper() == "3F1A5C7E9B2D4F6081A3C5E7092B4D6F"
    assert keys.mlk.hex().upper() == "5A6B7C8D9EAFB0C1D2E3F40516273849"
    assert keys.mtk.hex().upper() == "0F1E2D3C4B5A69788796A5B4C3D2E1F0"
    assert keys.mamk.hex().upper() == "C1C2C3C4C5C6C7C8D1D2D3D4D5D6D7D8"
    assert keys.key_version == 1
    assert "3F1A" not in repr(keys)


def test_the_demo_keys_need_no_private_copy(tmp_path):
    """The shipped demo key file is public (git keeps no mode): the demo cards open anyway."""
    term = ReferenceTerminal(open_user_card(tmp_path), demo_issuer_keys())
    term.select()
    assert term.balance() == 10000


def test_bad_key_file_names_the_field_not_the_bytes(tmp_path):
    bad = tmp_path / "keys.toml"
    bad.write_text('[issuer]\nmpk = "3F1A5C7E9B2D4F60"\nmlk = "00"\nmtk = "00"\nmamk = "00"\n')
    os.chmod(bad, 0o600)
    with pytest.raises(KeyFileError) as exc:
        open_user_card(tmp_path / "cards", keys_file=bad)
    assert "mpk" in str(exc.value) and "3F1A" not in str(exc.value)
    assert not (tmp_path / "cards").exists()


def test_an_explicit_key_file_must_be_private(tmp_path):
    keys = install_demo_keys(tmp_path / "keys")
    os.chmod(keys, 0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        open_user_card(tmp_path / "cards", keys_file=keys)
    with pytest.raises(KeyFileError, match="chmod 600"):
        open_psam(tmp_path / "psam", keys_file=keys)
    os.chmod(keys, 0o600)
    term = ReferenceTerminal(open_user_card(tmp_path / "cards", keys_file=keys), demo_issuer_keys())
    term.select()
    term.purchase(100, dt.datetime(2026, 11, 26, 10, 0))  # the card has the demo keys
    assert term.balance() == 9900
    assert open_psam(tmp_path / "psam", keys_file=keys).transmit(
        bytes.fromhex("00B0960006")
    ) == bytes.fromhex("4102000000019000")


def test_a_key_file_without_the_card_keys_is_refused(tmp_path):
    path = tmp_path / "terminal.toml"
    path.write_text('[issuer]\nmpk = "3F1A5C7E9B2D4F6081A3C5E7092B4D6F"\n')
    os.chmod(path, 0o600)
    with pytest.raises(KeyFileError, match="no mlk"):
        open_user_card(tmp_path / "cards", keys_file=path)


def test_bad_demo_card_is_refused(tmp_path):
    path = tmp_path / "cards.toml"
    path.write_text(
        '[psam]\nterminal_id = "410200000001"\nttsn = 1\nkey_version = 1\n'
        '[[card]]\nnumber = "4102000000000001"\nholder = "张"\n'
        'id_number = "110105194912310021"\ncard_type = "adult"\n'
        "valid_from = 2024-01-01\nvalid_until = 2030-01-01\n"
        'balance_fen = 1\nalgorithm = "3des"\n'
    )
    with pytest.raises(DemoDataError, match="check digit"):
        load_demo_data(path)


@pytest.mark.parametrize(
    ("number", "type_code", "balance"),
    [
        ("4102000000000001", 0x00, 10000),
        ("4102000000000002", 0x01, 5000),
        ("4102000000000003", 0x02, 2000),
        ("4102000000000004", 0x03, 3000),
        ("4102000000000005", 0x00, 10000),
    ],
)
def test_demo_cards_carry_their_data(tmp_path, number, type_code, balance):
    card = open_user_card(tmp_path, number)
    term = ReferenceTerminal(card, demo_issuer_keys())
    fci = term.select()
    ef15 = fci[-30:]
    assert ef15[:8] == bytes.fromhex("41020000FFFFFFFF") and ef15[8:10] == b"\x03\x01"
    assert ef15[10:20] == b"\x00\x00" + bytes.fromhex(number)
    assert ef15[28] == type_code
    assert term.balance() == balance
    ef16 = card.transmit(bytes.fromhex("00B0960000"))[:-2]
    assert ef16[1] == (0x01 if type_code == 0x03 else 0x00)


def test_the_lost_card_still_works_itself(tmp_path):
    """Card 4 is only on the hotlist: the card answers normally (the terminal refuses it)."""
    card = open_user_card(tmp_path, "4102000000000004")
    term = ReferenceTerminal(card, demo_issuer_keys())
    term.select()
    term.purchase(100, dt.datetime(2026, 11, 26, 10, 0))
    assert term.balance() == 2900
