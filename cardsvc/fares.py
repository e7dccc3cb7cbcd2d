"""Bus fares and the discount per card type, from a TOML fare table (``config/fares.toml``)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import config
from cardsvc.codes import ErrorCode
from cardsvc.errors import ServiceConfigError
from cardsvc.profile import CardType

EMBEDDED_TABLE = Path(config.__file__).resolve().parent / "fares.toml"
LINE_ID = re.compile(r"[0-9A-Z]{1,7}")
"""A bus line as the card's transit record keeps it (7 bytes) and the journal stores it: 1 to 7
ASCII capital letters or digits (``1``, ``K1``, ``Y12``)."""


def line_id(text: str) -> str:
    """``text`` as a line ID (letters made capital); ValueError when it cannot be one."""
    line = text.strip().upper()
    if not line.isascii() or not LINE_ID.fullmatch(line):
        shown = repr(text) if len(text) <= 20 else f"{text[:20]!r}..."
        raise ValueError(f"{shown} is not a bus line (1 to 7 letters or digits, e.g. 1, K1)")
    return line


@dataclass(frozen=True)
class Fare:
    line: str
    base_fen: int
    discount_percent: int
    fare_fen: int

    @property
    def free(self) -> bool:
        return self.fare_fen == 0


@dataclass(frozen=True)
class FareTable:
    default_fare_fen: int
    lines: dict[str, int] = field(default_factory=dict)
    discount_percent: dict[CardType, int] = field(default_factory=dict)

    def fare(self, line: str, card_type: CardType, base_fen: int | None = None) -> Fare:
        """The fare for ``line``; ``base_fen`` overrides the line's fare (the driver's keypad)."""
        base = self.lines.get(line, self.default_fare_fen) if base_fen is None else base_fen
        pct = self.discount_percent.get(card_type, 100)
        return Fare(line=line, base_fen=base, discount_percent=pct, fare_fen=base * pct // 100)

    @classmethod
    def load(cls, path: Path | str = "") -> FareTable:
        source = Path(path) if str(path) else EMBEDDED_TABLE
        try:
            data = tomllib.loads(source.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ServiceConfigError(f"fare table {source} does not exist",
                                     code=ErrorCode.FARE_TABLE_MISSING) from None
        except tomllib.TOMLDecodeError as exc:
            raise ServiceConfigError(f"fare table {source} is not valid TOML: {exc}",
                                     code=ErrorCode.FARE_TABLE_MALFORMED) from None
        try:
            default = _fen(data.get("default_fare_fen"), "default_fare_fen")
            lines = {_line_key(k): _fen(v, f"lines.{k}") for k, v in data.get("lines", {}).items()}
            discounts: dict[CardType, int] = {}
            for name, pct in data.get("discount_percent", {}).items():
                try:
                    kind = CardType[name.upper()]
                except KeyError:
                    raise ValueError(f"discount_percent.{name}: unknown card type") from None
                if not isinstance(pct, int) or not 0 <= pct <= 100:
                    raise ValueError(f"discount_percent.{name}: expected 0..100")
                discounts[kind] = pct
        except ValueError as exc:
            raise ServiceConfigError(f"fare table {source}: {exc}",
                                     code=ErrorCode.FARE_TABLE_INVALID) from None
        return cls(default_fare_fen=default, lines=lines, discount_percent=discounts)


def _line_key(key: str) -> str:
    try:
        return line_id(key)
    except ValueError as exc:
        raise ValueError(f"lines: {exc}") from None


def _fen(value: object, key: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{key}: expected a whole number of fen >= 0")
    return value
