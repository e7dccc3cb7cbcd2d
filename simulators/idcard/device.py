"""The virtual reader's behaviour: SAM-V command frames in, answer frames out.

Framing (written from the protocol): ``AA AA AA 96 69``, length (2, big-endian) counting the
bytes after it including the checksum, payload, XOR checksum of length and payload. Commands:
``10 FF`` reset, ``11 FF`` SAM status, ``20 01`` find card (``9F`` found, ``80`` none),
``20 02`` select (``90``, ``81`` if nothing was found), ``30 01`` read text and photo.

Test controls, pyvisa-sim/Keyple-stub style: :meth:`VirtualIdReader.place` and
:meth:`VirtualIdReader.remove` a card, :meth:`VirtualIdReader.inject` a fault for the next
answers (silent, wrong checksum, garbage, truncated, SAM failure).
"""

from __future__ import annotations

import enum
import logging
import threading

from simulators.idcard.citizens import Person

log = logging.getLogger(__name__)

HEAD = bytes.fromhex("AAAAAA9669")
TEXT_FIELDS = (
    ("name", 15),
    ("sex", 1),
    ("nation", 2),
    ("birth", 8),
    ("address", 35),
    ("number", 18),
    ("authority", 15),
    ("valid_from", 8),
    ("valid_to", 8),
)


class Fault(enum.Enum):
    SILENT = "silent"
    """Say nothing (a reader that is off or on another port)."""
    CHECKSUM = "checksum"
    """Answer with a wrong checksum."""
    GARBAGE = "garbage"
    """Answer with line noise (no frame at all)."""
    TRUNCATED = "truncated"
    """Stop half-way through the answer."""
    SAM = "sam"
    """The SAM fails its self-check (status 60)."""


def _xor(data: bytes) -> int:
    out = 0
    for b in data:
        out ^= b
    return out


def answer_frame(sw3: int, data: bytes = b"") -> bytes:
    body = (len(data) + 4).to_bytes(2, "big") + bytes((0, 0, sw3)) + data
    return HEAD + body + bytes((_xor(body),))


def text_block(person: Person) -> bytes:
    """The 256-byte UCS-2LE text block (fields space-padded, 36 reserved bytes)."""
    out = b""
    for attr, chars in TEXT_FIELDS:
        value: str = getattr(person, attr)
        if len(value) > chars:
            raise ValueError(f"{attr} longer than {chars} characters")
        out += value.ljust(chars).encode("utf-16-le")
    out += " ".ljust(18).encode("utf-16-le")
    assert len(out) == 256
    return out


class VirtualIdReader:
    """One reader with at most one card on it. Thread-safe: controls may come from a test."""

    def __init__(self, card: Person | None = None) -> None:
        self._lock = threading.Lock()
        self._card = card
        self._found = False
        self._selected = False
        self._faults: list[Fault] = []
        self._inbox = bytearray()
        self.commands = 0

    # -- test controls -------------------------------------------------------------------------
    def place(self, card: Person) -> None:
        with self._lock:
            self._card, self._found, self._selected = card, False, False

    def remove(self) -> None:
        with self._lock:
            self._card, self._found, self._selected = None, False, False

    def inject(self, fault: Fault, count: int = 1) -> None:
        """Apply ``fault`` to the next ``count`` answers (``count < 0``: until cleared)."""
        with self._lock:
            self._faults = [fault] * (count if count > 0 else 1_000_000)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults = []

    # -- bytes in, bytes out -------------------------------------------------------------------
    def feed(self, data: bytes) -> bytes:
        """Take bytes from the line; return the bytes to send back (possibly none)."""
        with self._lock:
            self._inbox += data
            out = b""
            while True:
                frame = self._next_frame()
                if frame is None:
                    return out
                out += frame

    def _next_frame(self) -> bytes | None:
        start = self._inbox.find(HEAD)
        if start < 0:
            del self._inbox[: max(0, len(self._inbox) - 4)]
            return None
        del self._inbox[:start]
        if len(self._inbox) < 7:
            return None
        length = int.from_bytes(self._inbox[5:7], "big")
        if length < 3 or length > 4096:
            del self._inbox[:5]
            return self._emit(answer_frame(0x11))
        if len(self._inbox) < 7 + length:
            return None
        frame = bytes(self._inbox[: 7 + length])
        del self._inbox[: 7 + length]
        if _xor(frame[5:-1]) != frame[-1]:
            return self._emit(answer_frame(0x10))
        return self._emit(self._command(frame[7], frame[8], frame[9:-1]))

    def _emit(self, frame: bytes) -> bytes:
        self.commands += 1
        if not self._faults:
            return frame
        fault = self._faults.pop(0)
        log.info("fault injected", extra={"fault": fault.value})
        if fault is Fault.SILENT:
            return b""
        if fault is Fault.CHECKSUM:
            return frame[:-1] + bytes((frame[-1] ^ 0x5A,))
        if fault is Fault.GARBAGE:
            return bytes((0x13 * i + 7) & 0xFF for i in range(len(frame) // 2 + 3))
        if fault is Fault.TRUNCATED:
            return frame[: len(frame) // 2]
        return answer_frame(0x60)  # SAM

    def _command(self, cmd: int, param: int, data: bytes) -> bytes:
        key = (cmd, param)
        if key in ((0x10, 0xFF), (0x11, 0xFF)):
            return answer_frame(0x90)
        if key == (0x20, 0x01):
            self._found = self._card is not None
            self._selected = False
            return answer_frame(0x9F, bytes(4)) if self._found else answer_frame(0x80)
        if key == (0x20, 0x02):
            self._selected = self._found and self._card is not None
            return answer_frame(0x90, bytes(8)) if self._selected else answer_frame(0x81)
        if key == (0x30, 0x01):
            if not self._selected or self._card is None:
                return answer_frame(0x41)
            text, photo = text_block(self._card), self._card.photo()
            log.info(
                "card read",
                extra={"id": self._card.number[:4] + "**********" + self._card.number[-4:]},
            )
            return answer_frame(
                0x90, len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big") + text + photo
            )
        return answer_frame(0x21)
