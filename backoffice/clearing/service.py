"""The clearing service: ingest with TAC checks, hotlist, load authorisation, cards, queries.

Transport-free: the HTTP app (:mod:`backoffice.clearing.app`), the CLI and the benchmark all call
it.

Ingest rules (issue 4 item 5):

* Each record is validated on its own: a malformed record is rejected (and kept in ``flagged``
  as ``malformed``) while the rest of the batch goes on.
* Every TAC is checked with MTK. A record whose TAC does not verify (altered or forged) is
  rejected, flagged ``bad_tac`` and never credited.
* A record whose key (card_no, counter kind, card_atc, terminal_id, ttsn) and content equal a
  stored one is a ``duplicate`` (acknowledged, stored once). The same card counter, or (for a
  purchase) the same terminal TTSN, with anything different is a ``conflict``: rejected and
  flagged. The purchase TAC does not cover ``card_atc`` or ``balance_after_fen``; the
  uniqueness of the TTSN and the reconciliation's balance chain are what catch edits there.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from backoffice.clearing.models import (
    RECORD_ADAPTER,
    RECORDS_ADAPTER,
    CardRegistered,
    CardRegistration,
    FlaggedRecord,
    Hotlist,
    HotlistChange,
    HotlistEntry,
    HotlistReport,
    LoadAuthorisation,
    LoadAuthorisationRequest,
    Reconciliation,
    RefundAuthorisationRequest,
    RegisteredCard,
    StoredTransaction,
    TransactionRecord,
    UploadResult,
)
from backoffice.clearing.reconcile import reconcile
from backoffice.clearing.repository import FlagRow, Repository, TxRow
from backoffice.clearing.verify import CardKeys
from backoffice.errors import (
    AlreadyRefunded,
    BatchTooLarge,
    CardHotlisted,
    InvalidInput,
    LoadLimit,
    MacInvalid,
    NotConfigured,
    OriginalNotFound,
    Refused,
)
from cardsvc import crypto
from cardsvc.profile import MAX_BALANCE_FEN

__all__ = ["DEFAULT_MAX_BATCH", "ClearingService", "Malformed"]

log = logging.getLogger(__name__)

DEFAULT_MAX_BATCH = 5000
_RAW_LIMIT = 4000


@dataclass(frozen=True)
class Malformed:
    """A record of the upload that is not a valid record."""

    reason: str
    raw: str


def _now_local() -> dt.datetime:
    return dt.datetime.now()


def _row(record: TransactionRecord) -> TxRow:
    return TxRow(record.card_no, record.counter_kind, record.card_atc, record.terminal_id,
                 record.ttsn, record.type, record.amount_fen, record.balance_after_fen,
                 record.date_time.isoformat(timespec="seconds"), record.tac.upper(),
                 record.alg, record.hotlist_version)


def _record_json(row: TxRow) -> str:
    return json.dumps({
        "card_no": row.card_no, "card_atc": row.card_atc, "terminal_id": row.terminal_id,
        "ttsn": row.ttsn, "type": row.type, "amount_fen": row.amount_fen,
        "balance_after_fen": row.balance_after_fen, "date_time": row.date_time,
        "tac": row.tac, "alg": row.alg, "hotlist_version": row.hotlist_version})


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False, include_input=False)[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "record"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def parse_batch(body: bytes, max_batch: int = DEFAULT_MAX_BATCH,
                ) -> list[TransactionRecord | Malformed]:
    """Parse an upload body; each element is a record or a :class:`Malformed` one.

    Raises :class:`InvalidInput` when the body is not a JSON array, :class:`BatchTooLarge` when
    it has more than ``max_batch`` elements.
    """
    try:
        doc = json.loads(body)  # C speed: the count is known before any record is validated
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidInput("the body is not JSON") from None
    if not isinstance(doc, list):
        raise InvalidInput("the body must be a JSON array of transaction records")
    if len(doc) > max_batch:
        raise BatchTooLarge(f"at most {max_batch} records per upload, got {len(doc)}")
    try:
        return list(RECORDS_ADAPTER.validate_json(body))
    except ValidationError:
        pass
    out: list[TransactionRecord | Malformed] = []
    for item in doc:
        raw = json.dumps(item, ensure_ascii=False)
        try:
            out.append(RECORD_ADAPTER.validate_json(raw))
        except ValidationError as exc:
            out.append(Malformed(_describe(exc), raw[:_RAW_LIMIT]))
    return out


_IDENTITY_FIELDS = {"card_no": r"\d{16}", "terminal_id": r"\d{12}"}


def _identity(raw: str) -> dict[str, Any]:
    """What a malformed record still says about whose it is (card, terminal, counter), so that
    its flag is tied to the card (e.g. a terminal's recovered entry that has no TAC)."""
    try:
        doc = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(doc, dict):
        return {}
    out: dict[str, Any] = {}
    for name, pattern in _IDENTITY_FIELDS.items():
        value = doc.get(name)
        if isinstance(value, str) and re.fullmatch(pattern, value):
            out[name] = value
    for name in ("card_atc", "ttsn"):
        value = doc.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 0xFFFFFFFF:
            out[name] = value
    if doc.get("type") in ("purchase", "compound", "load"):
        out["counter_kind"] = "load" if doc["type"] == "load" else "debit"
    return out


class ClearingService:
    """Clearing operations over a :class:`Repository` with the service's card keys."""

    def __init__(self, repo: Repository, keys: CardKeys | None, *,
                 clock: Callable[[], dt.datetime] = _now_local,
                 max_batch: int = DEFAULT_MAX_BATCH) -> None:
        self.repo = repo
        self._keys = keys
        self.clock = clock
        self.max_batch = max_batch

    @property
    def keys(self) -> CardKeys:
        """The card keys; :class:`NotConfigured` for a service opened without keys (CLI)."""
        if self._keys is None:
            raise NotConfigured("this service was opened without issuer keys")
        return self._keys

    def _now(self) -> str:
        return self.clock().isoformat(timespec="seconds")

    # ------------------------------------------------------------------ ingest

    def ingest_json(self, body: bytes) -> UploadResult:
        """Ingest an upload body (a JSON array of records)."""
        return self.ingest(parse_batch(body, self.max_batch))

    def _tac_ok(self, r: TransactionRecord) -> bool:
        expected = self.keys.expected_tac(
            alg=r.alg, card_no=r.card_no, tx_type=r.type, card_atc=r.card_atc,
            terminal_id=r.terminal_id, ttsn=r.ttsn, amount_fen=r.amount_fen,
            balance_after_fen=r.balance_after_fen, moment=r.date_time)
        return crypto.macs_equal(bytes.fromhex(r.tac), expected)

    def ingest(self, records: Sequence[TransactionRecord | Malformed]) -> UploadResult:
        """Verify and store records; one outcome per record, in order."""
        started = time.perf_counter()
        if len(records) > self.max_batch:
            raise BatchTooLarge(f"at most {self.max_batch} records per upload")
        now = self.clock()
        received_at = now.isoformat(timespec="seconds")
        # outcomes as plain dicts, validated into the result in one call at the end (a model
        # object per record costs more than the rest of the bookkeeping)
        outcomes: list[dict[str, Any]] = [{"index": i} for i in range(len(records))]
        rows: list[TxRow] = []
        row_index: list[int] = []
        flags: list[FlagRow] = []
        flag_index: list[int] = []
        for i, item in enumerate(records):
            if isinstance(item, Malformed):
                flags.append(FlagRow("malformed", item.reason, item.raw, now.date().isoformat(),
                                     **_identity(item.raw)))
                flag_index.append(i)
                continue
            row = _row(item)
            if not self._tac_ok(item):
                flags.append(FlagRow.for_row(row, "bad_tac", "the TAC does not verify: the "
                                             "record was altered or forged", _record_json(row)))
                flag_index.append(i)
                continue
            rows.append(row)
            row_index.append(i)
        results, flag_ids = self.repo.store_batch(rows, flags, received_at, _record_json)
        for i, flag, flag_id in zip(flag_index, flags, flag_ids, strict=True):
            outcomes[i].update(status="rejected", reason_code=flag.reason_code,
                               reason=flag.reason, flag_id=flag_id)
            if flag.reason_code != "malformed":
                log.warning("record flagged", extra={"event": "flagged", "code":
                            flag.reason_code, "card_no": flag.card_no,
                            "terminal_id": flag.terminal_id, "flag_id": flag_id})
        for i, row, res in zip(row_index, rows, results, strict=True):
            if res.status == "conflict":
                outcomes[i].update(status="rejected", reason_code="conflict", reason=res.reason,
                                   flag_id=res.flag_id)
                log.warning("record flagged", extra={"event": "flagged", "code": "conflict",
                                                     "card_no": row.card_no,
                                                     "terminal_id": row.terminal_id,
                                                     "flag_id": res.flag_id})
            else:
                outcomes[i]["status"] = res.status
        counts = dict.fromkeys(("new", "duplicate", "rejected"), 0)
        for outcome in outcomes:
            counts[outcome["status"]] += 1
        log.info("upload", extra={"event": "upload", "received": len(records), **counts,
                                  "ms": round((time.perf_counter() - started) * 1000, 1)})
        return UploadResult.model_validate({"received": len(records), "outcomes": outcomes,
                                            **counts})

    # ------------------------------------------------------------------ hotlist

    def hotlist(self, since: int | None = None) -> Hotlist:
        """The whole hotlist, or the entries added after ``since``.

        A ``since`` above the current version (the terminal knows a list this service does not,
        e.g. after a restore) gets the whole list, ``full`` true, so the terminal replaces its
        copy instead of merging.
        """
        if since is not None and since < 0:
            raise InvalidInput("since must be >= 0")
        version, entries = self.repo.hotlist(0 if since is None else since)
        if since is not None and since > version:
            version, entries = self.repo.hotlist(0)
            since = None
        return Hotlist(version=version, full=since is None, since=since,
                       cards=[HotlistEntry(**e) for e in entries])

    def report_lost(self, report: HotlistReport) -> HotlistChange:
        added, version, entry = self.repo.hotlist_add(report.card_no, report.reason,
                                                      self._now())
        log.info("hotlist", extra={"event": "hotlist_add", "card_no": report.card_no,
                                   "added": added, "version": version})
        return HotlistChange(added=added, version=version, entry=HotlistEntry(**entry))

    # ------------------------------------------------------------------ loads

    def authorise_load(self, req: LoadAuthorisationRequest) -> LoadAuthorisation:
        """Check the card's load MAC1 and answer MAC2; refuse a hotlisted card."""
        audit = {"card_no": req.card_no, "online_atc": req.online_atc,
                 "terminal_id": req.terminal_id, "amount_fen": req.amount_fen,
                 "balance_before_fen": req.balance_before_fen,
                 "date_time": req.date_time.isoformat(timespec="seconds"), "at": self._now()}
        try:
            mac2 = self._authorise(req)
        except Refused as exc:
            self.repo.record_load_authorisation({**audit, "outcome": "refused",
                                                 "reason": exc.code.value})
            log.warning("load refused", extra={"event": "load_refused", "code": exc.code.value,
                                               "card_no": req.card_no})
            raise
        self.repo.record_load_authorisation({**audit, "outcome": "authorised", "reason": ""})
        log.info("load authorised", extra={"event": "load_authorised", "card_no": req.card_no,
                                           "amount_fen": req.amount_fen})
        return LoadAuthorisation(mac2=mac2.hex().upper(), card_no=req.card_no,
                                 online_atc=req.online_atc, amount_fen=req.amount_fen)

    def authorise_refund(self, req: RefundAuthorisationRequest) -> LoadAuthorisation:
        """A refund of a stored purchase as an online load: same card, the whole amount, MAC1
        checked, at most once per purchase (:meth:`Repository.claim_refund`)."""
        original = self.repo.debit(req.original_terminal_id, req.original_ttsn)
        if original is None or original["card_no"] != req.card_no \
                or original["amount_fen"] != req.amount_fen:
            raise OriginalNotFound(f"no purchase {req.original_terminal_id}/{req.original_ttsn}"
                                   f" of {req.amount_fen} fen by card {req.card_no}")
        mac2 = self._authorise(req)
        if not self.repo.claim_refund(req.original_terminal_id, req.original_ttsn, req.card_no,
                                      req.amount_fen, req.online_atc, self._now()):
            raise AlreadyRefunded(f"purchase {req.original_terminal_id}/{req.original_ttsn} "
                                  "was refunded already")
        log.info("refund authorised", extra={"event": "refund_authorised",
                                             "card_no": req.card_no, "amount_fen": req.amount_fen,
                                             "original_ttsn": req.original_ttsn})
        return LoadAuthorisation(mac2=mac2.hex().upper(), card_no=req.card_no,
                                 online_atc=req.online_atc, amount_fen=req.amount_fen)

    def _authorise(self, req: LoadAuthorisationRequest) -> bytes:
        if self.repo.hotlist_entry(req.card_no) is not None:
            raise CardHotlisted(f"card {req.card_no} is on the hotlist (reported lost)")
        if req.key_version is not None and req.key_version != self.keys.key_version:
            raise Refused(f"unknown key version {req.key_version}")
        if req.balance_before_fen + req.amount_fen > MAX_BALANCE_FEN:
            raise LoadLimit(f"the balance would pass the limit of {MAX_BALANCE_FEN} fen")
        mac1, mac2 = self.keys.load_macs(
            alg=req.alg, card_no=req.card_no, online_atc=req.online_atc,
            card_random=bytes.fromhex(req.card_random),
            balance_before_fen=req.balance_before_fen, amount_fen=req.amount_fen,
            terminal_id=req.terminal_id, moment=req.date_time)
        if not crypto.macs_equal(mac1, bytes.fromhex(req.mac1)):
            raise MacInvalid("the card's load MAC1 does not verify")
        return mac2

    # ------------------------------------------------------------------ cards and queries

    def register_card(self, card: CardRegistration) -> CardRegistered:
        created, stored = self.repo.register_card(card.model_dump(), self._now())
        return CardRegistered(created=created, card=RegisteredCard(**stored))

    def cards(self) -> list[RegisteredCard]:
        return [RegisteredCard(**c) for c in self.repo.cards()]

    def transactions(self, *, card_no: str | None = None, day: dt.date | None = None,
                     after_id: int = 0, limit: int = 1000) -> list[StoredTransaction]:
        return [StoredTransaction(**r) for r in self.repo.transactions(
            card_no=card_no, day=day, after_id=after_id, limit=limit)]

    def flagged(self, *, day: dt.date | None = None, after_id: int = 0,
                limit: int = 1000) -> list[FlaggedRecord]:
        return [FlaggedRecord(**r) for r in self.repo.flagged(day=day, after_id=after_id,
                                                              limit=limit)]

    def reconcile(self, day: dt.date) -> Reconciliation:
        return reconcile(self.repo.reconciliation_inputs(day))

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "database": self.repo.db.kind,
                "hotlist_version": self.repo.hotlist_version()}
