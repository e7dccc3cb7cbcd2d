"""``simulators psam``: the virtual PSAM (terminal secure module) behind pcscd.

    simulators psam serve --vpcd-port 35964 --state DIR [--host 127.0.0.1] [--control PATH]

Runs until SIGTERM or Ctrl-C (clean stop, exit 0); JSON log lines on stderr. Exit code 4 for an
unusable state directory (config/cli.py).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from drivers.pcsc.spi import SimulatedCard
from simulators.card.cli import add_serve_options, check_state_dir, run_serve
from simulators.card.factory import open_psam


def _cmd_serve(args: argparse.Namespace, prog: str) -> int:
    def opener() -> SimulatedCard:
        return open_psam(check_state_dir(args.state))

    return run_serve(prog, opener, name="psam", args=args)


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Virtual PSAM (terminal SAM).")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = sub.add_parser("serve", help="attach the PSAM to pcscd's vpcd until SIGTERM")
    add_serve_options(serve, 35964)
    serve.set_defaults(handler=_cmd_serve)
    return parser


def main(argv: list[str], prog: str) -> int:
    args = build_parser(prog).parse_args(argv)
    handler: Callable[[argparse.Namespace, str], int] = args.handler
    return handler(args, f"{prog} {args.command}")
