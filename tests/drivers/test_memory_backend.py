"""MemoryBackend test controls, and open_backend / split_url."""

from __future__ import annotations

import threading
import time

import pytest

import drivers.pcsc as pcsc
from drivers.pcsc import errors, open_backend, split_url
from drivers.pcsc.memory_backend import MemoryBackend
from drivers.pcsc.spi import ReaderStatus
from tests.drivers.fake_card import FAKE_ATR, FakeCard


def test_readers_cards_and_power() -> None:
    memory = MemoryBackend(["A"])
    memory.add_reader("B")
    assert memory.list_readers() == ["A", "B"]
    with pytest.raises(ValueError):
        memory.add_reader("A")
    card = FakeCard()
    memory.insert("A", card)
    assert card.powered and memory.card_present("A") and not memory.card_present("B")
    with pytest.raises(ValueError, match="already holds"):
        memory.insert("A", FakeCard())
    assert memory.reader_statuses() == {"A": ReaderStatus(True, FAKE_ATR, events=1),
                                        "B": ReaderStatus(False)}
    assert memory.remove("A") is card and not card.powered
    assert memory.remove("A") is None
    assert memory.reader_statuses()["A"] == ReaderStatus(False, events=2)
    with pytest.raises(errors.ReaderUnavailable):
        memory.insert("Z", card)
    memory.insert("B", card)
    memory.remove_reader("B")
    assert not card.powered and memory.list_readers() == ["A"]
    with pytest.raises(errors.ReaderUnavailable):
        memory.remove_reader("B")


def test_service_controls() -> None:
    memory = MemoryBackend(["A"])
    memory.stop_service()
    for call in (memory.list_readers, memory.reader_statuses, lambda: memory.card_present("A")):
        with pytest.raises(errors.ServiceUnavailable):
            call()
    memory.start_service()
    assert memory.list_readers() == ["A"]


def test_a_failing_card_model_is_a_transmit_error() -> None:
    class Broken(FakeCard):
        def transmit(self, apdu: bytes) -> bytes:
            raise KeyError("model bug")

    memory = MemoryBackend(["A"])
    memory.insert("A", Broken())
    conn = memory.connect("A", 0)
    with pytest.raises(errors.TransmitError, match="KeyError"):
        conn.transmit_raw(b"\x00\xa4\x00\x00", 1.0)


def test_wait_for_change_wakes_on_insert_and_on_cancel() -> None:
    memory = MemoryBackend(["A"])
    watcher = memory.spawn()
    known = watcher.reader_statuses()
    threading.Timer(0.1, memory.insert, ("A", FakeCard())).start()
    started = time.monotonic()
    changed = watcher.wait_for_change(known, 5.0)
    assert changed["A"].present and time.monotonic() - started < 2.0
    threading.Timer(0.1, watcher.cancel).start()
    started = time.monotonic()
    assert watcher.wait_for_change(changed, 5.0) == changed
    assert time.monotonic() - started < 2.0
    assert watcher.wait_for_change(changed, 0.05) == changed  # plain timeout


def test_split_url_and_open_backend() -> None:
    assert split_url("pcsc://") == ("pcsc", None)
    assert split_url("pcsc://Virtual PCD 00 00") == ("pcsc", "Virtual PCD 00 00")
    assert split_url("memory://") == ("memory", None)
    for bad in ("pcsc", "usb://x", ""):
        with pytest.raises(ValueError, match="unknown reader backend URL"):
            split_url(bad)
    assert isinstance(open_backend("memory://"), MemoryBackend)
    assert pcsc.MemoryBackend is MemoryBackend  # the lazy public face
    with pytest.raises(AttributeError):
        _ = pcsc.NoSuchThing
