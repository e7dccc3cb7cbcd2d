"""The card transaction receipt (交易凭条): canteen, retail (超市), bus fare, top-up.

A template builds a :class:`drivers.printer.Document`; it imports ``drivers`` and the card
profile's vocabulary only, so a POS or validator profile can print receipts without the kiosk.
Amounts are integer fen and printed as yuan (``￥12.50``, :func:`cardsvc.money.yuan`); the card
number is masked (``4102********0001``, :func:`cardsvc.profile.mask_card_number`).

    doc = card_receipt(CardReceipt(kind="canteen", card_no="4102000000000001",
                                   amount_fen=1250, balance_fen=8750, terminal_id="000000000001",
                                   ttsn=123, time=datetime.now()))
    worker.submit(doc, key=receipt_key(...))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from cardsvc.money import yuan
from cardsvc.profile import PurchaseKind, mask_card_number
from drivers.printer import CENTER, SUBTITLE, Document

TxKind = PurchaseKind | Literal["bus", "topup"]

_TITLES: dict[str, tuple[str, str]] = {
    "canteen": ("食堂消费凭条", "Canteen receipt"),
    "retail": ("超市消费凭条", "Supermarket receipt"),
    "bus": ("公交乘车凭条", "Bus fare receipt"),
    "topup": ("充值凭条", "Top-up receipt"),
}
_AMOUNT_LABELS = {"canteen": "消费金额", "retail": "消费金额", "bus": "乘车扣费",
                  "topup": "充值金额"}


@dataclass(frozen=True)
class CardReceipt:
    kind: TxKind
    card_no: str
    amount_fen: int
    balance_fen: int
    """Balance after the transaction."""
    terminal_id: str
    ttsn: int
    """Terminal transaction sequence number (流水号)."""
    time: dt.datetime
    merchant: str = ""
    """Where: 市民之家食堂, a supermarket name; for a bus fare the line goes in ``line``."""
    line: str = ""
    tac: str = ""
    """The card's transaction authentication code (proof of the debit)."""
    english: bool = True

    @classmethod
    def from_tx_json(cls, tx: Mapping[str, object], merchant: str = "",
                     english: bool = True) -> CardReceipt:
        """From the card service's ``TxResult.as_dict()`` (joined by data, not by import)."""
        kind: TxKind
        if tx.get("type") == "load":
            kind = "topup"
        elif tx.get("type") == "compound":
            kind = "bus"
        elif tx.get("kind") == "retail":
            kind = "retail"
        else:
            kind = "canteen"
        return cls(kind=kind, card_no=str(tx["card_no"]), amount_fen=_int(tx["amount_fen"]),
                   balance_fen=_int(tx["balance_fen"]), terminal_id=str(tx["terminal_id"]),
                   ttsn=_int(tx["ttsn"]), time=dt.datetime.fromisoformat(str(tx["date_time"])),
                   merchant=merchant, line=str(tx.get("line") or ""),
                   tac=str(tx.get("tac") or ""), english=english)


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer number of fen, got {value!r}")
    return value


def receipt_key(receipt: CardReceipt) -> str:
    """A print-queue key: the same transaction is never queued twice."""
    return f"card:{receipt.terminal_id}:{receipt.ttsn}:{receipt.kind}"


def card_receipt(receipt: CardReceipt, hall: str = "市民之家") -> Document:
    """The receipt handed over after a debit or a top-up."""
    title, title_en = _TITLES[receipt.kind]
    en = receipt.english
    doc = Document(title=f"card receipt {receipt.kind} TTSN {receipt.ttsn}")
    doc.heading(title)
    if en:
        doc.text(title_en, CENTER)
    doc.text(hall, SUBTITLE)
    doc.rule("=")
    if receipt.merchant:
        doc.row("商户：", receipt.merchant)
    if receipt.line:
        doc.row("线路：", receipt.line)
    doc.row("卡号：", mask_card_number(receipt.card_no))
    doc.row(f"{_AMOUNT_LABELS[receipt.kind]}：", yuan(receipt.amount_fen))
    doc.row("卡内余额：", yuan(receipt.balance_fen))
    doc.row("终端号：", receipt.terminal_id)
    doc.row("流水号：", f"{receipt.ttsn:08d}")
    doc.row("交易时间：", f"{receipt.time:%Y-%m-%d %H:%M:%S}")
    if receipt.tac:
        doc.row("TAC：", receipt.tac)
    doc.rule()
    doc.text("请妥善保管此凭条" + ("  Please keep this receipt" if en else ""), CENTER)
    doc.cut()
    return doc
