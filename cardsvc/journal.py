"""The durable transaction journal (SQLite, WAL, ``synchronous=FULL``).

Every debit or load is written ``pending`` *before* DEBIT/CREDIT is sent to the card, and then
becomes ``completed`` (with TAC and MAC2), ``failed`` (the card refused: nothing was taken) or
``unknown`` (the answer was lost: resolved the next time the card is seen). A record is never
deleted; records the clearing side rejects go to ``dead_letters`` with the reason and stay.

Unique key: (card number, counter kind, card counter, terminal ID, TTSN). card-spec.md's
"card counter" is two counters on the card (offline ATC for debits, online ATC for loads), so the
key names which one. Loads have no PSAM TTSN; they take the next number of a per-terminal load
sequence kept here.

A terminal ID belongs to one SAM: the journal remembers which kind of SAM (``pcsc``: a PSAM,
``soft``: a software SAM) first used each terminal ID and refuses another kind
(:class:`TerminalIdClash`), and a debit whose (terminal ID, TTSN) is already in the journal is
refused before the card is asked to commit (:class:`JournalConflict`): two SAMs sharing a
terminal ID would otherwise hand clearing two records with one TTSN.

One :class:`Journal` object per thread (SQLite connections are not shared across threads); the
card service and its uploader each open their own on the same file.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from cardsvc.codes import ErrorCode
from cardsvc.errors import CardServiceError
from cardsvc.profile import AlgName, TxTypeName
from config.schema import Schema
from config.schema import check as schema_check
from config.sqlite import connect, transaction

log = logging.getLogger(__name__)

Status = Literal["pending", "completed", "failed", "unknown"]
UNRESOLVED: tuple[Status, ...] = ("pending", "unknown")

SCHEMA = Schema("journal", 1)
"""The journal's layout version (``PRAGMA user_version``; config/schema.py)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY,
    card_no TEXT NOT NULL,
    counter_kind TEXT NOT NULL CHECK (counter_kind IN ('debit', 'load')),
    card_atc INTEGER NOT NULL,
    terminal_id TEXT NOT NULL,
    ttsn INTEGER NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('purchase', 'compound', 'load')),
    kind TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    balance_before_fen INTEGER NOT NULL,
    balance_after_fen INTEGER NOT NULL,
    date_time TEXT NOT NULL,
    alg TEXT NOT NULL CHECK (alg IN ('3des', 'sm4')),
    hotlist_version INTEGER NOT NULL,
    line TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'failed', 'unknown')),
    tac TEXT,
    mac2 TEXT,
    mac2_verified INTEGER,
    detail TEXT,
    uploaded INTEGER NOT NULL DEFAULT 0,
    uploaded_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (card_no, counter_kind, card_atc, terminal_id, ttsn)
);
CREATE INDEX IF NOT EXISTS entries_unresolved ON entries (card_no)
    WHERE status IN ('pending', 'unknown');
CREATE INDEX IF NOT EXISTS entries_to_upload ON entries (id)
    WHERE status = 'completed' AND uploaded = 0;
CREATE TABLE IF NOT EXISTS dead_letters (
    entry_id INTEGER PRIMARY KEY REFERENCES entries (id),
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS hotlist (card_no TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS free_rides (
    id INTEGER PRIMARY KEY,
    card_no TEXT NOT NULL,
    card_type TEXT NOT NULL,
    line TEXT NOT NULL,
    terminal_id TEXT NOT NULL,
    date_time TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS terminals (
    terminal_id TEXT PRIMARY KEY,
    sam_kind TEXT NOT NULL,
    since TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_terminal_ttsn ON entries (terminal_id, ttsn);
"""
_CLIENT_REF = """
CREATE UNIQUE INDEX IF NOT EXISTS entries_client_ref ON entries (client_ref)
    WHERE client_ref IS NOT NULL AND status != 'failed';
"""
"""A client's idempotency key names at most one entry that took (or may have taken) money; a
failed entry (nothing taken) frees it for the next attempt of the same sale."""


class JournalError(CardServiceError, code=ErrorCode.JOURNAL_FAILED):
    """The journal cannot be opened or written (disk, permissions, corruption)."""


class JournalConflict(JournalError, code=ErrorCode.JOURNAL_CONFLICT):
    """The journal already holds this transaction's key: another copy of the card, or another
    SAM with this terminal ID, wrote it. Nothing was sent to the card."""


class TerminalIdClash(JournalError, code=ErrorCode.TERMINAL_ID_CLASH):
    """A second kind of SAM claims a terminal ID that another SAM uses in this journal."""


# A card counter is one transaction: at most one entry completes with it (issue 10: two
# programs sharing a card and a PSAM, then recovery, completed two entries with one counter and
# one TAC). Created apart from _SCHEMA so that a journal that already holds such a pair still
# opens (recovery then fails any further claimant; the pair is for clearing to settle).
_ONE_COMPLETION = ("CREATE UNIQUE INDEX IF NOT EXISTS entries_one_completion_per_counter"
                   " ON entries (card_no, counter_kind, card_atc) WHERE status = 'completed'")


def _one_completion_per_counter(conn: sqlite3.Connection, path: Path) -> None:
    try:
        conn.execute(_ONE_COMPLETION)
    except sqlite3.IntegrityError:
        log.warning("the journal holds card counters completed twice; not enforcing one "
                    "completion per counter", extra={"journal": str(path)})
    except sqlite3.Error as exc:
        raise JournalError(f"cannot open the journal {path}: {exc}") from exc


@dataclass(frozen=True)
class NewEntry:
    """What is known before DEBIT/CREDIT is sent."""

    card_no: str
    card_atc: int
    terminal_id: str
    ttsn: int
    type: TxTypeName
    kind: str
    amount_fen: int
    balance_before_fen: int
    date_time: dt.datetime
    alg: AlgName
    hotlist_version: int
    line: str | None = None
    client_ref: str | None = None
    """The caller's idempotency key (local API), if any."""

    @property
    def counter_kind(self) -> str:
        return "load" if self.type == "load" else "debit"

    @property
    def balance_after_fen(self) -> int:
        sign = 1 if self.type == "load" else -1
        return self.balance_before_fen + sign * self.amount_fen


@dataclass(frozen=True)
class Entry:
    id: int
    card_no: str
    counter_kind: str
    card_atc: int
    terminal_id: str
    ttsn: int
    type: TxTypeName
    kind: str
    amount_fen: int
    balance_before_fen: int
    balance_after_fen: int
    date_time: str
    alg: str
    hotlist_version: int
    line: str | None
    status: Status
    tac: str | None
    mac2: str | None
    mac2_verified: bool | None
    detail: str | None
    uploaded: bool
    uploaded_at: str | None
    created_at: str
    updated_at: str
    client_ref: str | None = None
    dead_letter: str | None = None

    @property
    def when(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.date_time)

    def upload_record(self) -> dict[str, Any]:
        """The record of the clearing upload contract (``POST /v1/transactions``)."""
        return {
            "card_no": self.card_no, "card_atc": self.card_atc,
            "terminal_id": self.terminal_id, "ttsn": self.ttsn, "type": self.type,
            "amount_fen": self.amount_fen, "balance_after_fen": self.balance_after_fen,
            "date_time": self.date_time, "tac": self.tac or "", "alg": self.alg,
            "hotlist_version": self.hotlist_version,
        }

    def as_dict(self) -> dict[str, Any]:
        """The upload record plus status, upload state and the local details."""
        out = self.upload_record()
        out.update(id=self.id, status=self.status, uploaded=self.uploaded, kind=self.kind,
                   line=self.line, mac2=self.mac2, mac2_verified=self.mac2_verified,
                   balance_before_fen=self.balance_before_fen, detail=self.detail,
                   client_ref=self.client_ref,
                   dead_letter=self.dead_letter, uploaded_at=self.uploaded_at)
        return out


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="milliseconds")


class Journal:
    """The journal file. Open with :meth:`open`; close with :meth:`close` (or ``with``)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path | str, *, synchronous: str = "FULL") -> Journal:
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = connect(path, synchronous=synchronous)
            conn.row_factory = sqlite3.Row
            schema_check(conn, SCHEMA, path)  # refuses a journal newer than this program
            conn.executescript(_SCHEMA)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(entries)")}
            if "client_ref" not in columns:  # a journal written before the local API's keys
                conn.execute("ALTER TABLE entries ADD COLUMN client_ref TEXT")
            conn.executescript(_CLIENT_REF)
        except (sqlite3.Error, OSError) as exc:
            raise JournalError(f"cannot open the journal {path}: {exc}") from exc
        _one_completion_per_counter(conn, path)
        return cls(conn, path)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        try:
            with transaction(self._conn) as conn:
                yield conn
        except sqlite3.IntegrityError as exc:
            raise JournalConflict(path=self.path) from exc
        except sqlite3.Error as exc:
            raise JournalError(f"journal write failed: {exc}") from exc

    # -- writing -------------------------------------------------------------------------
    def claim_terminal(self, terminal_id: str, sam_kind: str) -> None:
        """Record that a SAM of ``sam_kind`` uses ``terminal_id``; :class:`TerminalIdClash`
        when a SAM of another kind already does in this journal."""
        with self._tx() as db:
            row = db.execute("SELECT sam_kind FROM terminals WHERE terminal_id = ?",
                             (terminal_id,)).fetchone()
            if row is None:
                db.execute("INSERT INTO terminals (terminal_id, sam_kind, since) VALUES (?,?,?)",
                           (terminal_id, sam_kind, _now()))
            elif row[0] != sam_kind:
                raise TerminalIdClash(terminal_id=terminal_id, kind=sam_kind, owner=row[0],
                                      path=self.path)

    def begin(self, new: NewEntry) -> int:
        """Write the entry ``pending`` (durably, before the card is asked to commit).

        :class:`JournalConflict` when the entry's key, or for a debit its terminal ID and
        TTSN, is already in the journal (nothing is written)."""
        now = _now()
        with self._tx() as db:
            if db.execute(
                    "SELECT 1 FROM entries WHERE card_no = ? AND counter_kind = ?"
                    " AND card_atc = ? AND terminal_id = ? AND ttsn = ?",
                    (new.card_no, new.counter_kind, new.card_atc, new.terminal_id,
                     new.ttsn)).fetchone():
                raise JournalConflict(card_no=new.card_no, atc=new.card_atc, path=self.path)
            if new.counter_kind == "debit" and db.execute(
                    "SELECT 1 FROM entries WHERE terminal_id = ? AND ttsn = ?"
                    " AND counter_kind = 'debit'", (new.terminal_id, new.ttsn)).fetchone():
                raise JournalConflict(code=ErrorCode.TTSN_REUSED, terminal_id=new.terminal_id,
                                      ttsn=new.ttsn, path=self.path)
            cur = db.execute(
                "INSERT INTO entries (card_no, counter_kind, card_atc, terminal_id, ttsn, type,"
                " kind, amount_fen, balance_before_fen, balance_after_fen, date_time, alg,"
                " hotlist_version, line, status, created_at, updated_at, client_ref)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,'pending',?,?,?)",
                (new.card_no, new.counter_kind, new.card_atc, new.terminal_id, new.ttsn,
                 new.type, new.kind, new.amount_fen, new.balance_before_fen,
                 new.balance_after_fen, new.date_time.isoformat(timespec="seconds"), new.alg,
                 new.hotlist_version, new.line, now, now, new.client_ref))
            assert cur.lastrowid is not None
            return cur.lastrowid

    def _set(self, entry_id: int, status: Status, **fields: Any) -> None:
        cols = ", ".join(f"{k} = ?" for k in fields)
        sets = f"status = ?, updated_at = ?{', ' if cols else ''}{cols}"
        with self._tx() as db:
            cur = db.execute(f"UPDATE entries SET {sets} WHERE id = ?",  # noqa: S608 - names are ours
                             (status, _now(), *fields.values(), entry_id))
            if cur.rowcount != 1:
                raise JournalError(f"no journal entry {entry_id}")

    def complete(self, entry_id: int, *, tac: bytes, mac2: bytes, mac2_verified: bool | None,
                 detail: str | None = None) -> None:
        self._set(entry_id, "completed", tac=tac.hex().upper(), mac2=mac2.hex().upper(),
                  mac2_verified=mac2_verified, detail=detail)

    def fail(self, entry_id: int, detail: str) -> None:
        self._set(entry_id, "failed", detail=detail)

    def mark_unknown(self, entry_id: int, detail: str) -> None:
        self._set(entry_id, "unknown", detail=detail)

    def mark_uploaded(self, entry_ids: Sequence[int]) -> None:
        now = _now()
        with self._tx() as db:
            db.executemany("UPDATE entries SET uploaded = 1, uploaded_at = ? WHERE id = ?",
                           [(now, i) for i in entry_ids])

    def dead_letter(self, entry_id: int, reason: str) -> None:
        """Keep a record the clearing side rejected, with the reason; it is never dropped."""
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO dead_letters (entry_id, reason, at) VALUES (?,?,?)",
                       (entry_id, reason, _now()))

    def next_load_seq(self) -> int:
        with self._tx() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'load_seq'").fetchone()
            value = int(row[0]) + 1 if row else 1
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('load_seq', ?)",
                       (str(value),))
        return value

    # -- reading -------------------------------------------------------------------------
    _SELECT = ("SELECT e.*, d.reason AS dead_letter FROM entries e"
               " LEFT JOIN dead_letters d ON d.entry_id = e.id")

    @staticmethod
    def _entry(row: sqlite3.Row) -> Entry:
        data = dict(row)
        data["uploaded"] = bool(data["uploaded"])
        if data["mac2_verified"] is not None:
            data["mac2_verified"] = bool(data["mac2_verified"])
        return Entry(**data)

    def get(self, entry_id: int) -> Entry:
        row = self._conn.execute(f"{self._SELECT} WHERE e.id = ?", (entry_id,)).fetchone()
        if row is None:
            raise JournalError(f"no journal entry {entry_id}")
        return self._entry(row)

    def entries(self, *, unresolved: bool = False, card_no: str | None = None,
                limit: int | None = None) -> list[Entry]:
        where, args = [], []
        if unresolved:
            where.append("e.status IN ('pending', 'unknown')")
        if card_no:
            where.append("e.card_no = ?")
            args.append(card_no)
        sql = self._SELECT + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY e.id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [self._entry(r) for r in self._conn.execute(sql, args)]

    def by_client_ref(self, client_ref: str) -> Entry | None:
        """The entry that holds ``client_ref`` (completed, or not yet resolved), if any."""
        row = self._conn.execute(
            f"{self._SELECT} WHERE e.client_ref = ? AND e.status != 'failed'",
            (client_ref,)).fetchone()
        return None if row is None else self._entry(row)

    def record_free_ride(self, card_no: str, card_type: str, line: str, terminal_id: str,
                         when: dt.datetime) -> int:
        """A free ride (seniors): nothing is taken from the purse; the validator records it."""
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO free_rides (card_no, card_type, line, terminal_id, date_time)"
                " VALUES (?,?,?,?,?)",
                (card_no, card_type, line, terminal_id, when.isoformat(timespec="seconds")))
            assert cur.lastrowid is not None
            return cur.lastrowid

    def free_rides(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM free_rides").fetchone()[0])

    def completed_owner(self, card_no: str, counter_kind: str, card_atc: int) -> int | None:
        """The id of the completed entry holding this card counter, if any (recovery)."""
        row = self._conn.execute(
            "SELECT id FROM entries WHERE card_no = ? AND counter_kind = ? AND card_atc = ?"
            " AND status = 'completed' ORDER BY id LIMIT 1", (card_no, counter_kind, card_atc)
        ).fetchone()
        return None if row is None else int(row[0])

    def unresolved(self, card_no: str | None = None) -> list[Entry]:
        return self.entries(unresolved=True, card_no=card_no)

    def to_upload(self, limit: int = 500) -> list[Entry]:
        """Completed, not yet acknowledged by clearing, not dead-lettered; oldest first."""
        rows = self._conn.execute(
            f"{self._SELECT} WHERE e.status = 'completed' AND e.uploaded = 0"
            " AND d.entry_id IS NULL ORDER BY e.id LIMIT ?", (limit,))
        return [self._entry(r) for r in rows]

    def counts(self, card_no: str | None = None) -> dict[str, int]:
        """Entries by status, not yet uploaded and dead letters (of one card if given)."""
        where, args = ("WHERE e.card_no = ?", (card_no,)) if card_no else ("", ())
        rows = self._conn.execute(
            f"SELECT e.status, COUNT(*) FROM entries e {where} GROUP BY e.status", args)  # noqa: S608
        out = {s: 0 for s in ("pending", "completed", "failed", "unknown")}
        out.update({r[0]: r[1] for r in rows})
        also = "AND e.card_no = ?" if card_no else ""
        waiting = ("SELECT COUNT(*) FROM entries e LEFT JOIN dead_letters d ON d.entry_id = e.id"
                   " WHERE e.status = 'completed' AND e.uploaded = 0 AND d.entry_id IS NULL ")
        out["not_uploaded"] = self._conn.execute(waiting + also, args).fetchone()[0]
        out["dead_letters"] = self._conn.execute(
            f"SELECT COUNT(*) FROM dead_letters d JOIN entries e ON e.id = d.entry_id {where}",  # noqa: S608
            args).fetchone()[0]
        return out

    # -- hotlist -------------------------------------------------------------------------
    def hotlist_version(self) -> int:
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'hotlist_version'").fetchone()
        return int(row[0]) if row else 0

    def is_hotlisted(self, card_no: str) -> bool:
        row = self._conn.execute("SELECT 1 FROM hotlist WHERE card_no = ?", (card_no,)).fetchone()
        return row is not None

    def replace_hotlist(self, version: int, cards: Sequence[str]) -> bool:
        """Install a hotlist if it is newer than ours; returns whether it was installed."""
        with self._tx() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'hotlist_version'").fetchone()
            if row and int(row[0]) >= version:
                return False
            db.execute("DELETE FROM hotlist")
            db.executemany("INSERT OR IGNORE INTO hotlist (card_no) VALUES (?)",
                           [(c,) for c in sorted(cards)])
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('hotlist_version', ?)",
                       (str(version),))
        return True

    def add_to_hotlist(self, version: int, cards: Sequence[str]) -> bool:
        """Merge the entries a newer hotlist version added; returns whether it was newer."""
        with self._tx() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'hotlist_version'").fetchone()
            if row and int(row[0]) >= version:
                return False
            db.executemany("INSERT OR IGNORE INTO hotlist (card_no) VALUES (?)",
                           [(c,) for c in cards])
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('hotlist_version', ?)",
                       (str(version),))
        return True

    def hotlist(self) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT card_no FROM hotlist ORDER BY card_no")]
