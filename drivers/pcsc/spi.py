"""Small, hardware-shaped contracts that each PC/SC backend implements (cf. Keyple's ReaderSpi).

A backend only moves bytes. Everything cross-cutting (T=0 ``61xx`` GET RESPONSE, ``6Cxx``
re-issue, the redacting APDU trace, timeouts and error translation) lives once in
:class:`drivers.pcsc.channel.CardChannel`, for every backend.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from drivers.pcsc.errors import TransmitError

PNP_READER = "\\\\?PnP?\\Notification"
"""The PC/SC pseudo-reader whose state changes when readers come and go."""


@dataclass(frozen=True, slots=True)
class ReaderStatus:
    """What a backend knows about one reader without connecting to its card."""

    present: bool
    """A card is in the reader."""
    atr: bytes = b""
    """The card's ATR when present (empty when unknown)."""
    available: bool = True
    """False when the reader reports that its state cannot be determined (driver fault)."""
    mute: bool = False
    """A card is in the field but the reader could not activate it (pcsc-lite's
    ``SCARD_STATE_MUTE``): the way a reader that sees several cards at once refuses them (its
    anticollision found more than one), or a card that does not answer. Never both ``present``
    and usable: ``present`` is False when ``mute`` is True."""
    events: int = 0
    """A counter of card insertions/removals, where the backend has one (pcsc-lite does: one
    count for each insertion and each removal): a card swapped between two looks shows as
    ``present`` both times with a count two (or more) higher. pcsc-lite may show a new card
    present one look before it counts its insertion (the monitor allows for it)."""


class ConnectionSpi(ABC):
    """One open connection (shared mode) to the card in one reader."""

    @property
    @abstractmethod
    def atr(self) -> bytes:
        """The card's answer to reset."""

    @abstractmethod
    def transmit_raw(self, apdu: bytes, timeout: float) -> bytes:
        """Send one C-APDU, return the raw R-APDU (data + SW1 SW2).

        Raises only :mod:`drivers.pcsc.errors` exceptions.
        """

    @abstractmethod
    def disconnect(self) -> None:
        """Close the connection (leave the card powered for others). Never raises."""

    def control(self, code: int, data: bytes, timeout: float) -> bytes:
        """A reader control command (``SCardControl``): vendor specific (LED, buzzer, ...).
        Raises TransmitError when the reader (or its driver) does not support it."""
        raise TransmitError("this reader takes no control commands")


class BackendSpi(ABC):
    """A source of readers: pyscard/pcscd, or the in-process simulator tier."""

    @abstractmethod
    def list_readers(self) -> list[str]:
        """Names of the attached readers. Raises ServiceUnavailable when the service is down."""

    @abstractmethod
    def card_present(self, reader: str) -> bool:
        """Whether a card is in ``reader``. Raises ReaderUnavailable for an unknown reader."""

    @abstractmethod
    def connect(self, reader: str, timeout: float, *, exclusive: bool = False) -> ConnectionSpi:
        """Connect, in shared mode or (``exclusive``) so that no other program may use the card
        until we disconnect. Raises ReaderUnavailable, ReaderBusy (another program holds it
        exclusively, or is connected when we ask for exclusive use), NoCard or
        ServiceUnavailable."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the backend's context. Never raises."""

    # -- monitoring (used by ReaderMonitor; defaults work for any backend) -------------------

    def reader_statuses(self) -> dict[str, ReaderStatus]:
        """The status of every attached reader. Raises ServiceUnavailable."""
        return {name: ReaderStatus(self.card_present(name)) for name in self.list_readers()}

    def wait_for_change(self, known: Mapping[str, ReaderStatus],
                        timeout: float) -> dict[str, ReaderStatus]:
        """Block until the readers differ from ``known`` (a reader came or went, a card was
        inserted or removed), ``timeout`` seconds passed or :meth:`cancel` was called; return
        the current statuses. The default polls every 50 ms."""
        deadline = time.monotonic() + timeout
        while True:
            current = self.reader_statuses()
            remaining = deadline - time.monotonic()
            if current != dict(known) or remaining <= 0:
                return current
            time.sleep(min(0.05, remaining))

    def cancel(self) -> None:  # noqa: B027 - optional hook
        """Wake a :meth:`wait_for_change` running in another thread. The one method that may
        be called from another thread. Never raises."""

    def spawn(self) -> BackendSpi:
        """A backend over the same readers with its own context, for use by another thread
        (the monitor watches readers on its own context, separate from card I/O)."""
        raise NotImplementedError(f"{type(self).__name__} cannot spawn a sibling backend")


class CardWithdrawn(Exception):
    """Raised by a :class:`SimulatedCard` to say it left the field mid-command (a tear)."""


class SimulatedCard(Protocol):
    """What the in-process backend needs from a card model (simulators implement this).

    ``drivers`` never imports ``simulators``; any object with these methods attaches.
    """

    @property
    def atr(self) -> bytes: ...

    def power_on(self) -> None: ...

    def power_off(self) -> None: ...

    def reset(self) -> None: ...

    def transmit(self, apdu: bytes) -> bytes:
        """Process one C-APDU, return data + SW. May raise :class:`CardWithdrawn`."""
        ...
