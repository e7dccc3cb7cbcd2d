"""Test controls (answer, delay, tear) in-process, and the control channel."""

from __future__ import annotations

import time

import pytest

from drivers.pcsc import CardChannel, CardRemoved
from drivers.pcsc.memory_backend import MemoryBackend
from drivers.pcsc.spi import CardWithdrawn
from simulators.card.controls import ControlClient, ControlError, ControlledCard, ControlServer
from simulators.card.factory import open_user_card
from tests.fixtures.cards import TinyCard, TinyStore

SELECT = bytes.fromhex("00A4040009A00000000386980701")
READ = bytes.fromhex("00B0950000")
WRITE = bytes.fromhex("80D0000000")


def counter(card: ControlledCard) -> int:
    return int.from_bytes(card.transmit(READ)[:-2], "big")


@pytest.fixture
def card() -> ControlledCard:
    c = ControlledCard(TinyCard())
    c.power_on()
    return c


def test_passes_through_by_default(card):
    assert card.atr == TinyCard().atr
    assert card.transmit(SELECT) == b"\x90\x00"
    assert card.transmit(WRITE) == b"\x90\x00"
    assert counter(card) == 1
    assert card.commands_total == 3


def test_answer_once_by_header_prefix(card):
    card.answer("80D0", 0x6581)
    assert card.transmit(SELECT) == b"\x90\x00"  # other commands untouched
    assert card.transmit(WRITE) == b"\x65\x81"
    assert counter(card) == 0  # the card never saw it
    assert card.transmit(WRITE) == b"\x90\x00"  # once
    assert counter(card) == 1


def test_answer_always_with_data_until_clear(card):
    card.answer(b"\x00\xb0", 0x9000, data=b"\x01\x02", times=None)
    for _ in range(3):
        assert card.transmit(READ) == b"\x01\x02\x90\x00"
    card.clear()
    assert card.transmit(READ) == bytes(30) + b"\x90\x00"


def test_answer_n_times(card):
    card.answer("00A4", 0x6A82, times=2)
    assert [card.transmit(SELECT) for _ in range(3)] == [b"\x6a\x82", b"\x6a\x82", b"\x90\x00"]


def test_delay_matching_commands(card):
    card.delay(0.05, "80D0", times=1)
    started = time.monotonic()
    card.transmit(SELECT)
    assert time.monotonic() - started < 0.04
    started = time.monotonic()
    card.transmit(WRITE)
    assert time.monotonic() - started >= 0.05
    started = time.monotonic()
    card.transmit(WRITE)
    assert time.monotonic() - started < 0.04


def test_tear_before_command_n_applies_nothing(card):
    card.tear(2, "before")
    assert card.transmit(WRITE) == b"\x90\x00"  # command 1
    with pytest.raises(CardWithdrawn):
        card.transmit(WRITE)  # command 2: torn before the card saw it
    assert card.inner.store.counter == 1
    assert card.inner.powered is False  # out of the field: no power, sessions gone
    assert card.withdrawn and card.tears == 1
    with pytest.raises(CardWithdrawn):
        card.transmit(READ)  # still out
    card.power_on()  # put back
    assert counter(card) == 1


def test_tear_after_applies_but_loses_the_answer(card):
    card.tear_after(1, prefix="80D0")
    card.transmit(SELECT)  # does not count: prefix
    with pytest.raises(CardWithdrawn):
        card.transmit(WRITE)
    assert card.inner.store.counter == 1  # applied
    card.power_on()
    assert counter(card) == 1
    assert card.transmit(WRITE) == b"\x90\x00"  # one-shot


def test_tear_counted_from_the_reset_point(card):
    card.transmit(SELECT)
    card.transmit(READ)
    card.tear(2, "before", count_from="reset")  # 2 already seen since power on: next session
    card.transmit(WRITE)
    assert card.commands_since_reset == 3
    card.reset()
    card.transmit(SELECT)  # 1 since reset
    with pytest.raises(CardWithdrawn):
        card.transmit(WRITE)  # 2 since reset
    assert card.inner.store.counter == 1


def test_tear_counted_from_reset_with_prefix_and_mark(card):
    card.transmit(WRITE)
    card.mark()
    card.tear(2, "after", count_from="reset", prefix="80D0")
    card.transmit(WRITE)
    with pytest.raises(CardWithdrawn):
        card.transmit(WRITE)
    assert card.inner.store.counter == 3


def test_state_survives_a_tear_like_a_real_card():
    store = TinyStore()
    first = ControlledCard(TinyCard(store))
    first.tear(1, "after")
    with pytest.raises(CardWithdrawn):
        first.transmit(WRITE)
    restarted = ControlledCard(TinyCard(store))  # "the same state dir"
    assert counter(restarted) == 1


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"when": "during"}, {"count_from": "later"}])
def test_tear_refuses_bad_arguments(card, kwargs):
    with pytest.raises(ValueError):
        card.tear(**kwargs)


def test_status_reports_counters(card):
    card.tear(5)
    card.transmit(SELECT)
    state = card.status()
    assert state["commands_total"] == 1 and state["pending"]["tears"] == 1


class FakeSlot:
    def __init__(self) -> None:
        self.connected = True
        self.calls: list[str] = []

    def insert(self) -> None:
        self.calls.append("insert")
        self.connected = True

    def remove(self) -> None:
        self.calls.append("remove")
        self.connected = False

    def wait_connected(self, timeout: float) -> bool:
        return self.connected

    def wait_disconnected(self, timeout: float) -> bool:
        return not self.connected


@pytest.fixture
def channel(tmp_path, card):
    slot = FakeSlot()
    with ControlServer(tmp_path / "ctl.sock", card, slot) as server:
        yield ControlClient(server.path), card, slot
    assert not (tmp_path / "ctl.sock").exists()


def test_control_channel_drives_the_card(channel):
    client, card, slot = channel
    assert client.status()["connected"] is True
    client.answer("00A4", 0x6A82)
    assert card.transmit(SELECT) == b"\x6a\x82"
    client.tear(1, "after", prefix="80D0")
    with pytest.raises(CardWithdrawn):
        card.transmit(WRITE)
    assert client.status()["tears"] == 1
    assert client.remove()["connected"] is False
    assert client.insert()["connected"] is True
    assert slot.calls == ["remove", "insert"]
    client.delay(0.0)
    client.mark()
    assert client.clear()["pending"] == {"answers": 0, "delays": 0, "tears": 0}


def test_control_channel_refuses_bad_requests(channel):
    client, _, _ = channel
    with pytest.raises(ControlError, match="unknown op"):
        client.call("explode")
    with pytest.raises(ControlError, match="n counts from 1"):
        client.tear(0)
    with pytest.raises(ControlError):
        client.call("answer", prefix="zz", sw=0x9000)
    assert client.status()["commands_total"] == 0  # still serving


def test_control_client_without_server(tmp_path):
    with pytest.raises(ControlError, match="control channel"):
        ControlClient(tmp_path / "nobody.sock", timeout=1).status()


def test_in_process_tear_with_memory_backend(tmp_path):
    backend = MemoryBackend(["Reader"])
    card = ControlledCard(open_user_card(tmp_path))
    backend.insert("Reader", card)
    select = bytes.fromhex("00A4040009A00000000386980701")
    wrong_pin = bytes.fromhex("0020000003999999")
    with CardChannel.connect(backend, "Reader", timeout=2.0) as channel:
        assert channel.transmit(select).sw == 0x9000
        tries = channel.transmit(wrong_pin).sw & 0x0F
        card.tear(1, "after", prefix="0020")
        with pytest.raises(CardRemoved):
            channel.transmit(wrong_pin)
    assert not backend.card_present("Reader")
    backend.insert("Reader", ControlledCard(open_user_card(tmp_path)))  # same state dir
    with CardChannel.connect(backend, "Reader", timeout=2.0) as channel:
        channel.transmit(select)
        expected = 0x63C0 | (tries - 2) if tries > 2 else 0x6983  # both counted, one answer lost
        assert channel.transmit(wrong_pin).sw == expected
