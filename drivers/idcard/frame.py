"""SAM-V serial framing of the second-generation resident ID-card reader.

A frame is ``AA AA AA 96 69``, a two-byte big-endian length, the payload and one XOR checksum
over the length and the payload. The length counts every byte after the length field, the
checksum included: a command ``CMD PARA DATA`` has length ``len(DATA) + 3``; an answer
``SW1 SW2 SW3 DATA`` has length ``len(DATA) + 4``. Example: reset is
``AA AA AA 96 69 00 03 10 FF EC``; the "ok" answer with no data is
``AA AA AA 96 69 00 04 00 00 90 94``.

Pure functions and one incremental parser; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from types import MappingProxyType

from drivers.idcard.errors import FrameError

PREAMBLE = bytes.fromhex("AAAAAA9669")
MAX_LENGTH = 4096
"""The longest payload accepted (a text + photo + fingerprint answer is 2 321 bytes)."""

SW3_OK = 0x90
SW3_FOUND = 0x9F

SW3_MEANINGS = MappingProxyType(
    {
        0x90: "ok",
        0x9F: "card found",
        0x10: "the reader received a frame with a wrong checksum",
        0x11: "the reader received a frame with a wrong length",
        0x21: "the reader received an unknown command",
        0x23: "the command is not allowed now",
        0x24: "the command cannot be recognised",
        0x31: "the card failed to authenticate the SAM",
        0x32: "the SAM failed to authenticate the card",
        0x33: "the card data failed verification",
        0x40: "the card type is not recognised",
        0x41: "reading the card failed",
        0x47: "the card took too long to answer",
        0x60: "the SAM self-check failed",
        0x66: "the SAM is not authorised",
        0x80: "no card found",
        0x81: "selecting the card failed",
        0x91: "the card has no such content",
    }
)


def sw3_meaning(sw3: int) -> str:
    """The reader status in plain words."""
    return SW3_MEANINGS.get(sw3, f"unknown reader status {sw3:02X}")


def checksum(body: bytes) -> int:
    """XOR of every byte (the length field and the payload)."""
    return reduce(lambda acc, b: acc ^ b, body, 0)


def encode_command(cmd: int, param: int, data: bytes = b"") -> bytes:
    """The frame for one command to the reader."""
    if not (0 <= cmd <= 0xFF and 0 <= param <= 0xFF):
        raise ValueError("command and parameter are single bytes")
    if len(data) + 3 > MAX_LENGTH:
        raise ValueError("command data too long")
    body = (len(data) + 3).to_bytes(2, "big") + bytes((cmd, param)) + data
    return PREAMBLE + body + bytes((checksum(body),))


@dataclass(frozen=True)
class Answer:
    """One answer of the reader: the three status bytes and the data."""

    sw1: int
    sw2: int
    sw3: int
    data: bytes = field(repr=False)

    @property
    def ok(self) -> bool:
        return self.sw3 in (SW3_OK, SW3_FOUND)

    @property
    def meaning(self) -> str:
        return sw3_meaning(self.sw3)


def encode_answer(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    """The frame of one answer (used by tests; the simulator has its own implementation)."""
    body = (len(data) + 4).to_bytes(2, "big") + bytes((sw1, sw2, sw3)) + data
    return PREAMBLE + body + bytes((checksum(body),))


def decode_answer(payload: bytes) -> Answer:
    """An :class:`Answer` from a checked payload (status bytes and data, no checksum)."""
    if len(payload) < 3:
        raise FrameError(f"answer too short: {len(payload)} payload bytes, need at least 3")
    return Answer(payload[0], payload[1], payload[2], bytes(payload[3:]))


class FrameParser:
    """Incremental parser: feed bytes as they arrive, take complete payloads out.

    Bytes before a preamble are skipped (line noise, a partial frame). A frame whose length is
    impossible or whose checksum does not match raises :class:`FrameError`; the parser then
    drops that frame and can be fed again.
    """

    def __init__(self, min_length: int = 4) -> None:
        self._buf = bytearray()
        self._min_length = min_length
        self.skipped = 0
        """How many bytes were discarded while looking for a preamble."""

    def feed(self, data: bytes) -> None:
        self._buf += data

    def next_payload(self) -> bytes | None:
        """The next complete payload (without checksum), or None if more bytes are needed."""
        start = self._buf.find(PREAMBLE)
        if start < 0:
            keep = len(PREAMBLE) - 1
            if len(self._buf) > keep:
                self.skipped += len(self._buf) - keep
                del self._buf[: len(self._buf) - keep]
            return None
        if start:
            self.skipped += start
            del self._buf[:start]
        header = len(PREAMBLE) + 2
        if len(self._buf) < header:
            return None
        length = int.from_bytes(self._buf[len(PREAMBLE) : header], "big")
        if not self._min_length <= length <= MAX_LENGTH:
            del self._buf[: len(PREAMBLE)]
            raise FrameError(
                f"impossible frame length {length} (expected {self._min_length}..{MAX_LENGTH})"
            )
        if len(self._buf) < header + length:
            return None
        body = bytes(self._buf[len(PREAMBLE) : header + length - 1])
        check = self._buf[header + length - 1]
        del self._buf[: header + length]
        if checksum(body) != check:
            raise FrameError(
                f"wrong checksum: frame says {check:02X}, bytes give {checksum(body):02X}"
            )
        return body[2:]

    @property
    def pending(self) -> int:
        """Bytes held that do not yet make a frame."""
        return len(self._buf)
