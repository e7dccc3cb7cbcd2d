"""``kioskctl idcard``: the resident ID-card reader, for technicians.

    kioskctl idcard read [--port URL] [--json] [--full]    read the card on the reader
    kioskctl idcard status [--port URL] [--json]           reset the reader and check its SAM

The reader is ``[idcard] url`` of the settings unless ``--port`` is given. The ID number is
masked (``4102**********1234``) unless ``--full``, in the table and in the JSON alike.
Exit codes: 0 read, 1 the reader or the card answered wrongly, 2 usage, 3 no reader / silent
reader / no card, 4 configuration.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import unicodedata

from config.cli import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_UNAVAILABLE,
    fail,
    print_json,
)
from config.runtime import configure_logging
from config.settings import ConfigError, load_settings
from drivers.idcard import (
    LONG_TERM,
    Citizen,
    IdCardError,
    NoCard,
    ReaderTimeout,
    ReaderUnavailable,
    open_reader,
)
from kiosk.ctl.messages import MESSAGES


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Resident ID-card reader (SAM-V).")
    sub = parser.add_subparsers(dest="action", required=True)
    for name, text in (
        ("read", "read the card on the reader"),
        ("status", "reset the reader and check its SAM"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument(
            "--port",
            metavar="URL",
            help="pyserial URL or device (default: [idcard] url of the settings)",
        )
        p.add_argument("--timeout", type=float, default=3.0, help="seconds per command")
        p.add_argument("--json", action="store_true", help="print JSON for scripts")
        p.add_argument("--config", help="settings file (default: $CITIZEN_HALL_CONFIG ...)")
        p.add_argument("-v", "--verbose", action="store_true", help="log the exchanges")
        if name == "read":
            p.add_argument(
                "--full",
                action="store_true",
                help="show the whole ID number (personal data: use with care)",
            )
    return parser


def citizen_lines(
    citizen: Citizen, *, full: bool = False, today: dt.date | None = None
) -> list[str]:
    """The citizen as a technician reads it, one field per line."""
    valid_to = citizen.valid_to.isoformat() if citizen.valid_to else LONG_TERM
    rows = [
        ("姓名 name", citizen.name),
        ("性别 sex", citizen.sex),
        ("民族 nation", citizen.nation),
        ("出生 born", citizen.birth_date.isoformat()),
        ("住址 address", citizen.address),
        ("公民身份号码 ID", citizen.id_number if full else citizen.id_masked),
        ("签发机关 issued by", citizen.authority),
        ("有效期限 valid", f"{citizen.valid_from.isoformat()} - {valid_to}"),
        ("照片 photo", f"{len(citizen.photo)} bytes (kept as read, not decoded)"),
    ]
    width = max(_width(label) for label, _ in rows) + 2
    lines = [f"{label}{' ' * (width - _width(label))}{value}" for label, value in rows]
    if citizen.expired(today):
        lines.append("warning: this card has expired; ask for a valid document")
    return lines


def _width(text: str) -> int:
    """Columns taken on a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")


def _exit_code(exc: IdCardError) -> int:
    if isinstance(exc, ReaderUnavailable | ReaderTimeout | NoCard):
        return EXIT_UNAVAILABLE
    return EXIT_FAILED


def main(argv: list[str], prog: str) -> int:
    args = _parser(prog).parse_args(argv)
    if args.verbose:
        configure_logging(logging.DEBUG)
    url = args.port
    if url is None:
        try:
            url = load_settings(args.config).idcard.url
        except ConfigError as exc:
            return fail(prog, str(exc), EXIT_CONFIG)
        if not url:
            return fail(prog, "配置错误 configuration error: no ID-card reader configured "
                        "([idcard] url is empty; or give --port URL)", EXIT_CONFIG)
    try:
        with open_reader(url, timeout=args.timeout) as reader:
            if args.action == "status":
                reader.reset()
                reader.sam_status()
                present = reader.find_card()
            else:
                citizen = reader.read_card()
    except IdCardError as exc:
        return fail(prog, MESSAGES.line(exc), _exit_code(exc))
    if args.action == "status":
        if args.json:
            print_json({"reader": url, "sam": "ok", "card_present": present})
        else:
            _say(f"reader {url}: SAM ok, {'a card is' if present else 'no card'} on the reader")
        return EXIT_OK
    if args.json:
        print_json(citizen.as_dict(full=args.full) | {"expired": citizen.expired()})
    else:
        _say("\n".join(citizen_lines(citizen, full=args.full)))
    return EXIT_OK
