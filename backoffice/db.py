"""Database access: one small layer over SQLite (default) and PostgreSQL (by URL).

The SQL is written once, with ``?`` placeholders; for PostgreSQL they become ``%s``. The few
places where the dialects differ (the identity column, serialising writers) live here.

URLs:

* ``sqlite:///var/backoffice.sqlite3`` (relative path), ``sqlite:////srv/bo.sqlite3``
  (absolute), or a bare file path. WAL journal, ``synchronous=FULL`` (an acknowledged upload
  survives a power cut), a busy timeout for concurrent writers.
* ``postgresql://user:password@host:port/dbname`` (or ``postgres://``; any libpq conninfo URL,
  e.g. ``postgresql:///db?host=/run/postgresql``).

Connections come from a small pool owned by the :class:`Database` object (no module state).
Write transactions are serialised: ``BEGIN IMMEDIATE`` on SQLite, a transaction-scoped advisory
lock on PostgreSQL, so a check-then-insert (duplicate detection) is atomic on both.
Every driver error becomes :class:`~backoffice.errors.StorageError`, whose message never shows
a password or statement parameters.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import psycopg

from backoffice.errors import ConfigurationError, StorageError
from config.sqlite import connect, transaction

__all__ = ["Database", "DatabaseUrl", "Tx", "parse_url"]

log = logging.getLogger(__name__)

Kind = Literal["sqlite", "postgresql"]
_WRITE_LOCK_ID = 0x0B0FF1CE  # the advisory lock that serialises PostgreSQL writers
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


@dataclass(frozen=True)
class DatabaseUrl:
    kind: Kind
    target: str
    """The SQLite file path, or the PostgreSQL conninfo URL."""

    def redacted(self) -> str:
        """For messages and logs: the URL with any password hidden."""
        if self.kind == "sqlite":
            return f"sqlite:///{self.target}"
        return _PASSWORD.sub(r"\1***@", self.target)


def parse_url(url: str) -> DatabaseUrl:
    """Parse a database URL; :class:`ConfigurationError` when it is not one we serve."""
    text = url.strip()
    if not text:
        raise ConfigurationError("empty database URL")
    if text.startswith(("postgresql://", "postgres://")):
        return DatabaseUrl("postgresql", text)
    if text.startswith("sqlite:"):
        rest = text[len("sqlite:"):]
        if not rest.startswith("///") or len(rest) == 3:
            raise ConfigurationError(
                "a SQLite URL is sqlite:///relative/path or sqlite:////absolute/path")
        path = rest[3:]
    elif "://" in text:
        scheme = text.split("://", 1)[0]
        raise ConfigurationError(
            f"unsupported database URL scheme {scheme!r} (use sqlite:/// or postgresql://)")
    else:
        path = text
    if path in (":memory:", "") or path.startswith("file:"):
        raise ConfigurationError("an in-memory SQLite database is not supported; use a file")
    return DatabaseUrl("sqlite", path)


class Tx:
    """One transaction on one connection: run statements written with ``?`` placeholders."""

    def __init__(self, cursor: Any, kind: Kind) -> None:
        self._cur = cursor
        self.kind: Kind = kind

    def _sql(self, sql: str) -> str:
        return sql if self.kind == "sqlite" else sql.replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement and return its rows (empty for statements without rows)."""
        self._cur.execute(self._sql(sql), tuple(params))
        if self._cur.description is None:
            return []
        return list(self._cur.fetchall())

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        rows = self.execute(sql, params)
        return rows[0] if rows else None

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement for many parameter rows (batched by the driver)."""
        if rows:
            self._cur.executemany(self._sql(sql), rows)

    def keys_cte(self, name: str, columns: Sequence[tuple[str, str]],
                 rows: Sequence[Sequence[Any]]) -> tuple[str, list[Any]]:
        """A common table expression ``name`` holding ``rows``, to join to a table.

        ``columns`` are (name, SQL type) pairs. SQLite: a ``VALUES`` list (one parameter per
        value). PostgreSQL: ``unnest`` of one array parameter per column, so the statement
        stays short and is prepared once whatever the number of rows (a long ``VALUES`` list
        costs PostgreSQL and psycopg more than the lookup itself). Returns (SQL, params).
        """
        names = ", ".join(c for c, _ in columns)
        if self.kind == "sqlite":
            one = "(" + ", ".join("?" * len(columns)) + ")"
            return (f"{name} ({names}) AS (VALUES {', '.join([one] * len(rows))})",
                    [v for row in rows for v in row])
        arrays = ", ".join(f"%s::{kind}[]" for _, kind in columns)
        return (f"{name} AS (SELECT * FROM unnest({arrays}) AS u ({names}))",  # noqa: S608
                [list(col) for col in zip(*rows, strict=True)] if rows
                else [[] for _ in columns])

    def insert_many(self, table: str, columns: Sequence[str],
                    rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows fast: ``executemany`` on SQLite, ``COPY ... FROM STDIN`` on PostgreSQL.

        ``table`` and ``columns`` are identifiers of ours, never input. A row that breaks a
        constraint fails the whole transaction on PostgreSQL.
        """
        if not rows:
            return
        cols = ", ".join(columns)
        if self.kind == "sqlite":
            marks = ", ".join("?" * len(columns))
            self._cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})",  # noqa: S608
                                  rows)
            return
        with self._cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


class Database:
    """A pool of connections to one database, and transactions over them."""

    def __init__(self, url: str, *, pool_size: int = 4, acquire_timeout_s: float = 30.0) -> None:
        self.url = parse_url(url)
        self.kind: Kind = self.url.kind
        self._pool_size = max(1, pool_size)
        self._timeout = acquire_timeout_s
        self._idle: queue.LifoQueue[Any] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._sqlite_writer = threading.Lock()
        self._opened = 0
        self._closed = False
        if self.kind == "sqlite":
            Path(self.url.target).parent.mkdir(parents=True, exist_ok=True)
        # fail early, with a clear message, when the database cannot be reached
        conn = self._connect()
        self._idle.put(conn)

    def __repr__(self) -> str:
        return f"Database({self.url.redacted()!r})"

    # ------------------------------------------------------------------ connections

    def _connect(self) -> Any:
        with self._lock:
            if self._opened >= self._pool_size:
                raise RuntimeError("pool exhausted")  # callers check before calling
            self._opened += 1
        try:
            return self._open_one()
        except BaseException:
            with self._lock:
                self._opened -= 1
            raise

    def _open_one(self) -> Any:
        if self.kind == "sqlite":
            try:
                conn = connect(self.url.target, timeout=30.0, check_same_thread=False)
                conn.execute("PRAGMA cache_size=-65536")  # 64 MiB: index pages stay hot
            except sqlite3.Error as exc:
                raise StorageError(
                    f"cannot open SQLite database {self.url.redacted()}: {exc}") from None
            return conn
        try:
            return psycopg.connect(self.url.target, autocommit=False, connect_timeout=10)
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StorageError(
                f"cannot connect to PostgreSQL {self.url.redacted()}: {first}") from None

    def _acquire(self) -> Any:
        if self._closed:
            raise StorageError("the database has been closed")
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            can_open = self._opened < self._pool_size
        if can_open:
            return self._connect()
        try:
            return self._idle.get(timeout=self._timeout)
        except queue.Empty:
            raise StorageError("no database connection free (pool exhausted)") from None

    def _release(self, conn: Any, *, broken: bool) -> None:
        if broken or self._closed:
            with self._lock:
                self._opened -= 1
            try:
                conn.close()
            except Exception:  # closing a broken connection may fail too
                log.debug("closing a broken connection failed", exc_info=True)
            return
        self._idle.put(conn)

    def close(self) -> None:
        """Close every idle connection; connections in use close when released."""
        self._closed = True
        while True:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                break
            with self._lock:
                self._opened -= 1
            conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ transactions

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Tx]:
        """A transaction: committed when the block ends, rolled back on an exception.

        ``write=True`` serialises it with every other writer (see the module docstring).
        """
        conn = self._acquire()
        broken = False
        try:
            if self.kind == "sqlite":
                yield from self._sqlite_tx(conn, write)
            else:
                yield from self._pg_tx(conn, write)
        except (sqlite3.Error, psycopg.Error) as exc:
            broken = self._is_broken(conn)
            raise StorageError(f"database error ({self.kind}): {_summary(exc)}") from None
        finally:
            self._release(conn, broken=broken)

    def _sqlite_tx(self, conn: sqlite3.Connection, write: bool) -> Iterator[Tx]:
        # writers of this process queue on a lock (woken at once) rather than in SQLite's
        # busy handler (which sleeps and polls); other processes still meet busy_timeout
        with self._sqlite_writer if write else contextlib.nullcontext(), \
                transaction(conn, write=write):
            yield Tx(conn.cursor(), "sqlite")

    def _pg_tx(self, conn: psycopg.Connection[Any], write: bool) -> Iterator[Tx]:
        try:
            with conn.cursor() as cur:
                if write:
                    cur.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK_ID,))
                yield Tx(cur, "postgresql")
        except BaseException:
            if not conn.closed:
                try:
                    conn.rollback()
                except psycopg.Error:
                    log.debug("rollback failed", exc_info=True)
            raise
        conn.commit()

    def _is_broken(self, conn: Any) -> bool:
        if self.kind == "sqlite":
            return False
        return bool(conn.closed or conn.broken)

    def run_script(self, statements: Sequence[str]) -> None:
        """Run DDL statements in one write transaction."""
        with self.transaction(write=True) as tx:
            for statement in statements:
                tx.execute(statement)


def _summary(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
