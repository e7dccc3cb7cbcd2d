"""What the ``backoffice`` subcommands share: options, settings, the database, error exits."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from backoffice.clearing.repository import Repository
from backoffice.clearing.service import ClearingService
from backoffice.clearing.settings import resolve_db_url
from backoffice.db import Database
from backoffice.errors import (
    BackofficeError,
    ConfigurationError,
    InvalidInput,
    StorageError,
)
from backoffice.messages import MESSAGES
from config.cli import EXIT_CONFIG, EXIT_FAILED, EXIT_UNAVAILABLE, EXIT_USAGE, Edge
from config.settings import ConfigError, Settings, load_settings

__all__ = ["EDGE", "add_common", "open_service", "parse_day", "parser", "run", "settings_of"]


def _words(exc: BaseException) -> str:
    if isinstance(exc, BackofficeError):
        return f"error: {exc.message_zh or MESSAGES.zh(exc)} / {exc}"
    return f"error: {exc}"


EDGE = Edge(
    exits=(
        (ConfigError, EXIT_CONFIG),
        (ConfigurationError, EXIT_CONFIG),
        (StorageError, EXIT_UNAVAILABLE),
        (InvalidInput, EXIT_USAGE),
        (BackofficeError, EXIT_FAILED),
    ),
    words=_words,
)
"""The ``backoffice`` commands' errors: one line (Chinese / English), the exit code of the
family (4 configuration, 3 database unavailable, 2 invalid input, 1 anything else)."""


def parser(prog: str, description: str) -> argparse.ArgumentParser:
    return argparse.ArgumentParser(prog=prog, description=description)


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="settings file (TOML)")
    p.add_argument("--db", metavar="URL",
                   help="database: sqlite:///PATH (default under var/) or postgresql://...; "
                        "also $BACKOFFICE_DB")


def settings_of(args: argparse.Namespace) -> Settings:
    """The settings of ``--config``, with the command line's ``--db`` (and the options of
    ``backoffice serve``) laid over them."""
    return load_settings(args.config, overrides={"clearing": {
        key: getattr(args, key, None) for key in ("db", "host", "port", "token")}})


def parse_day(text: str) -> dt.date:
    if text == "today":
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"not a date (YYYY-MM-DD or today): {text!r}") from None


@contextmanager
def open_service(args: argparse.Namespace) -> Iterator[ClearingService]:
    """The service over the database of ``--db`` (no keys: no TAC or MAC work from the CLI)."""
    settings = settings_of(args)
    db = Database(resolve_db_url(settings), pool_size=1)
    try:
        repo = Repository(db)
        repo.ensure_schema()
        yield ClearingService(repo, None)
    finally:
        db.close()


def run(prog: str, p: argparse.ArgumentParser, argv: list[str],
        body: Callable[[argparse.Namespace], int]) -> int:
    """Parse ``argv`` and run ``body``; every known error becomes one line and an exit code."""
    args = p.parse_args(argv)
    return EDGE.run(prog, lambda: body(args))
