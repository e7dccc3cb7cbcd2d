"""Human-readable numbers with a check: case numbers (受理编号) and complaint numbers.

A number is 14 digits: a kind digit (``1`` case, ``2`` complaint), the date ``YYMMDD``, a
five-digit sequence of that day, and two check digits chosen so that the whole number read as
an integer is 1 modulo 97 (ISO 7064 MOD 97-10, as IBAN). Every single wrong digit and every swap of
two adjacent digits is caught, so a mistyped number is refused by the kiosk before it is sent
and never shows someone else's case. Only digits: it is typed on a kiosk's keypad. Spaces and
dashes a person adds are ignored (``1 261130 00042 58``).
"""

from __future__ import annotations

import datetime as dt
import re

from backoffice.hallcat.errors import HallDataError

__all__ = ["KIND_CASE", "KIND_COMPLAINT", "make_number", "parse_number", "pretty_number"]

KIND_CASE = "1"
KIND_COMPLAINT = "2"
MAX_SEQUENCE = 99_999
_SEPARATORS = re.compile(r"[\s\-]")


def _check(base: str) -> str:
    return f"{98 - int(base) * 100 % 97:02d}"


def make_number(kind: str, day: dt.date, sequence: int) -> str:
    if kind not in (KIND_CASE, KIND_COMPLAINT):
        raise ValueError(f"unknown number kind {kind!r}")
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"sequence must be 1..{MAX_SEQUENCE}")
    base = f"{kind}{day:%y%m%d}{sequence:05d}"
    return base + _check(base)


def parse_number(text: str, kind: str = KIND_CASE) -> str:
    """The canonical number, or :class:`HallDataError` (code ``bad_number``)."""
    number = _SEPARATORS.sub("", text)
    if not (len(number) == 14 and number.isascii() and number.isdigit()
            and number.startswith(kind) and int(number) % 97 == 1):
        what, zh = ("case", "受理编号") if kind == KIND_CASE else ("complaint", "投诉编号")
        raise HallDataError(f"not a valid {what} number (14 digits with its check digits)",
                            f"{zh}无效（14 位数字，含校验位）", record="number",
                            code="bad_number")
    return number


def pretty_number(number: str) -> str:
    """For receipts: ``1 261130 00042 58``."""
    return f"{number[0]} {number[1:7]} {number[7:12]} {number[12:]}"
