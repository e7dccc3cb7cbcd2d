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

from config.messages import CodedError
from drivers.codes import ErrorCode


class PcscError(CodedError, code=ErrorCode.PCSC_FAILED):
    """Base of every reader-layer failure."""


class ServiceUnavailable(PcscError, code=ErrorCode.PCSC_SERVICE_UNAVAILABLE):
    """The PC/SC service (pcscd) is not running or not reachable."""


class ReaderUnavailable(PcscError, code=ErrorCode.PCSC_READER_UNAVAILABLE):
    """The reader does not exist or is no longer attached."""


class ReaderBusy(PcscError, code=ErrorCode.PCSC_READER_BUSY):
    """Another program holds the reader's card in exclusive mode (``SCARD_E_SHARING_VIOLATION``),
    or we asked for exclusive use while another program is connected."""


class NoCard(PcscError, code=ErrorCode.PCSC_NO_CARD):
    """There is no card in the reader."""


class CardRemoved(PcscError, code=ErrorCode.PCSC_CARD_REMOVED):
    """The card was removed (or reset by someone else) during the session."""


class TransmitError(PcscError, code=ErrorCode.PCSC_TRANSMIT_FAILED):
    """An APDU exchange failed."""


class TransmitTimeout(TransmitError, code=ErrorCode.PCSC_TRANSMIT_TIMEOUT):
    """The card or reader did not answer within the timeout."""


class ChannelClosed(TransmitError, code=ErrorCode.PCSC_CHANNEL_CLOSED):
    """The channel is disconnected, or unusable after a timeout or a lost card; connect again."""
