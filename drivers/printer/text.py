"""The Chinese text layer: what a printer can print, how wide it is on paper, how to lay it out.

python-escpos 3.1 sends a string as GB18030 only when it holds a character in U+4E00..U+9FA5, so
``：￥`` alone comes out as ``??``; it wraps with ``len()``, so Chinese lines overflow. Here
every string goes through one :class:`TextCodec` built from the printer profile:

* :meth:`TextCodec.clean` normalises (NFC), turns layout controls into spaces, and replaces
  each character the model cannot print (outside its code page or font repertoire, or a control
  character that would be read as a command) with the profile's visible marker (``〓``), logging
  a warning that names the code points. Nothing is dropped silently into ``?``.
* Width is display width: on a Chinese-mode printer every double-byte code is printed with the
  24-dot font, two columns of font A. ``unicodedata.east_asian_width`` gives exactly that when
  ambiguous (``A``) characters count as wide (checked over all of GBK in the tests; GB18030
  adds one exception, U+01F9, settled by the code length); on a single-byte printer every
  character is one column.
* :meth:`TextCodec.wrap`, :meth:`TextCodec.align` and :meth:`TextCodec.row` lay text out by
  display width, keep Latin words and numbers whole when they fit, and keep closing
  punctuation (``，。：）``) off the start of a line.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from drivers.printer.errors import LayoutError
from drivers.printer.profiles import PrinterProfile

log = logging.getLogger(__name__)

_SPACES = {"\t": " ", "\n": " ", "\r": " ", "\v": " ", "\f": " ", "\u3000": "  "}
_NO_LINE_START = frozenset("，。、；：！？）】》」』”’…·%‰℃,.;:!?)]}")
_NO_LINE_END = frozenset("（【《「『“‘([{￥$")
_EXT_A = range(0x3400, 0x4DC0)
_ATOM = re.compile(r" +|[\x21-\x7e]+|.", re.DOTALL)


class TextCodec:
    """Encoding, width and layout of text for one printer profile."""

    def __init__(self, profile: PrinterProfile) -> None:
        self.profile = profile
        self._printable: dict[str, bool] = {}

    # -- characters -------------------------------------------------------------------------
    def printable(self, ch: str) -> bool:
        """Whether the model prints ``ch`` as itself."""
        known = self._printable.get(ch)
        if known is None:
            known = self._printable[ch] = self._check(ch)
        return known

    def _check(self, ch: str) -> bool:
        if " " <= ch <= "~":
            return True
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me", "Zl", "Zp"):
            return False
        try:
            code = ch.encode(self.profile.encoding)
        except UnicodeEncodeError:
            return False
        if not self.profile.chinese:
            return len(code) == 1
        return len(code) <= 2 or ord(ch) in _EXT_A

    def char_width(self, ch: str) -> int:
        """Columns of font A that a printable ``ch`` takes (1 or 2).

        East Asian Wide, Fullwidth and Ambiguous characters are two columns; on a Chinese-mode
        printer that is every character it prints from a double-byte code (all of GBK; in
        GB18030 also U+01F9 ǹ, which Unicode calls narrow but the printer draws 24 dots wide).
        """
        if ch < "\u0080" or not self.profile.chinese:
            return 1
        if unicodedata.east_asian_width(ch) in ("W", "F", "A"):
            return 2
        return 2 if len(ch.encode(self.profile.encoding, errors="replace")) > 1 else 1

    def width(self, text: str) -> int:
        return sum(self.char_width(ch) for ch in text)

    def clean(self, text: str) -> str:
        """``text`` made printable: NFC, controls as spaces, the unprintable as the marker."""
        text = unicodedata.normalize("NFC", text)
        if all(" " <= ch <= "~" for ch in text):
            return text
        out: list[str] = []
        bad: list[str] = []
        for ch in text:
            if self.printable(ch):
                out.append(ch)
            elif ch in _SPACES:
                out.append(_SPACES[ch])
            elif unicodedata.category(ch) == "Cf":
                continue  # invisible format characters (ZWSP, BOM, ZWJ): nothing to print
            else:
                bad.append(f"U+{ord(ch):04X}")
                out.append(self.profile.replacement)
        if bad:
            log.warning(
                "printer.text.unprintable: %s replaced by %s (profile %s)",
                " ".join(bad), self.profile.replacement, self.profile.name,
                extra={"event": "printer.text.unprintable", "chars": bad,
                       "profile": self.profile.name},
            )
        return "".join(out)

    def encode(self, text: str) -> bytes:
        """Bytes for the printer's font; never fails (see :meth:`clean`)."""
        return self.clean(text).encode(self.profile.encoding)

    # -- layout -----------------------------------------------------------------------------
    def wrap(self, text: str, width: int) -> list[str]:
        """Lines of at most ``width`` columns; each ``\\n`` starts a new line."""
        if width < 2:
            raise LayoutError(f"cannot lay out text in {width} column(s)")
        lines: list[str] = []
        for paragraph in text.split("\n"):
            lines.extend(self._wrap_paragraph(self.clean(paragraph), width))
        return lines

    def _wrap_paragraph(self, text: str, width: int) -> list[str]:
        lines: list[list[str]] = [[]]
        used = 0
        for atom in _ATOM.findall(text):
            size = self.width(atom)
            line = lines[-1]
            if atom.startswith(" "):
                if line or len(lines) == 1:  # keep a paragraph's indent, drop it after a wrap
                    line.append(atom)
                    used += size
                continue
            if used + size <= width:
                line.append(atom)
                used += size
                continue
            if size > width:  # a word longer than the line: split it where it must
                for ch in atom:
                    w = self.char_width(ch)
                    if used + w > width:
                        lines.append([])
                        used = 0
                    lines[-1].append(ch)
                    used += w
                continue
            carried = self._carry(line, atom, width - size)
            lines.append([*carried, atom])
            used = sum(self.width(a) for a in lines[-1])
        return ["".join(line).rstrip(" ") for line in lines]

    def _carry(self, line: list[str], atom: str, room: int) -> list[str]:
        """Atoms taken from the end of ``line`` so that no line starts with a closing mark or
        ends with an opening one (kinsoku); at most one atom, and never the whole line."""
        while line and line[-1].startswith(" "):
            line.pop()
        if len(line) < 2:
            return []
        last = line[-1]
        if (atom[0] in _NO_LINE_START or last[-1] in _NO_LINE_END) and self.width(last) <= room:
            line.pop()
            while line and line[-1].startswith(" "):
                line.pop()
            return [last]
        return []

    def align(self, text: str, width: int, align: str) -> str:
        """``text`` padded on the left with spaces for ``center`` or ``right`` alignment."""
        room = width - self.width(text)
        if room <= 0 or align == "left":
            return text
        return " " * (room // 2 if align == "center" else room) + text

    def row(self, left: str, right: str, width: int) -> list[str]:
        """A label on the left and a value on the right of the same line (or the value on the
        next line, right-aligned, when both do not fit)."""
        left, right = self.clean(left), self.clean(right)
        wl, wr = self.width(left), self.width(right)
        if wl + wr + 1 <= width or (wl + wr <= width and left.endswith(("：", ":"))):
            return [left + " " * (width - wl - wr) + right]
        lines = self.wrap(left, width) if left else []
        last_w = self.width(lines[-1]) if lines else 0
        if lines and last_w + wr + 1 <= width:
            lines[-1] = lines[-1] + " " * (width - last_w - wr) + right
            return lines
        return lines + [self.align(part, width, "right") for part in self.wrap(right, width)]
