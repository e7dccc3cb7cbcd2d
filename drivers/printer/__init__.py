"""Receipt printers (ESC/POS) over python-escpos, with a correct Chinese layer.

    from drivers.printer import Document, open_printer
    printer = open_printer("tcp://127.0.0.1:9100", profile="generic-58", timeout=3.0)
    printer.status()                       # PrinterStatus(state=ok|paper-near-end|...)
    printer.print(Document().text("你好").cut())

For callers that must never wait (the kiosk UI): :class:`PrintWorker` over a
:class:`PrintQueue`; a waiting job's :class:`JobNote` and a :class:`PrinterState` are codes a
screen turns into words. The kinds of link are :data:`TRANSPORTS` (``tcp``, ``serial``, ``usb``,
``file``). This is the public face; the modules behind it (``text``: encoding, width,
wrapping; ``render``: layout, bytes and the test oracle ``expected_receipts``; ``transport``;
``status``; ``testpage``) are imported by name where they are needed.
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
from drivers.printer.queue import Job, JobNote, JobState, PrintQueue
from drivers.printer.status import PrinterState, PrinterStatus
from drivers.printer.transport import TRANSPORTS
from drivers.printer.worker import PrintWorker

__all__ = [
    "BOLD", "CENTER", "NORMAL", "PROFILES", "SUBTITLE", "TITLE", "TRANSPORTS",
    "Align", "Document", "Job", "JobNote", "JobState", "LayoutError",
    "PrintInterrupted", "PrintQueue", "PrintReport", "PrintWorker", "Printer",
    "PrinterConfigError", "PrinterError", "PrinterNotReady", "PrinterProfile", "PrinterState",
    "PrinterStatus", "PrinterTimeout", "PrinterUnavailable", "QueueError", "Style",
    "get_profile", "open_printer",
]
