"""CardChannel over the in-memory backend: 61xx / 6Cxx, counters, timeouts, lost cards."""

from __future__ import annotations

import threading
import time

import pytest

from drivers.pcsc.apdu import parse_hex
from drivers.pcsc.channel import CardChannel
from drivers.pcsc.errors import (
    CardRemoved,
    ChannelClosed,
    NoCard,
    ReaderUnavailable,
    ServiceUnavailable,
    TransmitError,
    TransmitTimeout,
)
from drivers.pcsc.memory_backend import MemoryBackend
from tests.drivers.conftest import READER
from tests.drivers.fake_card import FAKE_ATR, FILE, FakeCard


def _memory(card: FakeCard) -> MemoryBackend:
    memory = MemoryBackend([READER])
    memory.insert(READER, card)
    return memory


def test_connect_gives_atr_reader_and_a_plain_answer(backend: MemoryBackend) -> None:
    with CardChannel.connect(backend, READER, timeout=1.0) as ch:
        assert ch.atr == FAKE_ATR and ch.reader == READER
        r = ch.transmit(parse_hex("00B0950028"))
        assert r.data == FILE and r.ok
        assert (ch.stats.commands, ch.stats.apdus, ch.stats.get_responses) == (1, 1, 0)
    assert ch.closed


def test_t0_get_response_loop_concatenates_the_data() -> None:
    card = FakeCard(t0=True, big=600)
    with CardChannel.connect(_memory(card), READER) as ch:
        r = ch.transmit(parse_hex("00CA000000"))
    assert r.ok and r.data == bytes(i & 0xFF for i in range(600))
    # 600 bytes: 61 00 (256) -> 256 + 61 00 -> 256 + 61 58 -> 88 + 9000
    assert [a.hex().upper() for a in card.received] == [
        "00CA000000", "00C0000000", "00C0000000", "00C0000058"]
    assert ch.stats.apdus == 4 and ch.stats.get_responses == 3
    assert ch.stats.apdus_without_get_response == 1 and ch.stats.commands == 1


def test_6cxx_reissues_with_the_le_the_card_asked_for() -> None:
    card = FakeCard(strict_le=True)
    with CardChannel.connect(_memory(card), READER) as ch:
        r = ch.transmit(parse_hex("00B0950000"))
    assert r.ok and r.data == FILE
    assert [a.hex().upper() for a in card.received] == ["00B0950000", "00B0950028"]
    assert ch.stats.reissues == 1 and ch.stats.apdus == 2


def test_6cxx_then_61xx() -> None:
    card = FakeCard(t0=True, strict_le=True)
    with CardChannel.connect(_memory(card), READER) as ch:
        r = ch.transmit(parse_hex("00B0950000"))
    assert r.ok and r.data == FILE
    assert [a.hex().upper() for a in card.received] == [
        "00B0950000", "00B0950028", "00C0000028"]
    assert (ch.stats.reissues, ch.stats.get_responses, ch.stats.apdus) == (1, 1, 3)


def test_a_card_that_announces_data_forever_is_an_error(backend: MemoryBackend) -> None:
    with CardChannel.connect(backend, READER) as ch, \
            pytest.raises(TransmitError, match="61xx more than"):
        ch.transmit(parse_hex("80E2000000"))


def test_status_words_other_than_9000_are_returned_not_raised(backend: MemoryBackend) -> None:
    with CardChannel.connect(backend, READER) as ch:
        r = ch.transmit(parse_hex("00FF000000"))
    assert r.sw == 0x6D00 and not r.ok and r.data == b""


def test_malformed_command_is_refused_before_sending(backend: MemoryBackend,
                                                     card: FakeCard) -> None:
    with CardChannel.connect(backend, READER) as ch:
        with pytest.raises(ValueError):
            ch.transmit(b"\x00\xa4")
        with pytest.raises(ValueError):
            ch.transmit(parse_hex("00A4040005AABB"))
        assert card.received == []
        assert not ch.closed


def test_malformed_answer_is_a_transmit_error_and_channel_stays_usable(
        backend: MemoryBackend) -> None:
    with CardChannel.connect(backend, READER) as ch:
        with pytest.raises(TransmitError, match="malformed answer"):
            ch.transmit(parse_hex("80E1000000"))
        assert ch.transmit(parse_hex("00B0950028")).ok


def test_timeout_raises_promptly_and_the_channel_is_then_unusable(
        backend: MemoryBackend, card: FakeCard) -> None:
    ch = CardChannel.connect(backend, READER, transmit_timeout=5.0)
    started = time.monotonic()
    with pytest.raises(TransmitTimeout, match=r"within 0\.2 s"):
        ch.transmit(parse_hex("80EE000000"), timeout=0.2)
    assert 0.2 <= time.monotonic() - started < 1.0
    assert ch.closed and ch.stats.timeouts == 1
    with pytest.raises(ChannelClosed, match="unusable after TransmitTimeout"):
        ch.transmit(parse_hex("00B0950028"))
    started = time.monotonic()
    ch.disconnect()  # does not wait for the stuck call
    assert time.monotonic() - started < 0.5
    card.release.set()  # the stuck call returns; the worker closes the connection and ends
    # the card is still there and a new channel works
    with CardChannel.connect(backend, READER) as again:
        assert again.transmit(parse_hex("00B0950028")).ok
    assert not [t for t in threading.enumerate() if t.name == f"pcsc-io:{READER}"
                and t.is_alive() and t is not threading.current_thread()
                and not _joins(t)]


def _joins(thread: threading.Thread) -> bool:
    thread.join(2.0)
    return not thread.is_alive()


def test_channel_default_timeout_applies(backend: MemoryBackend) -> None:
    with CardChannel.connect(backend, READER, transmit_timeout=0.15) as ch, \
            pytest.raises(TransmitTimeout):
        ch.transmit(parse_hex("80EE000000"))


def test_without_timeout_the_exchange_runs_in_the_callers_thread(
        backend: MemoryBackend, card: FakeCard) -> None:
    with CardChannel.connect(backend, READER, transmit_timeout=None) as ch:
        ch.transmit(parse_hex("00B0950028"))
        ch.transmit(parse_hex("00B0950028"), timeout=1.0)
    assert card.threads == [threading.current_thread().name, f"pcsc-io:{READER}"]


def test_invalid_timeouts_are_refused(backend: MemoryBackend) -> None:
    with pytest.raises(ValueError):
        CardChannel.connect(backend, READER, transmit_timeout=0)
    with pytest.raises(ValueError):
        CardChannel.connect(backend, READER, timeout=-1)
    with CardChannel.connect(backend, READER) as ch, pytest.raises(ValueError):
        ch.transmit(parse_hex("00B0950028"), timeout=-1)


def test_a_torn_card_leaves_the_reader(backend: MemoryBackend) -> None:
    with CardChannel.connect(backend, READER) as ch:
        with pytest.raises(CardRemoved, match="left"):
            ch.transmit(parse_hex("80EF000000"))
        assert ch.closed
        with pytest.raises(ChannelClosed):
            ch.transmit(parse_hex("00B0950028"))
    assert not backend.card_present(READER)


def test_a_removed_card_is_card_removed(backend: MemoryBackend) -> None:
    with CardChannel.connect(backend, READER) as ch:
        backend.remove(READER)
        with pytest.raises(CardRemoved):
            ch.transmit(parse_hex("00B0950028"))


def test_another_card_in_the_reader_is_not_ours(backend: MemoryBackend) -> None:
    with CardChannel.connect(backend, READER) as ch:
        backend.remove(READER)
        backend.insert(READER, FakeCard())
        with pytest.raises(CardRemoved):
            ch.transmit(parse_hex("00B0950028"))


def test_service_outage_is_service_unavailable(backend: MemoryBackend) -> None:
    with CardChannel.connect(backend, READER) as ch:
        backend.stop_service()
        with pytest.raises(ServiceUnavailable):
            ch.transmit(parse_hex("00B0950028"))
        backend.start_service()
        with pytest.raises(ChannelClosed):
            ch.transmit(parse_hex("00B0950028"))
    with CardChannel.connect(backend, READER) as again:  # a new connection works
        assert again.transmit(parse_hex("00B0950028")).ok


def test_connect_waits_for_a_card_up_to_its_timeout() -> None:
    memory = MemoryBackend([READER])
    started = time.monotonic()
    with pytest.raises(NoCard):
        CardChannel.connect(memory, READER, timeout=0.2)
    assert 0.2 <= time.monotonic() - started < 1.0
    card = FakeCard()
    timer = threading.Timer(0.2, memory.insert, (READER, card))
    timer.start()
    try:
        with CardChannel.connect(memory, READER, timeout=5.0) as ch:
            assert ch.atr == FAKE_ATR
    finally:
        timer.cancel()


def test_connect_errors(backend: MemoryBackend) -> None:
    with pytest.raises(ReaderUnavailable, match="no reader named"):
        CardChannel.connect(backend, "No Such Reader", timeout=0)
    with pytest.raises(NoCard):
        CardChannel.connect(backend, "Fake Reader 1", timeout=0)
    backend.stop_service()
    with pytest.raises(ServiceUnavailable):
        CardChannel.connect(backend, READER, timeout=0)


def test_exchanges_from_several_threads_are_serialised(backend: MemoryBackend) -> None:
    errors: list[BaseException] = []
    with CardChannel.connect(backend, READER) as ch:
        def work() -> None:
            try:
                for _ in range(50):
                    assert ch.transmit(parse_hex("00B0950028")).data == FILE
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert ch.stats.commands == 200
    assert errors == []


def test_disconnect_is_idempotent(backend: MemoryBackend) -> None:
    ch = CardChannel.connect(backend, READER)
    ch.transmit(parse_hex("00B0950028"))
    ch.disconnect()
    ch.disconnect()
    assert ch.closed
    assert "closed" in repr(ch)
