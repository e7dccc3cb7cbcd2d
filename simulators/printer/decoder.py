"""An ESC/POS decoder: bytes in, receipts (and status answers) out. The test oracle.

It is written from the command reference, not from ``drivers/printer``, so that the two do not
share a mistake. It models what a Chinese thermal printer does with the stream:

* text: ASCII; in Chinese mode (``FS &``, the power-on default of Chinese models) every byte
  0x81..0xFE starts a GB18030/GBK double-byte (or GB18030 four-byte) code printed two columns
  wide; out of it (``FS .``) bytes >= 0x80 are read in the code page chosen by ``ESC t``;
* styles: ``ESC !`` / ``ESC -`` apply to single-byte characters only, ``FS !`` / ``FS -`` to
  Chinese ones, ``GS !`` (size), ``ESC E`` / ``ESC G`` (bold) and ``GS B`` (inverse) to all;
* lines: ``LF``, ``ESC d``, ``ESC J``, justification ``ESC a``; a line longer than the paper is
  wrapped by the printer and flagged ``overflow``;
* graphics: ``GS v 0`` and ``GS ( L`` rasters, ``ESC *`` columns, ``GS ( k`` QR, ``GS k``
  barcodes; ``GS V`` (and ``ESC i`` / ``ESC m``) cut, ending a receipt; ``ESC p`` and
  ``DLE DC4 1`` drawer pulses;
* real-time ``DLE EOT n``: answered at once through the ``status`` callback (``None`` = no
  answer, a printer that stays silent).

Anything it does not understand becomes a warning on the receipt, never a silent skip.
"""

from __future__ import annotations

from collections.abc import Callable

from PIL import Image

from simulators.printer import graphics
from simulators.printer.model import Cell, Graphic, Item, Line, Receipt, Space

CODE_PAGES = {0: "cp437", 2: "cp850", 3: "cp860", 4: "cp863", 5: "cp865", 16: "cp1252",
              17: "cp866", 18: "cp852", 19: "cp858"}
DEFAULT_SPACING = 30
MAX_WARNINGS = 50

_ESC_FIXED = {"@": 0, "!": 1, "E": 1, "G": 1, "-": 1, "a": 1, "M": 1, "t": 1, "d": 1, "J": 1,
              "2": 0, "3": 1, "p": 3, "R": 1, "{": 1, "V": 1, " ": 1, "$": 2, "c": 2, "i": 0,
              "m": 0, "=": 1, "r": 1, "U": 1, "e": 1, "\\": 2, "L": 0, "S": 0, "T": 1, "W": 8,
              "%": 1, "B": 2}
_GS_FIXED = {"!": 1, "B": 1, "H": 1, "h": 1, "w": 1, "f": 1, "L": 2, "W": 2, "a": 1, "r": 1,
             "I": 1, "P": 2, "b": 1, "$": 2, "\\": 2, ":": 0, "^": 3}
_FS_FIXED = {"&": 0, ".": 0, "!": 1, "-": 1, "C": 1, "S": 2, "W": 1, "p": 2}
_PARTIAL_CUTS = (1, 49, 66, 98, 104)


class EscPosDecoder:
    def __init__(self, *, columns: int = 32, dots: int = 384, encoding: str = "gb18030",
                 chinese_default: bool = True, status: Callable[[int], int | None] | None = None,
                 on_receipt: Callable[[Receipt], None] | None = None, first_index: int = 1
                 ) -> None:
        self.columns, self.dots, self.encoding = columns, dots, encoding
        self.chinese_default = chinese_default
        self.status = status
        self.on_receipt = on_receipt
        self.paper_out = False
        """Set by the printer: print data arriving now is counted on the receipt."""
        self.status_requests = 0
        self._buf = bytearray()
        self._reply = bytearray()
        self._realtime = False
        self._receipt = Receipt(first_index, columns, dots)
        self._ready: list[Receipt] = []
        self._line = Line()
        self._column: Graphic | None = None
        self._stored: Image.Image | None = None
        self._reset()

    def _reset(self) -> None:
        self.chinese = self.chinese_default
        self.code_page = 0
        self.bold = self.invert = self.ank_ul = self.cjk_ul = False
        self.ank_size = self.cjk_size = (1, 1)
        self.align = 0
        self.spacing = DEFAULT_SPACING
        self.qr_size, self.qr_ec, self.qr_data = 3, 48, b""

    # -- public -----------------------------------------------------------------------------
    def feed(self, data: bytes) -> bytes:
        """Consume ``data``; returns the bytes the printer answers (status)."""
        self._buf += data
        while self._buf:
            self._realtime = False
            receipt = self._receipt
            used = self._step()
            if used == 0:
                break
            if not self._realtime:
                receipt.bytes += used
                if self.paper_out:
                    receipt.bytes_while_paper_out += used
            del self._buf[:used]
            self._hand_over()
        reply, self._reply = bytes(self._reply), bytearray()
        return reply

    def finish(self) -> Receipt | None:
        """Hand over what was printed but never cut (when the printer stops)."""
        if self._buf:
            self._warn(f"{len(self._buf)} bytes of an incomplete command at the end")
            self._buf.clear()
        if self._line.cells:
            self._newline()
        if not self._receipt.items and not self._receipt.drawer_pulses:
            return None
        receipt = self._receipt
        self._deliver()
        self._hand_over()
        return receipt

    def _hand_over(self) -> None:
        ready, self._ready = self._ready, []
        for receipt in ready:
            if self.on_receipt is not None:
                self.on_receipt(receipt)

    # -- the parser -------------------------------------------------------------------------
    def _step(self) -> int:
        b = self._buf[0]
        if b == 0x10:
            return self._dle()
        if b == 0x1B:
            return self._esc()
        if b == 0x1D:
            return self._gs()
        if b == 0x1C:
            return self._fs()
        if b in (0x0A, 0x0C):
            self._newline()
            return 1
        if b in (0x0D, 0x00):
            return 1
        if b == 0x09:
            for _ in range(8 - self._line.used % 8):
                self._put(" ", 1)
            return 1
        if b < 0x20 or b == 0x7F:
            self._warn(f"stray control byte 0x{b:02X}")
            return 1
        return self._text()

    def _text(self) -> int:
        buf = self._buf
        b = buf[0]
        if self.chinese and 0x81 <= b <= 0xFE:
            if len(buf) < 2:
                return 0
            size = 4 if 0x30 <= buf[1] <= 0x39 else 2
            if len(buf) < size:
                return 0
            raw = bytes(buf[:size])
            try:
                if size == 4 and self.encoding != "gb18030":
                    raise UnicodeDecodeError(self.encoding, raw, 0, 4, "four-byte code")
                ch = raw.decode(self.encoding)
            except UnicodeDecodeError:
                self._warn(f"invalid {self.encoding} code {raw.hex(' ')}")
                ch = "\ufffd"
            self._put(ch, 2)
            return size
        if b >= 0x80:
            if self.chinese:
                self._warn(f"byte 0x{b:02X} is not a double-byte lead")
                self._put("\ufffd", 1)
            else:
                codec = CODE_PAGES.get(self.code_page, "cp437")
                self._put(bytes([b]).decode(codec, errors="replace"), 1)
            return 1
        end = 1
        while end < len(buf) and 0x20 <= buf[end] < 0x7F:
            end += 1
        for ch in buf[:end].decode("ascii"):
            self._put(ch, 1)
        return end

    def _dle(self) -> int:
        buf = self._buf
        if len(buf) < 3:
            return 0
        self._realtime = True
        command, n = buf[1], buf[2]
        if command == 0x04:  # DLE EOT n
            self.status_requests += 1
            answer = self.status(n) if self.status else None
            if answer is not None:
                self._reply.append(answer)
            return 3
        if command == 0x05:  # DLE ENQ n
            return 3
        if command == 0x14:  # DLE DC4 fn ...
            size = {1: 5, 2: 5, 8: 10}.get(n, 3)
            if len(buf) < size:
                return 0
            if n == 1:
                self._receipt.drawer_pulses.append(2 if buf[3] == 0 else 5)
            return size
        self._realtime = False
        self._warn(f"stray DLE 0x{command:02X}")
        return 1

    def _esc(self) -> int:
        buf = self._buf
        if len(buf) < 2:
            return 0
        c = chr(buf[1])
        if c == "*":
            return self._esc_column()
        if c == "D":  # horizontal tab positions, NUL-terminated
            end = buf.find(0, 2)
            return 0 if end < 0 else end + 1
        n = _ESC_FIXED.get(c)
        if n is None:
            self._warn(f"unknown command ESC 0x{buf[1]:02X}")
            return 2
        if len(buf) < 2 + n:
            return 0
        p = buf[2] if n else 0
        if c == "@":
            if self._line.cells:
                self._warn("ESC @ discarded a line that was never printed")
            self._line = Line()
            self._reset()
        elif c == "!":
            self.bold = bool(p & 0x08)
            self.ank_size = (2 if p & 0x20 else 1, 2 if p & 0x10 else 1)
            self.ank_ul = bool(p & 0x80)
        elif c in "EG":
            self.bold = bool(p & 1)
        elif c == "-":
            self.ank_ul = p in (1, 2, 49, 50)
        elif c == "a":
            self.align = p % 48 if p >= 48 else p
        elif c == "M" and p not in (0, 48):
            self._warn("font B selected: drawn as font A")
        elif c == "t":
            self.code_page = p
            if p not in CODE_PAGES:
                self._warn(f"code page {p} is not modelled: read as PC437")
        elif c == "d":
            self._feed_lines(p)
        elif c == "J":
            if self._line.cells:
                self._newline()
            self._emit(Space(p))
        elif c in "23":
            self.spacing = p if c == "3" else DEFAULT_SPACING
        elif c == "p":
            self._receipt.drawer_pulses.append(2 if p in (0, 48) else 5)
        elif c in "im":
            self._cut("full" if c == "i" else "partial")
        return 2 + n

    def _esc_column(self) -> int:
        buf = self._buf
        if len(buf) < 5:
            return 0
        m, width = buf[2], buf[3] | buf[4] << 8
        per = 1 if m in (0, 1) else 3
        size = 5 + width * per
        if len(buf) < size:
            return 0
        strip = graphics.column(bytes(buf[5:size]), width, per * 8, 2 if m in (0, 32) else 1)
        if self._column is not None and self._column is self._last_item():
            self._column.image = graphics.stack(self._column.image, strip)
        else:
            self._column = self._graphic("column", strip)
        return size

    def _gs(self) -> int:
        buf = self._buf
        if len(buf) < 3:
            return 0
        c = chr(buf[1])
        if c == "(":
            if len(buf) < 5:
                return 0
            size = 5 + (buf[3] | buf[4] << 8)
            if len(buf) < size:
                return 0
            body = bytes(buf[5:size])
            if buf[2] == ord("k"):
                self._symbol(body)
            elif buf[2] == ord("L"):
                self._graphics(body)
            else:
                self._warn(f"GS ( {chr(buf[2])} is not modelled")
            return size
        if c == "v":
            if len(buf) < 8:
                return 0
            m, xb, rows = buf[3], buf[4] | buf[5] << 8, buf[6] | buf[7] << 8
            size = 8 + xb * rows
            if len(buf) < size:
                return 0
            if not xb or not rows:
                self._warn(f"GS v 0: an empty raster ({xb} bytes x {rows} rows) ignored")
                return size
            image = graphics.raster(bytes(buf[8:size]), xb, rows, 2 if m & 1 else 1,
                                    2 if m & 2 else 1)
            self._graphic("raster", image)
            return size
        if c == "k":
            return self._barcode()
        if c == "V":
            m = buf[2]
            size = 4 if m in (65, 66, 97, 98, 103, 104) else 3
            if len(buf) < size:
                return 0
            self._cut("partial" if m in _PARTIAL_CUTS else "full")
            return size
        n = _GS_FIXED.get(c)
        if n is None:
            self._warn(f"unknown command GS 0x{buf[1]:02X}")
            return 2
        if len(buf) < 2 + n:
            return 0
        if c == "!":
            size_w, size_h = (buf[2] >> 4 & 7) + 1, (buf[2] & 7) + 1
            self.ank_size = self.cjk_size = (size_w, size_h)
        elif c == "B":
            self.invert = bool(buf[2] & 1)
        return 2 + n

    def _fs(self) -> int:
        buf = self._buf
        if len(buf) < 2:
            return 0
        c = chr(buf[1])
        n = _FS_FIXED.get(c)
        if n is None:
            self._warn(f"unknown command FS 0x{buf[1]:02X}")
            return 2
        if len(buf) < 2 + n:
            return 0
        p = buf[2] if n else 0
        if c in "&.":
            self.chinese = c == "&"
        elif c == "!":
            self.cjk_size = (2 if p & 0x04 else 1, 2 if p & 0x08 else 1)
            self.cjk_ul = bool(p & 0x80)
        elif c == "-":
            self.cjk_ul = p in (1, 2, 49, 50)
        elif c == "W":
            self.cjk_size = (2, 2) if p & 1 else (1, 1)
        return 2 + n

    def _symbol(self, body: bytes) -> None:
        if len(body) < 2 or body[0] != 49:
            self._warn("a 2D symbol other than QR (GS ( k cn != 49) is not modelled")
            return
        fn, args = body[1], body[2:]
        if fn == 67 and args:
            self.qr_size = args[0]
        elif fn == 69 and args:
            self.qr_ec = args[0]
        elif fn == 80:
            self.qr_data = args[1:]
        elif fn == 81:
            if not self.qr_data:
                self._warn("QR print with no stored data")
                return
            image = graphics.qr_symbol(self.qr_data, self.qr_size, self.qr_ec)
            payload = self.qr_data.decode("utf-8", errors="replace")
            self._graphic("qr", image, payload)
        elif fn not in (65, 82):
            self._warn(f"GS ( k QR function {fn} is not modelled")

    def _graphics(self, body: bytes) -> None:
        if len(body) < 2:
            return
        fn = body[1]
        if fn == 0x70 and len(body) >= 10:
            bx, by = body[3], body[4]
            width, rows = body[6] | body[7] << 8, body[8] | body[9] << 8
            if not width or not rows or bx not in (1, 2) or by not in (1, 2):
                self._warn(f"GS ( L: a raster of {width} x {rows} dots at {bx} x {by} ignored")
                return
            image = graphics.raster(body[10:], (width + 7) // 8, rows, bx, by)
            self._stored = image.crop((0, 0, width * bx, rows * by))
        elif fn == 0x32 and self._stored is not None:
            self._graphic("raster", self._stored)
            self._stored = None

    def _barcode(self) -> int:
        buf = self._buf
        m = buf[2]
        if m <= 6:
            end = buf.find(0, 3)
            if end < 0:
                return 0
            data, size = bytes(buf[3:end]), end + 1
        else:
            if len(buf) < 4 or len(buf) < 4 + buf[3]:
                return 0
            data, size = bytes(buf[4:4 + buf[3]]), 4 + buf[3]
        self._graphic("barcode", Image.new("1", (8 * len(data) + 16, 60), 1),
                      data.decode("latin-1"))
        return size

    # -- effects ----------------------------------------------------------------------------
    def _put(self, ch: str, cols: int) -> None:
        chinese = cols == 2
        width, height = self.cjk_size if chinese else self.ank_size
        cell = Cell(ch, cols, width, height, self.bold,
                    self.cjk_ul if chinese else self.ank_ul, self.invert)
        if self._line.used + cols * width > self.columns:
            self._line.overflow = True
            self._newline()
        self._line.cells.append(cell)

    def _newline(self) -> None:
        line, self._line = self._line, Line()
        if not line.cells and self._column is not None and self._column is self._last_item():
            return  # the LF that prints an ESC * strip
        room = self.columns - line.used
        line.indent = max(0, room // 2 if self.align == 1 else room if self.align == 2 else 0)
        line.spacing = self.spacing
        self._emit(line)

    def _feed_lines(self, count: int) -> None:
        if self._line.cells:
            self._newline()
            count -= 1
        for _ in range(max(0, count)):
            self._newline()

    def _graphic(self, kind: str, image: Image.Image, payload: str | None = None) -> Graphic:
        if self._line.cells:
            self._warn(f"{kind} graphic printed after unprinted text: text printed first")
            self._newline()
        if image.width > self.dots:
            self._warn(f"{kind} graphic {image.width} dots wide on {self.dots}-dot paper")
        room = max(0, self.dots - image.width)
        x = room // 2 if self.align == 1 else room if self.align == 2 else 0
        graphic = Graphic(kind, image, x, payload)
        self._emit(graphic)
        return graphic

    def _emit(self, item: Item) -> None:
        if self.paper_out:
            self._warn("printed while the paper was out")
        self._receipt.items.append(item)

    def _last_item(self) -> Item | None:
        return self._receipt.items[-1] if self._receipt.items else None

    def _cut(self, kind: str) -> None:
        if self._line.cells:
            self._newline()
        self._receipt.cut = kind
        self._deliver()

    def _deliver(self) -> None:
        receipt = self._receipt
        self._receipt = Receipt(receipt.index + 1, self.columns, self.dots)
        self._column = None
        self._ready.append(receipt)

    def _warn(self, message: str) -> None:
        warnings = self._receipt.warnings
        if len(warnings) < MAX_WARNINGS and message not in warnings:
            warnings.append(message)
