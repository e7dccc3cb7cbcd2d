"""Receipt printers (ESC/POS) over python-escpos, with a correct Chinese layer.

    from drivers.printer import Document, open_printer
    printer = open_printer("tcp://127.0.0.1:9100", profile="generic-58", timeout=3.0)
    printer.status()                       # PrinterStatus(state=ok|paper-near-end|...)
    printer.print(Document().text("你好").cut())

For callers that must never wait (the kiosk UI): :class:`PrintWorker` over a
:class:`PrintQueue`. Modules: ``errors`` (exception tree), ``profiles``, ``text`` (encoding,
width, wrapping), ``document``, ``render`` (layout and bytes), ``status`` (``DLE EOT``),
``transport`` (URLs), ``printer``, ``queue``, ``worker``, ``testpage``.
"""

from drivers.printer.document import (
    BOLD,
    CENTER,
    NORMAL,
    SUBTITLE,
    TITLE,
    Align,
    Document,
    Style,
)
from drivers.printer.errors import (
    LayoutError,
    PrinterConfigError,
    PrinterError,
    PrinterNotReady,
    PrinterTimeout,
    PrinterUnavailable,
    PrintInterrupted,
    QueueError,
)
from drivers.printer.printer import Printer, PrintReport, open_printer
from drivers.printer.profiles import PROFILES, PrinterProfile, get_profile
from drivers.printer.queue import Job, JobState, PrintQueue
from drivers.printer.render import expected_receipts, layout, render
from drivers.printer.status import PrinterState, PrinterStatus
from drivers.printer.text import TextCodec
from drivers.printer.transport import PrinterUrl, parse_url
from drivers.printer.worker import PrintWorker

__all__ = [
    "BOLD", "CENTER", "NORMAL", "PROFILES", "SUBTITLE", "TITLE",
    "Align", "Document", "Job", "JobState", "LayoutError", "PrintInterrupted", "PrintQueue",
    "PrintReport", "PrintWorker", "Printer", "PrinterConfigError", "PrinterError",
    "PrinterNotReady", "PrinterProfile", "PrinterState", "PrinterStatus", "PrinterTimeout",
    "PrinterUnavailable", "PrinterUrl", "QueueError", "Style", "TextCodec",
    "expected_receipts", "get_profile", "layout", "open_printer", "parse_url", "render",
]
