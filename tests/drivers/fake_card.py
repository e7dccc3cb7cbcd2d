"""A tiny test-local card for the reader-layer tests (no dependency on the card model).

Commands (any CLA):
- ``B0`` READ BINARY: ``FILE`` (40 bytes); with ``strict_le`` a wrong Le (00 included) answers
  ``6Cxx``; with ``t0`` data is announced with ``61xx`` and fetched with GET RESPONSE;
- ``C0`` GET RESPONSE: the pending data, ``61xx`` while more is left;
- ``CA`` GET DATA: ``big`` bytes (default 600) the same way (several GET RESPONSE rounds);
- ``20`` VERIFY: PIN ``PIN`` -> 9000, else 63C2;
- ``D4`` WRITE KEY -> 9000; ``EC`` echoes its data;
- ``EE`` blocks until ``release`` is set (a card that does not answer), then 9000;
- ``EF`` raises CardWithdrawn (a tear); ``E1`` answers one byte (malformed); ``E2`` always
  answers 6101 and so does every GET RESPONSE after it (a card that never
  stops announcing data);
- anything else 6D00.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from drivers.pcsc.spi import CardWithdrawn

FAKE_ATR = bytes.fromhex("3B80800101")
FILE = bytes(range(0x30, 0x58))  # 40 bytes
PIN = bytes.fromhex("123456")


@dataclass
class FakeCard:
    t0: bool = False
    strict_le: bool = False
    big: int = 600
    received: list[bytes] = field(default_factory=list)
    threads: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    powered: bool = False
    endless: bool = False
    _pending: bytes = b""

    @property
    def atr(self) -> bytes:
        return FAKE_ATR

    def power_on(self) -> None:
        self.powered = True

    def power_off(self) -> None:
        self.powered = False

    def reset(self) -> None:
        self._pending = b""

    def _announce(self, data: bytes, le: int | None) -> bytes:
        if self.t0:
            self._pending = data
            return bytes((0x61, min(len(data), 256) & 0xFF))
        n = 256 if le == 0 else le
        if self.strict_le and n != len(data):
            return bytes((0x6C, len(data) & 0xFF))
        return data[: n or len(data)] + b"\x90\x00"

    def transmit(self, apdu: bytes) -> bytes:
        self.received.append(bytes(apdu))
        self.threads.append(threading.current_thread().name)
        ins = apdu[1]
        le = apdu[4] if len(apdu) == 5 else None
        if ins == 0xB0:
            if self.t0 and self.strict_le and le != len(FILE):
                return bytes((0x6C, len(FILE)))
            return self._announce(FILE, le)
        if ins == 0xCA:
            return self._announce(bytes(i & 0xFF for i in range(self.big)), le)
        if ins == 0xC0:
            if self.endless:
                return b"\xaa\x61\x01"
            n = le if le else 256
            chunk, self._pending = self._pending[:n], self._pending[n:]
            if self._pending:
                return chunk + bytes((0x61, min(len(self._pending), 256) & 0xFF))
            return chunk + b"\x90\x00"
        if ins == 0x20:
            return b"\x90\x00" if apdu[5:5 + apdu[4]] == PIN else b"\x63\xc2"
        if ins == 0xD4:
            return b"\x90\x00"
        if ins == 0xEC:
            return bytes(apdu[5:5 + apdu[4]]) + b"\x90\x00"
        if ins == 0xEE:
            self.release.wait(10)
            return b"\x90\x00"
        if ins == 0xEF:
            raise CardWithdrawn("torn")
        if ins == 0xE1:
            return b"\x90"
        if ins == 0xE2:
            self.endless = True
            return b"\x61\x01"
        return b"\x6d\x00"
