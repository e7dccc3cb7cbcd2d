"""The state file's encoding: compact JSON of the same document, old (indented) files still load,
the cached per-node JSON always equals the tree, and a failed write leaves no stale cache."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest

from cardsvc.demo_issuer import demo_issuer_keys
from simulators.card.card import VirtualCard, fixed_rng
from simulators.card.factory import open_psam, open_user_card, user_card_path
from simulators.card.files import TransparentEF
from simulators.card.purse import PurseApp
from simulators.card.reference import ReferenceTerminal
from simulators.card.store import StateStore

KEYS = demo_issuer_keys()
WHEN = dt.datetime(2026, 11, 26, 12, 0)


def _compact(doc: object) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def _check_json(card: VirtualCard) -> None:
    assert card.image.to_json() == _compact(card.image.as_dict())
    for df in card.image.root.walk():
        assert json.loads(df.to_json()) == df.as_dict()


def test_the_file_is_compact_json_of_the_image(tmp_path):
    card = open_user_card(tmp_path)
    term = ReferenceTerminal(card, KEYS)
    term.select()
    term.purchase(100, WHEN, transit_record=bytes(range(48)))
    text = user_card_path(tmp_path, "4102000000000001").read_text(encoding="utf-8")
    assert "\n" not in text and ": " not in text
    assert json.loads(text) == card.image.as_dict()
    _check_json(card)


def test_an_indented_state_file_of_the_old_writer_still_loads(tmp_path):
    card = open_user_card(tmp_path)
    ReferenceTerminal(card, KEYS).select()
    ReferenceTerminal(card, KEYS).purchase(250, WHEN)
    path = user_card_path(tmp_path, "4102000000000001")
    doc = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True))
    again = open_user_card(tmp_path)
    term = ReferenceTerminal(again, KEYS)
    term.select()
    assert term.balance() == 9750
    term.purchase(250, WHEN)  # and is rewritten in the new encoding
    assert "\n" not in path.read_text(encoding="utf-8")
    assert json.loads(path.read_text(encoding="utf-8"))["apps"]["purse"]["balance"] == 9500


def test_cached_json_follows_every_change(tmp_path):
    card = open_user_card(tmp_path)
    term = ReferenceTerminal(card, KEYS)
    term.select()
    for i in range(12):  # past the capacity of EF18 and EF1E
        term.purchase(1 + i, WHEN, transit_record=bytes((i,)) * 48)
        _check_json(card)
        term.load(5, WHEN)
        _check_json(card)
    ef15 = card.image.root.walk()[1].ef_by_sfi(0x15)
    assert isinstance(ef15, TransparentEF)
    ef15.data[29] = 0x7F  # a change to a binary file, directly
    _check_json(card)
    psam = open_psam(tmp_path / "psam")
    _check_json(psam)


def test_a_failed_write_rolls_back_memory_and_the_next_write_is_right(tmp_path, monkeypatch):
    card = open_user_card(tmp_path, rng=fixed_rng(bytes(4)))
    term = ReferenceTerminal(card, KEYS)
    term.select()
    term.purchase(100, WHEN)
    path = user_card_path(tmp_path, "4102000000000001")

    def power_cut(src: str, dst: str) -> None:
        raise OSError(5, "power cut")

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(OSError, match="power cut"):
        term.purchase(300, WHEN)
    monkeypatch.undo()
    _check_json(card)
    app = card.app("purse")
    assert isinstance(app, PurseApp)
    assert len(app.purse_log.records) == 1 and app.state.balance == 9900
    term.purchase(200, WHEN)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc == card.image.as_dict()
    assert doc["apps"]["purse"]["balance"] == 9700
    assert doc["apps"]["purse"]["offline_atc"] == 2


def test_store_write_is_atomic_and_creates_the_directory(tmp_path):
    """Atomic and durable through config.files.atomic_write (its fsync order: tests/config)."""
    store = StateStore(tmp_path / "new" / "dir" / "x.json")
    store.save({"a": 1, "b": "张"})
    assert store.load() == {"a": 1, "b": "张"}
    assert oct(store.path.stat().st_mode & 0o777) == oct(0o600)
    store.write(b'{"big":"' + b"x" * 300_000 + b'"}')
    loaded = store.load()
    assert loaded is not None and len(loaded["big"]) == 300_000
    assert sorted(p.name for p in store.path.parent.iterdir()) == ["x.json"]


def test_the_purse_uses_new_keys_if_its_state_gets_them(tmp_path):
    """The cached ciphers belong to the key bytes, not to the state object."""
    card = open_user_card(tmp_path)
    term = ReferenceTerminal(card, KEYS)
    term.select()
    term.purchase(100, WHEN)
    app = card.app("purse")
    assert isinstance(app, PurseApp)
    app.state.dpk = bytes(16)
    with pytest.raises(Exception, match="9302"):
        term.purchase(100, WHEN)
