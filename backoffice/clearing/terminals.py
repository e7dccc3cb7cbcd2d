"""The fleet: every registered terminal, what it last said about itself, and which look stuck.

A terminal is registered once by its provisioning (``kioskctl provision``: terminal ID, PSAM ID,
role, location) with an administrator's token; the back office issues the terminal's own token
(scope ``terminal``; a kiosk also gets a ``kiosk`` token for the hall) and remembers which token
is whose. A heartbeat (``kioskctl heartbeat``, a timer unit on the terminal) carries the software
version, the hotlist version, the journal entries not yet uploaded and ``kioskctl doctor
--json``; the back office finds the terminal from the token that sent it, so no terminal can
speak for another. Registering again (a re-run provisioning, a replaced machine) revokes the old
tokens and issues new ones.

Flags (``backoffice terminals``): ``no_contact`` (no heartbeat for ``stale_after``),
``not_uploading`` (entries wait and nothing was received from it for ``stale_after``),
``unhealthy`` (its last doctor found something to fix), ``never_seen`` (registered, never
heard from).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from backoffice.db import Database

# S608: the f-strings join a constant column list and "?" placeholders, never a value.
# ruff: noqa: S608

__all__ = ["ROLES", "Heartbeat", "Registration", "TerminalRegistry", "TerminalRow", "flags_of"]

ROLES = ("kiosk", "canteen", "retail", "validator", "backoffice")
"""Who a terminal is: the kiosk, a canteen or supermarket (retail) till, a bus validator, or the
back office's own machine."""

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS terminals (
        terminal_id TEXT PRIMARY KEY,
        psam_id TEXT NOT NULL,
        role TEXT NOT NULL,
        location TEXT NOT NULL,
        name TEXT NOT NULL,
        token_id TEXT NOT NULL,
        hall_token_id TEXT NOT NULL,
        registered_at TEXT NOT NULL,
        last_contact TEXT,
        software_version TEXT,
        hotlist_version BIGINT,
        unsent BIGINT,
        healthy INTEGER,
        health TEXT)""",
    "CREATE INDEX IF NOT EXISTS terminals_token ON terminals (token_id)",
]
_COLS = ("terminal_id, psam_id, role, location, name, token_id, hall_token_id, registered_at, "
         "last_contact, software_version, hotlist_version, unsent, healthy, health")


@dataclass(frozen=True)
class Registration:
    terminal_id: str
    psam_id: str
    role: str
    location: str
    name: str


@dataclass(frozen=True)
class Heartbeat:
    software_version: str
    hotlist_version: int | None
    unsent: int
    health: Mapping[str, Any]
    """``kioskctl doctor --json`` as it printed it (``ok`` and ``checks``)."""


@dataclass(frozen=True)
class TerminalRow:
    terminal_id: str
    psam_id: str
    role: str
    location: str
    name: str
    token_id: str
    hall_token_id: str
    registered_at: str
    last_contact: str | None
    software_version: str | None
    hotlist_version: int | None
    unsent: int | None
    healthy: bool | None
    health: dict[str, Any] | None
    last_upload: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in vars(self).items() if k not in ("token_id", "hall_token_id")}
        return out


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def flags_of(row: TerminalRow, now: dt.datetime, stale_after: dt.timedelta) -> list[str]:
    """What looks wrong with a terminal (the module's doc), oldest cause first."""
    flags: list[str] = []
    if row.last_contact is None:
        flags.append("never_seen")
    elif now - dt.datetime.fromisoformat(row.last_contact) > stale_after:
        flags.append("no_contact")
    since = row.last_upload or row.registered_at
    if (row.unsent or 0) > 0 and now - dt.datetime.fromisoformat(since) > stale_after:
        flags.append("not_uploading")
    if row.healthy is False:
        flags.append("unhealthy")
    return flags


class TerminalRegistry:
    """The ``terminals`` table of the clearing database (SQLite or PostgreSQL)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def ensure_schema(self) -> None:
        self.db.run_script(_SCHEMA)

    def register(self, reg: Registration, token_id: str, hall_token_id: str,
                 now: str | None = None) -> str | None:
        """Record ``reg`` with its new tokens; the previous registration's token ids (to
        revoke), or None when it is new."""
        when = now or _now()
        with self.db.transaction(write=True) as tx:
            old = tx.one("SELECT token_id, hall_token_id FROM terminals WHERE terminal_id = ?",
                         (reg.terminal_id,))
            tx.execute("DELETE FROM terminals WHERE terminal_id = ?", (reg.terminal_id,))
            tx.execute(
                "INSERT INTO terminals (terminal_id, psam_id, role, location, name, token_id, "
                "hall_token_id, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (reg.terminal_id, reg.psam_id, reg.role, reg.location, reg.name, token_id,
                 hall_token_id, when))
        if old is None:
            return None
        return ",".join(t for t in (str(old[0]), str(old[1])) if t)

    def by_token(self, token_id: str) -> TerminalRow | None:
        with self.db.transaction() as tx:
            row = tx.one(f"SELECT {_COLS} FROM terminals WHERE token_id = ? OR "
                         "hall_token_id = ?", (token_id, token_id))
        return None if row is None else self._row(row, None)

    def heartbeat(self, token_id: str, beat: Heartbeat, now: str | None = None) -> bool:
        """Record what the terminal of ``token_id`` says; False when no terminal has it."""
        with self.db.transaction(write=True) as tx:
            found = tx.one("SELECT terminal_id FROM terminals WHERE token_id = ?", (token_id,))
            if found is None:
                return False
            tx.execute(
                "UPDATE terminals SET last_contact = ?, software_version = ?, "
                "hotlist_version = ?, unsent = ?, healthy = ?, health = ? WHERE token_id = ?",
                (now or _now(), beat.software_version, beat.hotlist_version, beat.unsent,
                 1 if beat.health.get("ok") else 0, json.dumps(dict(beat.health)), token_id))
        return True

    def all(self) -> list[TerminalRow]:
        """Every terminal with the time clearing last received one of its transactions."""
        with self.db.transaction() as tx:
            rows = tx.execute(f"SELECT {_COLS} FROM terminals ORDER BY terminal_id")
            last = dict(tx.execute(
                "SELECT terminal_id, MAX(received_at) FROM transactions GROUP BY terminal_id"))
        return [self._row(r, last.get(r[0])) for r in rows]

    @staticmethod
    def _row(r: tuple[Any, ...], last_upload: Any) -> TerminalRow:
        return TerminalRow(
            terminal_id=r[0], psam_id=r[1], role=r[2], location=r[3], name=r[4],
            token_id=r[5], hall_token_id=r[6], registered_at=r[7], last_contact=r[8],
            software_version=r[9], hotlist_version=None if r[10] is None else int(r[10]),
            unsent=None if r[11] is None else int(r[11]),
            healthy=None if r[12] is None else bool(r[12]),
            health=None if r[13] is None else json.loads(r[13]),
            last_upload=None if last_upload is None else str(last_upload)[:19])
