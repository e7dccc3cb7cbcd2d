"""The reader layer's exception tree.

Every failure below the card service is one of these; the card service translates them into
its own errors (``raise ... from exc``). Messages are plain words and never carry key material.

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


class PcscError(Exception):
    """Base of every reader-layer failure."""


class ServiceUnavailable(PcscError):
    """The PC/SC service (pcscd) is not running or not reachable."""


class ReaderUnavailable(PcscError):
    """The reader does not exist or is no longer attached."""


class NoCard(PcscError):
    """There is no card in the reader."""


class CardRemoved(PcscError):
    """The card was removed (or reset by someone else) during the session."""


class TransmitError(PcscError):
    """An APDU exchange failed."""


class TransmitTimeout(TransmitError):
    """The card or reader did not answer within the timeout."""


class ChannelClosed(TransmitError):
    """The channel is disconnected, or unusable after a timeout or a lost card; connect again."""
