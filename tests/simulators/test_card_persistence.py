"""Card state on disk: survives a restart, every change is one atomic write, 0600, no leftovers."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from typing import Any

import pytest

from cardsvc.demo_issuer import demo_issuer_keys
from simulators.card.card import VirtualCard, fixed_rng
from simulators.card.factory import (
    UnknownCard,
    issue_user_card,
    open_psam,
    open_user_card,
    user_card_path,
)
from simulators.card.personalise import CardDescription, PersonaliseError
from simulators.card.purse import PurseApp
from simulators.card.reference import ReferenceTerminal
from simulators.card.state import PurseState
from simulators.card.store import StateError, StateStore

KEYS = demo_issuer_keys()
SELECT_ADF = bytes.fromhex("00A4040009A00000000386980701")
WHEN = dt.datetime(2026, 11, 26, 12, 0)


def _purse(card: VirtualCard) -> PurseState:
    app = card.app("purse")
    assert isinstance(app, PurseApp)
    return app.state


def test_a_restarted_card_keeps_balance_counters_and_logs(tmp_path):
    card = open_user_card(tmp_path)
    card.power_on()
    term = ReferenceTerminal(card, KEYS)
    term.select()
    term.purchase(1250, WHEN)
    term.load(500, WHEN)
    again = open_user_card(tmp_path)
    again.power_on()
    term2 = ReferenceTerminal(again, KEYS)
    term2.select()
    assert term2.balance() == 10000 - 1250 + 500
    assert again.transmit(bytes.fromhex("00B201C400"))[:2] == b"\x00\x00"  # load: online ATC 0
    state = _purse(again)
    assert (state.offline_atc, state.online_atc) == (1, 1)


def test_state_file_is_private_and_no_temp_file_is_left(tmp_path):
    card = open_user_card(tmp_path)
    path = user_card_path(tmp_path, "4102000000000001")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    card.transmit(SELECT_ADF)
    ReferenceTerminal(card, KEYS).purchase(100, WHEN)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card-4102000000000001.json"]


def test_debit_is_one_write_and_happens_before_the_answer(tmp_path, monkeypatch):
    card = open_user_card(tmp_path)
    card.transmit(SELECT_ADF)
    saves: list[dict[str, Any]] = []
    real_write = StateStore.write

    def counting_write(self, payload):
        saves.append(json.loads(payload))
        real_write(self, payload)

    monkeypatch.setattr(StateStore, "write", counting_write)
    ReferenceTerminal(card, KEYS).purchase(300, WHEN)
    assert len(saves) == 1
    purse = saves[0]["apps"]["purse"]
    assert (purse["balance"], purse["offline_atc"]) == (9700, 1)
    adf = saves[0]["fs"]["children"][0]
    ef18 = next(c for c in adf["children"] if c["fid"] == "0018")
    assert len(ef18["records"]) == 1


def test_a_failed_write_leaves_the_old_state_on_disk_and_in_memory(tmp_path, monkeypatch):
    card = open_user_card(tmp_path, rng=fixed_rng(bytes(4)))
    card.transmit(SELECT_ADF)
    path = user_card_path(tmp_path, "4102000000000001")
    before = path.read_bytes()

    def power_cut(src, dst):
        raise OSError(5, "power cut")

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(OSError, match="power cut"):
        ReferenceTerminal(card, KEYS).purchase(300, WHEN)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # the temp file is gone
    state = _purse(card)
    assert (state.balance, state.offline_atc) == (10000, 0)
    assert card.transmit(bytes.fromhex("00B201C400")) == bytes.fromhex("6A83")


def test_corrupt_state_is_reported(tmp_path):
    path = user_card_path(tmp_path, "4102000000000001")
    path.write_text("{not json")
    with pytest.raises(StateError):
        open_user_card(tmp_path)


def test_unknown_card_number(tmp_path):
    with pytest.raises(UnknownCard):
        open_user_card(tmp_path, "4102000000000099")


def test_issue_a_card_then_open_it(tmp_path):
    desc = CardDescription(
        "4102000000000099",
        "周一鸣",
        "11010519491231002X",
        card_type="student",
        valid_from=dt.date(2026, 9, 1),
        valid_until=dt.date(2030, 8, 31),
        balance_fen=2500,
        algorithm="sm4",
    )
    path = issue_user_card(tmp_path, desc, KEYS)
    assert path == user_card_path(tmp_path, "4102000000000099")
    with pytest.raises(FileExistsError):
        issue_user_card(tmp_path, desc, KEYS)
    card = open_user_card(tmp_path, "4102000000000099")
    fci = card.transmit(SELECT_ADF)
    ef15 = fci[-32:-2]
    assert ef15[12:20] == bytes.fromhex("4102000000000099")
    assert ef15[20:28] == bytes.fromhex("2026090120300831") and ef15[28] == 0x01
    assert ReferenceTerminal(card, KEYS).balance() == 2500
    issue_user_card(tmp_path, desc, KEYS, overwrite=True)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("number", "41020000000001"),
        ("card_type", "vip"),
        ("algorithm", "aes"),
        ("holder", "名" * 11),
        ("holder", ""),
        ("balance_fen", 100_001),
        ("pin", "12345"),
        ("id_number", "身份证"),
        ("valid_until", dt.date(2020, 1, 1)),
    ],
)
def test_issue_refuses_bad_descriptions(tmp_path, field, value):
    fields: dict[str, Any] = {
        "number": "4102000000000099",
        "holder": "周一鸣",
        "id_number": "11010519491231002X",
    }
    fields[field] = value
    with pytest.raises(PersonaliseError):
        issue_user_card(tmp_path, CardDescription(**fields), KEYS)


def test_psam_state_survives_restart(tmp_path):
    psam = open_psam(tmp_path)
    assert json.loads((tmp_path / "psam.json").read_text())["apps"]["psam"]["ttsn"] == 1
    assert psam.store is not None
    assert stat.S_IMODE(psam.store.path.stat().st_mode) == 0o600
