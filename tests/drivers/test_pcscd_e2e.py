"""The reader layer through the real pcscd (session fixture) and the vpcd bridge's virtual cards."""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator

import pytest

from drivers.pcsc import errors, monitor
from drivers.pcsc.apdu import parse_hex
from drivers.pcsc.channel import CardChannel
from drivers.pcsc.monitor import CardState, MonitorEvent, ReaderMonitor
from drivers.pcsc.pyscard_backend import PyscardBackend
from simulators.pcscd import READER_NAMES, PcscdProcess
from tests.fixtures.cards import AttachCard, CardRig, VirtualCard

pytestmark = pytest.mark.pcscd

READER0, READER1 = READER_NAMES
SELECT_ADF = parse_hex("00A4040009A00000000386980701")
READ_EF15 = parse_hex("00B0950000")
ISSUER = bytes.fromhex("41020000FFFFFFFF")


@pytest.fixture
def backend(pcscd: PcscdProcess) -> Iterator[PyscardBackend]:
    b = PyscardBackend()
    yield b
    b.close()


def wait_for(q: queue.Queue[MonitorEvent], kind: type[MonitorEvent], timeout: float,
             reader: str | None = None) -> MonitorEvent:
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"no {kind.__name__} within {timeout} s")
        try:
            event = q.get(timeout=remaining)
        except queue.Empty:
            continue
        if isinstance(event, kind) and (reader is None or getattr(event, "reader", None) == reader):
            return event


def test_empty_readers(backend: PyscardBackend, card_rig: CardRig) -> None:
    with card_rig.vacate(0), card_rig.vacate(1):
        assert backend.list_readers() == list(READER_NAMES)
        statuses = backend.reader_statuses()
        assert not statuses[READER0].present and statuses[READER0].atr == b""
        assert not backend.card_present(READER1)
        started = time.monotonic()
        with pytest.raises(errors.NoCard):
            CardChannel.connect(backend, READER0, timeout=0.3)
        assert 0.3 <= time.monotonic() - started < 2.0
    with pytest.raises(errors.ReaderUnavailable):
        CardChannel.connect(backend, "No Such Reader", timeout=0)
    with pytest.raises(errors.ReaderUnavailable):
        backend.card_present("No Such Reader")


def test_demo_card_presence_atr_select_and_read(backend: PyscardBackend,
                                                demo_card: VirtualCard) -> None:
    atr = demo_card.wait_present()
    status = backend.reader_statuses()[READER0]
    assert status.present and status.atr == atr == demo_card.card.atr
    with CardChannel.connect(backend, READER0, timeout=2.0) as ch:
        assert ch.atr == atr
        select = ch.transmit(SELECT_ADF)
        assert select.ok and select.data[:1] == b"\x6f"
        ef15 = ch.transmit(READ_EF15)
        assert ef15.ok and len(ef15.data) == 30 and ef15.data[:8] == ISSUER
        assert ch.stats.apdus == 2 and ch.stats.get_responses == 0


def test_t0_card_get_response_and_reissue_through_pcscd(backend: PyscardBackend,
                                                        attach_card: AttachCard) -> None:
    handle = attach_card()
    inner = handle.card.inner
    assert hasattr(inner, "t0")
    with CardChannel.connect(backend, READER0, timeout=2.0) as ch:
        plain = [ch.transmit(SELECT_ADF), ch.transmit(READ_EF15)]
        inner.t0 = True
        ch.stats.apdus = ch.stats.get_responses = ch.stats.reissues = 0
        t0 = [ch.transmit(SELECT_ADF), ch.transmit(READ_EF15)]
        assert [r.to_bytes() for r in t0] == [r.to_bytes() for r in plain]
        # SELECT: 61xx then GET RESPONSE; READ BINARY Le=00: 6C1E then Le=1E
        assert (ch.stats.apdus, ch.stats.get_responses, ch.stats.reissues) == (4, 1, 1)
        assert ch.stats.apdus_without_get_response == 3


def test_timeout_on_a_card_that_does_not_answer(backend: PyscardBackend,
                                                attach_card: AttachCard) -> None:
    handle = attach_card()
    ch = CardChannel.connect(backend, READER0, timeout=2.0)
    handle.card.delay(1.2, "00B0", times=1)
    started = time.monotonic()
    with pytest.raises(errors.TransmitTimeout):
        ch.transmit(READ_EF15, timeout=0.3)
    assert time.monotonic() - started < 0.8
    with pytest.raises(errors.ChannelClosed):
        ch.transmit(READ_EF15)
    ch.disconnect()
    started = time.monotonic()
    assert backend.list_readers() == list(READER_NAMES)  # the backend is not stuck with it
    assert time.monotonic() - started < 0.5
    with CardChannel.connect(backend, READER0, timeout=2.0) as again:
        assert again.transmit(SELECT_ADF).ok  # served once the slow command is done


def test_card_removed_mid_session(backend: PyscardBackend, attach_card: AttachCard) -> None:
    handle = attach_card()
    with CardChannel.connect(backend, READER0, timeout=2.0) as ch:
        assert ch.transmit(SELECT_ADF).ok
        handle.remove()
        with pytest.raises(errors.CardRemoved):
            ch.transmit(READ_EF15)
        assert ch.closed


def test_monitor_sees_cards_come_and_go(pcscd: PcscdProcess, demo_card: VirtualCard) -> None:
    atr = demo_card.wait_present()
    with ReaderMonitor("pcsc://", poll_timeout=0.5) as mon:
        q = mon.events()
        # events before the subscription are in the state: wait for the first look
        deadline = time.monotonic() + 5
        while mon.service_available is not True and time.monotonic() < deadline:
            time.sleep(0.02)
        assert mon.readers()[READER0].atr == atr
        assert mon.state(READER0) is CardState.CARD_PRESENT
        mon.begin_processing(READER0)
        mon.end_processing(READER0)
        demo_card.remove()
        removed = wait_for(q, monitor.CardRemoved, 5.0, READER0)
        assert removed == monitor.CardRemoved(READER0, CardState.WAITING_REMOVAL)
        demo_card.insert()
        assert wait_for(q, monitor.CardInserted, 5.0, READER0) == \
            monitor.CardInserted(READER0, atr)


def test_monitor_survives_a_pcscd_restart(pcscd: PcscdProcess, demo_card: VirtualCard,
                                          backend: PyscardBackend) -> None:
    atr = demo_card.wait_present()
    assert backend.list_readers()  # a context made before the restart
    mon = ReaderMonitor("pcsc://", poll_timeout=0.5, backoff_initial=0.1, backoff_max=1.0)
    q = mon.events()
    mon.start()
    try:
        assert wait_for(q, monitor.CardInserted, 5.0, READER0) == \
            monitor.CardInserted(READER0, atr)
        pcscd.kill()
        lost = wait_for(q, monitor.ServiceUnavailable, 5.0)
        assert "pcscd" in lost.message  # type: ignore[attr-defined]
        assert mon.running and mon.readers() == {}
        time.sleep(0.5)  # a few retries while pcscd is away
        assert mon.running
        pcscd.start()
        wait_for(q, monitor.ServiceRestored, 10.0)
        assert wait_for(q, monitor.CardInserted, 15.0, READER0) == \
            monitor.CardInserted(READER0, atr)
        assert mon.state(READER0) is CardState.CARD_PRESENT
        assert backend.list_readers() == list(READER_NAMES)  # its context was replaced
        with CardChannel.connect(backend, READER0, timeout=5.0) as ch:
            assert ch.transmit(SELECT_ADF).ok
    finally:
        mon.stop()
        if pcscd.proc is None:
            pcscd.start()
    assert not mon.running
