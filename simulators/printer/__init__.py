"""The virtual ESC/POS receipt printer (TCP and pty), its decoder and its renderer.

It shares no code with ``drivers/printer``: it is the oracle the driver is tested against.
"""

from simulators.printer.decoder import EscPosDecoder
from simulators.printer.model import Cell, Graphic, Line, Receipt, Space
from simulators.printer.render import ReceiptRenderer, find_cjk_font, write_receipt
from simulators.printer.server import Paper, VirtualPrinter, write_paper_file

__all__ = [
    "Cell", "EscPosDecoder", "Graphic", "Line", "Paper", "Receipt", "ReceiptRenderer", "Space",
    "VirtualPrinter", "find_cjk_font", "write_paper_file", "write_receipt",
]
