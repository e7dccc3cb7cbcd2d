"""ISO 7816-3 answers to reset: the user card's (contactless style) and the PSAM's (T=0).

The check byte TCK is present, and makes the XOR of T0..TCK zero, whenever a protocol other
than T=0 is indicated (ISO 7816-3 8.2.5). :func:`parse_atr` checks the structure of any ATR.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce


class AtrError(ValueError):
    """A malformed ATR."""


def tck(body: bytes) -> int:
    """The check byte for ``body`` = T0 .. last historical byte (TS excluded)."""
    return reduce(lambda a, b: a ^ b, body, 0)


def contactless_atr(historical: bytes) -> bytes:
    """The ATR a PC/SC reader builds for an ISO 14443-4 card (PC/SC part 3, 3.1.3.2.3).

    ``3B 8n 80 01`` + historical bytes + TCK: TD1 = ``80`` (T=0 field, TD2 follows), TD2 = ``01``
    (T=1), so TCK is required.
    """
    if len(historical) > 15:
        raise AtrError("at most 15 historical bytes")
    body = bytes((0x80 | len(historical), 0x80, 0x01)) + historical
    return b"\x3b" + body + bytes((tck(body),))


def t0_atr(historical: bytes) -> bytes:
    """A contact T=0 ATR: ``3B 6n 00 00`` (TB1 = 00: no Vpp, TC1 = 00: no extra guard time).

    Only T=0 is indicated (no TD1), so there is no TCK.
    """
    if len(historical) > 15:
        raise AtrError("at most 15 historical bytes")
    return bytes((0x3B, 0x60 | len(historical), 0x00, 0x00)) + historical


#: Historical bytes: category ``80`` (compact-TLV), card capabilities ``73 C0 21 C0``
#: (selection by full DF name and by FID, short EF identifier supported; data unit = 1 byte).
USER_CARD_ATR = contactless_atr(bytes.fromhex("8073C021C0"))
#: Proprietary historical bytes (category byte 'P' = 0x50): "PSAM4102".
PSAM_ATR = t0_atr(b"PSAM4102")


@dataclass(frozen=True)
class ParsedAtr:
    convention: str
    protocols: tuple[int, ...]
    interface_bytes: dict[str, int]
    historical: bytes
    tck: int | None


def parse_atr(atr: bytes) -> ParsedAtr:
    """Parse and check an ATR (TS, T0, TAi/TBi/TCi/TDi, historical bytes, TCK)."""
    if len(atr) < 2 or len(atr) > 33:
        raise AtrError("an ATR has 2 to 33 bytes")
    if atr[0] == 0x3B:
        convention = "direct"
    elif atr[0] == 0x3F:
        convention = "inverse"
    else:
        raise AtrError(f"bad TS {atr[0]:02X}")
    pos = 1
    y = atr[pos] >> 4
    k = atr[pos] & 0x0F
    pos += 1
    protocols: list[int] = []
    fields: dict[str, int] = {}
    i = 1
    while True:
        td: int | None = None
        for bit, name in ((0x1, "TA"), (0x2, "TB"), (0x4, "TC"), (0x8, "TD")):
            if y & bit:
                if pos >= len(atr):
                    raise AtrError("ATR truncated in the interface bytes")
                fields[f"{name}{i}"] = atr[pos]
                if name == "TD":
                    td = atr[pos]
                pos += 1
        if td is None:
            break
        protocols.append(td & 0x0F)
        y = td >> 4
        i += 1
    if pos + k > len(atr):
        raise AtrError("ATR truncated in the historical bytes")
    historical = atr[pos : pos + k]
    pos += k
    needs_tck = any(p != 0 for p in protocols)
    check: int | None = None
    if needs_tck:
        if pos != len(atr) - 1:
            raise AtrError("TCK missing or extra bytes after it")
        check = atr[pos]
        if tck(atr[1:]) != 0:
            raise AtrError("wrong TCK")
    elif pos != len(atr):
        raise AtrError("extra bytes after the historical bytes (no TCK is expected)")
    return ParsedAtr(convention, tuple(protocols) or (0,), fields, bytes(historical), check)
