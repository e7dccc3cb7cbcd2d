"""Command APDUs, replies and the status words of card-spec.md section 3 (card side)."""

from __future__ import annotations

from dataclasses import dataclass

SW_OK = 0x9000
SW_INVALIDATED = 0x6283
SW_WRONG_LENGTH = 0x6700
SW_INCOMPATIBLE_FILE = 0x6981
SW_SECURITY_STATUS = 0x6982
SW_PIN_BLOCKED = 0x6983
SW_CONDITIONS = 0x6985
SW_NO_CURRENT_EF = 0x6986
SW_BAD_DATA = 0x6A80
SW_FILE_NOT_FOUND = 0x6A82
SW_RECORD_NOT_FOUND = 0x6A83
SW_WRONG_P1P2 = 0x6A86
SW_REF_NOT_FOUND = 0x6A88
SW_OFFSET_OUT_OF_FILE = 0x6B00
SW_UNKNOWN_INS = 0x6D00
SW_UNKNOWN_CLA = 0x6E00
SW_MAC_ERROR = 0x9302
SW_APP_LOCKED = 0x9303
SW_INSUFFICIENT_BALANCE = 0x9401
SW_MAC_NOT_AVAILABLE = 0x9406


def sw_tries_left(tries: int) -> int:
    """``63Cx``: a wrong PIN with ``x`` tries left."""
    return 0x63C0 | (tries & 0x0F)


class SwError(Exception):
    """A command ends with a status word and no data (raised inside a command handler)."""

    def __init__(self, sw: int, reason: str = "") -> None:
        super().__init__(f"{sw:04X} {reason}".strip())
        self.sw = sw


@dataclass(frozen=True)
class Reply:
    """What a command handler answers: response data and the status word."""

    data: bytes = b""
    sw: int = SW_OK


@dataclass(frozen=True)
class Command:
    """A parsed short C-APDU. ``le`` is None when absent; ``0`` means Le = ``00``."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None

    @property
    def header(self) -> bytes:
        """CLA INS P1 P2."""
        return bytes((self.cla, self.ins, self.p1, self.p2))

    @property
    def header_lc(self) -> bytes:
        """CLA INS P1 P2 Lc (the MAC input of the maintenance commands)."""
        return self.header + bytes((len(self.data),))

    @classmethod
    def parse(cls, raw: bytes) -> Command:
        """Parse cases 1-4 of a short APDU; :class:`SwError` ``6700`` when malformed."""
        n = len(raw)
        if n < 4:
            raise SwError(SW_WRONG_LENGTH, "APDU shorter than a header")
        cla, ins, p1, p2 = raw[0], raw[1], raw[2], raw[3]
        if n == 4:
            return cls(cla, ins, p1, p2)
        if n == 5:
            return cls(cla, ins, p1, p2, le=raw[4])
        lc = raw[4]
        if lc == 0:
            raise SwError(SW_WRONG_LENGTH, "Lc = 0 (extended APDUs are not supported)")
        if n == 5 + lc:
            return cls(cla, ins, p1, p2, bytes(raw[5:]))
        if n == 6 + lc:
            return cls(cla, ins, p1, p2, bytes(raw[5:-1]), raw[-1])
        raise SwError(SW_WRONG_LENGTH, "Lc does not match the APDU length")

    def expect_lc(self, length: int) -> bytes:
        """The command data, which must be exactly ``length`` bytes (else ``6700``)."""
        if len(self.data) != length:
            raise SwError(SW_WRONG_LENGTH, f"expected Lc {length}, got {len(self.data)}")
        return self.data

    def expect_p1p2(self, p1: int, p2: int) -> None:
        """P1 P2 must be exactly these (else ``6A86``)."""
        if (self.p1, self.p2) != (p1, p2):
            raise SwError(SW_WRONG_P1P2)
