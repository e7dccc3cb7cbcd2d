"""What the ``backoffice hall`` commands share: options, opening the service, error exits."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

from backoffice.cli_common import run, settings_of
from backoffice.hall.service import HallService
from backoffice.hall.settings import hall_settings

__all__ = ["add_common", "open_hall", "run"]


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="settings file (TOML)")
    p.add_argument("--db", metavar="URL",
                   help="hall database: sqlite:///PATH (default var/backoffice/hall.sqlite3) or "
                        "postgresql://...; also $HALL_DB")


@contextmanager
def open_hall(args: argparse.Namespace) -> Iterator[HallService]:
    settings = hall_settings(settings_of(args), db=args.db)
    svc = HallService(settings)
    try:
        yield svc
    finally:
        svc.close()
