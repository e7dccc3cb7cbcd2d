"""The printer layer's exception tree.

Every failure of ``drivers.printer`` is one of these; callers above (kiosk, card service, CLIs)
translate them into their own words or exit codes. Each class has a stable ``code``
(:class:`ErrorCode`); ``str(exc)`` is the English particulars for a technician.

    PrinterError
    ├── PrinterConfigError    a malformed printer URL, an unknown profile, a bad option
    ├── LayoutError           the document is malformed or cannot be laid out on this paper
    ├── QueueError            the print queue's database failed or was asked something wrong
    ├── PrinterNotReady       the printer answered but cannot print now (paper out, cover open);
    │                         nothing was sent. ``.status`` says why.
    └── PrinterUnavailable    the printer cannot be reached (offline, unplugged, refused)
        ├── PrinterTimeout    it did not take data or answer within the timeout
        └── PrintInterrupted  the link failed after the receipt started to go: it may be partly
                              printed. ``.bytes_sent`` says how far it got (as far as we know).

Device trouble never raises from :meth:`Printer.status`; that returns an ``offline`` or
``unknown`` status instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from config.messages import CodedError
from drivers.codes import ErrorCode

if TYPE_CHECKING:
    from drivers.printer.status import PrinterStatus


class PrinterError(CodedError, code=ErrorCode.PRINTER_FAILED):
    """Base of every printer-layer failure."""


class PrinterConfigError(PrinterError, code=ErrorCode.PRINTER_CONFIG):
    """The printer URL, profile or an option is wrong (a configuration or usage problem)."""


class LayoutError(PrinterError, code=ErrorCode.PRINTER_LAYOUT):
    """The document is malformed or cannot be printed on this paper (QR too large, ...)."""


class QueueError(PrinterError, code=ErrorCode.PRINTER_QUEUE):
    """The durable print queue failed (database error, unknown job, wrong state)."""


class PrinterNotReady(PrinterError, code=ErrorCode.PRINTER_NOT_READY):
    """The printer answered but cannot print now; nothing was sent."""

    def __init__(self, message: str, status: PrinterStatus) -> None:
        super().__init__(message)
        self.status = status


class PrinterUnavailable(PrinterError, code=ErrorCode.PRINTER_UNAVAILABLE):
    """The printer cannot be reached: not connected, refused, unplugged, or the link broke."""


class PrinterTimeout(PrinterUnavailable, code=ErrorCode.PRINTER_TIMEOUT):
    """The printer did not accept data or answer within the timeout."""


class PrintInterrupted(PrinterUnavailable, code=ErrorCode.PRINTER_INTERRUPTED):
    """The link failed after data started to go: the receipt may be partly printed."""

    def __init__(self, message: str, bytes_sent: int) -> None:
        super().__init__(message)
        self.bytes_sent = bytes_sent
