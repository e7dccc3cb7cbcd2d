"""ReaderMonitor over the in-memory backend and a scripted one: state machine, events, outages."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator, Mapping

import pytest

from drivers.pcsc import errors, monitor
from drivers.pcsc.memory_backend import MemoryBackend
from drivers.pcsc.monitor import CardState, InvalidTransition, MonitorEvent, ReaderMonitor
from drivers.pcsc.spi import BackendSpi, ConnectionSpi, ReaderStatus
from tests.drivers.fake_card import FAKE_ATR, FakeCard

A, B = "Reader A", "Reader B"
WAIT = 3.0


def next_event(q: queue.Queue[MonitorEvent], kind: type[MonitorEvent] | None = None,
               *, skip_state_changes: bool = True, timeout: float = WAIT) -> MonitorEvent:
    """The next event (of ``kind``, if given, skipping others)."""
    deadline = time.monotonic() + timeout
    while True:
        event = q.get(timeout=max(0.01, deadline - time.monotonic()))
        if kind is not None and not isinstance(event, kind):
            continue
        if kind is None and skip_state_changes and isinstance(event, monitor.StateChanged):
            continue
        return event


def drain(q: queue.Queue[MonitorEvent], settle: float = 0.1) -> list[MonitorEvent]:
    time.sleep(settle)
    out = []
    while True:
        try:
            out.append(q.get_nowait())
        except queue.Empty:
            return out


@pytest.fixture
def memory() -> MemoryBackend:
    return MemoryBackend([A, B])


@pytest.fixture
def mon(memory: MemoryBackend) -> Iterator[ReaderMonitor]:
    m = ReaderMonitor(memory, poll_timeout=0.5, backoff_initial=0.02, backoff_max=0.1)
    yield m
    m.stop()


def test_start_reports_readers_and_cards_in_order(memory: MemoryBackend,
                                                  mon: ReaderMonitor) -> None:
    memory.insert(A, FakeCard())
    q = mon.events()
    mon.start()
    events = [next_event(q, skip_state_changes=False) for _ in range(4)]
    assert events[0] == monitor.ReaderAdded(A)
    assert events[1] == monitor.StateChanged(A, CardState.NO_CARD, CardState.CARD_PRESENT)
    assert events[2] == monitor.CardInserted(A, FAKE_ATR)
    assert events[3] == monitor.ReaderAdded(B)
    assert mon.state(A) is CardState.CARD_PRESENT and mon.state(B) is CardState.NO_CARD
    assert mon.readers()[A].atr == FAKE_ATR
    assert mon.service_available is True


def test_full_cycle_of_the_state_machine(memory: MemoryBackend, mon: ReaderMonitor) -> None:
    seen: list[MonitorEvent] = []
    mon.subscribe(seen.append)
    q = mon.events()
    mon.start()
    next_event(q, monitor.ReaderAdded)
    next_event(q, monitor.ReaderAdded)
    memory.insert(A, FakeCard())
    assert next_event(q) == monitor.CardInserted(A, FAKE_ATR)
    mon.begin_processing(A)
    assert mon.state(A) is CardState.PROCESSING
    mon.end_processing(A)
    assert mon.state(A) is CardState.WAITING_REMOVAL
    memory.remove(A)
    assert next_event(q) == monitor.CardRemoved(A, CardState.WAITING_REMOVAL)
    assert mon.state(A) is CardState.NO_CARD
    changes = [e for e in seen if isinstance(e, monitor.StateChanged)]
    assert [(c.reader, c.old, c.new) for c in changes] == [
        (A, CardState.NO_CARD, CardState.CARD_PRESENT),
        (A, CardState.CARD_PRESENT, CardState.PROCESSING),
        (A, CardState.PROCESSING, CardState.WAITING_REMOVAL),
        (A, CardState.WAITING_REMOVAL, CardState.NO_CARD)]


def test_invalid_transitions(memory: MemoryBackend, mon: ReaderMonitor) -> None:
    q = mon.events()
    mon.start()
    next_event(q, monitor.ReaderAdded)
    next_event(q, monitor.ReaderAdded)
    with pytest.raises(errors.NoCard):
        mon.begin_processing(A)
    with pytest.raises(errors.ReaderUnavailable):
        mon.begin_processing("Nope")
    with pytest.raises(errors.ReaderUnavailable):
        mon.state("Nope")
    memory.insert(A, FakeCard())
    next_event(q, monitor.CardInserted)
    with pytest.raises(InvalidTransition):
        mon.end_processing(A)  # not processing
    mon.begin_processing(A)
    with pytest.raises(InvalidTransition):
        mon.begin_processing(A)
    mon.end_processing(A)
    with pytest.raises(InvalidTransition):
        mon.begin_processing(A)  # processed: waiting for removal


def test_card_pulled_out_during_processing(memory: MemoryBackend, mon: ReaderMonitor) -> None:
    memory.insert(A, FakeCard())
    q = mon.events()
    mon.start()
    next_event(q, monitor.CardInserted)
    mon.begin_processing(A)
    memory.remove(A)
    assert next_event(q, monitor.CardRemoved) == monitor.CardRemoved(A, CardState.PROCESSING)
    mon.end_processing(A)  # the service finishing late: nothing to do
    assert mon.state(A) is CardState.NO_CARD


def test_readers_coming_and_going(memory: MemoryBackend, mon: ReaderMonitor) -> None:
    q = mon.events()
    mon.start()
    next_event(q, monitor.ReaderAdded)
    next_event(q, monitor.ReaderAdded)
    memory.add_reader("Reader C")
    assert next_event(q) == monitor.ReaderAdded("Reader C")
    memory.insert("Reader C", FakeCard())
    next_event(q, monitor.CardInserted)
    memory.remove_reader("Reader C")
    assert next_event(q) == monitor.CardRemoved("Reader C", CardState.CARD_PRESENT)
    assert next_event(q) == monitor.ReaderRemoved("Reader C")
    assert "Reader C" not in mon.readers()


def test_outage_is_reported_then_recovered(memory: MemoryBackend, mon: ReaderMonitor) -> None:
    memory.insert(A, FakeCard())
    q = mon.events()
    mon.start()
    next_event(q, monitor.CardInserted)
    next_event(q, monitor.ReaderAdded)  # B
    memory.stop_service()
    lost = next_event(q)
    assert isinstance(lost, monitor.ServiceUnavailable)
    assert mon.service_available is False
    assert {type(e) for e in drain(q)} == {monitor.CardRemoved, monitor.ReaderRemoved,
                                           monitor.StateChanged}
    assert mon.readers() == {}
    time.sleep(0.3)  # several retries: still only one ServiceUnavailable
    assert not [e for e in drain(q, 0) if isinstance(e, monitor.ServiceUnavailable)]
    memory.start_service()
    assert isinstance(next_event(q), monitor.ServiceRestored)
    assert next_event(q, monitor.CardInserted) == monitor.CardInserted(A, FAKE_ATR)
    assert mon.state(A) is CardState.CARD_PRESENT and mon.running


class _CountingBackend(MemoryBackend):
    """Records when the monitor looks while the service is down."""

    def __init__(self) -> None:
        super().__init__([A])
        self.attempts: list[float] = []

    def reader_statuses(self) -> dict[str, ReaderStatus]:
        try:
            return super().reader_statuses()
        except errors.ServiceUnavailable:
            self.attempts.append(time.monotonic())
            raise

    def spawn(self) -> MemoryBackend:
        return self


def test_reconnect_backs_off_exponentially_up_to_the_maximum() -> None:
    backend = _CountingBackend()
    backend.stop_service()
    m = ReaderMonitor(backend, backoff_initial=0.02, backoff_max=0.16)
    m.start()
    try:
        time.sleep(1.0)
    finally:
        m.stop()
    gaps = [b - a for a, b in zip(backend.attempts, backend.attempts[1:], strict=False)]
    assert len(gaps) >= 5
    assert gaps[0] < gaps[2] < gaps[3]  # 0.02, 0.04, 0.08, 0.16 ...
    assert all(g < 0.3 for g in gaps)  # ... capped at backoff_max


class _Scripted(BackendSpi):
    """Returns scripted reader statuses (or raises scripted exceptions), one per look."""

    def __init__(self, script: list[dict[str, ReaderStatus] | BaseException]) -> None:
        self.script = script
        self.last: dict[str, ReaderStatus] = {}
        self.done = threading.Event()

    def _next(self) -> dict[str, ReaderStatus]:
        if not self.script:
            self.done.set()
            time.sleep(0.02)
            return self.last
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        self.last = item
        return item

    def reader_statuses(self) -> dict[str, ReaderStatus]:
        return self._next()

    def wait_for_change(self, known: Mapping[str, ReaderStatus],
                        timeout: float) -> dict[str, ReaderStatus]:
        return self._next()

    def list_readers(self) -> list[str]:
        return list(self.last)

    def card_present(self, reader: str) -> bool:
        return self.last[reader].present

    def connect(self, reader: str, timeout: float, *, exclusive: bool = False) -> ConnectionSpi:
        raise NotImplementedError


def _run_script(script: list[dict[str, ReaderStatus] | BaseException]) -> list[MonitorEvent]:
    backend = _Scripted(script)
    seen: list[MonitorEvent] = []
    m = ReaderMonitor(backend, backoff_initial=0.01, backoff_max=0.02)
    m.subscribe(seen.append)
    m.start()
    try:
        assert backend.done.wait(WAIT)
    finally:
        m.stop()
    return [e for e in seen if not isinstance(e, monitor.StateChanged)]


def test_a_card_swapped_between_two_looks_is_a_removal_and_an_insertion(
        caplog: pytest.LogCaptureFixture) -> None:
    other_atr = bytes.fromhex("3B00")
    caplog.set_level("WARNING", logger="drivers.pcsc.monitor")
    events = _run_script([
        {A: ReaderStatus(True, FAKE_ATR, events=1)},
        {A: ReaderStatus(True, FAKE_ATR, events=3)},   # same ATR, counter moved by two
        {A: ReaderStatus(True, other_atr, events=3)},  # no counter, another ATR
    ])
    assert events == [
        monitor.ReaderAdded(A), monitor.CardInserted(A, FAKE_ATR),
        monitor.CardRemoved(A, CardState.CARD_PRESENT), monitor.CardInserted(A, FAKE_ATR),
        monitor.CardRemoved(A, CardState.CARD_PRESENT), monitor.CardInserted(A, other_atr)]
    # each swap is logged with what changed (the soak's phantom second taps: which was it?)
    swaps = [r for r in caplog.records if r.getMessage() == "card replaced between two looks"]
    assert [r.events for r in swaps] == [[1, 3], [3, 3]]  # type: ignore[attr-defined]
    assert swaps[1].atr == [FAKE_ATR.hex(), other_atr.hex()]  # type: ignore[attr-defined]


SOAK_ATR = bytes.fromhex("3b8580018073c021c0d6")
"""The ATR of the soak's virtual cards (the diagnostic soak's warnings below)."""


def test_a_card_seen_before_pcscd_counted_its_insertion_is_one_tap(
        caplog: pytest.LogCaptureFixture) -> None:
    # The soak's phantom second taps, as the diagnostic soak logged them: pcsc-lite publishes
    # a new card as present before it counts the insertion (and serves the reader states
    # without a lock), so one look saw the card with the empty reader's counter (52) and the
    # next, 6 ms later, the same card counted (53). That is one card, one tap.
    caplog.set_level("INFO", logger="drivers.pcsc.monitor")
    events = _run_script([
        {A: ReaderStatus(False, events=52)},
        {A: ReaderStatus(True, SOAK_ATR, events=52)},  # present, insertion not counted yet
        {A: ReaderStatus(True, SOAK_ATR, events=52)},
        {A: ReaderStatus(True, SOAK_ATR, events=53)},  # counted now: the same card
        {A: ReaderStatus(True, SOAK_ATR, events=53)},
        {A: ReaderStatus(False, events=54)},
    ])
    assert events == [monitor.ReaderAdded(A), monitor.CardInserted(A, SOAK_ATR),
                      monitor.CardRemoved(A, CardState.CARD_PRESENT)]
    messages = [r.getMessage() for r in caplog.records]
    assert "card replaced between two looks" not in messages
    assert messages.count("card seen before the reader stack counted its insertion") == 1
    assert messages.count("card counted by the reader stack after it was seen") == 1


@pytest.mark.parametrize("after", [
    ReaderStatus(False, events=5446),  # the removal, counted
    ReaderStatus(True, SOAK_ATR, events=5447),  # ... and the next card already in
])
def test_a_card_shown_without_its_atr_while_being_removed_is_no_tap(
        after: ReaderStatus, caplog: pytest.LogCaptureFixture) -> None:
    # seen in the full soak: pcsc-lite clears the ATR of a card being taken out, then marks
    # the reader empty, then counts the removal; a copy between shows it present, ATR empty
    caplog.set_level("WARNING", logger="drivers.pcsc.monitor")
    events = _run_script([
        {A: ReaderStatus(False, events=5444)},
        {A: ReaderStatus(True, SOAK_ATR, events=5445)},
        {A: ReaderStatus(True, b"", events=5445)},  # the torn copy: no change
        {A: after},
    ])
    expected: list[MonitorEvent] = [monitor.ReaderAdded(A), monitor.CardInserted(A, SOAK_ATR),
                                    monitor.CardRemoved(A, CardState.CARD_PRESENT)]
    if after.present:
        expected.append(monitor.CardInserted(A, SOAK_ATR))
    assert events == expected
    assert [r.getMessage() for r in caplog.records if "without its ATR" in r.getMessage()]


@pytest.mark.parametrize(("seen", "then"), [
    (52, 55),  # seen uncounted; counted (53), lifted (54), put back / another card (55)
    (52, 54),  # ... and the card put back is itself seen before its count (55 to come)
])
def test_a_swap_after_an_uncounted_insertion_is_still_a_new_tap(seen: int, then: int) -> None:
    events = _run_script([
        {A: ReaderStatus(False, events=52)},
        {A: ReaderStatus(True, SOAK_ATR, events=seen)},
        {A: ReaderStatus(True, SOAK_ATR, events=then)},
        {A: ReaderStatus(True, SOAK_ATR, events=55)},  # counted: no second swap
    ])
    assert events == [monitor.ReaderAdded(A), monitor.CardInserted(A, SOAK_ATR),
                      monitor.CardRemoved(A, CardState.CARD_PRESENT),
                      monitor.CardInserted(A, SOAK_ATR)]


def test_a_swap_seen_before_the_new_card_is_counted_is_one_new_tap() -> None:
    # counted card (53); out (54) and another in, seen before its count; counted (55)
    events = _run_script([
        {A: ReaderStatus(False, events=52)},
        {A: ReaderStatus(True, SOAK_ATR, events=53)},
        {A: ReaderStatus(True, SOAK_ATR, events=54)},
        {A: ReaderStatus(True, SOAK_ATR, events=55)},
        {A: ReaderStatus(True, SOAK_ATR, events=57)},  # and once more out and in: a new tap
    ])
    assert events == [monitor.ReaderAdded(A), monitor.CardInserted(A, SOAK_ATR),
                      monitor.CardRemoved(A, CardState.CARD_PRESENT),
                      monitor.CardInserted(A, SOAK_ATR),
                      monitor.CardRemoved(A, CardState.CARD_PRESENT),
                      monitor.CardInserted(A, SOAK_ATR)]


def test_a_backend_without_an_event_counter_sees_no_phantoms() -> None:
    other_atr = bytes.fromhex("3B00")
    events = _run_script([
        {A: ReaderStatus(False)},
        {A: ReaderStatus(True, SOAK_ATR)},
        {A: ReaderStatus(True, SOAK_ATR)},
        {A: ReaderStatus(True, other_atr)},  # another ATR is still another card
        {A: ReaderStatus(False)},
    ])
    assert events == [monitor.ReaderAdded(A), monitor.CardInserted(A, SOAK_ATR),
                      monitor.CardRemoved(A, CardState.CARD_PRESENT),
                      monitor.CardInserted(A, other_atr),
                      monitor.CardRemoved(A, CardState.CARD_PRESENT)]


def test_the_counter_wraps_like_pcsc_lite() -> None:
    events = _run_script([
        {A: ReaderStatus(False, events=0xFFFF)},
        {A: ReaderStatus(True, SOAK_ATR, events=0xFFFF)},
        {A: ReaderStatus(True, SOAK_ATR, events=0)},  # counted, past 0xFFFF
        {A: ReaderStatus(True, SOAK_ATR, events=2)},  # out and in: a new tap
    ])
    assert events == [monitor.ReaderAdded(A), monitor.CardInserted(A, SOAK_ATR),
                      monitor.CardRemoved(A, CardState.CARD_PRESENT),
                      monitor.CardInserted(A, SOAK_ATR)]


def test_a_reader_that_reports_unavailable() -> None:
    events = _run_script([
        {A: ReaderStatus(True, FAKE_ATR)},
        {A: ReaderStatus(False, available=False)},
        {A: ReaderStatus(False)},
    ])
    assert events == [
        monitor.ReaderAdded(A), monitor.CardInserted(A, FAKE_ATR),
        monitor.CardRemoved(A, CardState.CARD_PRESENT),
        monitor.ReaderUnavailable(A, "reader state unknown"),
        monitor.ReaderAdded(A)]


def test_an_unexpected_error_is_reported_and_the_loop_goes_on() -> None:
    events = _run_script([
        {A: ReaderStatus(False)},
        RuntimeError("driver bug"),
        {A: ReaderStatus(True, FAKE_ATR)},
    ])
    assert events == [monitor.ReaderAdded(A), monitor.MonitorFault("RuntimeError: driver bug"),
                      monitor.CardInserted(A, FAKE_ATR)]


def test_a_failing_subscriber_does_not_stop_the_others(memory: MemoryBackend,
                                                       mon: ReaderMonitor) -> None:
    def broken(event: MonitorEvent) -> None:
        raise ValueError("subscriber bug")

    mon.subscribe(broken)
    q = mon.events()
    mon.start()
    next_event(q, monitor.ReaderAdded)
    next_event(q, monitor.ReaderAdded)
    memory.insert(A, FakeCard())
    assert isinstance(next_event(q), monitor.CardInserted)
    assert mon.running


def test_unsubscribe(memory: MemoryBackend, mon: ReaderMonitor) -> None:
    seen: list[MonitorEvent] = []
    unsubscribe = mon.subscribe(seen.append)
    q = mon.events()
    unsubscribe()
    mon.unsubscribe_queue(q)
    mon.start()
    time.sleep(0.2)
    assert seen == [] and q.empty()


def test_stop_is_prompt_even_with_a_long_poll(memory: MemoryBackend) -> None:
    m = ReaderMonitor(memory, poll_timeout=30.0)
    q = m.events()
    m.start()
    next_event(q, monitor.ReaderAdded)
    time.sleep(0.1)  # now blocked in wait_for_change
    started = time.monotonic()
    m.stop()
    assert time.monotonic() - started < 0.5
    assert not m.running
    m.stop()  # idempotent


def test_bad_parameters() -> None:
    with pytest.raises(ValueError):
        ReaderMonitor(MemoryBackend(), backoff_initial=1.0, backoff_max=0.5)
    with pytest.raises(ValueError):
        ReaderMonitor(MemoryBackend(), poll_timeout=0)


def test_a_card_swapped_while_processing_is_its_own_tap(memory: MemoryBackend,
                                                        mon: ReaderMonitor) -> None:
    q = mon.events()
    mon.start()
    next_event(q, monitor.ReaderAdded)
    next_event(q, monitor.ReaderAdded)
    memory.insert(A, FakeCard())
    next_event(q, monitor.CardInserted)
    tap = mon.begin_processing(A)
    memory.remove(A)  # taken out and another put in while the first was being processed
    next_event(q, monitor.CardRemoved)
    memory.insert(A, FakeCard())
    next_event(q, monitor.CardInserted)
    mon.end_processing(A, tap)  # the first tap's end: the new card is not touched
    assert mon.state(A) is CardState.CARD_PRESENT
    assert mon.tap(A) == tap + 1  # the card now on the reader is the new tap
    assert mon.begin_processing(A) == tap + 1
    assert mon.tap(A) == tap + 1  # processing the same card: the same tap
    memory.remove(A)
    next_event(q, monitor.CardRemoved)
    assert mon.tap(A) is None and mon.tap("Nope") is None
