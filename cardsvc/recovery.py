"""Tear and crash recovery (card-spec.md section 6).

An entry left ``pending`` (the service died around DEBIT/CREDIT) or ``unknown`` (the answer was
lost) is resolved the next time its card is seen, before any new transaction on that card:

1. Look for the transaction in the card's own purse log (EF18): same counter, type, amount,
   terminal and time. The card writes that record atomically with the debit or credit, so its
   presence says the transaction happened and its absence says it did not.
2. Found: GET TRANSACTION PROVE (counter + 1) gives back MAC2 and TAC; the entry is completed.
   If the card has made another transaction of that type since, the proof is no longer
   available: the entry is completed without a TAC and says so (clearing will flag it).
3. Not found: nothing was taken; the entry is failed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Literal

from cardsvc.errors import MacError
from cardsvc.journal import Entry, Journal
from cardsvc.profile import TX_TYPES as TX_CODES
from cardsvc.purse.client import PurseClient
from cardsvc.records import PurseRecord

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class Resolution:
    entry_id: int
    card_no: str
    outcome: Literal["completed", "failed"]
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {"entry_id": self.entry_id, "card_no": self.card_no, "outcome": self.outcome,
                "detail": self.detail}


def _matches(record: PurseRecord, entry: Entry, code: int) -> bool:
    return (record.tx_type == code and record.atc == entry.card_atc
            and record.amount_fen == entry.amount_fen
            and record.terminal_id == entry.terminal_id.lower()
            and record.when == dt.datetime.fromisoformat(entry.date_time))


def resolve_entry(purse: PurseClient, journal: Journal, entry: Entry,
                  log_records: list[PurseRecord]) -> Resolution:
    code = TX_CODES[entry.type]
    found = [r for r in log_records if _matches(r, entry, code)]
    if not found:
        detail = "recovered: the card's log has no such transaction, nothing was taken"
        journal.fail(entry.id, detail)
        return Resolution(entry.id, entry.card_no, "failed", detail)
    same_type = [r for r in log_records if r.tx_type == code]
    latest = same_type[0] is found[0]
    try:
        if not latest:
            raise MacError("a later transaction of the same type superseded the proof")
        mac2, tac = purse.transaction_prove(code, entry.card_atc + 1)
    except MacError as exc:
        detail = f"recovered: applied on the card (purse log), but no TAC: {exc}"
        journal.complete(entry.id, tac=b"", mac2=b"", mac2_verified=None, detail=detail)
        return Resolution(entry.id, entry.card_no, "completed", detail)
    detail = "recovered: applied on the card; MAC2 and TAC from GET TRANSACTION PROVE"
    journal.complete(entry.id, tac=tac, mac2=mac2, mac2_verified=None, detail=detail)
    return Resolution(entry.id, entry.card_no, "completed", detail)


def resolve_card(purse: PurseClient, journal: Journal, card_no: str) -> list[Resolution]:
    """Resolve every unresolved entry of the card in the reader (already selected)."""
    entries = journal.unresolved(card_no)
    if not entries:
        return []
    records = purse.purse_log()
    out = [resolve_entry(purse, journal, e, records) for e in entries]
    for r in out:
        log.info("journal entry resolved", extra=r.as_dict())
    return out
