"""``ReaderMonitor``: one thread watching every reader, with an explicit card state machine.

Per reader::

    NO_CARD --card in--> CARD_PRESENT --begin_processing()--> PROCESSING
       ^                      |                                  |
       |                  card out                       end_processing()
       |                      v                                  v
       +------- card out --- (any state) <------------- WAITING_REMOVAL

(a card pulled out in any state goes back to NO_CARD; the CardRemoved event says which state it
left.) The service calls :meth:`begin_processing` / :meth:`end_processing`; the monitor thread
drives insertion and removal.

Events (frozen dataclasses, below) go to subscribers: callbacks (:meth:`subscribe`, run in the
thread that made the event, under the monitor's lock: keep them short and never wait for
another thread there) and queues (:meth:`events`, the recommended way).

The monitor has its own thread and its own backend object, so its own PC/SC context (made with
``backend.spawn()`` or ``open_backend(url)`` inside the thread), separate from card I/O. It never
dies silently: when the service goes away it emits :class:`ServiceUnavailable` (and the
removal of every reader and card it knew), then retries with exponential backoff and, once back,
emits :class:`ServiceRestored` and the readers and cards it finds. Any unexpected exception is
logged, emitted as :class:`MonitorFault`, and the loop goes on with a fresh backend.

The event classes ``CardRemoved``, ``ServiceUnavailable`` and ``ReaderUnavailable`` share their
names with exceptions of :mod:`drivers.pcsc.errors`: import this module (``from drivers.pcsc
import monitor``) and write ``monitor.CardRemoved`` for the event.
"""

from __future__ import annotations

import enum
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from drivers.pcsc import errors, open_backend
from drivers.pcsc.spi import BackendSpi, ReaderStatus

log = logging.getLogger(__name__)


class CardState(enum.Enum):
    NO_CARD = "no card"
    CARD_PRESENT = "card present"
    PROCESSING = "processing"
    WAITING_REMOVAL = "waiting for removal"


class InvalidTransition(RuntimeError):
    """``begin_processing`` / ``end_processing`` called in a state that does not allow it."""


# -- events ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonitorEvent:
    at: float = field(default_factory=time.time, kw_only=True, compare=False)
    """Wall-clock time of the event (``time.time()``)."""


@dataclass(frozen=True)
class ReaderAdded(MonitorEvent):
    """A reader appeared (at start, after an outage, or became usable again)."""

    reader: str


@dataclass(frozen=True)
class ReaderRemoved(MonitorEvent):
    reader: str


@dataclass(frozen=True)
class ReaderUnavailable(MonitorEvent):
    """The reader is listed but reports that its state cannot be determined."""

    reader: str
    message: str = ""


@dataclass(frozen=True)
class CardInserted(MonitorEvent):
    reader: str
    atr: bytes
    initial: bool = field(default=False, compare=False)
    """The card was already in the reader when the monitor first saw the reader (at start, or
    after an outage): it lay there, nobody presented it just now."""


@dataclass(frozen=True)
class CardRemoved(MonitorEvent):
    reader: str
    previous: CardState
    """The state the card left: PROCESSING means it was pulled out mid-transaction."""


@dataclass(frozen=True)
class FieldMute(MonitorEvent):
    """The reader sees a card it cannot activate (``mute``: several cards in its field, or a
    card that does not answer), or (``mute`` False) the field is clear again. No card state
    change: a mute field is no card."""

    reader: str
    mute: bool


@dataclass(frozen=True)
class StateChanged(MonitorEvent):
    reader: str
    old: CardState
    new: CardState


@dataclass(frozen=True)
class ServiceUnavailable(MonitorEvent):
    """The PC/SC service is gone; the monitor keeps retrying with backoff."""

    message: str


@dataclass(frozen=True)
class ServiceRestored(MonitorEvent):
    """The service is back after a ServiceUnavailable."""


@dataclass(frozen=True)
class MonitorFault(MonitorEvent):
    """An unexpected error in the monitor thread (logged with its traceback); it goes on."""

    message: str


@dataclass(frozen=True)
class ReaderInfo:
    """A snapshot of one reader as the monitor sees it."""

    name: str
    state: CardState
    atr: bytes


_TRANSITIONS: frozenset[tuple[CardState, CardState]] = frozenset({
    (CardState.NO_CARD, CardState.CARD_PRESENT),
    (CardState.CARD_PRESENT, CardState.PROCESSING),
    (CardState.PROCESSING, CardState.WAITING_REMOVAL),
    (CardState.CARD_PRESENT, CardState.NO_CARD),
    (CardState.PROCESSING, CardState.NO_CARD),
    (CardState.WAITING_REMOVAL, CardState.NO_CARD),
})


@dataclass
class _Reader:
    name: str
    state: CardState = CardState.NO_CARD
    atr: bytes = b""
    events: int = 0
    available: bool = True
    mute: bool = False
    taps: int = 0
    """Cards seen in this reader so far (a new card, or one taken out and put back, is a new
    tap): :meth:`ReaderMonitor.begin_processing` returns it."""
    uncounted: bool = False
    """The card in the reader was seen before the backend counted its insertion (see
    :func:`_insertion_counted`): the count still to come is the same card, not a swap."""


_COUNTER = 0x10000
"""pcsc-lite's event counter wraps at 0xFFFF."""


def _insertion_counted(moved: int, was_present: bool) -> bool:
    """Whether an insertion the monitor sees now has been counted by the backend, from how far
    the event counter ``moved`` since the last look (``was_present``: a card was there then).

    pcsc-lite counts every insertion and every removal once, but publishes a new card's state
    (present, ATR) *before* it counts the insertion (eventhandler.c: ``readerState = PRESENT
    ...`` then ``eventCounter++``), and hands clients a copy of the reader states taken
    without a lock. So a look can catch a card present with the counter of the empty reader
    (or, after a swap, with only the removal counted); the next look then finds the counter
    one higher, the same card in the reader. From an empty reader an insertion moves the
    counter by an odd number (in; in, out, in; ...), from a card present a swap by an even
    number (out, in; ...): one less means the last insertion is not counted yet. A backend
    without a counter (always 0) thus always looks uncounted, which changes nothing for it."""
    return moved % 2 == (1 if not was_present else 0)


Subscriber = Callable[[MonitorEvent], None]


class ReaderMonitor:
    """Watch the readers of ``backend`` (a backend object or a URL such as ``"pcsc://"``).

    A backend object is not used directly: the thread calls its ``spawn()`` for a sibling with
    its own context (a backend that cannot spawn is used as is and must be thread-safe).
    """

    def __init__(self, backend: BackendSpi | str = "pcsc://", *, poll_timeout: float = 1.0,
                 backoff_initial: float = 0.1, backoff_max: float = 5.0,
                 name: str = "pcsc-monitor") -> None:
        if poll_timeout <= 0 or backoff_initial <= 0 or backoff_max < backoff_initial:
            raise ValueError("poll_timeout and backoff_initial must be positive, "
                             "backoff_max >= backoff_initial")
        self._source = backend
        self._poll_timeout = poll_timeout
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._name = name
        self._lock = threading.RLock()
        self._readers: dict[str, _Reader] = {}
        self._service: bool | None = None  # None: not looked yet
        self._callbacks: list[Subscriber] = []
        self._queues: list[queue.Queue[MonitorEvent]] = []
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._backend: BackendSpi | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the monitor is already started")
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread and wait for it (wakes a blocked wait at once). Idempotent."""
        thread = self._thread
        if thread is None:
            return
        self._stopping.set()
        deadline = time.monotonic() + timeout
        while thread.is_alive() and time.monotonic() < deadline:
            backend = self._backend
            if backend is not None:
                backend.cancel()  # the one call allowed from another thread
            thread.join(min(0.1, max(0.0, deadline - time.monotonic())))
        if thread.is_alive():
            log.warning("monitor thread did not stop in time", extra={"timeout_s": timeout})
        self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> ReaderMonitor:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- subscribers --------------------------------------------------------------------------

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback(event)`` for each event; returns a function that unsubscribes."""
        with self._lock:
            self._callbacks.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._callbacks:
                    self._callbacks.remove(callback)

        return unsubscribe

    def events(self, maxsize: int = 0) -> queue.Queue[MonitorEvent]:
        """A new queue that receives every event from now on (dropped with a warning if full)."""
        q: queue.Queue[MonitorEvent] = queue.Queue(maxsize)
        with self._lock:
            self._queues.append(q)
        return q

    def unsubscribe_queue(self, q: queue.Queue[MonitorEvent]) -> None:
        with self._lock:
            if q in self._queues:
                self._queues.remove(q)

    def _emit(self, events: list[MonitorEvent]) -> None:
        """Deliver ``events`` in order (the caller holds ``self._lock``)."""
        for event in events:
            log.info("reader event", extra={"event": type(event).__name__,
                                            "reader": getattr(event, "reader", None)})
            for callback in list(self._callbacks):
                try:
                    callback(event)
                except Exception:
                    log.exception("monitor subscriber failed",
                                  extra={"event": type(event).__name__})
            for q in list(self._queues):
                try:
                    q.put_nowait(event)
                except queue.Full:
                    log.warning("monitor event queue full; event dropped",
                                extra={"event": type(event).__name__})

    # -- state --------------------------------------------------------------------------------

    @property
    def service_available(self) -> bool | None:
        """True/False once the monitor has looked; None before its first look."""
        return self._service

    def state(self, reader: str) -> CardState:
        with self._lock:
            entry = self._readers.get(reader)
            if entry is None:
                raise errors.ReaderUnavailable(f"the monitor knows no reader {reader!r}")
            return entry.state

    def tap(self, reader: str) -> int | None:
        """The number of the card now in ``reader`` (as :meth:`begin_processing` returns it: a
        card taken out and put back is a new number), None when there is none."""
        with self._lock:
            entry = self._readers.get(reader)
            if entry is None or not entry.available or entry.state is CardState.NO_CARD:
                return None
            return entry.taps

    def readers(self) -> dict[str, ReaderInfo]:
        with self._lock:
            return {r.name: ReaderInfo(r.name, r.state, r.atr) for r in self._readers.values()
                    if r.available}

    def _move(self, entry: _Reader, new: CardState, out: list[MonitorEvent]) -> None:
        old = entry.state
        if (old, new) not in _TRANSITIONS:
            raise InvalidTransition(f"{entry.name}: cannot go from {old.value} to {new.value}")
        entry.state = new
        out.append(StateChanged(entry.name, old, new))

    def begin_processing(self, reader: str) -> int:
        """CARD_PRESENT -> PROCESSING; returns the tap's number (for :meth:`end_processing`).
        Raises NoCard when there is no card, ReaderUnavailable for an unknown reader,
        InvalidTransition when already processing or processed."""
        with self._lock:
            entry = self._readers.get(reader)
            if entry is None or not entry.available:
                raise errors.ReaderUnavailable(f"the monitor knows no reader {reader!r}")
            if entry.state is CardState.NO_CARD:
                raise errors.NoCard(f"no card in {reader!r}")
            out: list[MonitorEvent] = []
            self._move(entry, CardState.PROCESSING, out)
            self._emit(out)
            return entry.taps

    def end_processing(self, reader: str, tap: int | None = None) -> None:
        """PROCESSING -> WAITING_REMOVAL. Does nothing when the card (or reader) already left
        during processing, or (``tap`` from :meth:`begin_processing`) when another card came
        meanwhile; raises InvalidTransition when not processing."""
        with self._lock:
            entry = self._readers.get(reader)
            if entry is None or entry.state is CardState.NO_CARD:
                return
            if tap is not None and entry.taps != tap:
                return  # the card went and another came while we processed: its own tap
            out: list[MonitorEvent] = []
            self._move(entry, CardState.WAITING_REMOVAL, out)
            self._emit(out)

    # -- the thread ---------------------------------------------------------------------------

    def _make_backend(self) -> BackendSpi:
        source = self._source
        if isinstance(source, str):
            return open_backend(source)
        try:
            return source.spawn()
        except NotImplementedError:
            return source

    def _run(self) -> None:
        delay = self._backoff_initial
        known: dict[str, ReaderStatus] = {}
        while not self._stopping.is_set():
            try:
                if self._backend is None:
                    self._backend = self._make_backend()
                if self._service:
                    statuses = self._backend.wait_for_change(known, self._poll_timeout)
                else:
                    statuses = self._backend.reader_statuses()
                if self._stopping.is_set():
                    break
                self._apply(statuses)
                known = statuses
                delay = self._backoff_initial
                continue
            except errors.ServiceUnavailable as exc:
                self._service_lost(str(exc))
            except Exception as exc:
                log.exception("reader monitor fault; going on", extra={"monitor": self._name})
                with self._lock:
                    self._emit([MonitorFault(f"{type(exc).__name__}: {exc}")])
                self._drop_backend()
            known = {}
            self._stopping.wait(delay)
            delay = min(delay * 2, self._backoff_max)
        self._drop_backend()

    def _drop_backend(self) -> None:
        backend, self._backend = self._backend, None
        if backend is not None and backend is not self._source:
            backend.close()

    def _service_lost(self, message: str) -> None:
        with self._lock:
            if self._service is False:
                return  # already reported; still retrying
            self._service = False
            out: list[MonitorEvent] = [ServiceUnavailable(message)]
            for entry in list(self._readers.values()):
                self._forget(entry, out, ReaderRemoved(entry.name))
            self._emit(out)
        log.warning("PC/SC service unavailable; retrying with backoff",
                    extra={"monitor": self._name, "reason": message})

    def _forget(self, entry: _Reader, out: list[MonitorEvent], event: MonitorEvent) -> None:
        if entry.state is not CardState.NO_CARD:
            self._card_out(entry, out)
        del self._readers[entry.name]
        out.append(event)

    def _card_out(self, entry: _Reader, out: list[MonitorEvent]) -> None:
        previous = entry.state
        self._move(entry, CardState.NO_CARD, out)
        entry.atr = b""
        entry.uncounted = False
        out.append(CardRemoved(entry.name, previous))

    def _apply(self, statuses: dict[str, ReaderStatus]) -> None:
        """Turn the backend's view into transitions and events."""
        with self._lock:
            out: list[MonitorEvent] = []
            if self._service is False:
                out.append(ServiceRestored())
            self._service = True
            for name in [n for n in self._readers if n not in statuses]:
                self._forget(self._readers[name], out, ReaderRemoved(name))
            for name, status in statuses.items():
                entry = self._readers.get(name)
                new = entry is None
                if entry is None:
                    if not status.available:
                        continue
                    entry = self._readers[name] = _Reader(name, events=status.events)
                    out.append(ReaderAdded(name))
                elif not status.available:
                    if entry.available:
                        if entry.state is not CardState.NO_CARD:
                            self._card_out(entry, out)
                        entry.available = False
                        out.append(ReaderUnavailable(name, "reader state unknown"))
                    continue
                elif not entry.available:
                    entry.available = True
                    out.append(ReaderAdded(name))
                if status.mute != entry.mute:
                    if status.mute and entry.state is not CardState.NO_CARD:
                        self._card_out(entry, out)
                    entry.mute = status.mute
                    out.append(FieldMute(name, status.mute))
                had_card = entry.state is not CardState.NO_CARD
                moved = (status.events - entry.events) % _COUNTER
                if had_card and status.present and entry.atr and not status.atr and not moved:
                    # pcsc-lite clears the ATR of a card being taken out before it marks the
                    # reader empty and counts the removal: a copy taken in between shows the
                    # card present without its ATR. Nothing changed yet; the next look tells.
                    log.warning("card shown without its ATR, its count unchanged (a removal "
                                "under way); no change", extra={"reader": name,
                                                                "events": status.events})
                    continue
                if had_card and status.present and entry.uncounted and \
                        status.atr == entry.atr and moved in (0, 1):
                    # the insertion of the card we already saw, counted only now (or not
                    # yet): the same card, not a swap
                    if moved:
                        entry.uncounted = False
                        log.info("card counted by the reader stack after it was seen",
                                 extra={"reader": name, "events": [entry.events,
                                                                   status.events]})
                    entry.events = status.events
                    continue
                if had_card and entry.uncounted:
                    moved = (moved - 1) % _COUNTER  # the count that was still to come
                swapped = status.present and (moved != 0 or status.atr != entry.atr)
                if had_card and swapped:
                    # a card out and in between two looks (the counter moved by two or more,
                    # or another ATR): say which
                    log.warning("card replaced between two looks", extra={
                        "reader": name, "state": entry.state.name,
                        "events": [entry.events, status.events],
                        "atr": [entry.atr.hex(), status.atr.hex()]})
                if had_card and (not status.present or swapped):
                    self._card_out(entry, out)
                if status.present and entry.state is CardState.NO_CARD:
                    self._move(entry, CardState.CARD_PRESENT, out)
                    entry.taps += 1
                    entry.atr = status.atr
                    entry.uncounted = not new and not _insertion_counted(moved, had_card)
                    if entry.uncounted:
                        log.warning("card seen before the reader stack counted its "
                                    "insertion", extra={"reader": name, "events": [
                                        entry.events, status.events]})
                    out.append(CardInserted(name, status.atr, initial=new))
                entry.events = status.events
            self._emit(out)
