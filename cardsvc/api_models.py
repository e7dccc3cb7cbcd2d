"""The local API's request and answer bodies (pydantic), as the OpenAPI document shows them.

Answers carry integer fen; every money request takes ``client_ref``, the caller's idempotency
key (1-64 characters of letters, digits and ``-_.:``): a retry with the same key answers the
first result (``replayed: true``) and never charges twice.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CLIENT_REF = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$",
                   description="Idempotency key: a retry with the same key answers the first "
                               "result and never charges twice.", examples=["pos1-000042"])
AMOUNT = Field(gt=0, le=100_000, description="Integer fen.", examples=[1250])
PIN = Field(min_length=1, max_length=16, description="The card's PIN (digits).",
            examples=["123456"])


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class PurchaseRequest(_Body):
    amount_fen: int = AMOUNT
    kind: Literal["canteen", "retail"] = "canteen"
    client_ref: str | None = CLIENT_REF
    again: bool = Field(default=False, description="Charge even though recovery found that "
                                                    "this card's earlier attempt went through.")


class RideRequest(_Body):
    line: str = Field(min_length=1, max_length=7, pattern=r"^[A-Za-z0-9]+$", examples=["1"])
    fare_fen: int | None = Field(default=None, gt=0, le=100_000)
    client_ref: str | None = CLIENT_REF
    again: bool = False


class LoadRequest(_Body):
    amount_fen: int = AMOUNT
    pin: str = PIN
    client_ref: str | None = CLIENT_REF
    again: bool = False


class RefundRequest(_Body):
    """A purchase made here by mistake, refunded as an online load (authorised by clearing,
    at most once per purchase): name it by its ``client_ref`` or its journal entry."""

    pin: str = PIN
    original_client_ref: str | None = Field(default=None, min_length=1, max_length=64)
    original_entry_id: int | None = Field(default=None, gt=0)
    client_ref: str | None = CLIENT_REF


class BlockRequest(_Body):
    pin: str | None = Field(default=None, min_length=1, max_length=16,
                            description="Checked on the card first when given (a kiosk).")


class SaleRequest(_Body):
    amount_fen: int = AMOUNT
    kind: Literal["canteen", "retail"] = "canteen"
    client_ref: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$",
                            description="The sale's idempotency key (required).")
    timeout_s: float = Field(default=60.0, gt=0, le=600,
                             description="How long to wait for a tap.")
    receipt: bool = Field(default=True, description="Print the receipt (print queue).")


class CardInfoOut(BaseModel):
    card_no: str
    card_no_masked: str
    holder_name: str | None
    id_number_masked: str | None
    card_type: str
    card_type_zh: str
    valid_from: str
    valid_to: str
    status: Literal["ok", "expired", "not_yet_valid", "blocked", "hotlisted"]


class HolderOut(BaseModel):
    """The holder record in full (the kiosk fills a form with it; never in an event or a log)."""

    card_no: str
    name: str
    id_number: str
    id_type: int


class BalanceOut(BaseModel):
    card_no: str
    balance_fen: int


class TxOut(BaseModel):
    """A completed debit or load (or, ``free``, a free ride: amount 0, nothing charged)."""

    model_config = ConfigDict(extra="allow")
    card_no: str
    amount_fen: int
    balance_fen: int | None = None
    client_ref: str | None = None
    replayed: bool = False
    free: bool = False


class BlockOut(BaseModel):
    card_no: str
    blocked: bool


class CancelOut(BaseModel):
    cancelled: bool


class ErrorBody(BaseModel):
    """Every error's body: a stable code (the ``ErrorCode`` enumeration) and its words."""

    model_config = ConfigDict(extra="allow")
    error: str = Field(description="Stable code (see the ErrorCode schema).",
                       examples=["insufficient_balance"])
    message: str = Field(description="English.")
    message_zh: str = Field(description="Chinese.")
