"""The durable print queue: SQLite (WAL, synchronous=FULL), ``print-queue.sqlite3`` under
``paths.var_dir`` (:mod:`config.layout`).

A job holds a :class:`Document` (JSON), not bytes, and moves through these states:

    pending ──> sending ──> done
       ^  │         └─────> uncertain ──(reprint: a new job, marked 补打)
       └──┘ waiting (``note`` says why)     failed (cannot be laid out; never printed)

A job's ``note`` is a stable code (:class:`JobNote`: what it waits for) that a screen turns into
words with its catalogue; ``message`` is the English particulars for a technician.

Exactly once, and the crash window. ``sending`` is committed *before* the first byte leaves and
``done`` only after the printer confirmed it took the last byte. A printer that is out of paper
or offline is found by the status check before ``sending``, so the job simply stays ``pending``
with a message, and is printed once when the printer is back. What remains is the window
between ``sending`` and ``done``: the process dies, or the link breaks, after some bytes left.
We cannot know whether the receipt came out, and a money receipt printed twice is worse than one
the citizen asks to reprint, so we choose *at most once*: such a job becomes ``uncertain`` (at
the next worker start for a crash, at once for a broken link) and is never printed again by
itself. :meth:`PrintQueue.reprint` makes a new job from it, headed 补打 (reprint), when a person
asks. An optional ``key`` (``card:TTSN``, ``app:NUMBER``) makes submitting the same receipt twice
one job.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from config.layout import VarLayout
from config.schema import Schema
from config.schema import check as schema_check
from config.sqlite import connect, transaction
from drivers.printer.document import SUBTITLE, Document, Text
from drivers.printer.errors import QueueError
from drivers.printer.status import PrinterState

REPRINT_BANNER = "【补打 REPRINT】"

SCHEMA = Schema("print queue", 1)
"""The queue's layout version (``PRAGMA user_version``; config/schema.py)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    key        TEXT UNIQUE,
    title      TEXT NOT NULL,
    document   TEXT NOT NULL,
    state      TEXT NOT NULL,
    message    TEXT NOT NULL DEFAULT '',
    attempts   INTEGER NOT NULL DEFAULT 0,
    created    REAL NOT NULL,
    updated    REAL NOT NULL,
    printed    REAL,
    reprint_of INTEGER REFERENCES jobs(id),
    note       TEXT
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, id);
"""


class JobState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    DONE = "done"
    UNCERTAIN = "uncertain"
    FAILED = "failed"

    @property
    def final(self) -> bool:
        return self in (JobState.DONE, JobState.UNCERTAIN, JobState.FAILED)


class JobNote(StrEnum):
    """Why a pending job waits: what the printer said at the last attempt."""

    PAPER_OUT = "job-waits-paper-out"
    OFFLINE = "job-waits-offline"
    UNKNOWN = "job-waits-unknown"

    @classmethod
    def waiting_for(cls, state: PrinterState) -> JobNote:
        return {PrinterState.PAPER_OUT: cls.PAPER_OUT,
                PrinterState.OFFLINE: cls.OFFLINE}.get(state, cls.UNKNOWN)


@dataclass(frozen=True)
class Job:
    id: int
    key: str | None
    title: str
    state: JobState
    message: str
    """English particulars for a technician: why it waits, or what went wrong."""
    attempts: int
    created: float
    updated: float
    printed: float | None
    reprint_of: int | None
    note: JobNote | None = None
    """While it waits: what for (a code; a screen shows its words)."""


_UPDATE = ("UPDATE jobs SET state=?, message=?, note=?, updated=?, attempts=attempts+?,"
           " printed=CASE WHEN ?='done' THEN ? ELSE printed END")
_SELECT = ("SELECT id, key, title, state, message, attempts, created, updated, printed,"
           " reprint_of, note FROM jobs ")


def _job(row: Sequence[object]) -> Job:
    values = list(row)
    values[3] = JobState(str(values[3]))
    values[10] = None if values[10] is None else JobNote(str(values[10]))
    return Job(*values)  # type: ignore[arg-type]


class PrintQueue:
    """Jobs in one SQLite file; safe to use from several threads and processes."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._db() as db:
                schema_check(db, SCHEMA, self.path)  # refuses a queue newer than this program
                db.executescript(_SCHEMA)
                columns = {row[1] for row in db.execute("PRAGMA table_info(jobs)")}
                if "note" not in columns:  # a queue written before notes existed
                    db.execute("ALTER TABLE jobs ADD COLUMN note TEXT")
        except (OSError, sqlite3.Error) as exc:
            raise QueueError(f"cannot open the print queue {self.path}: {exc}") from exc

    @classmethod
    def in_dir(cls, var_dir: Path | str) -> PrintQueue:
        """The queue of the ``var_dir`` (its place in :mod:`config.layout`)."""
        return cls(VarLayout(Path(var_dir)).print_queue)

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        try:
            db = connect(self.path, timeout=10.0)
        except sqlite3.Error as exc:
            raise QueueError(f"print queue {self.path}: {exc}") from exc
        try:
            yield db
        except sqlite3.Error as exc:
            raise QueueError(f"print queue {self.path}: {exc}") from exc
        finally:
            db.close()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._db() as db, transaction(db):
            yield db

    # -- submitting and reading -------------------------------------------------------------
    def submit(self, doc: Document, key: str | None = None) -> Job:
        """Queue ``doc``; with a ``key`` already queued, the existing job instead."""
        now = time.time()
        with self._tx() as db:
            if key is not None:
                row = db.execute(_SELECT + "WHERE key=?", (key,)).fetchone()
                if row is not None:
                    return _job(row)
            cur = db.execute(
                "INSERT INTO jobs (key, title, document, state, created, updated)"
                " VALUES (?, ?, ?, 'pending', ?, ?)",
                (key, doc.title, doc.to_json(), now, now))
            job_id = cur.lastrowid
        return self.get(int(job_id or 0))

    def get(self, job_id: int) -> Job:
        with self._db() as db:
            row = db.execute(_SELECT + "WHERE id=?", (job_id,)).fetchone()
        if row is None:
            raise QueueError(f"no print job {job_id}")
        return _job(row)

    def document(self, job_id: int) -> Document:
        with self._db() as db:
            row = db.execute("SELECT document FROM jobs WHERE id=?", (job_id,)).fetchone()
        if row is None:
            raise QueueError(f"no print job {job_id}")
        return Document.from_json(row[0])

    def jobs(self, states: Sequence[JobState] = (), limit: int = 100) -> list[Job]:
        """The newest jobs first, optionally only in ``states``."""
        where = "WHERE state IN (" + ",".join("?" * len(states)) + ")" if states else ""
        with self._db() as db:
            rows = db.execute(_SELECT + where + " ORDER BY id DESC LIMIT ?",
                              (*[s.value for s in states], limit)).fetchall()
        return [_job(row) for row in rows]

    def next_pending(self) -> Job | None:
        with self._db() as db:
            row = db.execute(_SELECT + "WHERE state='pending' ORDER BY id LIMIT 1").fetchone()
        return None if row is None else _job(row)

    # -- state changes (the print worker's) -------------------------------------------------
    def _move(self, job_id: int, to: JobState, *, frm: Sequence[JobState], message: str = "",
              note: JobNote | None = None, attempt: bool = False) -> Job:
        now = time.time()
        marks = ",".join("?" * len(frm))
        sql = f"{_UPDATE} WHERE id=? AND state IN ({marks})"
        with self._tx() as db:
            cur = db.execute(sql, (to.value, message, None if note is None else note.value, now,
                                   int(attempt), to.value, now, job_id, *[s.value for s in frm]))
            if cur.rowcount != 1:
                raise QueueError(f"print job {job_id} is not {'/'.join(frm)}; cannot make it {to}")
        return self.get(job_id)

    def mark_sending(self, job_id: int) -> Job:
        return self._move(job_id, JobState.SENDING, frm=[JobState.PENDING], attempt=True)

    def mark_done(self, job_id: int) -> Job:
        return self._move(job_id, JobState.DONE, frm=[JobState.SENDING])

    def mark_waiting(self, job_id: int, note: JobNote, message: str = "") -> Job:
        return self._move(job_id, JobState.PENDING, frm=[JobState.PENDING], message=message,
                          note=note)

    def mark_uncertain(self, job_id: int, message: str) -> Job:
        return self._move(job_id, JobState.UNCERTAIN, frm=[JobState.SENDING], message=message)

    def mark_failed(self, job_id: int, message: str) -> Job:
        return self._move(job_id, JobState.FAILED, frm=[JobState.PENDING, JobState.SENDING],
                          message=message)

    def recover(self) -> list[int]:
        """After a crash: jobs left ``sending`` become ``uncertain`` (see the module doc). Only
        the one print worker may call this, when it starts."""
        with self._tx() as db:
            ids = [r[0] for r in db.execute("SELECT id FROM jobs WHERE state='sending'")]
            db.execute("UPDATE jobs SET state='uncertain', updated=?, message=? "
                       "WHERE state='sending'",
                       (time.time(), "interrupted while sending; reprint if it did not come out"))
        return ids

    def reprint(self, job_id: int) -> Job:
        """A new job printing ``job_id``'s document again, headed 补打 (reprint)."""
        old = self.get(job_id)
        if old.state in (JobState.PENDING, JobState.SENDING):
            raise QueueError(f"print job {job_id} is still {old.state}; it will print by itself")
        doc = self.document(job_id)
        again = Document(title=f"reprint of {job_id}: {doc.title}",
                         blocks=[Text(REPRINT_BANNER, SUBTITLE), *doc.blocks])
        now = time.time()
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO jobs (title, document, state, created, updated, reprint_of)"
                " VALUES (?, ?, 'pending', ?, ?, ?)", (again.title, again.to_json(), now, now,
                                                       job_id))
            new_id = cur.lastrowid
        return self.get(int(new_id or 0))
