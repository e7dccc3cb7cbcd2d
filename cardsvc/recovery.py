"""Tear and crash recovery (card-spec.md section 6).

An entry left ``pending`` (the service died around DEBIT/CREDIT) or ``unknown`` (the answer was
lost) is resolved the next time its card is seen, before any new transaction on that card:

1. A card counter is one transaction. If another entry of this journal already holds the
   entry's counter as ``completed``, the entry did not happen: it is failed (two programs
   shared the card and the PSAM, issue 10; the other one's DEBIT took the counter).
2. Look for the transaction in the card's own purse log (EF18): same counter, type, amount,
   terminal and time. The card writes that record atomically with the debit or credit, so its
   presence says the transaction happened; its absence, while the log still reaches that
   counter, says it did not: the entry is failed.
3. Found: GET TRANSACTION PROVE (counter + 1) gives back MAC2 and TAC; the entry is completed.
   If the card has made another transaction of that type since, the proof is no longer
   available: the entry is completed without a TAC and says so (clearing flags it for the
   card's reconciliation). The same when the card cannot prove it (an unexpected answer).
4. One counter, one entry: when several unresolved entries match the same record (programs
   sharing a terminal ID, in the same second, with the same amount) the log cannot tell which
   TTSN the card took. The first is completed without a TAC, saying so; the others are failed.
5. Undetermined: EF18 keeps the last 10 transactions. Once the counter has scrolled out of it
   (a later record of the same counter kind is in the log, none with this counter), the card
   has used that counter but cannot say whose transaction took it. The entry is completed
   without a TAC and says it is undetermined: clearing settles it against the card's other
   records (a valid record of that counter from another terminal voids it). Failing it instead
   would lose the money whenever the card did take it.
6. Waiting: a full log with no record of the counter's kind at all (ten loads since a torn
   purchase, or ten purchases since a torn load) does not say whether the counter was used.
   The entry stays ``unknown``, saying so, until the card has made a transaction of that kind
   (at any terminal: its record then tells, or this terminal's own next one takes the counter
   and rule 1 applies). Completing it could book a counter the card has not used (and collide
   with the next transaction's), failing it could lose money.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Literal

from cardsvc.crypto import TX_COMPOUND_PURCHASE, TX_LOAD, TX_PURCHASE
from cardsvc.errors import CardProtocolError
from cardsvc.journal import Entry, Journal
from cardsvc.profile import TX_TYPES as TX_CODES
from cardsvc.purse.client import PurseClient
from cardsvc.purse.commands import PURSE_LOG_RECORDS
from cardsvc.records import PurseRecord

log = logging.getLogger(__name__)

COUNTER_KINDS = {TX_PURCHASE: "debit", TX_COMPOUND_PURCHASE: "debit", TX_LOAD: "load"}
PREFIX = "recovered: "


@dataclass(frozen=True)
class Resolution:
    entry_id: int
    card_no: str
    outcome: Literal["completed", "failed"]
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {"entry_id": self.entry_id, "card_no": self.card_no, "outcome": self.outcome,
                "detail": self.detail}


def _matches(record: PurseRecord, entry: Entry) -> bool:
    return (record.tx_type == TX_CODES[entry.type] and record.atc == entry.card_atc
            and record.amount_fen == entry.amount_fen
            and record.terminal_id == entry.terminal_id.lower()
            and record.when == dt.datetime.fromisoformat(entry.date_time))


def _absent(records: list[PurseRecord], entry: Entry) -> Literal["failed", "undetermined",
                                                                 "waiting"]:
    """What the log says of a transaction it does not hold.

    Records are written newest first and never skipped, so a log that is not full holds every
    transaction since issue (failed), and a full one every counter value of a kind from its
    oldest record of that kind on (failed; a counter above them all has not been used yet).
    Below them the counter was used, by someone (undetermined); with no record of that kind the
    log does not say (waiting)."""
    same_kind = [r.atc for r in records if COUNTER_KINDS.get(r.tx_type) == entry.counter_kind]
    if len(records) < PURSE_LOG_RECORDS or (same_kind and entry.card_atc >= min(same_kind)):
        return "failed"
    return "undetermined" if same_kind else "waiting"


def _fail(journal: Journal, entry: Entry, why: str) -> Resolution:
    detail = PREFIX + why
    journal.fail(entry.id, detail)
    return Resolution(entry.id, entry.card_no, "failed", detail)


def _complete(journal: Journal, entry: Entry, why: str, tac: bytes = b"",
              mac2: bytes = b"") -> Resolution:
    detail = PREFIX + why
    journal.complete(entry.id, tac=tac, mac2=mac2, mac2_verified=None, detail=detail)
    return Resolution(entry.id, entry.card_no, "completed", detail)


def _wait(journal: Journal, entry: Entry) -> None:
    kind = "top-up" if entry.counter_kind == "load" else "debit"
    detail = (f"waiting: the card's full purse log holds no {kind} since; resolved once the "
              f"card has made a {kind} (counter {entry.card_atc} or later)")
    journal.mark_unknown(entry.id, detail)
    log.info("journal entry waits", extra={"entry_id": entry.id, "card_no": entry.card_no,
                                           "detail": detail})


def _prove(purse: PurseClient, journal: Journal, entry: Entry, record: PurseRecord,
           records: list[PurseRecord]) -> Resolution:
    """The entry's transaction is on the card (``record``): complete it, with the TAC if the
    card can still prove it."""
    code = TX_CODES[entry.type]
    latest = next(r for r in records if r.tx_type == code)
    if latest is not record:
        return _complete(journal, entry, "applied on the card (purse log), but no TAC: a later "
                         "transaction of the same type superseded the proof")
    try:
        mac2, tac = purse.transaction_prove(code, entry.card_atc + 1)
    except CardProtocolError as exc:  # a refusal or a malformed answer; a lost card raises
        return _complete(journal, entry, f"applied on the card (purse log), but no TAC: {exc}")
    return _complete(journal, entry, "applied on the card; MAC2 and TAC from GET TRANSACTION "
                     "PROVE", tac, mac2)


def resolve_card(purse: PurseClient, journal: Journal, card_no: str) -> list[Resolution]:
    """Resolve every unresolved entry of the card in the reader (already selected)."""
    entries = journal.unresolved(card_no)
    if not entries:
        return []
    records = purse.purse_log()
    out: list[Resolution] = []
    # counter -> the entries that may have taken it, with the record that says so (None:
    # the log no longer reaches the counter)
    claims: dict[tuple[str, int], list[tuple[Entry, PurseRecord | None]]] = {}
    for entry in entries:
        owner = journal.completed_owner(card_no, entry.counter_kind, entry.card_atc)
        if owner is not None:
            out.append(_fail(journal, entry, f"card counter {entry.card_atc} belongs to journal "
                             f"entry {owner}: this transaction did not happen"))
            continue
        record = next((r for r in records if _matches(r, entry)), None)
        absent = _absent(records, entry) if record is None else None
        if absent == "failed":
            out.append(_fail(journal, entry, "the card's log has no such transaction, nothing "
                             "was taken"))
            continue
        if absent == "waiting":
            _wait(journal, entry)
            continue
        claims.setdefault((entry.counter_kind, entry.card_atc), []).append((entry, record))
    for (_, atc), group in claims.items():
        (entry, record), others = group[0], group[1:]
        for other, _ in others:
            out.append(_fail(journal, other, f"card counter {atc} went to journal entry "
                             f"{entry.id}: one counter, one transaction"))
        if record is None:
            out.append(_complete(journal, entry, f"undetermined, no TAC: the card's purse log "
                                 f"no longer reaches counter {atc}; clearing settles it"))
        elif others:
            out.append(_complete(journal, entry, f"applied on the card (purse log), but no TAC: "
                                 f"{len(group)} journal entries match its record of counter "
                                 f"{atc} and the log does not tell which TTSN it took"))
        else:
            out.append(_prove(purse, journal, entry, record, records))
    out.sort(key=lambda r: r.entry_id)
    for r in out:
        log.info("journal entry resolved", extra=r.as_dict())
    return out
