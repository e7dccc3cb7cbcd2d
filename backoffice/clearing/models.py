"""The HTTP API's data models (pydantic): what the OpenAPI document describes.

The upload record is the contract of issue 4 item 5, so that other vendors' terminals can speak
it: ``{card_no, card_atc, terminal_id, ttsn, type, amount_fen, balance_after_fen, date_time,
tac, alg, hotlist_version}``. Unknown fields are ignored (a terminal may send its journal rows
as they are). Amounts are integer fen; ``date_time`` is ISO 8601 local time without an offset,
exactly the date and time the card saw (BCD, whole seconds).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, TypeAdapter, field_validator

from cardsvc.profile import MAX_BALANCE_FEN, AlgName, CardTypeName, TxTypeName

CardNo = Annotated[
    str,
    Field(pattern=r"^[0-9]{16}$", description="Card number: 16 digits (the card factor in BCD).",
          examples=["4102000000000001"]),
]
TerminalId = Annotated[
    str,
    Field(pattern=r"^[0-9]{12}$", description="Terminal (PSAM) ID: 12 digits (6 bytes BCD).",
          examples=["410200000001"]),
]
Hex4 = Annotated[
    str,
    Field(pattern=r"^[0-9A-Fa-f]{8}$", description="4 bytes in hex (8 digits).",
          examples=["56416C95"]),
]
CounterKind = Literal["debit", "load"]


def _iso_text(value: object) -> object:
    if not isinstance(value, str | dt.datetime):
        raise ValueError("date_time must be an ISO 8601 string (local time)")
    return value


def _local_time(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        raise ValueError("date_time must be local time without a UTC offset")
    return value.replace(microsecond=0)


class TransactionRecord(BaseModel):
    """One card transaction as a terminal uploads it (the upload contract)."""

    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)

    card_no: CardNo
    card_atc: int = Field(
        ge=0, le=0xFFFF,
        description="The card counter INIT returned for this transaction (as in EF18): the "
                    "offline ATC for purchase/compound, the online ATC for a load.",
        examples=[5])
    terminal_id: TerminalId
    ttsn: int = Field(
        ge=0, le=0xFFFFFFFF,
        description="Terminal transaction serial number: the PSAM's TTSN for a purchase; the "
                    "terminal's load sequence number for a load.",
        examples=[16])
    type: TxTypeName = Field(description="purchase (EF18 type 06), compound (09) or load (02).")
    amount_fen: int = Field(ge=1, le=MAX_BALANCE_FEN, description="Amount in fen.",
                            examples=[1250])
    balance_after_fen: int = Field(ge=0, le=MAX_BALANCE_FEN,
                                   description="The card's balance after the transaction, fen.",
                                   examples=[8750])
    date_time: dt.datetime = Field(
        description="ISO 8601 local time of the transaction, no offset (the BCD date and time "
                    "the card used in its TAC).",
        examples=["2026-11-26T12:00:00"])
    tac: Hex4 = Field(description="The card's TAC (4 bytes hex).")
    alg: AlgName = Field(description="The card's algorithm: 3des (algID 00) or sm4 (04).")
    hotlist_version: int = Field(ge=0, description="The terminal's hotlist version then.",
                                 examples=[3])

    _check_time = field_validator("date_time")(_local_time)

    @property
    def counter_kind(self) -> CounterKind:
        """Which card counter ``card_atc`` is: ``load`` (online ATC) or ``debit`` (offline)."""
        return "load" if self.type == "load" else "debit"


OutcomeStatus = Literal["new", "duplicate", "rejected"]
ReasonCode = Literal["malformed", "bad_tac", "conflict"]


class RecordOutcome(BaseModel):
    """What happened to one uploaded record (same order as the request)."""

    index: int = Field(description="Position of the record in the uploaded array (from 0).")
    status: OutcomeStatus = Field(
        description="new: stored now; duplicate: already stored with the same content (this "
                    "copy ignored); rejected: not stored, see reason.")
    reason_code: ReasonCode | None = Field(
        default=None,
        description="For a rejection: malformed (fields missing or invalid), bad_tac (the TAC "
                    "does not verify: altered or forged; flagged), conflict (same key or same "
                    "card counter as a stored record but different content; flagged).")
    reason: str | None = Field(default=None, description="For a rejection: in plain words.")
    flag_id: int | None = Field(default=None,
                                description="For a flagged rejection: the suspect entry id.")


class UploadResult(BaseModel):
    """The answer to an upload: counts and one outcome per record."""

    received: int = Field(description="Number of records in the request.")
    new: int = Field(description="Records stored by this request.")
    duplicate: int = Field(description="Records already stored (acknowledged, not re-stored).")
    rejected: int = Field(description="Records refused (see their outcomes).")
    outcomes: list[RecordOutcome]


class StoredTransaction(BaseModel):
    """A cleared transaction as stored: the upload record plus the server's bookkeeping."""

    id: int = Field(description="Server id.")
    card_no: CardNo
    counter_kind: CounterKind = Field(description="Which card counter card_atc is.")
    card_atc: int
    terminal_id: TerminalId
    ttsn: int
    type: TxTypeName
    amount_fen: int
    balance_after_fen: int
    date_time: str = Field(description="ISO 8601 local time.")
    tac: str
    alg: AlgName
    hotlist_version: int
    received_at: str = Field(description="When the service stored it (ISO 8601 local time).")


class FlaggedRecord(BaseModel):
    """A suspect record: rejected for a bad TAC or a conflict, kept with the reason."""

    id: int
    received_at: str
    reason_code: ReasonCode
    reason: str
    card_no: str | None = None
    counter_kind: CounterKind | None = None
    card_atc: int | None = None
    terminal_id: str | None = None
    ttsn: int | None = None
    tx_date: str | None = Field(default=None, description="Transaction date when parseable.")
    existing_id: int | None = Field(
        default=None, description="For a conflict: the stored transaction it collides with.")
    record: str = Field(description="The record as received (JSON text).")


class HotlistReport(BaseModel):
    """Report a card lost (or stolen): it goes on the hotlist."""

    model_config = ConfigDict(extra="forbid")

    card_no: CardNo
    reason: str = Field(default="lost", max_length=200,
                        description="Why (lost, stolen, damaged...); free text.")


class HotlistEntry(BaseModel):
    card_no: CardNo
    version: int = Field(description="The hotlist version that added this card.")
    reason: str
    listed_at: str = Field(description="When it was listed (ISO 8601 local time).")


class HotlistChange(BaseModel):
    """The answer to a report: the card's entry and the hotlist version now."""

    added: bool = Field(description="False when the card was already listed (nothing changed).")
    version: int = Field(description="The current hotlist version.")
    entry: HotlistEntry


class Hotlist(BaseModel):
    """The hotlist, or the changes since a version the terminal holds.

    Versions only grow; each listing adds one. Cards are never removed in this version of the
    protocol, so the changes since V are exactly the entries with ``version > V``.
    """

    version: int = Field(description="The current hotlist version (0: empty, never changed).")
    full: bool = Field(description="True: ``cards`` is the whole list; false: only the entries "
                                   "added after ``since``, to merge into the terminal's copy.")
    since: int | None = Field(default=None, description="The version the changes start from.")
    cards: list[HotlistEntry] = Field(description="Sorted by card number.")


class LoadAuthorisationRequest(BaseModel):
    """What INIT FOR LOAD returned, plus the terminal's load parameters."""

    model_config = ConfigDict(extra="forbid")

    card_no: CardNo
    alg: AlgName
    online_atc: StrictInt = Field(ge=0, le=0xFFFF, description="Online ATC from INIT FOR LOAD.")
    card_random: Hex4 = Field(description="The card's random from INIT FOR LOAD (4 bytes hex).")
    balance_before_fen: StrictInt = Field(ge=0, le=MAX_BALANCE_FEN,
                                          description="Balance from INIT FOR LOAD, fen.")
    amount_fen: StrictInt = Field(ge=1, le=MAX_BALANCE_FEN, description="Amount to load, fen.")
    terminal_id: TerminalId
    date_time: dt.datetime = Field(
        description="The date and time the terminal will send in CREDIT FOR LOAD (local).")
    mac1: Hex4 = Field(description="The card's load MAC1 from INIT FOR LOAD.")
    key_version: StrictInt | None = Field(default=None, ge=0, le=0xFF,
                                          description="keyVer from INIT FOR LOAD, when known.")

    _check_text = field_validator("date_time", mode="before")(_iso_text)
    _check_time = field_validator("date_time")(_local_time)


class RefundAuthorisationRequest(LoadAuthorisationRequest):
    """A refund: an online load of the whole amount of one purchase this clearing holds,
    authorised at most once per purchase (the purchase by terminal and TTSN)."""

    original_terminal_id: TerminalId
    original_ttsn: StrictInt = Field(ge=0, le=0xFFFFFFFF)


class LoadAuthorisation(BaseModel):
    """MAC2 for CREDIT FOR LOAD."""

    mac2: str = Field(description="4 bytes hex.", examples=["5E8990C3"])
    card_no: str
    online_atc: int
    amount_fen: int


class CardRegistration(BaseModel):
    """An issued card and its balance at issue (the start of reconciliation)."""

    model_config = ConfigDict(extra="forbid")

    card_no: CardNo
    alg: AlgName = Field(default="3des", description="The card's algorithm.")
    issued_balance_fen: StrictInt = Field(ge=0, le=MAX_BALANCE_FEN,
                                          description="Balance when issued, fen.")
    offline_atc: StrictInt = Field(
        default=0, ge=0, le=0xFFFF,
        description="The offline ATC the card's first purchase will carry.")
    online_atc: StrictInt = Field(default=0, ge=0, le=0xFFFF,
                                  description="The online ATC the card's first load will carry.")
    card_type: CardTypeName = Field(default="adult", description="The card's type.")


class RegisteredCard(CardRegistration):
    registered_at: str


class CardRegistered(BaseModel):
    created: bool = Field(description="False when the same card was already registered.")
    card: RegisteredCard


class ErrorBody(BaseModel):
    """Every error answer."""

    error: str = Field(description="Machine code, e.g. unauthorized, card_hotlisted.")
    message: str = Field(description="In plain words (English, with the particulars).")
    message_zh: str = Field(description="The code's words in Chinese.")


class Health(BaseModel):
    status: Literal["ok"]
    database: str = Field(description="sqlite or postgresql.")
    hotlist_version: int


class DayTotals(BaseModel):
    loads_count: int
    loads_fen: int
    debits_count: int
    debits_fen: int


class TerminalDay(DayTotals):
    """One terminal's day."""

    terminal_id: str


class CardDay(DayTotals):
    """One card's day and where its balance should stand at the end of it."""

    card_no: str
    registered: bool
    issued_balance_fen: int | None = Field(description="None for an unregistered card.")
    expected_balance_fen: int | None = Field(
        description="issued balance + all loads - all debits cleared up to the end of the day.")
    last_reported_balance_fen: int | None = Field(
        description="balance_after of the card's last cleared record up to the end of the day.")


MismatchKind = Literal["balance_chain", "counter_gap", "balance_mismatch", "flagged",
                       "unregistered_card", "hotlisted_card"]


class Mismatch(BaseModel):
    """Something that does not add up."""

    kind: MismatchKind = Field(
        description="balance_chain: a record's balance_after does not follow the previous "
                    "record of the card; counter_gap: card counters missing between two cleared "
                    "records (or since issue); balance_mismatch: the last reported balance is "
                    "not the expected one; flagged: a rejected suspect record; "
                    "unregistered_card: transactions of a card never registered; "
                    "hotlisted_card: a transaction after the card was listed.")
    card_no: str | None = None
    terminal_id: str | None = None
    transaction_id: int | None = None
    flag_id: int | None = None
    detail: str


class Reconciliation(BaseModel):
    """One day's reconciliation (transaction dates, local time)."""

    date: dt.date
    totals: DayTotals
    terminals: list[TerminalDay] = Field(description="Sorted by terminal ID.")
    cards: list[CardDay] = Field(description="Cards with activity that day, sorted.")
    mismatches: list[Mismatch]
    ok: bool = Field(description="True when there is no mismatch.")


RECORDS_ADAPTER: TypeAdapter[list[TransactionRecord]] = TypeAdapter(list[TransactionRecord])
RECORD_ADAPTER: TypeAdapter[TransactionRecord] = TypeAdapter(TransactionRecord)
UPLOAD_RESULT_ADAPTER: TypeAdapter[UploadResult] = TypeAdapter(UploadResult)
