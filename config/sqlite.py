"""SQLite the one way every store of the stack uses it (journal, print queue, back office).

    conn = connect(path)                       # WAL, synchronous=FULL, foreign keys, autocommit
    with transaction(conn, write=True):        # BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error)
        conn.execute("INSERT ...")

A write transaction takes the database's write lock at ``BEGIN`` (``IMMEDIATE``), so a
check-then-write inside it is atomic and two writers never deadlock upgrading a read lock; a
waiting writer gets the busy timeout. ``synchronous=FULL`` makes a committed transaction survive
a power cut. Plumbing: imports nothing of ours.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["connect", "transaction"]


def connect(path: str | Path, *, synchronous: str = "FULL", timeout: float = 30.0,
            check_same_thread: bool = True) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit: :func:`transaction`), WAL
    journal, the given ``synchronous`` level and foreign keys on. Raises ``sqlite3.Error``."""
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None,
                           check_same_thread=check_same_thread)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={synchronous}")
        conn.execute("PRAGMA foreign_keys=ON")
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection, *, write: bool = True) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` (``write``) or ``BEGIN`` ... ``COMMIT``; ``ROLLBACK`` on any
    exception, which is raised again. ``conn`` must be in autocommit mode."""
    conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
