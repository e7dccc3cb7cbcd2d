"""The demo issuer of card-spec.md section 7: its keys and its cards (test data only).

The data are files shipped with the settings, ``config/demo/issuer_keys.toml`` (the published
test keys, in the key-file format of :mod:`cardsvc.keys`) and ``config/demo/cards.toml`` (five
demo cards and the demo PSAM); this module is the one reader of both. Who uses them says so:
the simulators personalise the demo cards, a terminal with ``[card] demo = true`` installs the
demo keys and starts its hotlist from the lost demo card, ``backoffice serve --demo`` and
``backoffice seed-demo`` register the demo cards, and ``make demo`` drives all of them. Nothing
here runs at import time.

    keys = demo_issuer_keys()                         # IssuerKeys, no mode check (public file)
    path = install_demo_keys(var / "keys")            # a private (0600) copy for a terminal
    data = load_demo_data(); data.card("4102000000000001").holder; data.hotlist
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from cardsvc.keys import IssuerKeys, parse_issuer_keys
from cardsvc.profile import ALGS, CARD_TYPE_NAMES
from config.files import atomic_write
from drivers.idcard.codes import id_number_valid

__all__ = [
    "DEMO_KEY_FILE_NAME",
    "DemoCard",
    "DemoData",
    "DemoDataError",
    "DemoPsam",
    "demo_cards_file",
    "demo_issuer_keys",
    "demo_key_file",
    "install_demo_keys",
    "load_demo_data",
]

DEMO_KEY_FILE_NAME = "issuer_keys.toml"
STATUSES = ("active", "lost")


class DemoDataError(ValueError):
    """The demo data is malformed (the message names the file and the field)."""


def _shipped(name: str) -> Path:
    return Path(str(resources.files("config") / "demo" / name))


def demo_key_file() -> Path:
    """The shipped demo key file (card-spec section 7, test keys only; mode not kept by git)."""
    return _shipped(DEMO_KEY_FILE_NAME)


def demo_cards_file() -> Path:
    """The shipped demo cards and PSAM (``cards.toml``)."""
    return _shipped("cards.toml")


def demo_issuer_keys() -> IssuerKeys:
    """The demo issuer keys, parsed without the 0600 check: the file is public by design and
    its mode (0644 in a checkout) is not kept by git. A key file of one's own goes through
    :func:`cardsvc.keys.load_issuer_keys`."""
    path = demo_key_file()
    return parse_issuer_keys(path.read_text(encoding="utf-8"), f"demo keys {path}")


def install_demo_keys(dest: str | os.PathLike[str]) -> Path:
    """Copy the demo key file to ``dest`` with mode 0600 and return the path written.

    ``dest`` is a file path, or an existing directory (the file is then
    ``dest/issuer_keys.toml``). Missing parent directories are created (mode 0700). The copy is
    replaced atomically (:func:`config.files.atomic_write`), never seen partial or with a wider
    mode.
    """
    target = Path(dest)
    if target.is_dir():
        target = target / DEMO_KEY_FILE_NAME
    return atomic_write(target, demo_key_file().read_bytes(), mode=0o600, dir_mode=0o700)


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
        ("card_type", card_type, CARD_TYPE_NAMES),
        ("algorithm", algorithm, tuple(ALGS)),
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


def load_demo_data(path: Path | None = None) -> DemoData:
    """The demo cards and PSAM of ``cards.toml`` (the shipped one by default);
    :class:`DemoDataError` when malformed."""
    path = demo_cards_file() if path is None else path
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

