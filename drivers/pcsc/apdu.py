"""APDU values: the response type, a strict hex parser and the C-APDU structure (ISO 7816-4).

Nothing here does I/O. :class:`Response` is what :meth:`CardChannel.transmit` returns;
:func:`parse_hex` turns what a person typed (``"00A4 0400 09 A00000000386980701"``) into
bytes or says exactly what is wrong; :class:`CommandApdu` splits a C-APDU into header, data and
Le so that the channel can re-issue it with another Le and the trace can redact its data.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

_HEX_DIGITS = frozenset(string.hexdigits)
_SPACES = frozenset(" \t\r\n")


class HexError(ValueError):
    """Malformed hex text (odd number of digits, a character that is not a hex digit, empty)."""


def parse_hex(text: str) -> bytes:
    """Parse hex digits, allowing whitespace between them (``"00 A4 04 00"`` or ``"00A40400"``).

    Raises :class:`HexError` with the position of the first bad character, or for an odd
    number of digits, or for empty text.
    """
    digits: list[str] = []
    for position, char in enumerate(text, start=1):
        if char in _SPACES:
            continue
        if char not in _HEX_DIGITS:
            raise HexError(f"bad hex digit {char!r} at position {position} of {text!r}")
        digits.append(char)
    if not digits:
        raise HexError("empty hex string")
    if len(digits) % 2:
        raise HexError(f"odd number of hex digits ({len(digits)}) in {text!r}")
    return bytes.fromhex("".join(digits))


def to_hex(data: bytes, sep: str = "") -> str:
    """Upper-case hex, optionally with a separator between bytes (``to_hex(data, " ")``)."""
    return data.hex(sep).upper() if sep else data.hex().upper()


@dataclass(frozen=True, slots=True)
class Response:
    """An R-APDU: the data and the two status bytes."""

    data: bytes
    sw1: int
    sw2: int

    @classmethod
    def from_bytes(cls, raw: bytes) -> Response:
        """Split a raw R-APDU (data + SW1 SW2). Raises ValueError when shorter than 2 bytes."""
        if len(raw) < 2:
            raise ValueError(f"an R-APDU has at least 2 bytes (SW1 SW2), got {len(raw)}")
        return cls(bytes(raw[:-2]), raw[-2], raw[-1])

    @property
    def sw(self) -> int:
        """The status word as one integer, e.g. ``0x9000``."""
        return (self.sw1 << 8) | self.sw2

    @property
    def ok(self) -> bool:
        """True for ``9000``."""
        return self.sw == 0x9000

    @property
    def sw_hex(self) -> str:
        return f"{self.sw:04X}"

    @property
    def data_hex(self) -> str:
        return to_hex(self.data)

    def to_bytes(self) -> bytes:
        return self.data + bytes((self.sw1, self.sw2))

    def hex(self, sep: str = "") -> str:
        """The whole R-APDU in hex (data then SW)."""
        return to_hex(self.to_bytes(), sep)

    def __str__(self) -> str:
        return f"{self.data_hex} {self.sw_hex}" if self.data else self.sw_hex


@dataclass(frozen=True, slots=True)
class CommandApdu:
    """A C-APDU split into its parts (ISO 7816-4 cases 1 to 4, short and extended length).

    ``le`` is None when the command carries no Le field; otherwise the encoded Le value
    (0 means "up to 256" in short form, "up to 65536" in extended form).
    """

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None
    extended: bool = False

    @property
    def header(self) -> bytes:
        return bytes((self.cla, self.ins, self.p1, self.p2))

    @classmethod
    def parse(cls, apdu: bytes) -> CommandApdu:
        """Parse raw bytes. Raises ValueError when Lc/Le do not match the length."""
        n = len(apdu)
        if n < 4:
            raise ValueError(f"a C-APDU has at least 4 bytes (CLA INS P1 P2), got {n}")
        cla, ins, p1, p2 = apdu[0], apdu[1], apdu[2], apdu[3]
        if n == 4:
            return cls(cla, ins, p1, p2)
        if n == 5:
            return cls(cla, ins, p1, p2, le=apdu[4])
        if apdu[4] != 0:  # short Lc
            lc = apdu[4]
            if n == 5 + lc:
                return cls(cla, ins, p1, p2, apdu[5:])
            if n == 6 + lc:
                return cls(cla, ins, p1, p2, apdu[5:-1], le=apdu[-1])
            raise ValueError(f"Lc says {lc} data bytes but the C-APDU has {n - 5} bytes after it")
        # extended length: 00 then two bytes
        if n == 7:
            return cls(cla, ins, p1, p2, le=int.from_bytes(apdu[5:7], "big"), extended=True)
        if n < 7:
            raise ValueError(f"malformed extended-length C-APDU of {n} bytes")
        lc = int.from_bytes(apdu[5:7], "big")
        if lc and n == 7 + lc:
            return cls(cla, ins, p1, p2, apdu[7:], extended=True)
        if lc and n == 9 + lc:
            le = int.from_bytes(apdu[-2:], "big")
            return cls(cla, ins, p1, p2, apdu[7:-2], le=le, extended=True)
        raise ValueError(f"extended Lc says {lc} data bytes but the C-APDU has {n - 7} after it")

    def to_bytes(self) -> bytes:
        out = bytearray(self.header)
        if self.extended:
            if self.data:
                out += b"\x00" + len(self.data).to_bytes(2, "big") + self.data
            if self.le is not None:
                out += (b"" if self.data else b"\x00") + self.le.to_bytes(2, "big")
            return bytes(out)
        if self.data:
            out += bytes((len(self.data),)) + self.data
        if self.le is not None:
            out.append(self.le)
        return bytes(out)

    def with_le(self, le: int) -> CommandApdu:
        """The same command with another Le (used for the ``6Cxx`` re-issue)."""
        return CommandApdu(self.cla, self.ins, self.p1, self.p2, self.data, le, self.extended)


def check_apdu(apdu: bytes) -> None:
    """Raise ValueError unless ``apdu`` is a well-formed C-APDU."""
    CommandApdu.parse(apdu)


def parse_apdu(text: str) -> bytes:
    """Hex text to a checked C-APDU. Raises :class:`HexError` or ValueError."""
    apdu = parse_hex(text)
    check_apdu(apdu)
    return apdu
