"""The ID-card reader layer's exception tree.

Every failure of :mod:`drivers.idcard` is one of these, with a message in plain words that never
carries personal data (no name, no full ID number). Each class has a stable ``code``
(:class:`ErrorCode`). Callers translate them with ``from``.

    IdCardError
    ├── ReaderUnavailable    the serial port cannot be opened, or went away
    ├── ReaderTimeout        the reader did not answer (or not completely) in time
    ├── FrameError           the answer is not a valid SAM-V frame (bad length, bad checksum)
    ├── ReaderStatusError    the reader answered with a failure status (``.sw3``, ``.meaning``)
    │   └── NoCard           no ID card on the reader
    └── CardDataError        the card's data do not decode (bad text block, bad check digit)
"""

from __future__ import annotations

from config.messages import CodedError
from drivers.codes import ErrorCode


class IdCardError(CodedError, code=ErrorCode.IDCARD_FAILED):
    """Base of every ID-card reader failure."""


class ReaderUnavailable(IdCardError, code=ErrorCode.IDCARD_READER_UNAVAILABLE):
    """The serial port of the reader cannot be opened or is gone."""


class ReaderTimeout(IdCardError, code=ErrorCode.IDCARD_READER_TIMEOUT):
    """The reader did not answer within the timeout (silent, unplugged or wrong port)."""


class FrameError(IdCardError, code=ErrorCode.IDCARD_FRAME_INVALID):
    """The bytes received are not a valid SAM-V answer frame."""


class ReaderStatusError(IdCardError, code=ErrorCode.IDCARD_READER_STATUS):
    """The reader answered, with a status (SW3) that means failure."""

    def __init__(self, message: str, sw3: int, meaning: str) -> None:
        super().__init__(message)
        self.sw3 = sw3
        self.meaning = meaning


class NoCard(ReaderStatusError, code=ErrorCode.IDCARD_NO_CARD):
    """There is no ID card on the reader (find card answered ``80``)."""


class CardDataError(IdCardError, code=ErrorCode.IDCARD_CARD_DATA_INVALID):
    """The card answered, but its data are malformed or fail the GB 11643 check."""
