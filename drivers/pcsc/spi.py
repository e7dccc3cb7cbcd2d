"""Small, hardware-shaped contracts that each PC/SC backend implements (cf. Keyple's ReaderSpi).

A backend only moves bytes. Everything cross-cutting (T=0 ``61xx`` GET RESPONSE, ``6Cxx``
re-issue, the redacting APDU trace, timeouts and error translation) lives once in
:class:`drivers.pcsc.channel.CardChannel`, for every backend.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Protocol


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


class BackendSpi(ABC):
    """A source of readers: pyscard/pcscd, or the in-process simulator tier."""

    @abstractmethod
    def list_readers(self) -> list[str]:
        """Names of the attached readers. Raises ServiceUnavailable when the service is down."""

    @abstractmethod
    def card_present(self, reader: str) -> bool:
        """Whether a card is in ``reader``. Raises ReaderUnavailable for an unknown reader."""

    @abstractmethod
    def connect(self, reader: str, timeout: float) -> ConnectionSpi:
        """Connect in shared mode. Raises ReaderUnavailable, NoCard or ServiceUnavailable."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the backend's context. Never raises."""


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
