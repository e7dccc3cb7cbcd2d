"""``simulators card``: the virtual citizen card behind pcscd.

    simulators card serve --vpcd-port 35963 --card 4102000000000001 --state DIR
                          [--host 127.0.0.1] [--control PATH] [--log-level INFO]
    simulators card issue --state DIR --card N --holder NAME --id-number ID [--type adult]
                          [--valid-from D] [--valid-until D] [--balance 50.00] [--alg 3des|sm4]
                          [--pin 123456] [--keys KEYFILE] [--overwrite]

``serve`` attaches the card to vpcd (connect = card inserted) and runs until SIGTERM or Ctrl-C
(clean stop, exit 0). Logs are JSON lines on stderr. ``--control PATH`` opens the test-control
channel (see ``simulators.card.controls``) on a unix socket.

Exit codes (config/cli.py): 2 bad arguments (e.g. a malformed card number), 4 unusable state
directory or unknown card.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from cardsvc.keys import KeyFileError
from cardsvc.money import AmountError, format_fen, parse_yuan
from cardsvc.profile import ALGS, CARD_TYPE_NAMES
from config.cli import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, EXIT_USAGE, fail, port_number
from config.runtime import block_stop_signals, configure_logging, wait_for_stop
from drivers.idcard.codes import id_number_valid
from drivers.pcsc.spi import SimulatedCard
from simulators.card.controls import ControlledCard, ControlServer
from simulators.card.factory import issue_user_card, issuer_keys, open_user_card
from simulators.card.personalise import CardDescription, PersonaliseError
from simulators.card.store import StateError
from simulators.vpcd import VpcdBridge

log = logging.getLogger(__name__)

DEFAULT_CARD = "4102000000000001"
_CARD_NO = re.compile(r"\d{16}")


class ServeError(Exception):
    """A serve command cannot start; ``code`` is the exit code (config/cli.py)."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def add_serve_options(parser: argparse.ArgumentParser, default_port: int) -> None:
    parser.add_argument(
        "--vpcd-port",
        type=port_number,
        default=default_port,
        help=f"vpcd port of the reader (default {default_port})",
    )
    parser.add_argument("--host", default="127.0.0.1", help="vpcd host (default 127.0.0.1)")
    parser.add_argument(
        "--state", type=Path, required=True, help="directory holding the card's persistent state"
    )
    parser.add_argument(
        "--control",
        type=Path,
        default=None,
        help="unix socket for test controls (insert/remove/tear/answer/delay)",
    )
    parser.add_argument(
        "--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )


def check_state_dir(path: Path) -> Path:
    """Create ``path`` if needed and prove it is writable; raise ServeError (exit 4) if not."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ServeError(f"state directory {path} is not usable: {reason}", EXIT_CONFIG) from exc
    return path


def check_card_number(card_no: str) -> str:
    if not _CARD_NO.fullmatch(card_no):
        raise ServeError(f"card number must be 16 digits, got {card_no!r}", EXIT_USAGE)
    return card_no


def serve_card(
    card: SimulatedCard, *, name: str, port: int, host: str, control: Path | None
) -> int:
    """Serve ``card`` on vpcd until SIGTERM/SIGINT; the caller configured logging."""
    block_stop_signals()  # before any thread starts: only the main thread takes the signal
    controlled = ControlledCard(card)
    bridge = VpcdBridge(controlled, port, host, name=name)
    server = ControlServer(control, controlled, bridge) if control else None
    if server is not None:
        try:
            server.start()
        except OSError as exc:
            raise ServeError(
                f"cannot open the control socket {control}: {exc.strerror or exc}", EXIT_CONFIG
            ) from exc
    try:
        bridge.start()
        log.info(
            "serving",
            extra={
                "card": name,
                "host": host,
                "port": port,
                "control": str(control) if control else None,
            },
        )
        signo = wait_for_stop(lambda: bridge.running)
    finally:
        if server is not None:
            server.stop()
        bridge.stop()
    if signo is None:
        log.error("the vpcd bridge stopped unexpectedly", extra={"card": name})
        return EXIT_FAILED
    log.info("stopped", extra={"card": name, "signal": signo})
    return EXIT_OK


def run_serve(
    prog: str, opener: Callable[[], SimulatedCard], *, name: str, args: argparse.Namespace
) -> int:
    """Open the card (errors -> exit codes, no traceback), then :func:`serve_card`."""
    configure_logging(args.log_level)
    try:
        card = opener()
    except ServeError as exc:
        return fail(prog, str(exc), exc.code)
    except (ValueError, LookupError, StateError) as exc:
        return fail(prog, f"cannot open {name}: {exc}", EXIT_CONFIG)
    except OSError as exc:
        return fail(prog, f"cannot open {name} state in {args.state}: {exc}", EXIT_CONFIG)
    try:
        return serve_card(
            card, name=name, port=args.vpcd_port, host=args.host, control=args.control
        )
    except ServeError as exc:
        return fail(prog, str(exc), exc.code)


def _cmd_serve(args: argparse.Namespace, prog: str) -> int:
    def opener() -> SimulatedCard:
        card_no = check_card_number(args.card)
        return open_user_card(check_state_dir(args.state), card_no, t0=args.t0)

    return run_serve(prog, opener, name=f"card {args.card}", args=args)


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Virtual citizen card (一卡通).")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = sub.add_parser("serve", help="attach the card to pcscd's vpcd until SIGTERM")
    add_serve_options(serve, 35963)
    serve.add_argument(
        "--card", default=DEFAULT_CARD, help=f"card number, 16 digits (default {DEFAULT_CARD})"
    )
    serve.add_argument(
        "--t0",
        action="store_true",
        help="answer the T=0 way (61xx GET RESPONSE, 6Cxx) like a contact card",
    )
    serve.set_defaults(handler=_cmd_serve)
    issue = sub.add_parser("issue", help="personalise a new card into a state directory")
    issue.add_argument("--state", type=Path, required=True, help="state directory of the cards")
    issue.add_argument("--card", required=True, help="card number, 16 digits")
    issue.add_argument("--holder", required=True, help="holder name (GB18030, at most 20 bytes)")
    issue.add_argument("--id-number", required=True, help="resident ID number (18 characters)")
    issue.add_argument("--type", dest="card_type", default="adult",
                       choices=CARD_TYPE_NAMES)
    issue.add_argument("--valid-from", type=_date, default=dt.date.today(),
                       help="YYYY-MM-DD (default today)")
    issue.add_argument("--valid-until", type=_date,
                       help="YYYY-MM-DD (default ten years after --valid-from)")
    issue.add_argument("--balance", default="0", help="opening balance in yuan (e.g. 50.00)")
    issue.add_argument("--alg", default="3des", choices=tuple(ALGS))
    issue.add_argument("--pin", default="123456", help="the card's PIN (default 123456)")
    issue.add_argument("--keys", type=Path,
                       help="issuer key file, mode 0600 (default: the demo issuer's test keys)")
    issue.add_argument("--overwrite", action="store_true", help="replace an existing card")
    issue.set_defaults(handler=_cmd_issue)
    return parser


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _cmd_issue(args: argparse.Namespace, prog: str) -> int:
    if not _CARD_NO.fullmatch(args.card):
        return fail(prog, f"a card number is 16 digits, not {args.card!r}", EXIT_USAGE)
    try:
        balance = 0 if args.balance in ("0", "0.00") else parse_yuan(args.balance)
    except AmountError as exc:
        return fail(prog, f"--balance: {exc}", EXIT_USAGE)
    if not id_number_valid(args.id_number):
        return fail(prog, f"{args.id_number!r} is not a valid resident ID number "
                    "(18 characters with the GB 11643 check digit)", EXIT_USAGE)
    start: dt.date = args.valid_from
    until = args.valid_until or start.replace(year=start.year + 10,
                                              day=28 if (start.month, start.day) == (2, 29)
                                              else start.day)
    desc = CardDescription(args.card, args.holder, args.id_number, args.card_type,
                           args.valid_from, until, balance, args.alg, args.pin)
    try:
        path = issue_user_card(args.state, desc, issuer_keys(args.keys), overwrite=args.overwrite)
    except (PersonaliseError, KeyFileError) as exc:
        return fail(prog, str(exc), EXIT_CONFIG if isinstance(exc, KeyFileError) else EXIT_USAGE)
    except FileExistsError as exc:
        return fail(prog, f"{exc} (use --overwrite to replace it)", EXIT_FAILED)
    except OSError as exc:
        return fail(prog, f"cannot write the card state: {exc}", EXIT_CONFIG)
    print(f"已发卡 Card {args.card} issued to {args.holder} ({args.card_type}, {args.alg}, "
          f"balance {format_fen(balance)} yuan, valid {args.valid_from} ~ {until}): {path}")
    print(f"serve it with: simulators card serve --card {args.card} --state {args.state}")
    return EXIT_OK


def main(argv: list[str], prog: str) -> int:
    parser = build_parser(prog)
    args = parser.parse_args(argv)  # exits 2 with usage on bad arguments
    handler: Callable[[argparse.Namespace, str], int] = args.handler
    return handler(args, f"{prog} {args.command}")
