"""Card operations at a terminal: identify, balance, history, purchase, bus fare, load, block.

A :class:`CardTerminal` serves the card that is in the reader now. Every money operation is
checked at the terminal *before* the purse is touched (expired, blocked or hotlisted card,
amount <= 0 or over the limit), resolves the card's unresolved journal entries first, and is
journalled ``pending`` before DEBIT/CREDIT is sent (card-spec.md section 6).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypeVar

from cardsvc import crypto
from cardsvc.codes import ErrorCode
from cardsvc.errors import (
    AmountRefused,
    CardBlocked,
    CardExpired,
    CardHotlisted,
    CardNotYetValid,
    CardProtocolError,
    CardRemovedError,
    CardServiceError,
    InsufficientBalance,
    MacError,
    Refusal,
)
from cardsvc.fares import FareTable, line_id
from cardsvc.journal import Entry, Journal, NewEntry
from cardsvc.money import format_fen
from cardsvc.profile import ALG_NAMES, CardType, PurchaseKind, TxTypeName
from cardsvc.purse.client import PurseClient, Selection, Transmitter
from cardsvc.purse.commands import APP_BLOCK_HEADER
from cardsvc.records import HolderData, PublicData, PurseRecord, TransitRecord
from cardsvc.recovery import Resolution, resolve_card
from cardsvc.sam.base import Sam
from cardsvc.sam.errors import SamError, SamMacError, to_service_error

log = logging.getLogger(__name__)
_T = TypeVar("_T")

CardStatus = Literal["ok", "expired", "not_yet_valid", "blocked", "hotlisted"]
CITY_CODE = bytes.fromhex("4102")
ACQUIRER = bytes.fromhex("4102000000000001")
MODE_BUS = 0x02
TRANSIT_SINGLE_FARE = 0x06


class LoadAuthorizer(Protocol):
    """Who may produce a load's MAC2 (holds MLK): in-process or the back office."""

    def authorize_load(self, *, card_factor: bytes, alg: crypto.Alg, online_atc: int,
                       card_random: bytes, balance_before: int, amount: int,
                       terminal_id: bytes, date: bytes, time: bytes, mac1: bytes) -> bytes: ...


@dataclass(frozen=True)
class CardInfo:
    card_no: str
    holder: HolderData | None
    card_type: CardType
    start: dt.date
    expiry: dt.date
    status: CardStatus

    def as_dict(self) -> dict[str, object]:
        return {
            "card_no": self.card_no,
            "holder_name": self.holder.name if self.holder else None,
            "id_number_masked": self.holder.masked_id if self.holder else None,
            "card_type": self.card_type.label_en, "card_type_zh": self.card_type.label_zh,
            "valid_from": self.start.isoformat(), "valid_to": self.expiry.isoformat(),
            "status": self.status,
        }


@dataclass(frozen=True)
class TxResult:
    """A completed debit or load, as the citizen's receipt and the journal show it."""

    entry_id: int
    card_no: str
    type: TxTypeName
    kind: str
    amount_fen: int
    balance_before_fen: int
    balance_after_fen: int
    card_atc: int
    terminal_id: str
    ttsn: int
    date_time: dt.datetime
    tac: str
    line: str | None = None
    warnings: list[str] = field(default_factory=list)
    client_ref: str | None = None
    replayed: bool = False
    """True when this is the result of an earlier request with the same ``client_ref``."""

    @classmethod
    def from_entry(cls, entry: Entry, *, replayed: bool = True) -> TxResult:
        """The result a completed journal entry stands for (a retry's answer)."""
        return cls(entry.id, entry.card_no, entry.type, entry.kind, entry.amount_fen,
                   entry.balance_before_fen, entry.balance_after_fen, entry.card_atc,
                   entry.terminal_id, entry.ttsn, entry.when, entry.tac or "", entry.line,
                   [entry.detail] if entry.detail else [], entry.client_ref, replayed)

    def as_dict(self) -> dict[str, object]:
        return {"client_ref": self.client_ref, "replayed": self.replayed,
            "entry_id": self.entry_id, "card_no": self.card_no, "type": self.type,
            "kind": self.kind, "amount_fen": self.amount_fen,
            "balance_before_fen": self.balance_before_fen, "balance_fen": self.balance_after_fen,
            "card_atc": self.card_atc, "terminal_id": self.terminal_id, "ttsn": self.ttsn,
            "date_time": self.date_time.isoformat(timespec="seconds"), "tac": self.tac,
            "line": self.line, "warnings": self.warnings,
        }


@dataclass(frozen=True)
class FreeRide:
    card_no: str
    line: str
    card_type: CardType
    date_time: dt.datetime

    def as_dict(self) -> dict[str, object]:
        return {"card_no": self.card_no, "line": self.line, "amount_fen": 0, "free": True,
                "card_type": self.card_type.label_en,
                "date_time": self.date_time.isoformat(timespec="seconds")}


@dataclass(frozen=True)
class History:
    card_no: str
    purse: list[PurseRecord]
    transit: list[TransitRecord]

    def as_dict(self) -> dict[str, object]:
        return {
            "card_no": self.card_no,
            "purse": [{"atc": r.atc, "type": r.tx_type, "type_zh": r.type_label,
                       "amount_fen": r.amount_fen, "terminal_id": r.terminal_id,
                       "date_time": r.when.isoformat()} for r in self.purse],
            "transit": [{"kind": t.kind, "line": t.line_label, "mode": t.mode,
                         "amount_fen": t.amount_fen, "balance_after_fen": t.balance_after_fen,
                         "date_time": t.when.isoformat()} for t in self.transit],
        }


def _alg(alg_id: int, command: str) -> crypto.Alg:
    """The card's algorithm ID of an INIT answer; an unknown one is a protocol error."""
    try:
        return crypto.Alg(alg_id)
    except ValueError:
        raise CardProtocolError(f"{command}: unknown algorithm ID {alg_id:02X}",
                                code=ErrorCode.UNKNOWN_ALGORITHM, alg=f"{alg_id:02X}",
                                command=command) from None


class CardTerminal:
    """Operations on the card in the reader. One instance per card session and thread."""

    def __init__(self, card: Transmitter, sam: Sam, journal: Journal, *,
                 fares: FareTable | None = None, max_amount_fen: int = 100_000,
                 load_authority: LoadAuthorizer | None = None,
                 clock: Callable[[], dt.datetime] = dt.datetime.now, key_index: int = 1) -> None:
        self.purse = PurseClient(card)
        self.sam = sam
        self.journal = journal
        self.fares = fares or FareTable.load()
        self.max_amount_fen = max_amount_fen
        self.load_authority = load_authority
        self.clock = clock
        self.key_index = key_index
        self._terminal_id: bytes | None = None
        self.after_recovery: Callable[[PublicData, list[Resolution]], None] | None = None
        """Called once the card's unresolved entries are resolved, before any money moves
        (the runtime checks a retry's ``client_ref`` there); it may raise to stop."""
        self.client_ref: str | None = None
        """The idempotency key the next money operation's journal entry carries."""

    # -- helpers -------------------------------------------------------------------------
    @property
    def terminal_id(self) -> bytes:
        """The SAM's terminal ID, claimed in the journal for this kind of SAM (a second SAM
        with the same terminal ID is refused before it signs anything)."""
        if self._terminal_id is None:
            tid = self._sam(self.sam.terminal_id)
            self.journal.claim_terminal(tid.hex(), self.sam.kind)
            self._terminal_id = tid
        return self._terminal_id

    @staticmethod
    def _sam(call: Callable[[], _T]) -> _T:
        try:
            return call()
        except SamError as exc:
            raise to_service_error(exc) from exc

    def _card_status(self, sel: Selection, today: dt.date) -> CardStatus:
        pub = sel.public
        if sel.blocked:
            return "blocked"
        if self.journal.is_hotlisted(pub.card_no):
            return "hotlisted"
        if pub.expired(today):
            return "expired"
        if pub.not_yet_valid(today):
            return "not_yet_valid"
        return "ok"

    def _check_amount(self, amount_fen: int) -> None:
        if not isinstance(amount_fen, int) or isinstance(amount_fen, bool):
            raise AmountRefused(code=ErrorCode.AMOUNT_NOT_WHOLE_FEN)
        if amount_fen <= 0:
            raise AmountRefused(code=ErrorCode.AMOUNT_NOT_POSITIVE)
        if amount_fen > self.max_amount_fen:
            raise AmountRefused(code=ErrorCode.AMOUNT_OVER_LIMIT,
                                limit=format_fen(self.max_amount_fen))

    def _ready_for_money(self, amount_fen: int, sel: Selection | None = None) -> PublicData:
        """Every check before the purse is touched, then resolve this card's torn entries."""
        self._check_amount(amount_fen)
        sel = sel or self.purse.select()
        pub = sel.public
        today = self.clock().date()
        status = self._card_status(sel, today)
        if status == "blocked":
            raise CardBlocked()
        if status == "hotlisted":
            self._block_hotlisted(pub)
            raise CardHotlisted(card_no=pub.card_no)
        if status == "expired":
            raise CardExpired(pub.expiry)
        if status == "not_yet_valid":
            raise CardNotYetValid(pub.start)
        resolved = resolve_card(self.purse, self.journal, pub.card_no)
        if self.after_recovery is not None:
            self.after_recovery(pub, resolved)
        return pub

    def _block_hotlisted(self, pub: PublicData) -> None:
        try:
            self._block(pub)
        except CardServiceError as exc:  # still refused; the next tap tries again
            log.warning("could not block a hotlisted card", extra={"card_no": pub.card_no,
                                                                    "error": str(exc)})

    # -- reading -------------------------------------------------------------------------
    def identify(self) -> CardInfo:
        """SELECT (its FCI carries EF15) and READ BINARY EF16: two commands."""
        sel = self.purse.select()
        holder = self.purse.holder() if not sel.blocked else None
        pub = sel.public
        status = self._card_status(sel, self.clock().date())
        return CardInfo(card_no=pub.card_no, holder=holder, card_type=pub.card_type,
                        start=pub.start, expiry=pub.expiry, status=status)

    def balance(self) -> tuple[str, int]:
        sel = self.purse.select()
        if sel.blocked:
            raise CardBlocked()
        return sel.public.card_no, self.purse.balance()

    def history(self) -> History:
        sel = self.purse.select()
        return History(sel.public.card_no, self.purse.purse_log(), self.purse.transit_log())

    # -- money ---------------------------------------------------------------------------
    def purchase(self, amount_fen: int, kind: PurchaseKind = "canteen") -> TxResult:
        pub = self._ready_for_money(amount_fen)
        return self._debit(pub, amount_fen, kind=kind, compound=False, line=None)

    def ride(self, line: str, fare_fen: int | None = None) -> TxResult | FreeRide:
        try:
            line = line_id(line)
        except ValueError as exc:
            raise Refusal(str(exc), code=ErrorCode.LINE_INVALID) from None
        if fare_fen is not None:
            self._check_amount(fare_fen)
        sel = self.purse.select()
        fare = self.fares.fare(line, sel.public.card_type, fare_fen)
        if fare.free:
            self._ready_for_money(1, sel)  # a free ride still needs a valid card
            now = self.clock().replace(microsecond=0)
            self.journal.record_free_ride(sel.public.card_no, sel.public.card_type.label_en,
                                          line, self.terminal_id.hex(), now)
            return FreeRide(sel.public.card_no, line, sel.public.card_type, now)
        pub = self._ready_for_money(fare.fare_fen, sel)
        return self._debit(pub, fare.fare_fen, kind="bus", compound=True, line=line)

    def _insufficient(self, amount_fen: int) -> InsufficientBalance:
        try:
            balance: int | None = self.purse.balance()
        except CardServiceError:
            balance = None
        return InsufficientBalance(balance, amount_fen)

    def _transit_record(self, line: str, amount: int, balance_after: int,
                        when: dt.datetime) -> bytes:
        line_bytes = line.encode("ascii", errors="replace")[:7].ljust(7, b"\x00")
        record = (bytes((TRANSIT_SINGLE_FARE,)) + b"\x00\x00" + self.terminal_id
                  + bytes((MODE_BUS,)) + line_bytes + amount.to_bytes(4, "big")
                  + balance_after.to_bytes(4, "big") + b"".join(crypto.bcd_datetime(when))
                  + CITY_CODE + ACQUIRER + bytes(6))
        assert len(record) == 48
        return record

    def _debit(self, pub: PublicData, amount: int, *, kind: str, compound: bool,
               line: str | None) -> TxResult:
        now = self.clock().replace(microsecond=0)
        date, time = crypto.bcd_datetime(now)
        tid = self.terminal_id
        try:
            init = self.purse.init_purchase(amount, tid, compound=compound,
                                            key_index=self.key_index)
        except InsufficientBalance:
            raise self._insufficient(amount) from None
        alg = _alg(init.alg_id, "INIT FOR PURCHASE")
        tx_type = crypto.TX_COMPOUND_PURCHASE if compound else crypto.TX_PURCHASE
        ttsn, mac1 = self._sam(lambda: self.sam.purchase_mac1(
            init.random, init.offline_atc, amount, tx_type, date, time, init.key_version, alg,
            pub.card_factor))
        if compound:
            assert line is not None
            self.purse.update_capp_cache(
                self._transit_record(line, amount, init.balance - amount, now))
        entry_id = self.journal.begin(NewEntry(
            card_no=pub.card_no, card_atc=init.offline_atc, terminal_id=tid.hex(), ttsn=ttsn,
            type="compound" if compound else "purchase", kind=kind, amount_fen=amount,
            balance_before_fen=init.balance, date_time=now, alg=ALG_NAMES[alg],
            hotlist_version=self.journal.hotlist_version(), line=line,
            client_ref=self.client_ref))
        with self._committing(entry_id, "DEBIT"):
            tac, mac2 = self.purse.debit(ttsn, date, time, mac1)
        warnings = self._verify_mac2(entry_id, tac, mac2)
        return TxResult(entry_id, pub.card_no, "compound" if compound else "purchase", kind,
                        amount, init.balance, init.balance - amount, init.offline_atc, tid.hex(),
                        ttsn, now, tac.hex().upper(), line, warnings, self.client_ref)

    @contextmanager
    def _committing(self, entry_id: int, command: str) -> Iterator[None]:
        """Around DEBIT/CREDIT. Only a refusal the profile defines (insufficient balance,
        blocked, a MAC the card rejected: nothing is written) fails the entry. A lost answer,
        a malformed one (the card may have committed and answered 9000), an unexpected status
        word or anything else leaves it ``unknown``, to be resolved from the card's own log."""
        try:
            yield
        except CardRemovedError as exc:
            self.journal.mark_unknown(entry_id, f"answer to {command} lost: {exc}")
            raise
        except (Refusal, MacError) as exc:
            self.journal.fail(entry_id, f"card refused {command}: {exc}")
            raise
        except BaseException as exc:
            self.journal.mark_unknown(entry_id, f"interrupted during {command}: {exc!r}")
            raise

    def _verify_mac2(self, entry_id: int, tac: bytes, mac2: bytes) -> list[str]:
        """The card has debited: record it whatever the SAM says, then report the check."""
        try:
            self.sam.verify_mac2(mac2)
        except SamMacError as exc:
            self.journal.complete(entry_id, tac=tac, mac2=mac2, mac2_verified=False,
                                  detail="MAC2 did not verify in the SAM")
            raise MacError(f"the card debited but its MAC2 did not verify: {exc}",
                           code=ErrorCode.MAC2_AFTER_DEBIT) from exc
        except SamError as exc:
            self.journal.complete(entry_id, tac=tac, mac2=mac2, mac2_verified=None,
                                  detail=f"MAC2 not verified: {exc}")
            return [f"MAC2 not verified: {exc}"]
        self.journal.complete(entry_id, tac=tac, mac2=mac2, mac2_verified=True)
        return []

    def load(self, amount_fen: int, pin: str, kind: str = "topup") -> TxResult:
        """CREDIT FOR LOAD of ``amount_fen`` (``kind``: ``topup``, or ``refund`` of a purchase,
        whose authority then is clearing's refund authorisation)."""
        if self.load_authority is None:
            raise AmountRefused(code=ErrorCode.LOAD_NOT_OFFERED)
        pub = self._ready_for_money(amount_fen)
        now = self.clock().replace(microsecond=0)
        date, time = crypto.bcd_datetime(now)
        tid = self.terminal_id
        self.purse.verify_pin(pin)
        init = self.purse.init_load(amount_fen, tid, key_index=self.key_index)
        alg = _alg(init.alg_id, "INIT FOR LOAD")
        mac2 = self.load_authority.authorize_load(
            card_factor=pub.card_factor, alg=alg, online_atc=init.online_atc,
            card_random=init.random, balance_before=init.balance, amount=amount_fen,
            terminal_id=tid, date=date, time=time, mac1=init.mac1)
        entry_id = self.journal.begin(NewEntry(
            card_no=pub.card_no, card_atc=init.online_atc, terminal_id=tid.hex(),
            ttsn=self.journal.next_load_seq(), type="load", kind=kind, amount_fen=amount_fen,
            balance_before_fen=init.balance, date_time=now, alg=ALG_NAMES[alg],
            hotlist_version=self.journal.hotlist_version(), client_ref=self.client_ref))
        entry = self.journal.get(entry_id)
        with self._committing(entry_id, "CREDIT"):
            tac = self.purse.credit(date, time, mac2)
        self.journal.complete(entry_id, tac=tac, mac2=mac2, mac2_verified=None)
        return TxResult(entry_id, pub.card_no, "load", kind, amount_fen, init.balance,
                        init.balance + amount_fen, init.online_atc, tid.hex(), entry.ttsn, now,
                        tac.hex().upper(), client_ref=self.client_ref)

    def recover(self) -> list[Resolution]:
        """Resolve the unresolved journal entries of the card in the reader."""
        sel = self.purse.select()
        return resolve_card(self.purse, self.journal, sel.public.card_no)

    # -- maintenance ---------------------------------------------------------------------
    def block(self) -> str:
        """APPLICATION BLOCK of the card in the reader (a lost card). Returns its number."""
        sel = self.purse.select()
        if not sel.blocked:
            self._block(sel.public)
        return sel.public.card_no

    def _block(self, pub: PublicData) -> None:
        known = {e.alg for e in self.journal.entries(card_no=pub.card_no, limit=1)}
        order = [crypto.Alg.SM4, crypto.Alg.TDES] if "sm4" in known else \
            [crypto.Alg.TDES, crypto.Alg.SM4]
        last: CardServiceError | None = None
        for alg in order:  # the card's algorithm shows only in INIT answers: try ours in turn
            challenge = self.purse.challenge()
            mac = self._sam(lambda a=alg, c=challenge: self.sam.maintenance_mac(  # type: ignore[misc]
                pub.card_factor, c, APP_BLOCK_HEADER, a))
            try:
                self.purse.block(mac)
                log.info("card blocked", extra={"card_no": pub.card_no})
                return
            except MacError as exc:
                last = exc
        assert last is not None
        raise last
