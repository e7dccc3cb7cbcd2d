"""The reader layer's exception tree.

Every failure below the card service is one of these; the card service translates them into
its own errors (``raise ... from exc``). Each class has a stable ``code`` (:class:`ErrorCode`);
a program that shows these errors to people has words for the codes in its catalogue. Messages
(``str(exc)``) are plain English particulars and never carry key material.

    PcscError
    ├── ServiceUnavailable   pcscd is not running or not reachable (SCARD_E_NO_SERVICE, ...)
    ├── ReaderUnavailable    the named reader does not exist or went away
    ├── NoCard               no card in the reader (connect found none)
    ├── CardRemoved          the card left during a session (connection lost mid-exchange)
    └── TransmitError        the exchange failed (protocol error, malformed answer)
        ├── TransmitTimeout  the card or reader did not answer in time
        └── ChannelClosed    the channel was disconnected, or is unusable after a failure
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum, unique
from types import MappingProxyType
from typing import Any, ClassVar


@unique
class ErrorCode(StrEnum):
    """The reader layer's stable error codes."""

    FAILED = "pcsc_failed"
    SERVICE_UNAVAILABLE = "pcsc_service_unavailable"
    READER_UNAVAILABLE = "pcsc_reader_unavailable"
    NO_CARD = "pcsc_no_card"
    CARD_REMOVED = "pcsc_card_removed"
    TRANSMIT_FAILED = "pcsc_transmit_failed"
    TRANSMIT_TIMEOUT = "pcsc_transmit_timeout"
    CHANNEL_CLOSED = "pcsc_channel_closed"


class PcscError(Exception):
    """Base of every reader-layer failure."""

    code: ClassVar[ErrorCode] = ErrorCode.FAILED
    params: ClassVar[Mapping[str, Any]] = MappingProxyType({})


class ServiceUnavailable(PcscError):
    """The PC/SC service (pcscd) is not running or not reachable."""

    code = ErrorCode.SERVICE_UNAVAILABLE


class ReaderUnavailable(PcscError):
    """The reader does not exist or is no longer attached."""

    code = ErrorCode.READER_UNAVAILABLE


class NoCard(PcscError):
    """There is no card in the reader."""

    code = ErrorCode.NO_CARD


class CardRemoved(PcscError):
    """The card was removed (or reset by someone else) during the session."""

    code = ErrorCode.CARD_REMOVED


class TransmitError(PcscError):
    """An APDU exchange failed."""

    code = ErrorCode.TRANSMIT_FAILED


class TransmitTimeout(TransmitError):
    """The card or reader did not answer within the timeout."""

    code = ErrorCode.TRANSMIT_TIMEOUT


class ChannelClosed(TransmitError):
    """The channel is disconnected, or unusable after a timeout or a lost card; connect again."""

    code = ErrorCode.CHANNEL_CLOSED
