"""``simulators pcscd run``: a private pcscd with the vpcd driver, in the foreground.

    simulators pcscd run [--workdir DIR] [--base-port PORT]

Prints how to reach it (``PCSCLITE_CSOCK_NAME=...`` and the two vpcd ports) and runs until
SIGTERM or Ctrl-C, then stops the daemon. Handy for developers::

    simulators pcscd run --workdir /tmp/pcsc &
    export PCSCLITE_CSOCK_NAME=/tmp/pcsc/run/pcscd.comm
    simulators card serve --vpcd-port <port> --state /tmp/card &
    opensc-tool -l

Exit code 3 when pcscd cannot be started (config/cli.py).
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

from config.cli import EXIT_FAILED, EXIT_OK, EXIT_UNAVAILABLE, fail, port_number
from config.runtime import block_stop_signals, configure_logging, wait_for_stop
from simulators.pcscd import READER_NAMES, SOCKET_ENV, PcscdError, PcscdProcess

log = logging.getLogger(__name__)


def _cmd_run(args: argparse.Namespace, prog: str) -> int:
    configure_logging(args.log_level)
    block_stop_signals()
    with tempfile.TemporaryDirectory(prefix="pcscd-") as scratch:
        workdir: Path = args.workdir or Path(scratch)
        daemon = PcscdProcess(workdir, base_port=args.base_port or 0)
        try:
            daemon.start()
        except PcscdError as exc:
            return fail(prog, str(exc), EXIT_UNAVAILABLE)
        try:
            lines = [f"{SOCKET_ENV}={daemon.socket_path}"]
            lines += [
                f"{reader}: vpcd port {port}"
                for reader, port in zip(READER_NAMES, daemon.ports, strict=True)
            ]
            lines.append(
                f"pid {daemon.pid}; log {workdir / 'pcscd.log'}; Ctrl-C or SIGTERM stops it"
            )
            sys.stdout.write("\n".join(lines) + "\n")
            sys.stdout.flush()
            proc = daemon.proc
            signo = wait_for_stop(lambda: proc is not None and proc.poll() is None)
        finally:
            daemon.stop()
    if signo is None:
        return fail(prog, "pcscd exited by itself; see its log", EXIT_FAILED)
    log.info("pcscd stopped", extra={"signal": signo})
    return EXIT_OK


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="A private pcscd with vpcd readers.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="run pcscd in the foreground until SIGTERM")
    run.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="directory for its socket, config and log (default: a temp dir)",
    )
    run.add_argument(
        "--base-port",
        type=port_number,
        default=None,
        help="vpcd port of `Virtual PCD 00 00` (the next one is 00 01)",
    )
    run.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING"])
    run.set_defaults(handler=_cmd_run)
    return parser


def main(argv: list[str], prog: str) -> int:
    args = build_parser(prog).parse_args(argv)
    return int(args.handler(args, f"{prog} {args.command}"))
