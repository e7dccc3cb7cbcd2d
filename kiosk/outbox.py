"""The kiosk's durable outbox: an application made while the back office is down waits here
and is sent exactly once when it is back.

One SQLite file (WAL, ``synchronous=FULL``: a committed item survives a power cut) and one
folder per item for its pages (mode 0700, files 0600), copied out of the session's folder so
that the session's wipe does not take them. An item is ``waiting`` until a delivery succeeds
(``sent``: its payload and pages are deleted at once, only the case number is kept) or the back
office refuses it for good (``refused``: kept for a technician, payload deleted too). Delivery
is idempotent on the item's client token (the back office answers the same case to a retry),
so a crash between "the hall filed it" and "the outbox marked it sent" files nothing twice.

Items are delivered in order by one thread at a time (:meth:`Outbox.deliver_waiting`, called by
the kiosk's sender thread); a rating of an application still waiting is queued behind it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.schema import Schema
from config.schema import check as schema_check
from config.sqlite import connect, transaction

log = logging.getLogger(__name__)

VERSION = Schema("kiosk outbox", 1)
"""The outbox's layout version (``PRAGMA user_version``; config/schema.py)."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,                 -- application | rating
    client_token TEXT NOT NULL,
    payload TEXT,                       -- JSON; NULL once sent or refused
    state TEXT NOT NULL,                -- waiting | sent | refused
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    done_at TEXT,
    result TEXT,                        -- JSON: the back office's answer (number, ...)
    error TEXT                          -- the last failure's stable code
);
CREATE UNIQUE INDEX IF NOT EXISTS outbox_item ON outbox (kind, client_token);
"""


class Refused(Exception):
    """The back office refused an item for good (it will not be retried)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Item:
    id: int
    kind: str
    client_token: str
    payload: dict[str, Any]
    state: str
    attempts: int
    created_at: dt.datetime
    result: dict[str, Any] | None
    folder: Path


class Outbox:
    def __init__(self, folder: Path, clock: Callable[[], dt.datetime] = dt.datetime.now) -> None:
        self.folder = folder
        self.clock = clock
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._lock = threading.Lock()
        """One delivery at a time (the sender thread and a submit that tries at once)."""
        self._conn = connect(folder / "outbox.sqlite3", check_same_thread=False)
        self._db = threading.Lock()
        with self._db:
            schema_check(self._conn, VERSION, folder / "outbox.sqlite3")  # newer: refused
            self._conn.executescript(SCHEMA)
        (folder / "outbox.sqlite3").chmod(0o600)

    def close(self) -> None:
        with self._db:
            self._conn.close()

    # -- putting ------------------------------------------------------------------------------
    def put(self, kind: str, client_token: str, payload: dict[str, Any],
            files: dict[str, Path] | None = None) -> Item:
        """Keep an item (its ``files`` copied into the item's own folder, as ``payload``'s
        ``files`` names them). Putting the same (kind, client token) again returns the first."""
        existing = self.find(kind, client_token)
        if existing is not None:
            return existing
        now = self.clock()
        with self._db, transaction(self._conn):
            cur = self._conn.execute(
                "INSERT INTO outbox (kind, client_token, payload, state, created_at) "
                "VALUES (?, ?, ?, 'waiting', ?)",
                (kind, client_token, json.dumps(payload, ensure_ascii=False), now.isoformat()))
            item_id = int(cur.lastrowid or 0)
            folder = self._item_folder(item_id)
            folder.mkdir(mode=0o700, exist_ok=True)
            for name, source in (files or {}).items():
                target = folder / name
                shutil.copyfile(source, target)
                target.chmod(0o600)
        log.info("kiosk.outbox.put", extra={"event": "kiosk.outbox.put", "item": item_id,
                                            "kind": kind})
        item = self.get(item_id)
        assert item is not None
        return item

    # -- reading ------------------------------------------------------------------------------
    def _item_folder(self, item_id: int) -> Path:
        return self.folder / f"item-{item_id}"

    def _item(self, row: tuple[Any, ...]) -> Item:
        item_id, kind, token, payload, state, attempts, created, result = row
        return Item(item_id, kind, token, json.loads(payload) if payload else {}, state,
                    attempts, dt.datetime.fromisoformat(created),
                    json.loads(result) if result else None, self._item_folder(item_id))

    _COLUMNS = "id, kind, client_token, payload, state, attempts, created_at, result"

    def get(self, item_id: int) -> Item | None:
        with self._db:
            row = self._conn.execute(f"SELECT {self._COLUMNS} FROM outbox WHERE id = ?",  # noqa: S608 - constant columns
                                     (item_id,)).fetchone()
        return self._item(row) if row else None

    def find(self, kind: str, client_token: str) -> Item | None:
        with self._db:
            row = self._conn.execute(
                f"SELECT {self._COLUMNS} FROM outbox WHERE kind = ? AND client_token = ?",  # noqa: S608
                (kind, client_token)).fetchone()
        return self._item(row) if row else None

    def waiting(self) -> list[Item]:
        with self._db:
            rows = self._conn.execute(
                f"SELECT {self._COLUMNS} FROM outbox WHERE state = 'waiting' ORDER BY id"  # noqa: S608
            ).fetchall()
        return [self._item(r) for r in rows]

    def counts(self) -> dict[str, int]:
        with self._db:
            rows = self._conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state")
            return {state: n for state, n in rows}

    # -- delivering ---------------------------------------------------------------------------
    def deliver_waiting(self, deliver: Callable[[Item], dict[str, Any]],
                        only: int | None = None) -> int:
        """Deliver waiting items in order (or only item ``only``); stop at the first that
        cannot be delivered now (the back office is down: ``deliver`` raised anything but
        :class:`Refused`). Returns how many were delivered."""
        done = 0
        with self._lock:
            for item in self.waiting():
                if only is not None and item.id != only:
                    continue
                try:
                    result = deliver(item)
                except Refused as exc:
                    self._finish(item, "refused", None, exc.code)
                    continue
                except Exception as exc:  # noqa: BLE001 - the next pass tries again
                    self._attempted(item, type(exc).__name__)
                    log.info("kiosk.outbox.waiting: %s", type(exc).__name__,
                             extra={"event": "kiosk.outbox.waiting", "item": item.id})
                    break
                self._finish(item, "sent", result, None)
                done += 1
        return done

    def _attempted(self, item: Item, error: str) -> None:
        with self._db, transaction(self._conn):
            self._conn.execute("UPDATE outbox SET attempts = attempts + 1, error = ? "
                               "WHERE id = ?", (error, item.id))

    def _finish(self, item: Item, state: str, result: dict[str, Any] | None,
                error: str | None) -> None:
        with self._db, transaction(self._conn):
            self._conn.execute(
                "UPDATE outbox SET state = ?, payload = NULL, result = ?, error = ?, "
                "done_at = ?, attempts = attempts + 1 WHERE id = ? AND state = 'waiting'",
                (state, json.dumps(result) if result is not None else None, error,
                 self.clock().isoformat(), item.id))
        shutil.rmtree(item.folder, ignore_errors=True)
        log.info("kiosk.outbox.%s", state, extra={"event": f"kiosk.outbox.{state}",
                                                  "item": item.id, "kind": item.kind})
