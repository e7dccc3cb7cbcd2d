"""``kioskctl upgrade``: bring the terminal's local stores (journal, print queue, kiosk outbox)
to the schema versions of the installed programs, each backed up first.

    kioskctl upgrade [--config PATH] [--json]

Run it with the services stopped, after installing the new version. For each store that exists:
its version (``PRAGMA user_version``), a backup beside it when it needs migrating (SQLite online
backup, ``NAME.YYYYMMDDTHHMMSS.bak``), then the migrations one step at a time. A store newer than
this program is refused (exit 4) and left alone. Exit codes: 0 done, 4 configuration.
"""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path
from typing import Any

from config.cli import EXIT_CONFIG, EXIT_OK, fail, print_json
from config.schema import Schema, backup, migrate, version_of
from config.settings import ConfigError, Settings, load_settings

__all__ = ["stores", "upgrade"]


def stores(settings: Settings) -> list[tuple[Path, Schema]]:
    """The terminal's stores and the schema this install knows for each."""
    from cardsvc.journal import SCHEMA as JOURNAL  # noqa: PLC0415
    from drivers.printer.queue import SCHEMA as QUEUE  # noqa: PLC0415

    found = [(settings.var.journal, JOURNAL), (settings.var.print_queue, QUEUE)]
    outbox = settings.var_path(settings.kiosk.outbox_dir) / "outbox.sqlite3"
    try:
        from kiosk.outbox import VERSION as OUTBOX  # noqa: PLC0415
    except ImportError:  # pragma: no cover - kiosk/ ships with kioskctl
        return found
    return [*found, (outbox, OUTBOX)]


def versions(settings: Settings) -> list[dict[str, Any]]:
    """Each existing store's schema version (for export-support and doctor-like reports)."""
    out = []
    for path, schema in stores(settings):
        if path.exists():
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                out.append({"store": schema.name, "path": str(path),
                            "version": version_of(conn), "known": schema.version})
            finally:
                conn.close()
    return out


def upgrade(settings: Settings) -> list[dict[str, Any]]:
    """Upgrade every store; what was done per store (ConfigError for a newer one)."""
    done = []
    for path, schema in stores(settings):
        if not path.exists():
            continue
        conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        try:
            before = version_of(conn)
            if before > schema.version:
                migrate(conn, schema, path)  # raises SchemaTooNew
            saved = None
            if 0 < before < schema.version:
                saved = backup(path)
            reached = migrate(conn, schema, path)
            done.append({"store": schema.name, "path": str(path), "from": before,
                         "to": version_of(conn), "steps": reached,
                         "backup": str(saved) if saved else None})
        finally:
            conn.close()
    return done


def main(argv: list[str], prog: str) -> int:
    p = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    p.add_argument("--config", help="settings file (default: $CITIZEN_HALL_CONFIG ...)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    try:
        done = upgrade(load_settings(args.config))
    except ConfigError as exc:
        return fail(prog, f"配置错误 configuration error: {exc}", EXIT_CONFIG)
    if args.json:
        print_json({"stores": done})
    else:
        for d in done:
            what = (f"{d['from']} -> {d['to']} (backup {d['backup']})" if d["steps"]
                    else f"version {d['to']}, nothing to do")
            print(f"{d['store']}: {what}")
    return EXIT_OK
