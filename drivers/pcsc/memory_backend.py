"""``MemoryBackend``: in-process readers holding :class:`~drivers.pcsc.spi.SimulatedCard`s.

The fast tier for unit tests (no pcscd): the same card models that sit behind pcscd through vpcd
attach here directly. Test controls in the manner of Keyple's stub plugin: :meth:`insert`,
:meth:`remove`, :meth:`add_reader`, :meth:`remove_reader`, and :meth:`stop_service` /
:meth:`start_service` to play a pcscd outage.

:meth:`add_to_field` puts a second card beside the first: the reader then reports the field
*mute* (no card it can activate), as a reader whose anticollision finds several cards does.
Exclusive connections are honoured (:class:`ReaderBusy` for the other party), and reader
control commands (``SCardControl``) are recorded: :meth:`controls` lists them.

Thread-safe. A card's ``transmit`` runs outside the backend's lock (a slow card never blocks
the monitor); commands to one card are serialised, and :meth:`remove` waits for a command in
progress before it powers the card off (use :class:`CardWithdrawn` in the card for a tear).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from drivers.pcsc.errors import (
    CardRemoved,
    ChannelClosed,
    NoCard,
    ReaderBusy,
    ReaderUnavailable,
    ServiceUnavailable,
    TransmitError,
)
from drivers.pcsc.spi import BackendSpi, CardWithdrawn, ConnectionSpi, ReaderStatus, SimulatedCard

log = logging.getLogger(__name__)


@dataclass
class _Slot:
    card: SimulatedCard | None = None
    events: int = 0
    """Bumped on every insertion and removal (as pcsc-lite's event counter)."""
    io_lock: threading.Lock = field(default_factory=threading.Lock)
    others: list[SimulatedCard] = field(default_factory=list)
    """More cards in the field beside ``card``: the reader reports the field mute."""
    connections: set[int] = field(default_factory=set)
    exclusive: int | None = None
    """The id of the connection that holds the card exclusively."""
    controls: list[tuple[int, bytes]] = field(default_factory=list)

    @property
    def mute(self) -> bool:
        return self.card is not None and bool(self.others)

    def release_handles(self) -> None:
        """The card left: every connection to it is dead (as pcsc-lite's handles are)."""
        self.connections.clear()
        self.exclusive = None


class _Bus:
    """The readers, shared by a backend and the siblings it spawns."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.slots: dict[str, _Slot] = {}
        self.service_up = True
        self.service_epoch = 0


class MemoryConnection(ConnectionSpi):
    """A connection to the card in one in-memory reader."""

    def __init__(self, bus: _Bus, reader: str, slot: _Slot, card: SimulatedCard) -> None:
        self._bus = bus
        self._reader = reader
        self._slot = slot
        self._card = card
        self._events = slot.events
        self._epoch = bus.service_epoch
        self._atr = bytes(card.atr)
        self._closed = False

    @property
    def atr(self) -> bytes:
        return self._atr

    def _check(self) -> None:
        """Raise unless our card is still in our reader and the service still up."""
        bus = self._bus
        if self._closed:
            raise ChannelClosed(f"the connection to {self._reader!r} is closed")
        if not bus.service_up or bus.service_epoch != self._epoch:
            raise ServiceUnavailable("the in-memory PC/SC service was stopped")
        if bus.slots.get(self._reader) is not self._slot:
            raise ReaderUnavailable(f"reader {self._reader!r} was removed")
        if self._slot.events != self._events or self._slot.card is not self._card:
            raise CardRemoved(f"the card was removed from {self._reader!r}")

    def transmit_raw(self, apdu: bytes, timeout: float) -> bytes:
        with self._bus.cond:
            self._check()
        with self._slot.io_lock:
            try:
                raw = self._card.transmit(apdu)
            except CardWithdrawn as exc:
                self._withdraw()
                raise CardRemoved(f"the card left {self._reader!r} during the command") from exc
            except Exception as exc:
                raise TransmitError(f"the simulated card in {self._reader!r} failed: "
                                    f"{type(exc).__name__}") from exc
        with self._bus.cond:
            self._check()  # pulled out while it was answering: the answer is lost
        return bytes(raw)

    def _withdraw(self) -> None:
        """The card tore itself away: it leaves the reader (io_lock is held by the caller)."""
        with self._bus.cond:
            if self._slot.card is self._card and self._slot.events == self._events:
                self._slot.card = None
                self._slot.events += 1
                self._slot.release_handles()
                self._bus.cond.notify_all()
        try:
            self._card.power_off()
        except Exception:
            log.exception("power_off of a withdrawn card failed", extra={"reader": self._reader})

    def control(self, code: int, data: bytes, timeout: float) -> bytes:
        with self._bus.cond:
            self._check()
            self._slot.controls.append((code, bytes(data)))
        return b""

    def disconnect(self) -> None:
        with self._bus.cond:
            self._closed = True
            self._slot.connections.discard(id(self))
            if self._slot.exclusive == id(self):
                self._slot.exclusive = None


class MemoryBackend(BackendSpi):
    """Named in-memory readers. ``MemoryBackend(["Reader A", "Reader B"])``."""

    def __init__(self, readers: Iterable[str] = (), *, _bus: _Bus | None = None) -> None:
        self._bus = _bus or _Bus()
        self._cancelled = False
        for name in readers:
            self.add_reader(name)

    # -- test controls ------------------------------------------------------------------------

    def add_reader(self, name: str) -> None:
        with self._bus.cond:
            if name in self._bus.slots:
                raise ValueError(f"reader {name!r} already exists")
            self._bus.slots[name] = _Slot()
            self._bus.cond.notify_all()

    def remove_reader(self, name: str) -> None:
        """Unplug a reader (its card, if any, is powered off)."""
        with self._bus.cond:
            slot = self._bus.slots.pop(name, None)
            self._bus.cond.notify_all()
        if slot is None:
            raise ReaderUnavailable(f"no reader named {name!r}")
        self._power_off(slot, slot.card)

    def insert(self, reader: str, card: SimulatedCard) -> None:
        """Put ``card`` into ``reader`` (powered on, as a reader does on insertion)."""
        with self._bus.cond:
            slot = self._slot(reader)
            if slot.card is not None:
                raise ValueError(f"reader {reader!r} already holds a card")
            card.power_on()
            slot.card = card
            slot.events += 1
            slot.release_handles()
            self._bus.cond.notify_all()

    def add_to_field(self, reader: str, card: SimulatedCard) -> None:
        """A second card in the field of ``reader`` (beside the one there): the reader reports
        the field mute until :meth:`remove` takes every card out."""
        with self._bus.cond:
            slot = self._slot(reader)
            if slot.card is None:
                raise ValueError(f"reader {reader!r} holds no card to put a second one beside")
            slot.others.append(card)
            slot.events += 1
            self._bus.cond.notify_all()

    def controls(self, reader: str) -> list[tuple[int, bytes]]:
        """The control commands (code, data) the reader was asked to carry out, oldest first."""
        with self._bus.cond:
            return list(self._slot(reader).controls)

    def remove(self, reader: str) -> SimulatedCard | None:
        """Take the card (every card in the field) out of ``reader`` (powered off); returns
        it, or None if empty."""
        with self._bus.cond:
            slot = self._slot(reader)
            card, slot.card = slot.card, None
            slot.others.clear()
            slot.release_handles()
            if card is not None:
                slot.events += 1
                self._bus.cond.notify_all()
        self._power_off(slot, card)
        return card

    def stop_service(self) -> None:
        """Play a pcscd outage: every call raises ServiceUnavailable, connections are lost."""
        with self._bus.cond:
            self._bus.service_up = False
            self._bus.service_epoch += 1
            self._bus.cond.notify_all()

    def start_service(self) -> None:
        with self._bus.cond:
            self._bus.service_up = True
            self._bus.cond.notify_all()

    @staticmethod
    def _power_off(slot: _Slot, card: SimulatedCard | None) -> None:
        if card is None:
            return
        with slot.io_lock:
            try:
                card.power_off()
            except Exception:
                log.exception("power_off of a removed card failed")

    # -- BackendSpi ---------------------------------------------------------------------------

    def _require_service(self) -> None:
        if not self._bus.service_up:
            raise ServiceUnavailable("the in-memory PC/SC service is stopped")

    def _slot(self, reader: str) -> _Slot:
        slot = self._bus.slots.get(reader)
        if slot is None:
            raise ReaderUnavailable(f"no reader named {reader!r}")
        return slot

    def list_readers(self) -> list[str]:
        with self._bus.cond:
            self._require_service()
            return list(self._bus.slots)

    def card_present(self, reader: str) -> bool:
        with self._bus.cond:
            self._require_service()
            slot = self._slot(reader)
            return slot.card is not None and not slot.mute

    def connect(self, reader: str, timeout: float, *, exclusive: bool = False) -> ConnectionSpi:
        deadline = time.monotonic() + timeout
        with self._bus.cond:
            while True:
                self._require_service()
                slot = self._slot(reader)
                if slot.card is not None and not slot.mute:
                    if slot.exclusive is not None or (exclusive and slot.connections):
                        raise ReaderBusy(f"{reader}: the reader is in exclusive use by "
                                         "another program")
                    conn = MemoryConnection(self._bus, reader, slot, slot.card)
                    slot.connections.add(id(conn))
                    if exclusive:
                        slot.exclusive = id(conn)
                    return conn
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise NoCard(f"no card in reader {reader!r}")
                self._bus.cond.wait(remaining)

    def _statuses(self) -> dict[str, ReaderStatus]:
        self._require_service()
        return {name: ReaderStatus(slot.card is not None and not slot.mute,
                                   bytes(slot.card.atr)
                                   if slot.card is not None and not slot.mute else b"",
                                   mute=slot.mute, events=slot.events)
                for name, slot in self._bus.slots.items()}

    def reader_statuses(self) -> dict[str, ReaderStatus]:
        with self._bus.cond:
            return self._statuses()

    def wait_for_change(self, known: Mapping[str, ReaderStatus],
                        timeout: float) -> dict[str, ReaderStatus]:
        deadline = time.monotonic() + timeout
        with self._bus.cond:
            while True:
                current = self._statuses()
                remaining = deadline - time.monotonic()
                if current != dict(known) or remaining <= 0 or self._cancelled:
                    self._cancelled = False
                    return current
                self._bus.cond.wait(remaining)

    def cancel(self) -> None:
        with self._bus.cond:
            self._cancelled = True
            self._bus.cond.notify_all()

    def spawn(self) -> MemoryBackend:
        """A sibling over the same readers (its own cancel flag), for another thread."""
        return MemoryBackend(_bus=self._bus)
