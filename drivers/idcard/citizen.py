"""The 256-byte text block of the resident ID card, decoded to a typed record.

Layout (UCS-2 little-endian, fields padded with spaces), byte lengths::

    name 30 | sex 2 | nation 4 | birth date 16 | address 70 | ID number 36 |
    issuing authority 30 | valid from 16 | valid to 16 | reserved 36

Dates are ``YYYYMMDD``; "valid to" may be ``长期`` (no expiry). The photo that follows on the
card is kept as opaque bytes (it is WLT-compressed; decoding it needs the vendor's library).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from drivers.idcard.codes import (
    id_number_valid,
    mask_id_number,
    nation_name,
    sex_name,
)
from drivers.idcard.errors import CardDataError

TEXT_LENGTH = 256
FIELDS: tuple[tuple[str, int], ...] = (
    ("name", 30),
    ("sex", 2),
    ("nation", 4),
    ("birth_date", 16),
    ("address", 70),
    ("id_number", 36),
    ("authority", 30),
    ("valid_from", 16),
    ("valid_to", 16),
    ("reserved", 36),
)
LONG_TERM = "长期"


@dataclass(frozen=True, repr=False)
class Citizen:
    """What the card says about its holder. ``repr`` never shows the name nor the full number."""

    name: str
    sex_code: str
    nation_code: str
    birth_date: dt.date
    address: str
    id_number: str
    authority: str
    valid_from: dt.date
    valid_to: dt.date | None
    """None when the card is valid for the long term (长期)."""
    photo: bytes = field(default=b"", compare=False)

    @property
    def sex(self) -> str:
        return sex_name(self.sex_code)

    @property
    def nation(self) -> str:
        return nation_name(self.nation_code)

    @property
    def id_masked(self) -> str:
        return mask_id_number(self.id_number)

    def expired(self, today: dt.date | None = None) -> bool:
        today = today or dt.date.today()
        return self.valid_to is not None and self.valid_to < today

    def as_dict(self, *, full: bool = False) -> dict[str, Any]:
        """A JSON-ready view; the ID number is masked unless ``full``."""
        return {
            "name": self.name,
            "sex": self.sex,
            "sex_code": self.sex_code,
            "nation": self.nation,
            "nation_code": self.nation_code,
            "birth_date": self.birth_date.isoformat(),
            "address": self.address,
            "id_number": self.id_number if full else self.id_masked,
            "authority": self.authority,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else LONG_TERM,
            "photo_bytes": len(self.photo),
        }

    def __repr__(self) -> str:
        return f"Citizen(id_number={self.id_masked!r}, ...)"


def _date(text: str, what: str) -> dt.date:
    if len(text) != 8 or not text.isdigit():
        raise CardDataError(f"the {what} on the card is not a date (YYYYMMDD)")
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise CardDataError(f"the {what} on the card is not a valid date") from None


def split_text(block: bytes) -> dict[str, str]:
    """The raw fields of the text block, spaces and NULs stripped."""
    if len(block) != TEXT_LENGTH:
        raise CardDataError(f"the text block is {len(block)} bytes, expected {TEXT_LENGTH}")
    out: dict[str, str] = {}
    pos = 0
    for name, size in FIELDS:
        raw = block[pos : pos + size]
        pos += size
        try:
            out[name] = raw.decode("utf-16-le").rstrip(" \x00")
        except UnicodeDecodeError:
            raise CardDataError(f"the {name.replace('_', ' ')} field is not UCS-2 text") from None
    return out


def decode_text(block: bytes, photo: bytes = b"") -> Citizen:
    """A :class:`Citizen` from the 256-byte text block; :class:`CardDataError` if malformed.

    The ID number must pass the GB 11643 check digit; the sex and nation codes must be known.
    """
    f = split_text(block)
    number = f["id_number"].upper()
    if not id_number_valid(number):
        raise CardDataError(
            f"the ID number on the card ({mask_id_number(number)}) fails the GB 11643 check "
            "digit: the card or the reading is faulty"
        )
    try:
        sex_name(f["sex"])
        nation_name(f["nation"])
    except ValueError as exc:
        raise CardDataError(str(exc)) from None
    if not f["name"]:
        raise CardDataError("the name on the card is empty")
    valid_to = None if f["valid_to"] == LONG_TERM else _date(f["valid_to"], "expiry date")
    return Citizen(
        name=f["name"],
        sex_code=f["sex"],
        nation_code=f["nation"],
        birth_date=_date(f["birth_date"], "birth date"),
        address=f["address"],
        id_number=number,
        authority=f["authority"],
        valid_from=_date(f["valid_from"], "start of validity"),
        valid_to=valid_to,
        photo=photo,
    )
