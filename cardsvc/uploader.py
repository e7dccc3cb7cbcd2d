"""The uploader: sends completed journal entries to clearing, exactly once in effect.

* A record is marked uploaded only when clearing acknowledges it (``new`` or ``duplicate``:
  the server is idempotent on the transaction's unique key, so a retry after a lost answer is
  harmless).
* A record clearing rejects (bad TAC, conflict, malformed) goes to the journal's dead letters
  with the reason and is never sent again automatically; nothing is ever deleted.
* Outages and restarts on either side only delay uploads: the journal is the queue; the loop
  retries with exponential backoff (with jitter) up to ``backoff_max``.
* Each pass also refreshes the hotlist (incrementally, by version).

It runs in the card service as a thread (:meth:`Uploader.start`) with its own journal
connection, or once from ``cardsvc upload``.
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cardsvc.clearing_client import ClearingClient, ClearingError, ClearingUnreachable
from cardsvc.journal import Journal

log = logging.getLogger(__name__)


@dataclass
class UploadReport:
    sent: int = 0
    new: int = 0
    duplicate: int = 0
    rejected: int = 0
    remaining: int = 0
    hotlist_version: int | None = None
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"sent": self.sent, "new": self.new, "duplicate": self.duplicate,
                "rejected": self.rejected, "remaining": self.remaining,
                "hotlist_version": self.hotlist_version, "errors": self.errors}


class Uploader:
    def __init__(self, journal_path: Path, client: ClearingClient, *, batch_size: int = 500,
                 interval_s: float = 5.0, backoff_initial_s: float = 0.5,
                 backoff_max_s: float = 60.0) -> None:
        self.journal_path = journal_path
        self.client = client
        self.batch_size = batch_size
        self.interval_s = interval_s
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # -- one pass ------------------------------------------------------------------------
    def refresh_hotlist(self, journal: Journal) -> int:
        mine = journal.hotlist_version()
        hot = self.client.hotlist(since=mine or None)
        if hot.full:
            journal.replace_hotlist(hot.version, hot.card_numbers)
        else:
            journal.add_to_hotlist(hot.version, hot.card_numbers)
        return journal.hotlist_version()

    def upload_once(self, journal: Journal | None = None) -> UploadReport:
        """Refresh the hotlist, then upload until nothing is left. Raises ClearingError."""
        own = journal is None
        jr = journal or Journal.open(self.journal_path)
        report = UploadReport()
        try:
            report.hotlist_version = self.refresh_hotlist(jr)
            while batch := jr.to_upload(self.batch_size):
                result = self.client.upload([e.upload_record() for e in batch])
                report.sent += len(batch)
                acked = [e.id for e, o in zip(batch, result.outcomes, strict=True)
                         if o.acknowledged]
                jr.mark_uploaded(acked)
                for entry, outcome in zip(batch, result.outcomes, strict=True):
                    if outcome.status == "new":
                        report.new += 1
                    elif outcome.status == "duplicate":
                        report.duplicate += 1
                    else:
                        report.rejected += 1
                        reason = f"{outcome.reason_code or 'rejected'}: {outcome.reason or ''}"
                        jr.dead_letter(entry.id, reason.strip())
                        log.warning("clearing rejected a record",
                                    extra={"entry_id": entry.id, "reason": reason})
            report.remaining = jr.counts()["not_uploaded"]
        finally:
            if own:
                jr.close()
        return report

    # -- background ----------------------------------------------------------------------
    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="uploader", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)
            self._thread = None

    def poke(self) -> None:
        """Upload soon (after a transaction), without waiting for the interval."""
        self._wake.set()

    def _run(self) -> None:
        backoff = self.backoff_initial_s
        with Journal.open(self.journal_path) as journal:
            while not self._stop.is_set():
                wait, pokable = self.interval_s, True
                try:
                    report = self.upload_once(journal)
                    if report.sent:
                        log.info("uploaded", extra=report.as_dict())
                    backoff = self.backoff_initial_s
                except ClearingUnreachable as exc:
                    wait, pokable = backoff * (0.5 + random.random()), False  # jitter
                    backoff = min(backoff * 2, self.backoff_max_s)
                    log.warning("clearing unreachable, will retry",
                                extra={"retry_in_s": round(wait, 2), "error": str(exc)})
                except ClearingError as exc:
                    wait, pokable = self.backoff_max_s, False
                    log.error("clearing refused the upload", extra={"error": str(exc)})
                except Exception:
                    wait, pokable = self.backoff_max_s, False
                    log.exception("uploader pass failed; will retry")
                # A poke (a new transaction) shortens the normal interval, never a backoff:
                # a clearing service that is down gets no request per transaction.
                (self._wake if pokable else self._stop).wait(wait)
                self._wake.clear()
