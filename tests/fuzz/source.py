"""Choices drawn from a byte string, so that one ``check(data: bytes)`` serves every fuzzer.

Hypothesis hands a target its bytes (and shrinks them), atheris (bench/fuzz.py) mutates them
guided by coverage; either way the target reads its decisions from a :class:`Source`. Past the
end of the data every choice is 0 and every byte string empty, so any input is a valid test.
"""

from __future__ import annotations


class Source:
    """Reads decisions from ``data`` front to back."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    @property
    def exhausted(self) -> bool:
        return self._pos >= len(self._data)

    def byte(self) -> int:
        if self._pos >= len(self._data):
            return 0
        self._pos += 1
        return self._data[self._pos - 1]

    def below(self, n: int) -> int:
        """A number in ``0 .. n-1`` (one byte, or two when ``n`` > 256)."""
        if n <= 1:
            return 0
        raw = self.byte() if n <= 256 else (self.byte() << 8) | self.byte()
        return raw % n

    def take(self, n: int) -> bytes:
        """Up to ``n`` bytes (fewer at the end of the data)."""
        chunk = self._data[self._pos:self._pos + n]
        self._pos += len(chunk)
        return chunk

    def chunk(self, longest: int = 64) -> bytes:
        """A byte string of a chosen length (at most ``longest``)."""
        return self.take(self.below(longest + 1))

    def rest(self) -> bytes:
        chunk = self._data[self._pos:]
        self._pos = len(self._data)
        return chunk
