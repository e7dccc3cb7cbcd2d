"""The demo issuer's data (card-spec.md section 7): the demo cards and the demo PSAM.

Test data only. ``cards.toml`` describes the five demo cards and the demo PSAM. The demo issuer
keys, ``issuer_keys.toml`` in this directory, are in the project's key-file format and are read
by ``cardsvc.keys`` (``demo_key_file()``, ``parse_issuer_keys``, ``install_demo_keys``), not
here: config does not depend on cardsvc. Nothing here runs at import time.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEMO_DIR = Path(__file__).resolve().parent
CARDS_FILE = DEMO_DIR / "cards.toml"

CARD_TYPES = ("adult", "student", "senior", "staff")
"""Card type names, in the order of their EF15 codes 00..03."""
ALGORITHMS = ("3des", "sm4")
STATUSES = ("active", "lost")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


class DemoDataError(ValueError):
    """The demo data is malformed (the message names the file and the field)."""


def id_check_digit(first17: str) -> str:
    """The GB 11643-1999 check character of the first 17 digits of a resident ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("an ID number body is 17 digits")
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def id_number_valid(id_number: str) -> bool:
    """Whether ``id_number`` is 18 characters with a correct GB 11643 check character."""
    if len(id_number) != 18 or not id_number[:17].isdigit():
        return False
    return id_check_digit(id_number[:17]) == id_number[17].upper()


@dataclass(frozen=True)
class DemoCard:
    number: str
    holder: str
    id_number: str
    card_type: str
    valid_from: dt.date
    valid_until: dt.date
    balance_fen: int
    algorithm: str
    status: str
    pin: str = field(repr=False)

    @property
    def lost(self) -> bool:
        return self.status == "lost"


@dataclass(frozen=True)
class DemoPsam:
    terminal_id: str
    ttsn: int
    key_version: int


@dataclass(frozen=True)
class DemoData:
    cards: tuple[DemoCard, ...]
    psam: DemoPsam

    def card(self, number: str) -> DemoCard:
        for c in self.cards:
            if c.number == number:
                return c
        raise KeyError(number)

    @property
    def hotlist(self) -> tuple[str, ...]:
        """Numbers of the cards reported lost."""
        return tuple(c.number for c in self.cards if c.lost)


def _need(doc: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = doc.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) != (kind is bool):
        raise DemoDataError(f"{where}: {key!r} must be a {kind.__name__}")
    return value


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except OSError as exc:
        raise DemoDataError(f"{path}: cannot read ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DemoDataError(f"{path}: not valid TOML ({exc})") from exc


def _card(doc: dict[str, Any], where: str, default_pin: str) -> DemoCard:
    number = _need(doc, "number", str, where)
    if len(number) != 16 or not number.isdigit():
        raise DemoDataError(f"{where}: number must be 16 digits")
    card_type = _need(doc, "card_type", str, where)
    algorithm = _need(doc, "algorithm", str, where)
    status = doc.get("status", "active")
    for name, value, allowed in (
        ("card_type", card_type, CARD_TYPES),
        ("algorithm", algorithm, ALGORITHMS),
        ("status", status, STATUSES),
    ):
        if value not in allowed:
            raise DemoDataError(f"{where}: {name} must be one of {', '.join(allowed)}")
    id_number = _need(doc, "id_number", str, where)
    if not id_number_valid(id_number):
        raise DemoDataError(f"{where}: id_number has a wrong GB 11643 check digit")
    valid_from = _need(doc, "valid_from", dt.date, where)
    valid_until = _need(doc, "valid_until", dt.date, where)
    pin = doc.get("pin", default_pin)
    if not isinstance(pin, str) or not pin.isdigit() or not 4 <= len(pin) <= 12:
        raise DemoDataError(f"{where}: pin must be 4 to 12 digits")
    return DemoCard(
        number,
        _need(doc, "holder", str, where),
        id_number,
        card_type,
        valid_from,
        valid_until,
        _need(doc, "balance_fen", int, where),
        algorithm,
        status,
        pin,
    )


def load_demo_data(path: Path = CARDS_FILE) -> DemoData:
    """The demo cards and PSAM of ``cards.toml``; :class:`DemoDataError` when malformed."""
    doc = _read_toml(path)
    defaults = doc.get("defaults", {})
    default_pin = defaults.get("pin", "123456") if isinstance(defaults, dict) else "123456"
    raw_cards = doc.get("card", [])
    if not isinstance(raw_cards, list):
        raise DemoDataError(f"{path}: [[card]] must be an array of tables")
    cards = tuple(_card(c, f"{path} card {i + 1}", default_pin) for i, c in enumerate(raw_cards))
    psam_doc = doc.get("psam")
    if not isinstance(psam_doc, dict):
        raise DemoDataError(f"{path}: missing [psam]")
    where = f"{path} [psam]"
    tid = _need(psam_doc, "terminal_id", str, where)
    if len(tid) != 12 or not tid.isdigit():
        raise DemoDataError(f"{where}: terminal_id must be 12 digits")
    psam = DemoPsam(
        tid, _need(psam_doc, "ttsn", int, where), _need(psam_doc, "key_version", int, where)
    )
    return DemoData(cards, psam)

