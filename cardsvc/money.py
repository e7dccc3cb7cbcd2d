"""Money is integer fen (分). Yuan strings are parsed exactly, never through float."""

from __future__ import annotations

import re
from decimal import Decimal

_YUAN = re.compile(r"^\s*(?P<int>[0-9]{1,9})(?:\.(?P<frac>[0-9]{1,2}))?\s*$", re.ASCII)


class AmountError(ValueError):
    """An amount that is not a positive yuan value with at most two decimals."""


def _shown(text: str) -> str:
    """``text`` as an error message may quote it: at most 20 characters."""
    return repr(text) if len(text) <= 20 else f"{text[:20]!r}... ({len(text)} characters)"


def parse_yuan(text: str) -> int:
    """``"12.50"`` -> 1250 fen. Refuses signs, exponents, more than two decimals, zero.

    >>> parse_yuan("12.5")
    1250
    """
    match = _YUAN.match(text)
    if not match:
        if re.match(r"^\s*\d+\.\d{3,}\s*$", text):
            raise AmountError(f"{_shown(text)} is not a whole number of fen (at most two decimals)")
        raise AmountError(f"{_shown(text)} is not an amount in yuan (e.g. 12.50)")
    fen = int(match["int"]) * 100 + int((match["frac"] or "0").ljust(2, "0"))
    if fen <= 0:
        raise AmountError("the amount must be more than zero")
    return fen


def format_fen(fen: int, symbol: str = "") -> str:
    """1250 -> ``"12.50"`` (negative amounts keep their sign, before the ``symbol``)."""
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), 100)
    return f"{sign}{symbol}{whole}.{part:02d}"


def yuan(fen: int) -> str:
    """Integer fen as printed yuan, with the full-width sign: 1250 -> ``￥12.50``."""
    return format_fen(fen, "￥")


def fen_from_decimal(value: Decimal) -> int:
    """An exact Decimal yuan value to fen; refuses fractions of a fen."""
    fen = value * 100
    if fen != fen.to_integral_value():
        raise AmountError(f"{value} is not a whole number of fen")
    return int(fen)
