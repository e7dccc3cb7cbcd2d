"""The clearing data and every SQL statement of the back office (same SQL on both databases).

Tables:

* ``transactions``: cleared records. Identity of a record (the idempotency key of the upload
  contract): (card_no, counter_kind, card_atc, terminal_id, ttsn). card-spec.md's "card counter"
  is two counters, so ``counter_kind`` says which: ``debit`` (offline ATC, purchases) or
  ``load`` (online ATC). Two stronger rules hold as unique indexes, because a card counter value
  is used by exactly one transaction and a PSAM TTSN by exactly one purchase:
  (card_no, counter_kind, card_atc) and, for debits, (terminal_id, ttsn). A record that matches
  a stored one on either but differs in anything is a *conflict*, not a duplicate.
* ``flagged``: suspect or unusable records (bad TAC, conflict, malformed), with the reason and
  the record as received. Never credited.
* ``cards``: issued cards and their balance at issue; ``hotlist`` and ``counters``
  (the hotlist version); ``load_authorisations``: every load authorisation asked, with outcome.
"""

from __future__ import annotations

# S608: the f-strings below join constant column lists and "?" placeholders, never a value.
# ruff: noqa: S608
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from backoffice.clearing.models import ReasonCode
from backoffice.db import Database, Tx
from backoffice.errors import Conflict

__all__ = ["Existing", "FlagRow", "Repository", "RowResult", "TxRow"]

_CHUNK = 400

_TX_COLS = ("card_no, counter_kind, card_atc, terminal_id, ttsn, type, amount_fen, "
            "balance_after_fen, date_time, tac, alg, hotlist_version")
_T_COLS = "t.id, " + ", ".join(f"t.{c}" for c in _TX_COLS.split(", "))
_FLAG_COLS = ("received_at, reason_code, reason, card_no, counter_kind, card_atc, terminal_id, "
              "ttsn, tx_date, existing_id, record")
_CARD_COLS = ("card_no, alg, issued_balance_fen, offline_atc, online_atc, card_type, "
              "registered_at")


def _schema(pk: str) -> list[str]:
    return [
        f"""CREATE TABLE IF NOT EXISTS transactions (
            id {pk},
            card_no TEXT NOT NULL,
            counter_kind TEXT NOT NULL CHECK (counter_kind IN ('debit', 'load')),
            card_atc INTEGER NOT NULL,
            terminal_id TEXT NOT NULL,
            ttsn BIGINT NOT NULL,
            type TEXT NOT NULL CHECK (type IN ('purchase', 'compound', 'load')),
            amount_fen BIGINT NOT NULL,
            balance_after_fen BIGINT NOT NULL,
            date_time TEXT NOT NULL,
            tac TEXT NOT NULL,
            alg TEXT NOT NULL,
            hotlist_version BIGINT NOT NULL,
            tx_date TEXT NOT NULL,
            received_at TEXT NOT NULL)""",
        "CREATE UNIQUE INDEX IF NOT EXISTS transactions_card_counter"
        " ON transactions (card_no, counter_kind, card_atc)",
        "CREATE UNIQUE INDEX IF NOT EXISTS transactions_terminal_ttsn"
        " ON transactions (terminal_id, ttsn) WHERE counter_kind = 'debit'",
        "CREATE INDEX IF NOT EXISTS transactions_day ON transactions (tx_date, terminal_id)",
        f"""CREATE TABLE IF NOT EXISTS flagged (
            id {pk},
            received_at TEXT NOT NULL,
            reason_code TEXT NOT NULL,
            reason TEXT NOT NULL,
            card_no TEXT, counter_kind TEXT, card_atc INTEGER, terminal_id TEXT, ttsn BIGINT,
            tx_date TEXT NOT NULL,
            existing_id BIGINT,
            record TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS flagged_day ON flagged (tx_date)",
        """CREATE TABLE IF NOT EXISTS cards (
            card_no TEXT PRIMARY KEY,
            alg TEXT NOT NULL,
            issued_balance_fen BIGINT NOT NULL,
            offline_atc INTEGER NOT NULL,
            online_atc INTEGER NOT NULL,
            card_type TEXT NOT NULL,
            registered_at TEXT NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS hotlist (
            card_no TEXT PRIMARY KEY,
            version BIGINT NOT NULL UNIQUE,
            reason TEXT NOT NULL,
            listed_at TEXT NOT NULL)""",
        "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
        "INSERT INTO counters (name, value) VALUES ('hotlist_version', 0) ON CONFLICT DO NOTHING",
        f"""CREATE TABLE IF NOT EXISTS load_authorisations (
            id {pk},
            card_no TEXT NOT NULL,
            online_atc INTEGER NOT NULL,
            terminal_id TEXT NOT NULL,
            amount_fen BIGINT NOT NULL,
            balance_before_fen BIGINT NOT NULL,
            date_time TEXT NOT NULL,
            outcome TEXT NOT NULL,
            reason TEXT NOT NULL,
            at TEXT NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS refunds (
            original_terminal_id TEXT NOT NULL,
            original_ttsn BIGINT NOT NULL,
            card_no TEXT NOT NULL,
            amount_fen BIGINT NOT NULL,
            online_atc INTEGER NOT NULL,
            authorised_at TEXT NOT NULL,
            PRIMARY KEY (original_terminal_id, original_ttsn))""",
    ]


@dataclass(frozen=True, slots=True)
class TxRow:
    """A verified record, normalised (``tac`` upper-case hex, ``date_time`` whole seconds)."""

    card_no: str
    counter_kind: str
    card_atc: int
    terminal_id: str
    ttsn: int
    type: str
    amount_fen: int
    balance_after_fen: int
    date_time: str
    tac: str
    alg: str
    hotlist_version: int

    @property
    def key(self) -> tuple[str, str, int, str, int]:
        """The idempotency key of the upload contract."""
        return (self.card_no, self.counter_kind, self.card_atc, self.terminal_id, self.ttsn)

    @property
    def counter_key(self) -> tuple[str, str, int]:
        return (self.card_no, self.counter_kind, self.card_atc)

    def content(self) -> tuple[Any, ...]:
        """What must be equal for a second copy to be a duplicate (not the hotlist version:
        it describes the terminal's state when it uploaded, not the transaction)."""
        return (self.type, self.amount_fen, self.balance_after_fen, self.date_time, self.tac,
                self.alg)

    def differences(self, other: TxRow) -> list[str]:
        names = ("card_no", "counter_kind", "card_atc", "terminal_id", "ttsn", "type",
                 "amount_fen", "balance_after_fen", "date_time", "tac", "alg")
        return [n for n in names if getattr(self, n) != getattr(other, n)]

    def params(self, received_at: str) -> tuple[Any, ...]:
        return (self.card_no, self.counter_kind, self.card_atc, self.terminal_id, self.ttsn,
                self.type, self.amount_fen, self.balance_after_fen, self.date_time, self.tac,
                self.alg, self.hotlist_version, self.date_time[:10], received_at)

    @classmethod
    def from_db(cls, row: Sequence[Any]) -> TxRow:
        return cls(*row[:12])


@dataclass(frozen=True, slots=True)
class Existing:
    id: int | None
    """None for a record stored earlier in the same batch."""
    row: TxRow
    index: int | None = None
    """For a record of the same batch: its index."""


@dataclass(frozen=True)
class FlagRow:
    """A rejected record kept for people to look at."""

    reason_code: ReasonCode
    reason: str
    record: str
    tx_date: str
    card_no: str | None = None
    counter_kind: str | None = None
    card_atc: int | None = None
    terminal_id: str | None = None
    ttsn: int | None = None
    existing_id: int | None = None

    @classmethod
    def for_row(cls, row: TxRow, code: ReasonCode, reason: str, record: str,
                existing_id: int | None = None) -> FlagRow:
        return cls(code, reason, record, row.date_time[:10], row.card_no, row.counter_kind,
                   row.card_atc, row.terminal_id, row.ttsn, existing_id)


@dataclass(frozen=True)
class RowResult:
    status: Literal["new", "duplicate", "conflict"]
    existing_id: int | None = None
    reason: str | None = None
    flag_id: int | None = None


@dataclass
class ReconInputs:
    """What a day's reconciliation needs (see :mod:`backoffice.clearing.reconcile`)."""

    day: dt.date
    day_rows: list[tuple[int, TxRow]] = field(default_factory=list)
    history: dict[str, list[tuple[int, TxRow]]] = field(default_factory=dict)
    cards: dict[str, dict[str, Any]] = field(default_factory=dict)
    flagged: list[dict[str, Any]] = field(default_factory=list)
    hotlist: dict[str, dict[str, Any]] = field(default_factory=dict)


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


class Repository:
    """Domain queries over a :class:`Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def ensure_schema(self) -> None:
        pk = ("INTEGER PRIMARY KEY" if self.db.kind == "sqlite"
              else "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
        self.db.run_script(_schema(pk))

    # ------------------------------------------------------------------ ingest

    def store_batch(self, rows: Sequence[TxRow], flags: Sequence[FlagRow], received_at: str,
                    record_json: Callable[[TxRow], str]) -> tuple[list[RowResult], list[int]]:
        """Store verified rows and flagged ones, atomically.

        Returns one :class:`RowResult` per row (conflicts are flagged here too, with
        ``record_json(row)`` as the record text) and the ids of ``flags`` in order.
        """
        results: list[RowResult] = []
        with self.db.transaction(write=True) as tx:
            by_counter, by_ttsn = self._existing(tx, rows)
            inserts: list[tuple[Any, ...]] = []
            conflicts: list[tuple[int, FlagRow]] = []
            for index, row in enumerate(rows):
                found = by_counter.get(row.counter_key)
                if found is None and row.counter_kind == "debit":
                    found = by_ttsn.get((row.terminal_id, row.ttsn))
                if found is None:
                    inserts.append(row.params(received_at))
                    mine = Existing(None, row, index)
                    by_counter[row.counter_key] = mine
                    if row.counter_kind == "debit":
                        by_ttsn[(row.terminal_id, row.ttsn)] = mine
                    results.append(RowResult("new"))
                elif found.row.key == row.key and found.row.content() == row.content():
                    results.append(RowResult("duplicate", found.id))
                else:
                    reason = _conflict_reason(row, found)
                    conflicts.append((index, FlagRow.for_row(row, "conflict", reason,
                                                             record_json(row), found.id)))
                    results.append(RowResult("conflict", found.id, reason))
            tx.insert_many("transactions", (*_TX_COLS.split(", "), "tx_date", "received_at"),
                           inserts)
            flag_ids = [self._insert_flag(tx, f, received_at) for f in flags]
            for index, flag in conflicts:
                flag_id = self._insert_flag(tx, flag, received_at)
                results[index] = RowResult("conflict", flag.existing_id, flag.reason, flag_id)
        return results, flag_ids

    def _existing(self, tx: Tx, rows: Sequence[TxRow]) -> tuple[
            dict[tuple[str, str, int], Existing], dict[tuple[str, int], Existing]]:
        by_counter: dict[tuple[str, str, int], Existing] = {}
        by_ttsn: dict[tuple[str, int], Existing] = {}
        # the keys as a VALUES list joined to the table: one index seek per key on both
        # databases (CROSS JOIN fixes SQLite's loop order; "IN (VALUES ...)" would scan)
        size = _CHUNK if tx.kind == "sqlite" else 10_000  # SQLite: bound the parameter count
        counter_keys = sorted({r.counter_key for r in rows})
        for chunk in _chunks(counter_keys, size):
            cte, params = tx.keys_cte("k", (("card_no", "text"), ("counter_kind", "text"),
                                            ("card_atc", "integer")), chunk)
            sql = (f"WITH {cte} SELECT {_T_COLS} FROM k CROSS JOIN transactions t"
                   " WHERE t.card_no = k.card_no AND t.counter_kind = k.counter_kind"
                   " AND t.card_atc = k.card_atc")
            for rec in tx.execute(sql, params):
                found = Existing(rec[0], TxRow.from_db(rec[1:]))
                by_counter[found.row.counter_key] = found
        ttsn_keys = sorted({(r.terminal_id, r.ttsn) for r in rows if r.counter_kind == "debit"})
        for chunk in _chunks(ttsn_keys, size):
            cte, params = tx.keys_cte("k", (("terminal_id", "text"), ("ttsn", "bigint")), chunk)
            sql = (f"WITH {cte} SELECT {_T_COLS} FROM k CROSS JOIN transactions t"
                   " WHERE t.counter_kind = 'debit' AND t.terminal_id = k.terminal_id"
                   " AND t.ttsn = k.ttsn")
            for rec in tx.execute(sql, params):
                found = Existing(rec[0], TxRow.from_db(rec[1:]))
                by_ttsn[(found.row.terminal_id, found.row.ttsn)] = found
        return by_counter, by_ttsn

    @staticmethod
    def _insert_flag(tx: Tx, flag: FlagRow, received_at: str) -> int:
        row = tx.one(
            f"INSERT INTO flagged ({_FLAG_COLS}) VALUES ({', '.join('?' * 11)}) RETURNING id",
            (received_at, flag.reason_code, flag.reason, flag.card_no, flag.counter_kind,
             flag.card_atc, flag.terminal_id, flag.ttsn, flag.tx_date, flag.existing_id,
             flag.record))
        assert row is not None
        return int(row[0])

    # ------------------------------------------------------------------ queries

    def transactions(self, *, card_no: str | None = None, day: dt.date | None = None,
                     after_id: int = 0, limit: int = 1000) -> list[dict[str, Any]]:
        where: list[str] = ["id > ?"]
        params: list[Any] = [after_id]
        if card_no is not None:
            where.append("card_no = ?")
            params.append(card_no)
        if day is not None:
            where.append("tx_date = ?")
            params.append(day.isoformat())
        sql = (f"SELECT id, {_TX_COLS}, received_at FROM transactions"
               f" WHERE {' AND '.join(where)} ORDER BY id LIMIT ?")
        names = ["id", *_TX_COLS.split(", "), "received_at"]
        with self.db.transaction() as tx:
            return [dict(zip(names, r, strict=True)) for r in tx.execute(sql, [*params, limit])]

    def flagged(self, *, day: dt.date | None = None, after_id: int = 0,
                limit: int = 1000) -> list[dict[str, Any]]:
        where = "id > ?"
        params: list[Any] = [after_id]
        if day is not None:
            where += " AND tx_date = ?"
            params.append(day.isoformat())
        names = ["id", *_FLAG_COLS.split(", ")]
        with self.db.transaction() as tx:
            rows = tx.execute(f"SELECT id, {_FLAG_COLS} FROM flagged WHERE {where}"
                              " ORDER BY id LIMIT ?", [*params, limit])
        return [dict(zip(names, r, strict=True)) for r in rows]

    # ------------------------------------------------------------------ hotlist

    def hotlist_version(self) -> int:
        with self.db.transaction() as tx:
            row = tx.one("SELECT value FROM counters WHERE name = 'hotlist_version'")
        return int(row[0]) if row else 0

    def hotlist_entry(self, card_no: str) -> dict[str, Any] | None:
        with self.db.transaction() as tx:
            row = tx.one("SELECT card_no, version, reason, listed_at FROM hotlist"
                         " WHERE card_no = ?", (card_no,))
        return _hot(row) if row else None

    def hotlist(self, since: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """The current version and the entries added after ``since``, sorted by card number."""
        with self.db.transaction() as tx:
            version_row = tx.one("SELECT value FROM counters WHERE name = 'hotlist_version'")
            rows = tx.execute("SELECT card_no, version, reason, listed_at FROM hotlist"
                              " WHERE version > ? ORDER BY card_no", (since,))
        return (int(version_row[0]) if version_row else 0), [_hot(r) for r in rows]

    def hotlist_add(self, card_no: str, reason: str, now: str) -> tuple[bool, int,
                                                                         dict[str, Any]]:
        """List a card; (added, current version, entry). Already listed: nothing changes."""
        with self.db.transaction(write=True) as tx:
            row = tx.one("SELECT card_no, version, reason, listed_at FROM hotlist"
                         " WHERE card_no = ?", (card_no,))
            if row is not None:
                current = tx.one("SELECT value FROM counters WHERE name = 'hotlist_version'")
                return False, int(current[0]) if current else 0, _hot(row)
            bumped = tx.one("UPDATE counters SET value = value + 1"
                            " WHERE name = 'hotlist_version' RETURNING value")
            assert bumped is not None
            version = int(bumped[0])
            tx.execute("INSERT INTO hotlist (card_no, version, reason, listed_at)"
                       " VALUES (?, ?, ?, ?)", (card_no, version, reason, now))
        return True, version, {"card_no": card_no, "version": version, "reason": reason,
                               "listed_at": now}

    # ------------------------------------------------------------------ cards

    def register_card(self, card: dict[str, Any], now: str) -> tuple[bool, dict[str, Any]]:
        """Register an issued card; the same data again is a no-op, different data a
        :class:`Conflict`."""
        names = _CARD_COLS.split(", ")
        with self.db.transaction(write=True) as tx:
            row = tx.one(f"SELECT {_CARD_COLS} FROM cards WHERE card_no = ?",
                         (card["card_no"],))
            if row is not None:
                stored = dict(zip(names, row, strict=True))
                same = all(stored[n] == card[n] for n in names if n != "registered_at")
                if not same:
                    raise Conflict(f"card {card['card_no']} is already registered with "
                                   "different data")
                return False, stored
            values = [card[n] for n in names if n != "registered_at"] + [now]
            tx.execute(f"INSERT INTO cards ({_CARD_COLS}) VALUES ({', '.join('?' * 7)})",
                       values)
        return True, dict(zip(names, values, strict=True))

    def cards(self) -> list[dict[str, Any]]:
        names = _CARD_COLS.split(", ")
        with self.db.transaction() as tx:
            rows = tx.execute(f"SELECT {_CARD_COLS} FROM cards ORDER BY card_no")
        return [dict(zip(names, r, strict=True)) for r in rows]

    def debit(self, terminal_id: str, ttsn: int) -> dict[str, Any] | None:
        """The stored purchase of ``terminal_id`` with ``ttsn``, if any."""
        names = ["id", *_TX_COLS.split(", ")]
        with self.db.transaction() as tx:
            row = tx.one(f"SELECT id, {_TX_COLS} FROM transactions WHERE terminal_id = ?"
                         " AND ttsn = ? AND counter_kind = 'debit'", [terminal_id, ttsn])
        return None if row is None else dict(zip(names, row, strict=True))

    def claim_refund(self, terminal_id: str, ttsn: int, card_no: str, amount_fen: int,
                     online_atc: int, at: str) -> bool:
        """Claim the refund of a purchase for a load at the card's ``online_atc``. Once per
        purchase; asked again with the same ``online_atc`` (the card's online counter has not
        moved: the earlier refund was never credited) it is granted again."""
        with self.db.transaction(write=True) as tx:
            row = tx.one("SELECT online_atc FROM refunds WHERE original_terminal_id = ?"
                         " AND original_ttsn = ?", [terminal_id, ttsn])
            if row is not None:
                return int(row[0]) == online_atc
            tx.execute("INSERT INTO refunds (original_terminal_id, original_ttsn, card_no,"
                       " amount_fen, online_atc, authorised_at) VALUES (?,?,?,?,?,?)",
                       [terminal_id, ttsn, card_no, amount_fen, online_atc, at])
            return True

    def record_load_authorisation(self, values: dict[str, Any]) -> None:
        cols = ("card_no", "online_atc", "terminal_id", "amount_fen", "balance_before_fen",
                "date_time", "outcome", "reason", "at")
        with self.db.transaction(write=True) as tx:
            tx.execute(f"INSERT INTO load_authorisations ({', '.join(cols)})"
                       f" VALUES ({', '.join('?' * len(cols))})", [values[c] for c in cols])

    # ------------------------------------------------------------------ reconciliation

    def reconciliation_inputs(self, day: dt.date) -> ReconInputs:
        """The day's records, the full history (to the end of the day) of the cards active
        that day, their registrations and hotlist entries, and the day's flagged records."""
        out = ReconInputs(day)
        end = (day + dt.timedelta(days=1)).isoformat()
        with self.db.transaction() as tx:
            for rec in tx.execute(f"SELECT id, {_TX_COLS} FROM transactions WHERE tx_date = ?"
                                  " ORDER BY id", (day.isoformat(),)):
                out.day_rows.append((rec[0], TxRow.from_db(rec[1:])))
            active = sorted({row.card_no for _, row in out.day_rows})
            for chunk in _chunks(active):
                marks = ", ".join("?" * len(chunk))
                for rec in tx.execute(f"SELECT id, {_TX_COLS} FROM transactions"
                                      f" WHERE card_no IN ({marks}) AND date_time < ?",
                                      [*chunk, end]):
                    out.history.setdefault(rec[1], []).append((rec[0], TxRow.from_db(rec[1:])))
                names = _CARD_COLS.split(", ")
                for rec in tx.execute(f"SELECT {_CARD_COLS} FROM cards"
                                      f" WHERE card_no IN ({marks})", chunk):
                    out.cards[rec[0]] = dict(zip(names, rec, strict=True))
                for rec in tx.execute("SELECT card_no, version, reason, listed_at FROM hotlist"
                                      f" WHERE card_no IN ({marks})", chunk):
                    out.hotlist[rec[0]] = _hot(rec)
            names = ["id", *_FLAG_COLS.split(", ")]
            for rec in tx.execute(f"SELECT id, {_FLAG_COLS} FROM flagged WHERE tx_date = ?"
                                  " ORDER BY id", (day.isoformat(),)):
                out.flagged.append(dict(zip(names, rec, strict=True)))
        return out


def _hot(row: Sequence[Any]) -> dict[str, Any]:
    return {"card_no": row[0], "version": int(row[1]), "reason": row[2], "listed_at": row[3]}


def _conflict_reason(row: TxRow, found: Existing) -> str:
    where = (f"transaction {found.id}" if found.id is not None
             else f"record {found.index} of this batch")
    if found.row.counter_key != row.counter_key:
        return (f"terminal {row.terminal_id} TTSN {row.ttsn} was already used by {where} "
                f"(card {found.row.card_no}, {found.row.counter_kind} counter "
                f"{found.row.card_atc})")
    diff = ", ".join(found.row.differences(row))
    return (f"card {row.card_no} {row.counter_kind} counter {row.card_atc} was already "
            f"cleared as {where} with different {diff}")
