"""Reader feedback (buzzer and LEDs): one small interface, three ways a reader takes it.

PC/SC has no standard for a reader's buzzer and lights. Readers take them in one of two ways,
and some not at all:

* ``control:CODE`` - ``SCardControl`` with a vendor's control code; the data is one byte, the
  signal's number (:data:`SIGNAL_BYTES`). For a real reader whose driver takes a control
  command (configure the code from the reader's manual).
* ``acs`` - the pseudo-APDU ``FF 00 40 P2 04 T1 T2 N B`` sent with ``SCardTransmit`` to the
  card's connection (ACS readers: LED state in P2, blink times in 100 ms units, repetitions,
  buzzer link). The reader answers it itself (``90 xx``, xx its LED state); the card never
  sees it. Through pcscd's vpcd driver (whose ``IFDHControl`` answers "not supported") this is
  the form that reaches the virtual reader, which records it.
* ``none`` - no buzzer or LED: the screen alone says the result.

A feedback never raises: a reader that refuses is logged once and the tap goes on.

    feedback = open_feedback("acs")
    feedback.signal(channel, Signal.OK)          # green, one short beep
"""

from __future__ import annotations

import enum
import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping
from types import MappingProxyType
from typing import Protocol

from drivers.pcsc.errors import PcscError

__all__ = ["ACS_PATTERNS", "AcsFeedback", "ControlFeedback", "NoFeedback", "ReaderFeedback",
           "Signal", "open_feedback"]

log = logging.getLogger(__name__)


class Signal(enum.StrEnum):
    """What the reader should tell the person at it."""

    OK = "ok"
    """Paid / done: green, one short beep."""
    REFUSED = "refused"
    """Refused (insufficient balance, blocked card): red, three beeps."""
    ERROR = "error"
    """Could not complete (card lifted, unreadable, several cards): red, two long beeps."""


SIGNAL_BYTES: Mapping[Signal, int] = MappingProxyType(
    {Signal.OK: 0x01, Signal.REFUSED: 0x02, Signal.ERROR: 0x03})

ACS_PATTERNS: Mapping[Signal, bytes] = MappingProxyType({
    # P2 (LED state control), Lc, T1, T2 (x100 ms), repetitions, buzzer link (1: during T1)
    Signal.OK: bytes.fromhex("2A 04 01 01 01 01"),
    Signal.REFUSED: bytes.fromhex("5D 04 02 02 03 01"),
    Signal.ERROR: bytes.fromhex("5D 04 05 03 02 01"),
})
ACS_HEADER = bytes.fromhex("FF0040")


class FeedbackChannel(Protocol):
    """The part of :class:`drivers.pcsc.channel.CardChannel` a feedback uses."""

    def control(self, code: int, data: bytes = b"", *, timeout: float | None = None) -> bytes: ...

    def transmit(self, apdu: bytes, *, sensitive: bool = False,
                 timeout: float | None = None) -> object: ...


class ReaderFeedback(ABC):
    """Tell the person at the reader how the tap went. ``signal`` never raises."""

    name = "none"

    def signal(self, channel: FeedbackChannel | None, signal: Signal) -> None:
        if channel is None:
            return
        try:
            self._signal(channel, signal)
        except (PcscError, ValueError) as exc:
            log.warning("reader feedback failed", extra={"feedback": self.name,
                                                         "signal": signal.value,
                                                         "error": str(exc)})

    @abstractmethod
    def _signal(self, channel: FeedbackChannel, signal: Signal) -> None: ...


class NoFeedback(ReaderFeedback):
    name = "none"

    def _signal(self, channel: FeedbackChannel, signal: Signal) -> None:
        return None


class ControlFeedback(ReaderFeedback):
    """``SCardControl(code, [signal byte])``."""

    name = "control"

    def __init__(self, code: int) -> None:
        self.code = code

    def _signal(self, channel: FeedbackChannel, signal: Signal) -> None:
        channel.control(self.code, bytes((SIGNAL_BYTES[signal],)), timeout=1.0)


class AcsFeedback(ReaderFeedback):
    """The ACS pseudo-APDU ``FF 00 40 ...`` over ``SCardTransmit``."""

    name = "acs"

    def _signal(self, channel: FeedbackChannel, signal: Signal) -> None:
        channel.transmit(ACS_HEADER + ACS_PATTERNS[signal], timeout=1.0)


def open_feedback(spec: str) -> ReaderFeedback:
    """``none``, ``acs`` or ``control:CODE`` (decimal or 0x hex). ValueError otherwise."""
    kind, _, arg = spec.strip().partition(":")
    if kind in ("", "none") and not arg:
        return NoFeedback()
    if kind == "acs" and not arg:
        return AcsFeedback()
    if kind == "control" and arg:
        try:
            return ControlFeedback(int(arg, 0))
        except ValueError:
            pass
    raise ValueError(f"reader feedback {spec!r}: expected none, acs or control:CODE")
