"""Decoders for the card's files (card-spec.md section 2), written from the spec.

They share no code with the virtual card's encoders (only the BCD helpers of
:mod:`cardsvc.crypto`), so the two sides check each other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cardsvc import crypto
from cardsvc.profile import CardType, PurseTxType
from drivers.idcard.codes import mask_id_number


class RecordError(ValueError):
    """A file's bytes do not match the card profile."""


def bcd_digits(raw: bytes) -> str:
    try:
        return crypto.from_bcd(raw)
    except crypto.CryptoError:
        raise RecordError(f"not BCD: {raw.hex().upper()}") from None


def bcd_date(raw: bytes) -> dt.date:
    try:
        return crypto.parse_bcd_date(raw)
    except crypto.CryptoError:
        raise RecordError(f"bad BCD date {raw.hex().upper()}") from None


def bcd_datetime(date: bytes, time: bytes) -> dt.datetime:
    try:
        return crypto.parse_bcd_datetime(date + time)
    except crypto.CryptoError:
        raise RecordError(f"bad BCD date/time {(date + time).hex().upper()}") from None


def _check_len(name: str, raw: bytes, size: int) -> None:
    if len(raw) != size:
        raise RecordError(f"{name} must be {size} bytes, got {len(raw)}")


@dataclass(frozen=True)
class PublicData:
    """EF15, public application data (30 bytes)."""

    issuer_id: bytes
    app_type: int
    app_version: int
    card_no: str
    start: dt.date
    expiry: dt.date
    card_type: CardType
    raw: bytes

    @property
    def card_factor(self) -> bytes:
        """The 8-byte key diversification factor: EF15 bytes 12..19 (card number in BCD)."""
        return self.raw[12:20]

    def expired(self, today: dt.date) -> bool:
        return today > self.expiry

    def not_yet_valid(self, today: dt.date) -> bool:
        return today < self.start

    @classmethod
    def decode(cls, raw: bytes) -> PublicData:
        _check_len("EF15", raw, 30)
        try:
            card_type = CardType(raw[28])
        except ValueError:
            raise RecordError(f"unknown card type {raw[28]:02X}") from None
        return cls(
            issuer_id=raw[0:8], app_type=raw[8], app_version=raw[9],
            card_no=bcd_digits(raw[12:20]), start=bcd_date(raw[20:24]),
            expiry=bcd_date(raw[24:28]), card_type=card_type, raw=bytes(raw),
        )


@dataclass(frozen=True)
class HolderData:
    """EF16, card holder data (55 bytes)."""

    holder_type: int
    staff: bool
    name: str
    id_number: str
    id_type: int

    @property
    def masked_id(self) -> str:
        """Resident ID shown as ``4102**********123X``: region and last four only."""
        return mask_id_number(self.id_number)

    @classmethod
    def decode(cls, raw: bytes) -> HolderData:
        _check_len("EF16", raw, 55)
        try:
            name = raw[2:22].rstrip(b"\x00").decode("gb18030")
            id_number = raw[22:54].rstrip(b"\x00").decode("ascii")
        except UnicodeDecodeError as exc:
            raise RecordError(f"EF16 text is not GB18030/ASCII: {exc.reason}") from None
        return cls(holder_type=raw[0], staff=raw[1] != 0, name=name, id_number=id_number,
                   id_type=raw[54])


@dataclass(frozen=True)
class PurseRecord:
    """EF18, one purse log record (23 bytes)."""

    atc: int
    overdraft: int
    amount_fen: int
    tx_type: int
    terminal_id: str
    when: dt.datetime

    @property
    def type_label(self) -> str:
        try:
            return PurseTxType(self.tx_type).label_zh
        except ValueError:
            return f"{self.tx_type:02X}"

    @classmethod
    def decode(cls, raw: bytes) -> PurseRecord:
        _check_len("EF18 record", raw, 23)
        return cls(
            atc=int.from_bytes(raw[0:2], "big"), overdraft=int.from_bytes(raw[2:5], "big"),
            amount_fen=int.from_bytes(raw[5:9], "big"), tx_type=raw[9],
            terminal_id=raw[10:16].hex(), when=bcd_datetime(raw[16:20], raw[20:23]),
        )


@dataclass(frozen=True)
class TransitRecord:
    """EF1E, one transit log record (48 bytes)."""

    kind: int
    terminal: str
    mode: int
    line: bytes
    amount_fen: int
    balance_after_fen: int
    when: dt.datetime
    city_code: str
    acquirer: str

    @property
    def line_label(self) -> str:
        text = self.line.rstrip(b"\x00").decode("ascii", errors="replace")
        return text if text.isprintable() else self.line.hex()

    @classmethod
    def decode(cls, raw: bytes) -> TransitRecord:
        _check_len("EF1E record", raw, 48)
        return cls(
            kind=raw[0], terminal=raw[1:9].hex(), mode=raw[9], line=raw[10:17],
            amount_fen=int.from_bytes(raw[17:21], "big"),
            balance_after_fen=int.from_bytes(raw[21:25], "big"),
            when=bcd_datetime(raw[25:29], raw[29:32]), city_code=raw[32:34].hex(),
            acquirer=raw[34:42].hex(),
        )
