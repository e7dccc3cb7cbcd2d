"""``cardsvc readers [--json] [--backend URL]``: the readers, whether a card is in each, its ATR.

Errors are one line on stderr, with the exit codes of :mod:`config.cli` (3 when pcscd is not
running). The helpers here are shared with ``cardsvc apdu``.
"""

from __future__ import annotations

import argparse
import logging

from cardsvc.codes import ErrorCode
from cardsvc.messages import MESSAGES
from cardsvc.purse.client import translate_reader_error
from config.cli import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    fail,
    print_json,
    report,
)
from drivers.pcsc import (
    BackendSpi,
    CardRemoved,
    NoCard,
    PcscError,
    ReaderStatus,
    ReaderUnavailable,
    ServiceUnavailable,
    open_backend,
    to_hex,
)

DEFAULT_BACKEND = "pcsc://"


def add_backend_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", default=DEFAULT_BACKEND, metavar="URL",
                        help="reader backend URL: pcsc:// (pcscd) or memory:// "
                        f"(default {DEFAULT_BACKEND})")


def quiet_driver_logs() -> None:
    """Keep driver warnings off the terminal: a command prints one clear line per error."""
    logging.getLogger("drivers").addHandler(logging.NullHandler())


def open_backend_or_fail(prog: str, url: str) -> BackendSpi | int:
    """The backend for ``url``, or the exit code after printing why it cannot be had."""
    try:
        return open_backend(url)
    except ValueError as exc:
        return fail(prog, str(exc), EXIT_USAGE)
    except ImportError as exc:
        return fail(prog, f"the reader backend {url!r} cannot be loaded: {exc}", EXIT_UNAVAILABLE)


def reader_error(prog: str, exc: PcscError) -> int:
    """Print a reader-layer error as one line (Chinese / English); return its exit code."""
    if isinstance(exc, ServiceUnavailable):
        words = MESSAGES.words(ErrorCode.PCSC_UNAVAILABLE)
        return report(prog, f"{words.zh} / {words.en} (is pcscd running?): {exc}",
                      EXIT_UNAVAILABLE)
    if isinstance(exc, ReaderUnavailable | NoCard | CardRemoved):
        return report(prog, MESSAGES.line(translate_reader_error(exc)), EXIT_UNAVAILABLE)
    return report(prog, MESSAGES.line(translate_reader_error(exc)), EXIT_FAILED)


def status_rows(statuses: dict[str, ReaderStatus]) -> list[dict[str, object]]:
    return [{"name": name, "card_present": s.present,
             "atr": to_hex(s.atr) if s.present and s.atr else None,
             "available": s.available}
            for name, s in statuses.items()]


def main(argv: list[str], prog: str) -> int:
    parser = argparse.ArgumentParser(prog=prog, description="List the card readers, whether a "
                                     "card is in each, and its ATR.")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    add_backend_argument(parser)
    args = parser.parse_args(argv)
    quiet_driver_logs()
    backend = open_backend_or_fail(prog, args.backend)
    if isinstance(backend, int):
        return backend
    try:
        statuses = backend.reader_statuses()
    except PcscError as exc:
        return reader_error(prog, exc)
    finally:
        backend.close()
    rows = status_rows(statuses)
    if args.json:
        print_json({"readers": rows})
        return EXIT_OK if rows else EXIT_UNAVAILABLE
    if not rows:
        words = MESSAGES.words(ErrorCode.NO_READER)
        return report(prog, f"{words.zh} / {words.en}", EXIT_UNAVAILABLE)
    width = max(len("READER"), *(len(str(r["name"])) for r in rows))
    print(f"{'READER'.ljust(width)}  CARD  ATR")
    for row in rows:
        card = "yes" if row["card_present"] else ("n/a" if not row["available"] else "no")
        print(f"{str(row['name']).ljust(width)}  {card.ljust(4)}  {row['atr'] or '-'}")
    return EXIT_OK
