"""``cardsvc apdu HEX... [--reader NAME] [--trace] [--json]``: send raw APDUs to a card.

Each HEX argument is one C-APDU (spaces allowed inside a quoted argument). For each one the
R-APDU is printed as ``DATA SW`` (just ``SW`` when there is no data), after the channel has done
any ``61xx`` GET RESPONSE / ``6Cxx`` re-issue. ``--trace`` writes the APDU trace to stderr, with
PINs and keys redacted. The reader is ``--reader``, else the one named in ``--backend``
(``pcsc://NAME``), else the first reader with a card.

Exit codes (config.cli): 0 sent (whatever the status words), 1 exchange failed or timed out,
2 malformed hex or arguments, 3 no pcscd / unknown reader / no card / card removed.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from cardsvc.cli_readers import (
    add_backend_argument,
    open_backend_or_fail,
    quiet_driver_logs,
    reader_error,
)
from config.cli import EXIT_OK, EXIT_USAGE, fail, print_json
from drivers.pcsc import (
    BackendSpi,
    CardChannel,
    NoCard,
    PcscError,
    ReaderUnavailable,
    Response,
    parse_apdu,
    split_url,
    to_hex,
)
from drivers.pcsc.trace import LOGGER_NAME, format_command, is_sensitive


def _parser(prog: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description="Send raw APDUs to the card and print "
                                "each answer as DATA SW.")
    p.add_argument("apdus", nargs="+", metavar="HEX", help="one C-APDU in hex, e.g. 00A4040000")
    p.add_argument("--reader", metavar="NAME", help="reader name (default: first with a card)")
    p.add_argument("--trace", action="store_true",
                   help="write the APDU trace to stderr (PINs and keys redacted)")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="wait this long for a card to be inserted (default 0)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                   help="time limit for each APDU exchange (default 10)")
    add_backend_argument(p)
    return p


def _enable_trace() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("trace %(message)s"))
    trace = logging.getLogger(LOGGER_NAME)
    trace.addHandler(handler)
    trace.setLevel(logging.DEBUG)


def pick_reader(backend: BackendSpi, wanted: str | None) -> str:
    """``wanted`` if it exists, else the first reader with a card. Raises PcscError."""
    statuses = backend.reader_statuses()
    if wanted is not None:
        if wanted not in statuses:
            known = ", ".join(repr(name) for name in statuses) or "none"
            raise ReaderUnavailable(f"no reader named {wanted!r} (readers: {known})")
        return wanted
    for name, status in statuses.items():
        if status.present:
            return name
    if not statuses:
        raise ReaderUnavailable("no card reader is attached")
    raise NoCard("no card in any reader (" + ", ".join(repr(n) for n in statuses) + ")")


def _row(apdu: bytes, response: Response) -> dict[str, Any]:
    return {"command": format_command(apdu, redact=is_sensitive(apdu)),
            "data": response.data_hex, "sw": response.sw_hex, "ok": response.ok}


def main(argv: list[str], prog: str) -> int:
    args = _parser(prog).parse_args(argv)
    try:
        apdus = [parse_apdu(text) for text in args.apdus]
        _scheme, url_reader = split_url(args.backend)
    except ValueError as exc:
        return fail(prog, str(exc), EXIT_USAGE)
    if args.wait < 0 or args.timeout <= 0:
        return fail(prog, "--wait must be >= 0 and --timeout > 0", EXIT_USAGE)
    quiet_driver_logs()
    if args.trace:
        _enable_trace()
    backend = open_backend_or_fail(prog, args.backend)
    if isinstance(backend, int):
        return backend
    rows: list[dict[str, Any]] = []
    reader = args.reader or url_reader
    atr = b""
    try:
        reader = pick_reader(backend, reader)
        with CardChannel.connect(backend, reader, timeout=args.wait,
                                 transmit_timeout=args.timeout) as channel:
            atr = channel.atr
            for apdu in apdus:
                response = channel.transmit(apdu)
                rows.append(_row(apdu, response))
                if not args.json:
                    print(response)
    except PcscError as exc:
        if args.json and rows:
            print_json({"reader": reader, "atr": to_hex(atr), "responses": rows,
                        "error": str(exc)})
        return reader_error(prog, exc)
    finally:
        backend.close()
    if args.json:
        print_json({"reader": reader, "atr": to_hex(atr), "responses": rows})
    return EXIT_OK
