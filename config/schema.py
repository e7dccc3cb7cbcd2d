"""Schema versions of the terminal's local SQLite stores (journal, print queue, kiosk outbox).

Each store says which version of its layout it holds in ``PRAGMA user_version``. A program
opens a store with :func:`check` before it touches anything: a newer version than it knows is
refused (:class:`SchemaTooNew`, a configuration error: exit 4, one line), an older one is
refused too with "run kioskctl upgrade" (:class:`SchemaTooOld`), and version 0 (a new file, or
one written before versions existed, whose layout is version 1) is stamped with version 1.
``kioskctl upgrade`` backs a store up first (:func:`backup`: SQLite's online backup API, kept
beside it with a timestamp) and then migrates it forward one step at a time (:func:`migrate`),
each step in its own transaction with the new version.

Plumbing: the stores in drivers/, cardsvc/ and kiosk/ use it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from config.settings import ConfigError

__all__ = ["Schema", "SchemaTooNew", "SchemaTooOld", "backup", "check", "migrate", "version_of"]

Step = Callable[[sqlite3.Connection], None]


class SchemaTooNew(ConfigError):
    """The store was written by a newer program (exit 4)."""


class SchemaTooOld(ConfigError):
    """The store needs ``kioskctl upgrade`` first (exit 4)."""


@dataclass(frozen=True)
class Schema:
    name: str
    version: int
    """The version this program writes and reads."""
    steps: Mapping[int, Step] = field(default_factory=lambda: MappingProxyType({}))
    """``steps[n]`` migrates version n - 1 to n (for n = 2 .. version)."""


def version_of(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def check(conn: sqlite3.Connection, schema: Schema, path: Path | str) -> int:
    """The store's version, after refusing one this program cannot use (module doc)."""
    found = version_of(conn)
    if found > schema.version:
        raise SchemaTooNew(
            f"{path}: the {schema.name} has schema version {found}, newer than this program "
            f"knows ({schema.version}): install the newer version, or restore the backup beside "
            f"it / 数据版本比本程序新")
    if 0 < found < schema.version:
        raise SchemaTooOld(
            f"{path}: the {schema.name} has schema version {found}, this program needs "
            f"{schema.version}: run `kioskctl upgrade` / 请先运行 kioskctl upgrade")
    if found == 0:
        conn.execute(f"PRAGMA user_version = {int(schema.version)}")
    return schema.version


def backup(path: Path, now: dt.datetime | None = None) -> Path:
    """A consistent copy of the store beside it (``NAME.YYYYMMDDTHHMMSS.bak``), taken with the
    online backup API (safe while a program has it open)."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.{stamp}.bak")
    source = sqlite3.connect(path)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
    target.chmod(path.stat().st_mode & 0o777)
    return target


def migrate(conn: sqlite3.Connection, schema: Schema, path: Path | str) -> list[int]:
    """Migrate forward one step at a time; the versions reached (empty: nothing to do)."""
    found = version_of(conn)
    if found > schema.version:
        check(conn, schema, path)
    reached: list[int] = []
    for target in range(max(found, 1) + 1, schema.version + 1):
        step = schema.steps.get(target)
        if step is None:
            raise ConfigError(f"{path}: no migration of the {schema.name} to version {target}")
        conn.execute("BEGIN IMMEDIATE")
        try:
            step(conn)
            conn.execute(f"PRAGMA user_version = {int(target)}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        reached.append(target)
    if found == 0:
        conn.execute(f"PRAGMA user_version = {int(schema.version)}")
    return reached
