"""The card profile's shared vocabulary (card-spec.md sections 2, 3 and 5), in one place.

What the terminal, the back office, the simulators and the demo data all say the same way: the
names of the card's algorithms and transaction types (as the journal, the upload contract and
the key files write them), the card types, the purchase kinds, the purse's balance limit and how
a card number is masked when shown. The byte-level codes are :mod:`cardsvc.crypto`'s (``Alg``,
``TX_*``); the GB 11643 ID check digit and ID masking are :mod:`drivers.idcard.codes`'; yuan
text is :mod:`cardsvc.money`'s. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum
from types import MappingProxyType
from typing import Literal, get_args

from cardsvc.crypto import TX_COMPOUND_PURCHASE, TX_LOAD, TX_PURCHASE, Alg

__all__ = [
    "ALGS",
    "ALG_NAMES",
    "CARD_TYPE_NAMES",
    "MAX_BALANCE_FEN",
    "PURCHASE_KINDS",
    "TX_TYPES",
    "AlgName",
    "CardType",
    "CardTypeName",
    "PurchaseKind",
    "PurseTxType",
    "TxTypeName",
    "alg_named",
    "mask_card_number",
]

MAX_BALANCE_FEN = 100_000
"""The purse's balance limit (card-spec.md section 3): 1000 yuan. A load past it is refused."""

AlgName = Literal["3des", "sm4"]
"""An algorithm as the journal, the upload contract and the demo data write it."""
ALG_NAMES: Mapping[Alg, AlgName] = MappingProxyType({Alg.TDES: "3des", Alg.SM4: "sm4"})
ALGS: Mapping[AlgName, Alg] = MappingProxyType({name: alg for alg, name in ALG_NAMES.items()})


def alg_named(name: str) -> Alg:
    """``"sm4"`` -> ``Alg.SM4``; ValueError for a name that is not one of :data:`ALGS`."""
    for alg, known in ALG_NAMES.items():
        if known == name:
            return alg
    raise ValueError(f"unknown algorithm {name!r} (expected {' or '.join(ALGS)})")

TxTypeName = Literal["purchase", "compound", "load"]
"""A transaction type as the journal and the upload contract write it."""
TX_TYPES: Mapping[TxTypeName, int] = MappingProxyType({
    "purchase": TX_PURCHASE, "compound": TX_COMPOUND_PURCHASE, "load": TX_LOAD})
"""Name -> the type byte of EF18 and of the MAC/TAC data (06, 09, 02)."""

PurchaseKind = Literal["canteen", "retail"]
"""What a purchase paid for: the canteen, or a shop (``retail``; its receipt says 超市)."""
PURCHASE_KINDS: tuple[PurchaseKind, ...] = get_args(PurchaseKind)


class PurseTxType(IntEnum):
    """The type byte of a purse log record (EF18)."""

    LOAD = TX_LOAD
    PURCHASE = TX_PURCHASE
    COMPOUND = TX_COMPOUND_PURCHASE

    @property
    def label_zh(self) -> str:
        return {TX_LOAD: "充值", TX_PURCHASE: "消费", TX_COMPOUND_PURCHASE: "复合消费"}[self.value]


CardTypeName = Literal["adult", "student", "senior", "staff"]


class CardType(IntEnum):
    """The card type byte of EF15 (card-spec.md section 2.1)."""

    ADULT = 0x00
    STUDENT = 0x01
    SENIOR = 0x02
    STAFF = 0x03

    @property
    def label_zh(self) -> str:
        return {0: "普通卡", 1: "学生卡", 2: "老人卡", 3: "员工卡"}[self.value]

    @property
    def label_en(self) -> CardTypeName:
        return CARD_TYPE_NAMES[self.value]


CARD_TYPE_NAMES: tuple[CardTypeName, ...] = get_args(CardTypeName)
"""Card type names in the order of their EF15 codes 00..03."""


def mask_card_number(card_no: str) -> str:
    """``4102000000000001`` -> ``4102********0001`` (first and last four kept); an already
    masked number is kept as it is."""
    digits = card_no.strip()
    if "*" in digits:
        return digits
    if len(digits) <= 8:
        return "*" * max(0, len(digits) - 4) + digits[-4:]
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]
