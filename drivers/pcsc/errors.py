"""The reader layer's exception tree.

Every failure below the card service is one of these; the card service translates them into
its own errors (``raise ... from exc``). Each class has a stable ``code`` (:class:`ErrorCode`);
a program that shows these errors to people has words for the codes in its catalogue. Messages
(``str(exc)``) are plain English particulars and never carry key material.

    PcscError
    ├── ServiceUnavailable   pcscd is not running or not reachable (SCARD_E_NO_SERVICE, ...)
    ├── ReaderUnavailable    the named reader does not exist or went away
    ├── ReaderBusy           another program holds the reader (or its card) exclusively
    ├── NoCard               no card in the reader (connect found none)
    ├── CardRemoved          the card left during a session (connection lost mid-exchange)
    └── TransmitError        the exchange failed (protocol error, malformed answer)
        ├── TransmitTimeout  the card or reader did not answer in time
        └── ChannelClosed    the channel was disconnected, or is unusable after a failure
"""

from __future__ import annotations

from enum import StrEnum, unique

from config.messages import CodedError


@unique
class ErrorCode(StrEnum):
    """The reader layer's stable error codes."""

    FAILED = "pcsc_failed"
    SERVICE_UNAVAILABLE = "pcsc_service_unavailable"
    READER_UNAVAILABLE = "pcsc_reader_unavailable"
    READER_BUSY = "pcsc_reader_busy"
    NO_CARD = "pcsc_no_card"
    CARD_REMOVED = "pcsc_card_removed"
    TRANSMIT_FAILED = "pcsc_transmit_failed"
    TRANSMIT_TIMEOUT = "pcsc_transmit_timeout"
    CHANNEL_CLOSED = "pcsc_channel_closed"


class PcscError(CodedError, code=ErrorCode.FAILED):
    """Base of every reader-layer failure."""


class ServiceUnavailable(PcscError, code=ErrorCode.SERVICE_UNAVAILABLE):
    """The PC/SC service (pcscd) is not running or not reachable."""


class ReaderUnavailable(PcscError, code=ErrorCode.READER_UNAVAILABLE):
    """The reader does not exist or is no longer attached."""


class ReaderBusy(PcscError, code=ErrorCode.READER_BUSY):
    """Another program holds the reader's card in exclusive mode (``SCARD_E_SHARING_VIOLATION``),
    or we asked for exclusive use while another program is connected."""


class NoCard(PcscError, code=ErrorCode.NO_CARD):
    """There is no card in the reader."""


class CardRemoved(PcscError, code=ErrorCode.CARD_REMOVED):
    """The card was removed (or reset by someone else) during the session."""


class TransmitError(PcscError, code=ErrorCode.TRANSMIT_FAILED):
    """An APDU exchange failed."""


class TransmitTimeout(TransmitError, code=ErrorCode.TRANSMIT_TIMEOUT):
    """The card or reader did not answer within the timeout."""


class ChannelClosed(TransmitError, code=ErrorCode.CHANNEL_CLOSED):
    """The channel is disconnected, or unusable after a timeout or a lost card; connect again."""
