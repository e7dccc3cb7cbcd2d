"""The hall's database: its own SQLAlchemy engine, transactions, migrations.

It shares nothing with clearing's :class:`backoffice.db.Database` (no pool, no write lock): a
rating never waits behind a 5,000-record upload. SQLite (default, a file under ``var/``): WAL,
``synchronous=FULL``, a busy timeout, and ``BEGIN IMMEDIATE`` for writers so that two writers
never deadlock on a lock upgrade; this process's writers queue on a lock of their own.
PostgreSQL: READ COMMITTED; the few counters that must not be read twice are updated in place
(row locks). Every driver error becomes
:class:`~backoffice.errors.StorageError` whose message shows neither a password nor parameters.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event, exc

from backoffice.db import DatabaseUrl, parse_url
from backoffice.errors import StorageError

__all__ = ["HallStore", "insert_ignore"]

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")
_WRITE = "hall_write"


def _summary(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error
    text = str(cause).strip()
    return text.splitlines()[0] if text else type(cause).__name__


class HallStore:
    """An engine over one database URL (``sqlite:///...`` or ``postgresql://...``)."""

    def __init__(self, url: str, *, pool_size: int = 5, overflow: int = 35) -> None:
        """``pool_size`` connections kept, up to ``overflow`` more under load (the HTTP
        server runs up to 40 requests at once in its thread pool)."""
        self.url: DatabaseUrl = parse_url(url)
        self.kind = self.url.kind
        self._writer = threading.Lock()
        if self.kind == "sqlite":
            Path(self.url.target).parent.mkdir(parents=True, exist_ok=True)
            target = self.url.target

            def sqlite_connect() -> sqlite3.Connection:
                return sqlite3.connect(target, isolation_level=None, check_same_thread=False,
                                       timeout=30.0)

            self.engine = sa.create_engine("sqlite+pysqlite://", creator=sqlite_connect,
                                           pool_size=pool_size, max_overflow=overflow,
                                           poolclass=sa.pool.QueuePool)
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        else:
            conninfo = self.url.target

            def pg_connect() -> psycopg.Connection[Any]:
                return psycopg.connect(conninfo, connect_timeout=10)

            self.engine = sa.create_engine("postgresql+psycopg://", creator=pg_connect,
                                           pool_size=pool_size, max_overflow=overflow,
                                           pool_pre_ping=True)
        try:
            with self.engine.connect():
                pass
        except exc.SQLAlchemyError as error:
            self.engine.dispose()
            what = "SQLite database" if self.kind == "sqlite" else "PostgreSQL"
            raise StorageError(f"cannot open {what} {self.url.redacted()}: "
                               f"{_summary(error)}") from None

    def __repr__(self) -> str:
        return f"HallStore({self.url.redacted()!r})"

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A read transaction (a consistent snapshot on SQLite)."""
        with self._tx(write=False) as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A write transaction: committed at the end of the block, rolled back on error."""
        with self._tx(write=True) as conn:
            yield conn

    @contextmanager
    def _tx(self, *, write: bool) -> Iterator[sa.Connection]:
        # SQLite has one writer at a time: this process's writers queue on a lock (woken at
        # once, in order) rather than in SQLite's busy handler (which sleeps and polls)
        queue = self._writer if write and self.kind == "sqlite" else contextlib.nullcontext()
        try:
            with queue, self.engine.connect() as raw:
                conn = raw.execution_options(**{_WRITE: write})
                with conn.begin():
                    yield conn
        except exc.SQLAlchemyError as error:
            raise StorageError(f"database error ({self.kind}): {_summary(error)}") from None

    def migrate(self) -> None:
        """Bring the schema to the newest migration (Alembic ``upgrade head``)."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self.engine.connect() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                conn.commit()
        except exc.SQLAlchemyError as error:
            raise StorageError(f"cannot migrate the hall database: {_summary(error)}") from None

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000",
                   "foreign_keys=ON"):
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    write = conn.get_execution_options().get(_WRITE, True)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def insert_ignore(conn: sa.Connection, table: sa.Table, values: dict[str, Any]) -> bool:
    """INSERT unless a row with the same key exists (ON CONFLICT DO NOTHING); True if inserted."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert  # noqa: PLC0415

        stmt: Any = pg_insert(table).values(**values).on_conflict_do_nothing()
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert  # noqa: PLC0415

        stmt = sqlite_insert(table).values(**values).on_conflict_do_nothing()
    return bool(conn.execute(stmt).rowcount)
